//! Applicability expressions: `package[openssh-server] and not container`.
//!
//! Grammar (lowest precedence first):
//! `or := and ("or" and)*`, `and := not ("and" not)*`,
//! `not := "not" not | atom`,
//! `atom := NAME ("[" ARG "]")? (OP VERSION ("," OP VERSION)*)? | "(" or ")"`,
//! where OP is one of `==`, `!=`, `>`, `<`, `>=`, `<=` (CaC's version
//! specifiers, e.g. `package[openssh-server]<7.0`).

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Expr {
    /// `versions` are (operator, version) pairs.
    Name {
        name: String,
        arg: Option<String>,
        versions: Vec<(String, String)>,
    },
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// A parse failure at a character offset in the expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub offset: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Arg(String),
    Ver(String, String),
    LParen,
    RParen,
}

fn lex(s: &str) -> Result<Vec<(Tok, usize)>, ExprError> {
    let mut out = Vec::new();
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push((Tok::LParen, i));
            i += 1;
        } else if c == ')' {
            out.push((Tok::RParen, i));
            i += 1;
        } else if c == '[' {
            let start = i;
            let end = b[i..]
                .iter()
                .position(|&x| x == ']')
                .map(|p| p + i)
                .ok_or(ExprError { offset: i, message: "`[` is never closed".into() })?;
            let arg: String = b[i + 1..end].iter().collect();
            if arg.trim().is_empty() {
                return Err(ExprError { offset: start, message: "empty argument `[]`".into() });
            }
            out.push((Tok::Arg(arg.trim().to_owned()), start));
            i = end + 1;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            // CaC's algebra allows `.` inside a name (`ocp4.6`).
            while i < b.len() && (b[i].is_ascii_alphanumeric() || "_-.".contains(b[i])) {
                i += 1;
            }
            out.push((Tok::Word(b[start..i].iter().collect()), start));
        } else if "<>=!".contains(c) {
            let start = i;
            while i < b.len() && "<>=!".contains(b[i]) {
                i += 1;
            }
            let op: String = b[start..i].iter().collect();
            if !matches!(op.as_str(), "==" | "!=" | ">" | "<" | ">=" | "<=") {
                return Err(ExprError { offset: start, message: format!("`{op}` is not a version operator") });
            }
            while i < b.len() && b[i] == ' ' {
                i += 1;
            }
            let vstart = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || ".:-_".contains(b[i])) {
                i += 1;
            }
            if vstart == i {
                return Err(ExprError { offset: vstart, message: format!("`{op}` is not followed by a version") });
            }
            out.push((Tok::Ver(op, b[vstart..i].iter().collect()), start));
            if i < b.len() && b[i] == ',' {
                i += 1;
            }
        } else {
            return Err(ExprError { offset: i, message: format!("unexpected character `{c}`") });
        }
    }
    Ok(out)
}

struct P {
    toks: Vec<(Tok, usize)>,
    i: usize,
    len: usize,
}

impl P {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.i), Some((Tok::Word(x), _)) if x == w)
    }
    fn offset(&self) -> usize {
        self.toks.get(self.i).map(|t| t.1).unwrap_or(self.len)
    }
    fn or(&mut self) -> Result<Expr, ExprError> {
        let mut v = vec![self.and()?];
        while self.peek_word("or") {
            self.i += 1;
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 { v.pop().unwrap() } else { Expr::Or(v) })
    }
    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut v = vec![self.not()?];
        while self.peek_word("and") {
            self.i += 1;
            v.push(self.not()?);
        }
        Ok(if v.len() == 1 { v.pop().unwrap() } else { Expr::And(v) })
    }
    fn not(&mut self) -> Result<Expr, ExprError> {
        if self.peek_word("not") {
            self.i += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.atom()
    }
    fn atom(&mut self) -> Result<Expr, ExprError> {
        let off = self.offset();
        match self.toks.get(self.i).cloned() {
            Some((Tok::LParen, _)) => {
                self.i += 1;
                let e = self.or()?;
                match self.toks.get(self.i) {
                    Some((Tok::RParen, _)) => {
                        self.i += 1;
                        Ok(e)
                    }
                    _ => Err(ExprError { offset: self.offset(), message: "expected `)`".into() }),
                }
            }
            Some((Tok::Word(w), _)) if !matches!(w.as_str(), "and" | "or" | "not") => {
                self.i += 1;
                let arg = if let Some((Tok::Arg(a), _)) = self.toks.get(self.i) {
                    let a = a.clone();
                    self.i += 1;
                    Some(a)
                } else {
                    None
                };
                let mut versions = Vec::new();
                while let Some((Tok::Ver(op, v), _)) = self.toks.get(self.i) {
                    versions.push((op.clone(), v.clone()));
                    self.i += 1;
                }
                Ok(Expr::Name { name: w, arg, versions })
            }
            Some((t, _)) => {
                Err(ExprError { offset: off, message: format!("expected a platform name, found {}", show(&t)) })
            }
            None => Err(ExprError { offset: off, message: "expected a platform name, found the end".into() }),
        }
    }
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Word(w) => format!("`{w}`"),
        Tok::Arg(a) => format!("`[{a}]`"),
        Tok::Ver(op, v) => format!("`{op}{v}`"),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
    }
}

pub fn parse(s: &str) -> Result<Expr, ExprError> {
    let toks = lex(s)?;
    let mut p = P { toks, i: 0, len: s.chars().count() };
    let e = p.or()?;
    if p.i != p.toks.len() {
        return Err(ExprError { offset: p.offset(), message: format!("unexpected {}", show(&p.toks[p.i].0)) });
    }
    Ok(e)
}

/// The order of CaC's boolean algebra: a name compares by id with the
/// other's id, a `not` as what it negates, an `and` or `or` after a name.
/// It is not transitive, so the sort algorithm matters too.
fn cac_less(a: &Expr, b: &Expr) -> bool {
    let id = |e: &Expr| match e {
        Expr::Name { .. } => e.id(),
        other => other.canonical_id(),
    };
    match a {
        Expr::Name { .. } => id(a) < id(b),
        Expr::Not(inner) => cac_less(inner, b),
        Expr::And(x) | Expr::Or(x) => match b {
            Expr::Name { .. } => false,
            Expr::Not(_) => false,
            Expr::And(y) | Expr::Or(y) => {
                let rank = |e: &Expr| if matches!(e, Expr::And(_)) { 10 } else { 25 };
                if rank(a) != rank(b) {
                    return rank(a) < rank(b);
                }
                for (p, q) in x.iter().zip(y) {
                    if p != q {
                        return cac_less(p, q);
                    }
                }
                x.len() < y.len()
            }
        },
    }
}

/// Python's list sort as it runs on short lists (a natural run, then
/// binary insertion), so that a non-transitive order gives Python's result.
fn python_sort<T: Clone>(v: &mut [T], less: &dyn Fn(&T, &T) -> bool) {
    let n = v.len();
    if n < 2 {
        return;
    }
    let mut run = 2;
    if less(&v[1], &v[0]) {
        while run < n && less(&v[run], &v[run - 1]) {
            run += 1;
        }
        v[..run].reverse();
    } else {
        while run < n && !less(&v[run], &v[run - 1]) {
            run += 1;
        }
    }
    for i in run..n {
        let pivot = v[i].clone();
        let (mut lo, mut hi) = (0, i);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if less(&pivot, &v[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        v[lo..=i].rotate_right(1);
    }
}

/// CaC's word for a version operator in ids (`<` is `le`, as in CaC).
fn version_op_id(op: &str) -> &'static str {
    match op {
        "==" => "eq",
        "!=" => "ne",
        ">" => "gt",
        "<" => "le",
        ">=" => "gt_or_eq",
        _ => "le_or_eq",
    }
}

/// The id of one platform instance: `package_openssh-server`, `machine`.
pub fn instance_id(name: &str, arg: Option<&str>) -> String {
    match arg {
        None => name.to_owned(),
        Some(a) => {
            let a: String =
                a.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' }).collect();
            format!("{name}_{a}")
        }
    }
}

impl Expr {
    /// A readable id for the whole expression, used for `cpe-lang:platform`.
    pub fn id(&self) -> String {
        match self {
            Expr::Name { name, arg, versions } => {
                let mut id = instance_id(name, arg.as_deref());
                for (op, v) in versions {
                    id.push_str(&format!("_{}_{}", version_op_id(op), crate::jinja::escape_id(v)));
                }
                id
            }
            Expr::Not(e) => format!("not_{}", e.id()),
            Expr::And(v) => v.iter().map(Expr::id).collect::<Vec<_>>().join("_and_"),
            Expr::Or(v) => v.iter().map(Expr::id).collect::<Vec<_>>().join("_or_"),
        }
    }

    /// The id CaC's build gives the expression: the expression in CaC's
    /// canonical form ([`Expr::canonical`]), arguments lower-cased.
    pub fn canonical_id(&self) -> String {
        fn id(e: &Expr) -> String {
            match e {
                Expr::Name { name, arg, versions } => {
                    let arg = arg.as_ref().map(|a| a.to_lowercase());
                    Expr::Name { name: name.clone(), arg, versions: versions.clone() }.id()
                }
                Expr::Not(inner) => format!("not_{}", id(inner)),
                Expr::And(v) => v.iter().map(id).collect::<Vec<_>>().join("_and_"),
                Expr::Or(v) => v.iter().map(id).collect::<Vec<_>>().join("_or_"),
            }
        }
        id(&self.canonical())
    }

    /// CaC's canonical form (its boolean algebra's `simplify`, without the
    /// absorption rules): nested `and`s and `or`s flattened, repeats
    /// dropped, operands sorted with the algebra's own order and Python's
    /// sort, so that ids come out as CaC's.
    pub fn canonical(&self) -> Expr {
        match self {
            Expr::Name { .. } => self.clone(),
            Expr::Not(inner) => match inner.canonical() {
                Expr::Not(x) => *x,
                x => Expr::Not(Box::new(x)),
            },
            Expr::And(v) | Expr::Or(v) => {
                let is_and = matches!(self, Expr::And(_));
                let mut args: Vec<Expr> = Vec::new();
                for a in v.iter().map(Expr::canonical) {
                    let same = match (&a, is_and) {
                        (Expr::And(x), true) | (Expr::Or(x), false) => x.clone(),
                        _ => vec![a],
                    };
                    for x in same {
                        if !args.contains(&x) {
                            args.push(x);
                        }
                    }
                }
                if args.len() == 1 {
                    return args.pop().unwrap_or_else(|| self.clone());
                }
                python_sort(&mut args, &cac_less);
                if is_and {
                    Expr::And(args)
                } else {
                    Expr::Or(args)
                }
            }
        }
    }

    /// Whether two expressions are the same up to the order of the
    /// operands of `and` and `or` (CaC's equality of platforms).
    pub fn same(&self, other: &Expr) -> bool {
        match (self, other) {
            (Expr::Name { .. }, Expr::Name { .. }) => self.canonical_id() == other.canonical_id(),
            (Expr::Not(a), Expr::Not(b)) => a.same(b),
            (Expr::And(a), Expr::And(b)) | (Expr::Or(a), Expr::Or(b)) => {
                a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| x.same(y)))
            }
            _ => false,
        }
    }

    /// Every (name, arg) used.
    pub fn names(&self, out: &mut Vec<(String, Option<String>)>) {
        match self {
            Expr::Name { name, arg, .. } => out.push((name.clone(), arg.clone())),
            Expr::Not(e) => e.names(out),
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| e.names(out)),
        }
    }

    /// Ansible `when:` expression, given each instance's conditional.
    pub fn ansible(&self, cond: &dyn Fn(&str, Option<&str>) -> Option<String>) -> Option<String> {
        Some(match self {
            Expr::Name { name, arg, .. } => format!("( {} )", cond(name, arg.as_deref())?),
            Expr::Not(e) => format!("not {}", e.ansible(cond)?),
            Expr::And(v) => v.iter().map(|e| e.ansible(cond)).collect::<Option<Vec<_>>>()?.join(" and "),
            Expr::Or(v) => {
                format!("( {} )", v.iter().map(|e| e.ansible(cond)).collect::<Option<Vec<_>>>()?.join(" or "))
            }
        })
    }

    /// Bash condition, given each instance's conditional.
    pub fn bash(&self, cond: &dyn Fn(&str, Option<&str>) -> Option<String>) -> Option<String> {
        Some(match self {
            Expr::Name { name, arg, .. } => format!("( {} )", cond(name, arg.as_deref())?),
            Expr::Not(e) => format!("! {}", e.bash(cond)?),
            Expr::And(v) => v.iter().map(|e| e.bash(cond)).collect::<Option<Vec<_>>>()?.join(" && "),
            Expr::Or(v) => format!("( {} )", v.iter().map(|e| e.bash(cond)).collect::<Option<Vec<_>>>()?.join(" || ")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_ids_are_cacs() {
        let id = |s: &str| parse(s).unwrap().canonical_id();
        assert_eq!(
            id("machine and not aarch64_arch and not ppc64le_arch"),
            "not_aarch64_arch_and_machine_and_not_ppc64le_arch"
        );
        assert_eq!(
            id("not package[nftables] and not package[ufw] and package[iptables]"),
            "not_package_nftables_and_not_package_ufw_and_package_iptables"
        );
        assert_eq!(id("system_with_kernel and not osbuild"), "not_osbuild_and_system_with_kernel");
        assert_eq!(id("package[openssh-server]<7.0"), "package_openssh-server_le_7_0");
        // A name may hold a dot, as CaC's products' CPE names do.
        assert_eq!(id("ocp4.6 or ocp4.7"), "ocp4.6_or_ocp4.7");
        assert_eq!(
            id("os_linux[rhel]>=8.7 and os_linux[rhel]!=9.0"),
            "os_linux_rhel_gt_or_eq_8_7_and_os_linux_rhel_ne_9_0"
        );
        assert_eq!(id("package[NetworkManager]"), "package_networkmanager");
        assert_eq!(id("sssd-ldap"), "sssd-ldap");
        assert_eq!(id("wifi-iface and not container"), "not_container_and_wifi-iface");
        assert_eq!(id("not container and not bootc"), "not_bootc_and_not_container");
        // As CaC's algebra sorts it; an equal expression met earlier keeps
        // its id (see `same`).
        assert_eq!(id("not bootc and not container"), "not_container_and_not_bootc");
        let (a, b) = (parse("not bootc and not container").unwrap(), parse("not container and not bootc").unwrap());
        assert!(a.canonical().same(&b.canonical()));
        assert!(!a.same(&parse("not bootc or not container").unwrap()));
    }

    #[test]
    fn precedence_and_ids() {
        let e = parse("package[openssh-server] and not container or machine").unwrap();
        assert_eq!(e.id(), "package_openssh-server_and_not_container_or_machine");
        match e {
            Expr::Or(v) => assert!(matches!(&v[0], Expr::And(_))),
            _ => panic!("or at top"),
        }
        let e = parse("not (a or b)").unwrap();
        assert_eq!(
            e,
            Expr::Not(Box::new(Expr::Or(vec![
                Expr::Name { name: "a".into(), arg: None, versions: vec![] },
                Expr::Name { name: "b".into(), arg: None, versions: vec![] }
            ])))
        );
    }

    #[test]
    fn ansible_and_bash_conditions() {
        let e = parse("package[x] and not container").unwrap();
        let cond = |n: &str, a: Option<&str>| Some(format!("{n}:{}", a.unwrap_or("")));
        assert_eq!(e.ansible(&cond).unwrap(), "( package:x ) and not ( container: )");
        assert_eq!(e.bash(&cond).unwrap(), "( package:x ) && ! ( container: )");
    }

    #[test]
    fn errors_point_at_offset() {
        let e = parse("machine and").unwrap_err();
        assert_eq!(e.offset, 11);
        let e = parse("package[x").unwrap_err();
        assert!(e.message.contains("never closed"));
        let e = parse("a b").unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(parse("a & b").is_err());
    }
}
