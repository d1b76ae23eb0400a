//! OVAL 5.11 enumerations and the result algebra over them: datatypes,
//! operations, check and existence enumerations, operators, collected-object
//! flags, and definition/test results with their truth tables.

use std::fmt;

/// An entity's datatype (`oval:DatatypeEnumeration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Datatype {
    Binary,
    Boolean,
    EvrString,
    DebianEvrString,
    FilesetRevision,
    Float,
    IosVersion,
    Int,
    Ipv4Address,
    Ipv6Address,
    #[default]
    String,
    Version,
    Record,
}

impl Datatype {
    pub fn parse(s: &str) -> Option<Datatype> {
        Some(match s {
            "binary" => Datatype::Binary,
            "boolean" => Datatype::Boolean,
            "evr_string" => Datatype::EvrString,
            "debian_evr_string" => Datatype::DebianEvrString,
            "fileset_revision" => Datatype::FilesetRevision,
            "float" => Datatype::Float,
            "ios_version" => Datatype::IosVersion,
            "int" => Datatype::Int,
            "ipv4_address" => Datatype::Ipv4Address,
            "ipv6_address" => Datatype::Ipv6Address,
            "string" => Datatype::String,
            "version" => Datatype::Version,
            "record" => Datatype::Record,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Datatype::Binary => "binary",
            Datatype::Boolean => "boolean",
            Datatype::EvrString => "evr_string",
            Datatype::DebianEvrString => "debian_evr_string",
            Datatype::FilesetRevision => "fileset_revision",
            Datatype::Float => "float",
            Datatype::IosVersion => "ios_version",
            Datatype::Int => "int",
            Datatype::Ipv4Address => "ipv4_address",
            Datatype::Ipv6Address => "ipv6_address",
            Datatype::String => "string",
            Datatype::Version => "version",
            Datatype::Record => "record",
        }
    }
}

/// An entity's operation (`oval:OperationEnumeration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Operation {
    #[default]
    Equals,
    NotEqual,
    CaseInsensitiveEquals,
    CaseInsensitiveNotEqual,
    GreaterThan,
    LessThan,
    GreaterThanOrEqual,
    LessThanOrEqual,
    BitwiseAnd,
    BitwiseOr,
    PatternMatch,
    SubsetOf,
    SupersetOf,
}

impl Operation {
    pub fn parse(s: &str) -> Option<Operation> {
        Some(match s {
            "equals" => Operation::Equals,
            "not equal" => Operation::NotEqual,
            "case insensitive equals" => Operation::CaseInsensitiveEquals,
            "case insensitive not equal" => Operation::CaseInsensitiveNotEqual,
            "greater than" => Operation::GreaterThan,
            "less than" => Operation::LessThan,
            "greater than or equal" => Operation::GreaterThanOrEqual,
            "less than or equal" => Operation::LessThanOrEqual,
            "bitwise and" => Operation::BitwiseAnd,
            "bitwise or" => Operation::BitwiseOr,
            "pattern match" => Operation::PatternMatch,
            "subset of" => Operation::SubsetOf,
            "superset of" => Operation::SupersetOf,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Equals => "equals",
            Operation::NotEqual => "not equal",
            Operation::CaseInsensitiveEquals => "case insensitive equals",
            Operation::CaseInsensitiveNotEqual => "case insensitive not equal",
            Operation::GreaterThan => "greater than",
            Operation::LessThan => "less than",
            Operation::GreaterThanOrEqual => "greater than or equal",
            Operation::LessThanOrEqual => "less than or equal",
            Operation::BitwiseAnd => "bitwise and",
            Operation::BitwiseOr => "bitwise or",
            Operation::PatternMatch => "pattern match",
            Operation::SubsetOf => "subset of",
            Operation::SupersetOf => "superset of",
        }
    }
}

/// `oval:CheckEnumeration`: how many of a set must be true.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Check {
    #[default]
    All,
    AtLeastOne,
    NoneSatisfy,
    OnlyOne,
}

impl Check {
    pub fn parse(s: &str) -> Option<Check> {
        Some(match s {
            "all" => Check::All,
            "at least one" => Check::AtLeastOne,
            "none satisfy" | "none exist" => Check::NoneSatisfy,
            "only one" => Check::OnlyOne,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Check::All => "all",
            Check::AtLeastOne => "at least one",
            Check::NoneSatisfy => "none satisfy",
            Check::OnlyOne => "only one",
        }
    }

    /// Combines individual results under this check, with the OVAL 5.11
    /// truth table as OpenSCAP applies it: an empty set is `unknown`, a set
    /// of only not-applicable results is `not applicable`, and other
    /// not-applicable results are ignored.
    // The arms spell out the operator truth tables of OVAL 5.11 case by case.
    #[allow(clippy::if_same_then_else)]
    pub fn combine(self, results: impl IntoIterator<Item = Res>) -> Res {
        let c = Counts::of(results);
        if let Some(r) = c.degenerate() {
            return r;
        }
        let (t, f, e, u, ne) = (c.t, c.f, c.e, c.u, c.ne);
        match self {
            Check::All => {
                if t > 0 && f == 0 && e == 0 && u == 0 && ne == 0 {
                    Res::True
                } else if f > 0 {
                    Res::False
                } else if e > 0 {
                    Res::Error
                } else if u > 0 {
                    Res::Unknown
                } else if ne > 0 {
                    Res::NotEvaluated
                } else {
                    Res::Error
                }
            }
            Check::AtLeastOne => {
                if t > 0 {
                    Res::True
                } else if f > 0 && u == 0 && e == 0 && ne == 0 {
                    Res::False
                } else if e > 0 {
                    Res::Error
                } else if u > 0 {
                    // OpenSCAP answers `error` when false and unknown mix;
                    // the OVAL table says unknown.
                    Res::Unknown
                } else {
                    Res::NotEvaluated
                }
            }
            Check::NoneSatisfy => {
                if t > 0 {
                    Res::False
                } else if e > 0 {
                    Res::Error
                } else if u > 0 {
                    Res::Unknown
                } else if ne > 0 {
                    Res::NotEvaluated
                } else if f > 0 {
                    Res::True
                } else {
                    Res::Error
                }
            }
            Check::OnlyOne => {
                if t == 1 && e == 0 && u == 0 && ne == 0 {
                    Res::True
                } else if t > 1 {
                    Res::False
                } else if e > 0 {
                    Res::Error
                } else if u > 0 {
                    Res::Unknown
                } else if ne > 0 {
                    Res::NotEvaluated
                } else if f > 0 {
                    Res::False
                } else {
                    Res::Error
                }
            }
        }
    }
}

/// `oval:ExistenceEnumeration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Existence {
    AllExist,
    AnyExist,
    #[default]
    AtLeastOneExists,
    NoneExist,
    OnlyOneExists,
}

impl Existence {
    pub fn parse(s: &str) -> Option<Existence> {
        Some(match s {
            "all_exist" => Existence::AllExist,
            "any_exist" => Existence::AnyExist,
            "at_least_one_exists" => Existence::AtLeastOneExists,
            "none_exist" => Existence::NoneExist,
            "only_one_exists" => Existence::OnlyOneExists,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Existence::AllExist => "all_exist",
            Existence::AnyExist => "any_exist",
            Existence::AtLeastOneExists => "at_least_one_exists",
            Existence::NoneExist => "none_exist",
            Existence::OnlyOneExists => "only_one_exists",
        }
    }

    /// The existence result from the number of items that exist and that
    /// have status error (OVAL 5.11 "check_existence" table, as OpenSCAP
    /// applies it to a complete collection).
    pub fn evaluate(self, exists: usize, error: usize) -> Res {
        match self {
            Existence::AllExist => {
                if error > 0 {
                    Res::Error
                } else if exists >= 1 {
                    Res::True
                } else {
                    Res::False
                }
            }
            Existence::AnyExist => {
                if error > 0 && exists == 0 {
                    Res::Error
                } else {
                    Res::True
                }
            }
            Existence::AtLeastOneExists => {
                if exists >= 1 {
                    Res::True
                } else if error > 0 {
                    Res::Error
                } else {
                    Res::False
                }
            }
            Existence::NoneExist => {
                if exists == 0 && error == 0 {
                    Res::True
                } else if exists >= 1 && error == 0 {
                    Res::False
                } else if exists == 0 {
                    Res::Error
                } else {
                    // OpenSCAP leaves this cell to its error default.
                    Res::Error
                }
            }
            Existence::OnlyOneExists => {
                if exists >= 2 {
                    Res::False
                } else if exists == 1 && error == 0 {
                    Res::True
                } else if error > 0 {
                    Res::Error
                } else {
                    Res::False
                }
            }
        }
    }
}

/// `oval:OperatorEnumeration`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Operator {
    #[default]
    And,
    One,
    Or,
    Xor,
}

impl Operator {
    pub fn parse(s: &str) -> Option<Operator> {
        Some(match s {
            "AND" => Operator::And,
            "ONE" => Operator::One,
            "OR" => Operator::Or,
            "XOR" => Operator::Xor,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Operator::And => "AND",
            Operator::One => "ONE",
            Operator::Or => "OR",
            Operator::Xor => "XOR",
        }
    }

    /// Combines results under this operator (OVAL 5.11 "operator" table,
    /// as OpenSCAP applies it; not-applicable results are ignored unless
    /// they are all there is).
    // The arms spell out the operator truth tables of OVAL 5.11 case by case.
    #[allow(clippy::if_same_then_else)]
    pub fn combine(self, results: impl IntoIterator<Item = Res>) -> Res {
        let c = Counts::of(results);
        if let Some(r) = c.degenerate() {
            return r;
        }
        let (t, f, e, u, ne) = (c.t, c.f, c.e, c.u, c.ne);
        match self {
            Operator::And => Check::All.combine_counts(&c),
            Operator::Or => Check::AtLeastOne.combine_counts(&c),
            Operator::One => {
                if t == 1 && e == 0 && u == 0 && ne == 0 {
                    Res::True
                } else if t >= 2 {
                    Res::False
                } else if t == 0 && e == 0 && u == 0 && ne == 0 {
                    Res::False
                } else if e > 0 {
                    Res::Error
                } else if u > 0 {
                    Res::Unknown
                } else {
                    Res::NotEvaluated
                }
            }
            Operator::Xor => {
                let _ = f;
                if e > 0 {
                    Res::Error
                } else if u > 0 {
                    Res::Unknown
                } else if ne > 0 {
                    Res::NotEvaluated
                } else if t % 2 == 1 {
                    Res::True
                } else {
                    Res::False
                }
            }
        }
    }
}

impl Check {
    fn combine_counts(self, c: &Counts) -> Res {
        let mut v = Vec::with_capacity(c.total());
        v.extend(std::iter::repeat_n(Res::True, c.t));
        v.extend(std::iter::repeat_n(Res::False, c.f));
        v.extend(std::iter::repeat_n(Res::Error, c.e));
        v.extend(std::iter::repeat_n(Res::Unknown, c.u));
        v.extend(std::iter::repeat_n(Res::NotEvaluated, c.ne));
        v.extend(std::iter::repeat_n(Res::NotApplicable, c.na));
        self.combine(v)
    }
}

#[derive(Default)]
struct Counts {
    t: usize,
    f: usize,
    e: usize,
    u: usize,
    ne: usize,
    na: usize,
}

impl Counts {
    fn of(results: impl IntoIterator<Item = Res>) -> Counts {
        let mut c = Counts::default();
        for r in results {
            match r {
                Res::True => c.t += 1,
                Res::False => c.f += 1,
                Res::Error => c.e += 1,
                Res::Unknown => c.u += 1,
                Res::NotEvaluated => c.ne += 1,
                Res::NotApplicable => c.na += 1,
            }
        }
        c
    }

    fn total(&self) -> usize {
        self.t + self.f + self.e + self.u + self.ne + self.na
    }

    /// The results every table shares: nothing at all is `unknown`, only
    /// not-applicable results are `not applicable`.
    fn degenerate(&self) -> Option<Res> {
        if self.total() == 0 {
            Some(Res::Unknown)
        } else if self.total() == self.na {
            Some(Res::NotApplicable)
        } else {
            None
        }
    }
}

/// A definition, criterion or test result (`oval-res:ResultEnumeration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Res {
    True,
    False,
    Unknown,
    Error,
    NotEvaluated,
    NotApplicable,
}

impl Res {
    pub fn as_str(self) -> &'static str {
        match self {
            Res::True => "true",
            Res::False => "false",
            Res::Unknown => "unknown",
            Res::Error => "error",
            Res::NotEvaluated => "not evaluated",
            Res::NotApplicable => "not applicable",
        }
    }

    /// `negate="true"`: swaps true and false, leaves the rest.
    pub fn negate(self, negate: bool) -> Res {
        match (negate, self) {
            (true, Res::True) => Res::False,
            (true, Res::False) => Res::True,
            (_, r) => r,
        }
    }

    pub fn from_bool(b: bool) -> Res {
        if b {
            Res::True
        } else {
            Res::False
        }
    }
}

impl fmt::Display for Res {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A collected object's flag (`oval-sc:FlagEnumeration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Flag {
    Error,
    Complete,
    Incomplete,
    DoesNotExist,
    NotCollected,
    NotApplicable,
}

impl Flag {
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Error => "error",
            Flag::Complete => "complete",
            Flag::Incomplete => "incomplete",
            Flag::DoesNotExist => "does not exist",
            Flag::NotCollected => "not collected",
            Flag::NotApplicable => "not applicable",
        }
    }
}

/// An item's or an item entity's status (`oval-sc:StatusEnumeration`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Status {
    Error,
    #[default]
    Exists,
    DoesNotExist,
    NotCollected,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Error => "error",
            Status::Exists => "exists",
            Status::DoesNotExist => "does not exist",
            Status::NotCollected => "not collected",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Res::*;

    #[test]
    fn check_tables() {
        assert_eq!(Check::All.combine([True, True]), True);
        assert_eq!(Check::All.combine([True, False, Error]), False);
        assert_eq!(Check::All.combine([True, Error]), Error);
        assert_eq!(Check::AtLeastOne.combine([False, True, Error]), True);
        assert_eq!(Check::AtLeastOne.combine([False, Unknown]), Unknown);
        assert_eq!(Check::NoneSatisfy.combine([False, False]), True);
        assert_eq!(Check::NoneSatisfy.combine([False, True]), False);
        assert_eq!(Check::OnlyOne.combine([False, True]), True);
        assert_eq!(Check::OnlyOne.combine([True, True]), False);
        assert_eq!(Check::OnlyOne.combine([False, False]), False);
    }

    #[test]
    fn operator_tables() {
        assert_eq!(Operator::And.combine([True, NotApplicable]), True);
        assert_eq!(Operator::And.combine([NotApplicable]), NotApplicable);
        assert_eq!(Operator::And.combine([]), Unknown);
        assert_eq!(Check::All.combine([]), Unknown);
        assert_eq!(Operator::Or.combine([False, NotApplicable, True]), True);
        assert_eq!(Operator::Xor.combine([True, True, True]), True);
        assert_eq!(Operator::Xor.combine([True, True]), False);
        assert_eq!(Operator::One.combine([True, False, False]), True);
    }

    #[test]
    fn existence_tables() {
        assert_eq!(Existence::AtLeastOneExists.evaluate(0, 0), False);
        assert_eq!(Existence::AtLeastOneExists.evaluate(2, 1), True);
        assert_eq!(Existence::NoneExist.evaluate(0, 0), True);
        assert_eq!(Existence::NoneExist.evaluate(1, 0), False);
        assert_eq!(Existence::AnyExist.evaluate(0, 0), True);
        assert_eq!(Existence::AllExist.evaluate(0, 0), False);
        assert_eq!(Existence::AllExist.evaluate(1, 1), Error);
        assert_eq!(Existence::OnlyOneExists.evaluate(2, 0), False);
        assert_eq!(Existence::OnlyOneExists.evaluate(1, 0), True);
    }
}
