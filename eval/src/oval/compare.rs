//! Comparing one collected value against one expected value under an OVAL
//! datatype and operation (OVAL 5.11 "Operations" table).
//!
//! Every datatype the language defines is handled: string, int, float,
//! boolean, binary, version, evr_string (rpm), debian_evr_string (dpkg),
//! ipv4_address and ipv6_address (with prefixes, for subset/superset),
//! fileset_revision and ios_version (compared as versions). An operation the
//! datatype does not allow, or a value that does not parse as the datatype,
//! is an error, never a guess.

use super::types::{Datatype, Operation};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex, OnceLock};

/// Why a comparison could not be made (an OVAL `error` result).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareError(pub String);

impl std::fmt::Display for CompareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type R = Result<bool, CompareError>;

fn err<T>(msg: String) -> Result<T, CompareError> {
    Err(CompareError(msg))
}

/// `actual` (collected) OPERATION `expected` (from the state or object).
pub fn compare(dt: Datatype, op: Operation, actual: &str, expected: &str) -> R {
    use Operation::*;
    match dt {
        Datatype::String | Datatype::Record => match op {
            Equals => Ok(actual == expected),
            NotEqual => Ok(actual != expected),
            CaseInsensitiveEquals => Ok(ci_eq(actual, expected)),
            CaseInsensitiveNotEqual => Ok(!ci_eq(actual, expected)),
            PatternMatch => pattern_match(expected, actual),
            // Not in the table for strings, but harmless and used by some
            // content: ordinal comparison.
            GreaterThan => Ok(actual > expected),
            LessThan => Ok(actual < expected),
            GreaterThanOrEqual => Ok(actual >= expected),
            LessThanOrEqual => Ok(actual <= expected),
            _ => bad_op(dt, op),
        },
        Datatype::Int => {
            let a = parse_int(actual)?;
            let e = parse_int(expected)?;
            match op {
                BitwiseAnd => Ok(a & e == e),
                BitwiseOr => Ok(a | e == e),
                _ => ordered(op, a.cmp(&e), dt),
            }
        }
        Datatype::Float => {
            let a = parse_float(actual)?;
            let e = parse_float(expected)?;
            match a.partial_cmp(&e) {
                Some(o) => ordered(op, o, dt),
                None => err(format!("cannot compare NaN values `{actual}` and `{expected}`")),
            }
        }
        Datatype::Boolean => {
            let a = parse_bool(actual)?;
            let e = parse_bool(expected)?;
            match op {
                Equals => Ok(a == e),
                NotEqual => Ok(a != e),
                _ => bad_op(dt, op),
            }
        }
        Datatype::Binary => {
            let a = parse_binary(actual)?;
            let e = parse_binary(expected)?;
            match op {
                Equals => Ok(a == e),
                NotEqual => Ok(a != e),
                _ => bad_op(dt, op),
            }
        }
        Datatype::Version | Datatype::FilesetRevision | Datatype::IosVersion => match op {
            PatternMatch => pattern_match(expected, actual),
            _ => ordered(op, version_cmp(actual, expected), dt),
        },
        Datatype::EvrString => ordered(op, rpm_evr_cmp(actual, expected), dt),
        Datatype::DebianEvrString => ordered(op, deb_evr_cmp(actual, expected), dt),
        Datatype::Ipv4Address => {
            let a = parse_v4(actual)?;
            let e = parse_v4(expected)?;
            ip_compare(op, (u128::from(u32::from(a.0)), a.1, 32), (u128::from(u32::from(e.0)), e.1, 32), dt)
        }
        Datatype::Ipv6Address => {
            let a = parse_v6(actual)?;
            let e = parse_v6(expected)?;
            ip_compare(op, (u128::from(a.0), a.1, 128), (u128::from(e.0), e.1, 128), dt)
        }
    }
}

fn bad_op(dt: Datatype, op: Operation) -> R {
    err(format!("the operation `{}` is not defined for the datatype `{}`", op.as_str(), dt.as_str()))
}

fn ordered(op: Operation, o: Ordering, dt: Datatype) -> R {
    use Operation::*;
    Ok(match op {
        Equals => o == Ordering::Equal,
        NotEqual => o != Ordering::Equal,
        GreaterThan => o == Ordering::Greater,
        LessThan => o == Ordering::Less,
        GreaterThanOrEqual => o != Ordering::Less,
        LessThanOrEqual => o != Ordering::Greater,
        _ => return bad_op(dt, op),
    })
}

fn ci_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
}

pub fn parse_int(s: &str) -> Result<i128, CompareError> {
    let t = s.trim();
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let v = if let Some(h) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        i128::from_str_radix(h, 16)
    } else {
        digits.parse::<i128>()
    };
    match v {
        Ok(v) if !digits.is_empty() => Ok(if neg { -v } else { v }),
        _ => err(format!("`{s}` is not an integer")),
    }
}

pub fn parse_float(s: &str) -> Result<f64, CompareError> {
    match s.trim() {
        "INF" => Ok(f64::INFINITY),
        "-INF" => Ok(f64::NEG_INFINITY),
        t => t.parse::<f64>().map_err(|_| CompareError(format!("`{s}` is not a float"))),
    }
}

pub fn parse_bool(s: &str) -> Result<bool, CompareError> {
    match s.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        t if t.eq_ignore_ascii_case("true") => Ok(true),
        t if t.eq_ignore_ascii_case("false") => Ok(false),
        _ => err(format!("`{s}` is not a boolean")),
    }
}

fn parse_binary(s: &str) -> Result<Vec<u8>, CompareError> {
    let t = s.trim();
    if !t.len().is_multiple_of(2) || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return err(format!("`{s}` is not hexadecimal binary"));
    }
    Ok((0..t.len()).step_by(2).map(|i| u8::from_str_radix(&t[i..i + 2], 16).unwrap_or(0)).collect())
}

/// A compiled OVAL regular expression, cached process-wide by pattern and
/// flags.
///
/// OVAL patterns are Perl-compatible, and oscap matches them with PCRE in
/// UTF-8 mode; so does this, through PCRE2 itself, so that look-arounds,
/// back references, `\Z`, possessive quantifiers and every other PCRE
/// spelling mean exactly what they mean there. JIT compilation is used
/// when available; every match is bounded by [`MATCH_LIMIT`] (PCRE2's
/// backtracking budget), and a match that exceeds it is an error, never a
/// hang.
pub struct Regex {
    re: pcre2::bytes::Regex,
    pattern: String,
}

impl std::fmt::Debug for Regex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Regex({:?})", self.pattern)
    }
}

/// One match: its start offset, the whole match, and each group (group 1
/// onward; `None` for a group that did not take part).
pub type Found = (usize, String, Vec<Option<String>>);

/// PCRE2's match limit for every OVAL pattern (the number of times its
/// internal match function may be entered in one match attempt): patterns
/// that backtrack catastrophically stop with an error.
pub const MATCH_LIMIT: u32 = 5_000_000;

impl Regex {
    fn failed(&self, e: pcre2::Error) -> CompareError {
        CompareError(format!("regular expression `{}` failed: {e}", self.pattern))
    }

    pub fn is_match(&self, s: &str) -> Result<bool, CompareError> {
        self.re.is_match(s.as_bytes()).map_err(|e| self.failed(e))
    }

    /// The capture groups of the first match (group 1 onward), or `None`
    /// when nothing matches. Groups that did not take part are empty.
    pub fn first_captures(&self, s: &str) -> Result<Option<Vec<String>>, CompareError> {
        let mut locs = self.re.capture_locations();
        Ok(self
            .re
            .captures_read(&mut locs, s.as_bytes())
            .map_err(|e| self.failed(e))?
            .map(|_| (1..locs.len()).map(|i| locs.get(i).map_or(String::new(), |(a, b)| s[a..b].to_owned())).collect()))
    }

    /// Every non-overlapping match in `s`, left to right. After an empty
    /// match the search resumes at the next character, and an empty match
    /// right where the previous match ended is skipped.
    pub fn find_all(&self, s: &str) -> Result<Vec<Found>, CompareError> {
        let bytes = s.as_bytes();
        let mut locs = self.re.capture_locations();
        let mut out = Vec::new();
        let mut at = 0;
        let mut last_end = None;
        while at <= s.len() {
            let Some(m) = self.re.captures_read_at(&mut locs, bytes, at).map_err(|e| self.failed(e))? else {
                break;
            };
            let (start, end) = (m.start(), m.end());
            if start == end {
                at = end + s[end..].chars().next().map_or(1, char::len_utf8);
                if last_end == Some(end) {
                    continue;
                }
            } else {
                at = end;
            }
            last_end = Some(end);
            let groups = (1..locs.len()).map(|i| locs.get(i).map(|(a, b)| s[a..b].to_owned())).collect();
            out.push((start, s[start..end].to_owned(), groups));
        }
        Ok(out)
    }
}

/// Compiles (or fetches from the cache) an OVAL regular expression.
/// `multiline` makes `^`/`$` match at line ends, `dotall` makes `.` match
/// newlines, `caseless` ignores case (textfilecontent54's behaviors).
pub fn regex(pattern: &str, multiline: bool, dotall: bool, caseless: bool) -> Result<Arc<Regex>, CompareError> {
    type Cache = Mutex<HashMap<(String, bool, bool, bool), Arc<Regex>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (pattern.to_owned(), multiline, dotall, caseless);
    if let Some(r) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return Ok(r.clone());
    }
    // A leading `(*LIMIT_MATCH=n)` can only lower PCRE2's limit, and the
    // pattern's own start-of-pattern settings may follow it.
    let limited = format!("(*LIMIT_MATCH={MATCH_LIMIT}){pattern}");
    let re = pcre2::bytes::RegexBuilder::new()
        .utf(true)
        .multi_line(multiline)
        .dotall(dotall)
        .caseless(caseless)
        .jit_if_available(true)
        .max_jit_stack_size(Some(4 << 20))
        .build(&limited)
        .map_err(|e| CompareError(format!("invalid regular expression `{pattern}`: {e}")))?;
    let r = Arc::new(Regex { re, pattern: pattern.to_owned() });
    cache.lock().unwrap_or_else(|p| p.into_inner()).insert(key, r.clone());
    Ok(r)
}

/// OVAL `pattern match`: a search for the pattern anywhere in the value.
pub fn pattern_match(pattern: &str, value: &str) -> R {
    regex(pattern, false, false, false)?.is_match(value)
}

/// The OVAL `version` datatype, compared as oscap compares it: each side
/// is a list of integer fields; a field is read as C's `atoi` reads it
/// (leading blanks and a sign allowed; no digits reads as 0), and the next
/// field starts after the digit run and one separator (any non-digit
/// character, so `1x0c45d2` is 1.0.45.2). A missing field counts as 0.
pub fn version_cmp(a: &str, b: &str) -> Ordering {
    let (fa, fb) = (version_fields(a), version_fields(b));
    for i in 0..fa.len().max(fb.len()) {
        let o = fa.get(i).copied().unwrap_or(0).cmp(&fb.get(i).copied().unwrap_or(0));
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

fn version_fields(s: &str) -> Vec<i64> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        out.push(atoi(&b[i..]));
        // past this character, the digits after it, and one separator
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i < b.len() {
            i += 1;
        }
    }
    out
}

/// C's `atoi`, saturating instead of overflowing.
fn atoi(b: &[u8]) -> i64 {
    let mut i = 0;
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let neg = i < b.len() && b[i] == b'-';
    if i < b.len() && matches!(b[i], b'+' | b'-') {
        i += 1;
    }
    let mut v: i64 = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        v = v.saturating_mul(10).saturating_add(i64::from(b[i] - b'0'));
        i += 1;
    }
    if neg {
        -v
    } else {
        v
    }
}

fn split_evr(s: &str) -> (&str, &str, &str) {
    let (epoch, rest) = match s.find(':') {
        Some(i) if s[..i].bytes().all(|b| b.is_ascii_digit()) => (&s[..i], &s[i + 1..]),
        _ => ("0", s),
    };
    let (version, release) = match rest.rfind('-') {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, ""),
    };
    (if epoch.is_empty() { "0" } else { epoch }, version, release)
}

fn cmp_epoch(a: &str, b: &str) -> Ordering {
    let x = a.trim_start_matches('0');
    let y = b.trim_start_matches('0');
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

/// `evr_string`: epoch:version-release compared the way rpm does.
pub fn rpm_evr_cmp(a: &str, b: &str) -> Ordering {
    let (ea, va, ra) = split_evr(a);
    let (eb, vb, rb) = split_evr(b);
    cmp_epoch(ea, eb).then_with(|| rpmvercmp(va, vb)).then_with(|| rpmvercmp(ra, rb))
}

/// rpm's `rpmvercmp`: alternating runs of digits and letters; other
/// characters separate; `~` sorts before anything, `^` after the end.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        while i < a.len() && !a[i].is_ascii_alphanumeric() && a[i] != b'~' && a[i] != b'^' {
            i += 1;
        }
        while j < b.len() && !b[j].is_ascii_alphanumeric() && b[j] != b'~' && b[j] != b'^' {
            j += 1;
        }
        let ta = a.get(i) == Some(&b'~');
        let tb = b.get(j) == Some(&b'~');
        if ta || tb {
            if !ta {
                return Ordering::Greater;
            }
            if !tb {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let ca = a.get(i) == Some(&b'^');
        let cb = b.get(j) == Some(&b'^');
        if ca || cb {
            if i >= a.len() {
                return Ordering::Less;
            }
            if j >= b.len() {
                return Ordering::Greater;
            }
            if !ca {
                return Ordering::Greater;
            }
            if !cb {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if i >= a.len() || j >= b.len() {
            break;
        }
        let numeric = a[i].is_ascii_digit();
        let take = |s: &[u8], mut k: usize| {
            let st = k;
            while k < s.len() && if numeric { s[k].is_ascii_digit() } else { s[k].is_ascii_alphabetic() } {
                k += 1;
            }
            (st, k)
        };
        let (sa, ea) = take(a, i);
        let (sb, eb) = take(b, j);
        if sb == eb {
            // Segments of different kinds: a number is newer than letters.
            return if numeric { Ordering::Greater } else { Ordering::Less };
        }
        let (mut x, mut y) = (&a[sa..ea], &b[sb..eb]);
        let o = if numeric {
            while x.len() > 1 && x[0] == b'0' {
                x = &x[1..];
            }
            while y.len() > 1 && y[0] == b'0' {
                y = &y[1..];
            }
            x.len().cmp(&y.len()).then_with(|| x.cmp(y))
        } else {
            x.cmp(y)
        };
        if o != Ordering::Equal {
            return o;
        }
        i = ea;
        j = eb;
    }
    match (i >= a.len(), j >= b.len()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        _ => Ordering::Greater,
    }
}

/// `debian_evr_string`: epoch:upstream-revision compared the way dpkg does.
pub fn deb_evr_cmp(a: &str, b: &str) -> Ordering {
    let (ea, va, ra) = split_evr(a);
    let (eb, vb, rb) = split_evr(b);
    cmp_epoch(ea, eb).then_with(|| dpkg_verrevcmp(va, vb)).then_with(|| dpkg_verrevcmp(ra, rb))
}

fn dpkg_order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => c as i32,
        Some(b'~') => -1,
        Some(c) => c as i32 + 256,
    }
}

/// dpkg's `verrevcmp`.
pub fn dpkg_verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let mut first_diff = 0i32;
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = dpkg_order(a.get(i).copied());
            let bc = dpkg_order(b.get(j).copied());
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while i < a.len() && a[i] == b'0' {
            i += 1;
        }
        while j < b.len() && b[j] == b'0' {
            j += 1;
        }
        while i < a.len() && a[i].is_ascii_digit() && j < b.len() && b[j].is_ascii_digit() {
            if first_diff == 0 {
                first_diff = a[i] as i32 - b[j] as i32;
            }
            i += 1;
            j += 1;
        }
        if i < a.len() && a[i].is_ascii_digit() {
            return Ordering::Greater;
        }
        if j < b.len() && b[j].is_ascii_digit() {
            return Ordering::Less;
        }
        if first_diff != 0 {
            return first_diff.cmp(&0);
        }
    }
    Ordering::Equal
}

fn parse_v4(s: &str) -> Result<(Ipv4Addr, u32), CompareError> {
    let t = s.trim();
    let (addr, prefix) = match t.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (t, None),
    };
    let a: Ipv4Addr = addr.parse().map_err(|_| CompareError(format!("`{s}` is not an IPv4 address")))?;
    let p = match prefix {
        None => 32,
        Some(p) if p.contains('.') => {
            let m: Ipv4Addr = p.parse().map_err(|_| CompareError(format!("`{s}` has a bad netmask")))?;
            u32::from(m).leading_ones()
        }
        Some(p) => p
            .parse::<u32>()
            .ok()
            .filter(|p| *p <= 32)
            .ok_or_else(|| CompareError(format!("`{s}` has a bad prefix length")))?,
    };
    Ok((a, p))
}

fn parse_v6(s: &str) -> Result<(Ipv6Addr, u32), CompareError> {
    let t = s.trim();
    let (addr, prefix) = match t.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (t, None),
    };
    let a: Ipv6Addr = addr.parse().map_err(|_| CompareError(format!("`{s}` is not an IPv6 address")))?;
    let p = match prefix {
        None => 128,
        Some(p) => p
            .parse::<u32>()
            .ok()
            .filter(|p| *p <= 128)
            .ok_or_else(|| CompareError(format!("`{s}` has a bad prefix length")))?,
    };
    Ok((a, p))
}

fn ip_compare(op: Operation, a: (u128, u32, u32), e: (u128, u32, u32), dt: Datatype) -> R {
    let bits = a.2;
    let mask = |p: u32| -> u128 {
        if p == 0 {
            0
        } else {
            (!0u128 << (128 - p)) >> (128 - bits)
        }
    };
    let net = |x: (u128, u32, u32)| x.0 & mask(x.1);
    use Operation::*;
    match op {
        SubsetOf => Ok(a.1 >= e.1 && net((a.0, e.1, bits)) == net(e)),
        SupersetOf => Ok(a.1 <= e.1 && net((e.0, a.1, bits)) == net(a)),
        Equals => Ok(net(a) == net(e) && a.1 == e.1),
        NotEqual => Ok(!(net(a) == net(e) && a.1 == e.1)),
        _ => ordered(op, net(a).cmp(&net(e)), dt),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Datatype as D;
    use Operation as O;

    #[test]
    fn strings_and_patterns() {
        assert_eq!(compare(D::String, O::Equals, "a", "a"), Ok(true));
        assert_eq!(compare(D::String, O::CaseInsensitiveEquals, "ABC", "abc"), Ok(true));
        assert_eq!(compare(D::String, O::PatternMatch, "PermitRootLogin no", r"^PermitRootLogin\s+no$"), Ok(true));
        assert_eq!(compare(D::String, O::PatternMatch, "xyz", "^a"), Ok(false));
        assert_eq!(compare(D::String, O::PatternMatch, "ab\n", r"^ab\Z"), Ok(true));
        assert_eq!(compare(D::String, O::PatternMatch, "foo bar", r"foo(?= bar)"), Ok(true));
        assert!(compare(D::String, O::PatternMatch, "x", "(").is_err());
        assert!(compare(D::Boolean, O::GreaterThan, "true", "false").is_err());
    }

    #[test]
    fn pcre_semantics() {
        // CaC's accounts_password_pam_unix_enabled: a quantified look-ahead
        // (refused by fancy-regex, accepted by PCRE).
        let p = r"^\s*password\s+(?:(?:required)|(?:\[(?=.*?\bsuccess=\d+\b)?(?=.*?\bdefault=ignore\b)?.*\]))\s+pam_unix\.so.*$";
        let line = "password\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt";
        assert_eq!(compare(D::String, O::PatternMatch, line, p), Ok(true));
        // possessive quantifiers, atomic groups, \Z, back references
        assert_eq!(compare(D::String, O::PatternMatch, "aaa", "^a++$"), Ok(true));
        assert_eq!(compare(D::String, O::PatternMatch, "aaa", "^(?>a+)a$"), Ok(false));
        assert_eq!(compare(D::String, O::PatternMatch, "abab", r"^(ab)\1$"), Ok(true));
        // `[]a]` is a class holding `]` and `a` in PCRE
        assert_eq!(compare(D::String, O::PatternMatch, "]", "^[]a]$"), Ok(true));
        // UTF-8 mode: `.` is one character, not one byte
        assert_eq!(compare(D::String, O::PatternMatch, "é", "^.$"), Ok(true));
    }

    #[test]
    fn catastrophic_backtracking_is_an_error_not_a_hang() {
        let subject = format!("{}b", "a".repeat(40));
        let e = compare(D::String, O::PatternMatch, &subject, "^(a+)+$").unwrap_err();
        assert!(e.0.contains("failed"), "{e}");
    }

    #[test]
    fn find_all_steps_over_empty_matches_by_character() {
        let r = regex("x*", false, false, false).unwrap();
        let found: Vec<(usize, String)> = r.find_all("éxx").unwrap().into_iter().map(|(a, m, _)| (a, m)).collect();
        assert_eq!(found, vec![(0, String::new()), (2, "xx".to_owned())]);
        let r = regex("^k=(\\d+)|(z)$", true, false, true).unwrap();
        let found = r.find_all("K=1\nz").unwrap();
        assert_eq!(found[0].2, vec![Some("1".to_owned()), None]);
        assert_eq!(found[1].2, vec![None, Some("z".to_owned())]);
    }

    #[test]
    fn numbers() {
        assert_eq!(compare(D::Int, O::GreaterThanOrEqual, "10", "9"), Ok(true));
        assert_eq!(compare(D::Int, O::LessThan, "-1", "0"), Ok(true));
        assert_eq!(compare(D::Int, O::BitwiseAnd, "493", "256"), Ok(true));
        assert_eq!(compare(D::Int, O::BitwiseAnd, "420", "2"), Ok(false));
        assert!(compare(D::Int, O::Equals, "abc", "1").is_err());
        assert_eq!(compare(D::Float, O::GreaterThan, "1.5", "1.25"), Ok(true));
        assert_eq!(compare(D::Boolean, O::Equals, "1", "true"), Ok(true));
        assert_eq!(compare(D::Binary, O::Equals, "0aFF", "0AFF"), Ok(true));
    }

    #[test]
    fn versions() {
        assert_eq!(version_cmp("1.10", "1.9"), Ordering::Greater);
        assert_eq!(version_cmp("1.0", "1"), Ordering::Equal);
        // any non-digit separates fields, as in oscap (MITRE's version test)
        for v in ["1x0c45d2", "1,2.3!3", "0+6", "1@0#4", "0q4,5z6"] {
            assert_eq!(compare(D::Version, O::LessThanOrEqual, v, "1.2.3.4"), Ok(true), "{v}");
        }
        assert_eq!(version_cmp("5.10.0-21-amd64", "5.10.0-21"), Ordering::Equal);
        assert_eq!(rpm_evr_cmp("0:1.2-3.el8", "0:1.2-10.el8"), Ordering::Less);
        assert_eq!(rpm_evr_cmp("1:0.1-1", "0:9.9-9"), Ordering::Greater);
        assert_eq!(rpmvercmp("1.0~rc1", "1.0"), Ordering::Less);
        assert_eq!(rpmvercmp("1.0^git1", "1.0"), Ordering::Greater);
        assert_eq!(rpmvercmp("1.0a", "1.0"), Ordering::Greater);
        assert_eq!(deb_evr_cmp("1:2.3-1", "2.9-1"), Ordering::Greater);
        assert_eq!(deb_evr_cmp("2.3~rc1-1", "2.3-1"), Ordering::Less);
        assert_eq!(deb_evr_cmp("0:1.2.3-1+deb12u1", "1.2.3-1"), Ordering::Greater);
        assert_eq!(deb_evr_cmp("1.2.3", "1.2.3-0"), Ordering::Equal);
        assert_eq!(compare(D::DebianEvrString, O::LessThan, "0:9.2p1-2+deb12u3", "0:9.2p1-2+deb12u4"), Ok(true));
    }

    #[test]
    fn addresses() {
        assert_eq!(compare(D::Ipv4Address, O::SubsetOf, "10.1.2.0/24", "10.0.0.0/8"), Ok(true));
        assert_eq!(compare(D::Ipv4Address, O::SubsetOf, "11.1.2.0/24", "10.0.0.0/8"), Ok(false));
        assert_eq!(compare(D::Ipv4Address, O::Equals, "10.0.0.1/255.255.255.255", "10.0.0.1"), Ok(true));
        assert_eq!(compare(D::Ipv6Address, O::SupersetOf, "fe80::/10", "fe80::1/128"), Ok(true));
        assert_eq!(compare(D::Ipv6Address, O::GreaterThan, "::2", "::1"), Ok(true));
    }
}
