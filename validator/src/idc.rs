//! The schemas' identity constraints (`xs:key`, `xs:keyref`, `xs:unique`),
//! checked natively on the tree the requirement layer parses.
//!
//! libxml2 spends about half of its XSD time on these constraints (it
//! evaluates their selectors on every element as it streams). [`Set::compile`]
//! reads them from the same XSD files libxml2 loads (the schema and every
//! file it includes or imports), compiles their selector and field XPaths
//! (the subset XSD 1.0 allows in practice: `.`, `./x`, `.//x`, `a/b`, `*`,
//! `p:*`, `@a`, `@p:a`, `child::`, `attribute::`, `|` unions), and gives the
//! XSD layer the same files without them ([`Set::overlay`], loaded through
//! [`scapc_libxml2::Schema::load_with_overlay`]). [`Set::check`] then finds
//! duplicate and missing keys and dangling key references in a subtree.
//!
//! A constraint scapc cannot check (an XPath outside the subset, a
//! declaration whose elements it cannot tell, a `refer` to another
//! element's key) stays in the schema for libxml2, together with every
//! constraint it refers to or that refers to it: none is dropped.
//!
//! Which elements a constraint applies to: a global element declaration's
//! constraints apply to every element of its name; a local declaration's
//! to the elements of its name whose parent has the name of an element
//! declared with the enclosing type (or a type derived from it), or of the
//! element whose anonymous type encloses it. Values compare as strings,
//! attribute values with their whitespace characters as spaces (as XML
//! normalises them).

use scapc_xml::tree::{NodeId, Tree, NS_XML};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

const XS: &str = "http://www.w3.org/2001/XMLSchema";

/// An expanded name: (namespace, local name).
type QName = (String, String);

/// Values by element name: local name, then (namespace, value).
type ByLocal = HashMap<String, Vec<(String, String)>, foldhash::fast::RandomState>;

/// A key or unique constraint's key-sequences seen so far, with the
/// element each came from.
type KeyTable<'a> = HashMap<Vec<Cow<'a, str>>, NodeId, foldhash::fast::RandomState>;

/// A name test of an XPath step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Test {
    /// `*`
    Any,
    /// `p:*`
    AnyIn(String),
    /// `name` (no namespace) or `p:name`
    Name(String, String),
}

impl Test {
    fn matches(&self, t: &Tree, id: NodeId) -> bool {
        match self {
            Test::Any => true,
            Test::AnyIn(ns) => t.ns(id) == ns,
            Test::Name(ns, l) => t.is(id, ns, l),
        }
    }
}

/// A step: `.` or a child element test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    This,
    Child(Test),
}

/// One branch of a selector or field XPath.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XPath {
    /// Starts with `.//`.
    pub descendant: bool,
    pub steps: Vec<Step>,
    /// A field's final `@name` (namespace, local name).
    pub attr: Option<(String, String)>,
    /// Where `attr`'s defaults are in [`Set`]'s list, found once when the
    /// set is made (`None`: it has none).
    default: Option<u32>,
}

fn is_ncname(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_alphabetic() || c == '_')
        && cs.all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '\u{B7}'))
}

/// Parses a selector (`field` false) or field XPath of the subset; `ns`
/// resolves a prefix. `Err` says what is outside the subset.
pub fn parse_xpath(xpath: &str, field: bool, ns: &dyn Fn(&str) -> Option<String>) -> Result<Vec<XPath>, String> {
    let name = |q: &str| -> Result<(String, String), String> {
        match q.split_once(':') {
            Some((p, l)) => {
                if !is_ncname(p) || !(is_ncname(l) || l == "*") {
                    return Err(format!("`{q}` is not a name test"));
                }
                let uri = if p == "xml" {
                    NS_XML.to_owned()
                } else {
                    ns(p).ok_or_else(|| format!("the prefix `{p}` is not declared"))?
                };
                Ok((uri, l.to_owned()))
            }
            None if is_ncname(q) || q == "*" => Ok((String::new(), q.to_owned())),
            None => Err(format!("`{q}` is not a name test")),
        }
    };
    let mut out = Vec::new();
    for branch in xpath.split('|') {
        let b: String = branch.chars().filter(|c| !c.is_whitespace()).collect();
        if b.is_empty() {
            return Err("an empty branch".into());
        }
        let (descendant, rest) = match b.strip_prefix(".//") {
            Some(r) => (true, r),
            None => (false, b.as_str()),
        };
        if rest.starts_with('/') || rest.contains("//") || rest.is_empty() {
            return Err(format!("`{branch}`: only `.//` at the start is supported"));
        }
        let segs: Vec<&str> = rest.split('/').collect();
        let mut steps = Vec::new();
        let mut attr = None;
        for (i, seg) in segs.iter().enumerate() {
            let last = i + 1 == segs.len();
            let a = seg.strip_prefix('@').or_else(|| seg.strip_prefix("attribute::"));
            if let Some(a) = a {
                if !field || !last {
                    return Err(format!(
                        "`{branch}`: an attribute step {}",
                        if field { "before the end" } else { "in a selector" }
                    ));
                }
                let (uri, l) = name(a)?;
                if l == "*" {
                    return Err(format!("`{branch}`: `@*` is not supported"));
                }
                attr = Some((uri, l));
                continue;
            }
            if *seg == "." {
                steps.push(Step::This);
                continue;
            }
            let s = seg.strip_prefix("child::").unwrap_or(seg);
            if s.contains("::") || s.contains('[') || s.contains('(') || s == ".." {
                return Err(format!("`{branch}`: `{seg}` is outside the subset scapc checks"));
            }
            let (uri, l) = name(s)?;
            steps.push(Step::Child(match (uri.is_empty(), l == "*") {
                (true, true) => Test::Any,
                (false, true) => Test::AnyIn(uri),
                _ => Test::Name(uri, l),
            }));
        }
        out.push(XPath { descendant, steps, attr, default: None });
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Key,
    Unique,
    Keyref,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Key => "key",
            Kind::Unique => "unique",
            Kind::Keyref => "keyref",
        }
    }
}

/// Where a declaration's elements are.
#[derive(Debug, Clone)]
enum Context {
    Global,
    /// Inside a named complex type.
    Type(QName),
    /// Inside the anonymous type of another declaration (its index).
    Anonymous(usize),
    /// Somewhere scapc does not follow (a model group, an attribute group).
    Other(String),
}

#[derive(Debug, Clone)]
struct DeclSrc {
    name: QName,
    ty: Option<QName>,
    context: Context,
}

#[derive(Debug, Clone)]
struct IcSrc {
    kind: Kind,
    name: QName,
    refer: Option<QName>,
    decl: usize,
    selector: Result<Vec<XPath>, String>,
    fields: Vec<(String, Result<Vec<XPath>, String>)>,
    file: usize,
    span: (usize, usize),
}

/// One identity constraint, compiled.
#[derive(Debug, Clone)]
pub struct Constraint {
    pub kind: Kind,
    /// Its expanded name.
    pub name: QName,
    selector: Vec<XPath>,
    /// Each field's XPath as written, and compiled.
    fields: Vec<(String, Vec<XPath>)>,
    /// A keyref's key or unique constraint (index into the same element's
    /// list).
    refer: Option<usize>,
}

/// The elements some constraints apply to.
#[derive(Debug, Clone)]
struct Decl {
    name: QName,
    /// `None`: every element of this name; else its parent's name is one of these.
    parents: Option<HashSet<QName>>,
    constraints: Vec<Constraint>,
}

/// The identity constraints of one schema (with its includes and imports).
#[derive(Debug, Default)]
pub struct Set {
    decls: Vec<Decl>,
    /// The default (or fixed) values of the attributes fields read, by
    /// element name: the constraints see them as libxml2 does, on the
    /// validated document. Per attribute: by element local name, the
    /// element namespaces with the value (looked up without allocating).
    defaults: Vec<(QName, ByLocal)>,
    /// The schema's files that have constraints scapc checks, without
    /// them (each removed element's lines kept as empty lines).
    pub overlay: HashMap<PathBuf, String>,
    /// The constraints left to libxml2, each with the reason.
    pub kept: Vec<String>,
}

/// What [`Set::check`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A second element with the same key-sequence (key or unique).
    Duplicate { first: NodeId },
    /// A keyref's key-sequence matches no key.
    NoMatch,
    /// A key's field has no value (the XPath as written).
    Missing(String),
    /// A field with more than one value (the XPath as written).
    Many(String),
}

#[derive(Debug, Clone)]
pub struct Finding {
    /// The constraint's expanded name and kind.
    pub constraint: QName,
    pub kind: Kind,
    /// The element the finding is about (a selected element).
    pub node: NodeId,
    /// The key-sequence (empty for [`Problem::Missing`] and [`Problem::Many`]).
    pub values: Vec<String>,
    pub problem: Problem,
    /// For a keyref, the constraint it refers to.
    pub refer: Option<QName>,
}

/// What declares attributes: a named type, an element's anonymous type,
/// an attribute group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Owner {
    Type(QName),
    Element(usize),
    Group(QName),
}

struct Scan {
    decls: Vec<DeclSrc>,
    ics: Vec<IcSrc>,
    /// (type, base) of every complex type derived from another.
    bases: Vec<(Owner, QName)>,
    /// Attribute defaults (and fixed values): (owner, attribute, value).
    defaults: Vec<(Owner, QName, String)>,
    /// Attribute groups referred to: (owner, group).
    groups: Vec<(Owner, QName)>,
    files: Vec<(PathBuf, String)>,
}

#[derive(Debug)]
enum Frame {
    Schema,
    Element(usize),
    NamedType(QName),
    AnonType,
    Ic(usize),
    Group(String),
    AttrGroup(QName),
    Other,
}

/// The type or attribute group a declaration inside `stack` belongs to.
fn owner(stack: &[Frame]) -> Option<Owner> {
    for (i, f) in stack.iter().enumerate().rev() {
        match f {
            Frame::NamedType(q) => return Some(Owner::Type(q.clone())),
            Frame::AttrGroup(q) => return Some(Owner::Group(q.clone())),
            Frame::AnonType => {
                return match i.checked_sub(1).map(|j| &stack[j]) {
                    Some(Frame::Element(d)) => Some(Owner::Element(*d)),
                    _ => None,
                }
            }
            Frame::Element(_) | Frame::Group(_) => return None,
            _ => {}
        }
    }
    None
}

/// The attribute defaults an owner declares, itself first, then through
/// its base type and its attribute groups (memoised; cycles end).
fn collect_defaults(
    o: &Owner,
    own: &HashMap<&Owner, Vec<(&QName, &String)>>,
    links: &HashMap<&Owner, Vec<Owner>>,
    memo: &mut HashMap<Owner, HashMap<QName, String>>,
    visiting: &mut HashSet<Owner>,
) -> HashMap<QName, String> {
    if let Some(m) = memo.get(o) {
        return m.clone();
    }
    if !visiting.insert(o.clone()) {
        return HashMap::new();
    }
    let mut found: HashMap<QName, String> =
        own.get(o).into_iter().flatten().map(|(a, v)| ((*a).clone(), (*v).clone())).collect();
    for l in links.get(o).into_iter().flatten() {
        for (a, v) in collect_defaults(l, own, links, memo, visiting) {
            found.entry(a).or_insert(v);
        }
    }
    visiting.remove(o);
    memo.insert(o.clone(), found.clone());
    found
}

fn lex_normal(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    out
}

impl Scan {
    fn file(&mut self, path: &Path, todo: &mut Vec<PathBuf>) -> Result<(), String> {
        use quick_xml::events::Event;
        use quick_xml::name::{QName as XQName, ResolveResult};
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let fidx = self.files.len();
        let mut r = quick_xml::NsReader::from_str(&text);
        let mut stack: Vec<Frame> = Vec::new();
        let mut tns = String::new();
        let mut qualified = false;
        let mut attr_qualified = false;
        let err = |e: &dyn std::fmt::Display| format!("cannot read {}: {e}", path.display());
        loop {
            let before = r.buffer_position() as usize;
            let ev = r.read_event().map_err(|e| err(&e))?;
            let (start, empty) = match &ev {
                Event::Start(s) => (s.clone(), false),
                Event::Empty(s) => (s.clone(), true),
                Event::End(_) => {
                    if let Some(Frame::Ic(i)) = stack.pop() {
                        self.ics[i].span = (self.ics[i].span.0, r.buffer_position() as usize);
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            let (res, local) = r.resolve_element(start.name());
            let in_xs = matches!(res, ResolveResult::Bound(n) if n.into_inner() == XS.as_bytes());
            let local = String::from_utf8_lossy(local.as_ref()).into_owned();
            let attr = |n: &str| -> Option<String> {
                start.try_get_attribute(n).ok().flatten().and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
            };
            let qname = |r: &quick_xml::NsReader<&[u8]>, v: &str| -> Option<QName> {
                let (res, l) = r.resolve(XQName(v.trim().as_bytes()), false);
                let ns = match res {
                    ResolveResult::Bound(n) => String::from_utf8_lossy(n.into_inner()).into_owned(),
                    ResolveResult::Unbound => String::new(),
                    ResolveResult::Unknown(_) => return None,
                };
                Some((ns, String::from_utf8_lossy(l.as_ref()).into_owned()))
            };
            let frame = if !in_xs {
                Frame::Other
            } else {
                match local.as_str() {
                    "schema" => {
                        tns = attr("targetNamespace").unwrap_or_default();
                        qualified = attr("elementFormDefault").as_deref() == Some("qualified");
                        attr_qualified = attr("attributeFormDefault").as_deref() == Some("qualified");
                        Frame::Schema
                    }
                    "import" | "include" | "redefine" => {
                        if let Some(loc) = attr("schemaLocation") {
                            if !loc.contains("://") {
                                let base = path.parent().unwrap_or(Path::new("."));
                                todo.push(lex_normal(&base.join(loc)));
                            }
                        }
                        Frame::Other
                    }
                    "element" => match attr("name") {
                        Some(name) => {
                            let global = matches!(stack.last(), Some(Frame::Schema));
                            let form = attr("form");
                            let ns = if global || form.as_deref() == Some("qualified") || (form.is_none() && qualified)
                            {
                                tns.clone()
                            } else {
                                String::new()
                            };
                            let context = if global {
                                Context::Global
                            } else {
                                let mut c = Context::Other("an element declaration in an unusual place".into());
                                for (i, f) in stack.iter().enumerate().rev() {
                                    match f {
                                        Frame::NamedType(q) => {
                                            c = Context::Type(q.clone());
                                            break;
                                        }
                                        Frame::AnonType => {
                                            if let Some(Frame::Element(d)) = i.checked_sub(1).map(|j| &stack[j]) {
                                                c = Context::Anonymous(*d);
                                            }
                                            break;
                                        }
                                        Frame::Group(what) => {
                                            c = Context::Other(format!("an element declared in {what}"));
                                            break;
                                        }
                                        _ => {}
                                    }
                                }
                                c
                            };
                            let ty = attr("type").and_then(|t| qname(&r, &t));
                            self.decls.push(DeclSrc { name: (ns, name), ty, context });
                            Frame::Element(self.decls.len() - 1)
                        }
                        None => Frame::Other,
                    },
                    "complexType" => match attr("name") {
                        Some(n) => Frame::NamedType((tns.clone(), n)),
                        None => Frame::AnonType,
                    },
                    "group" => Frame::Group(format!("the group {}", attr("name").unwrap_or_default())),
                    "attributeGroup" => match (attr("name"), attr("ref").and_then(|g| qname(&r, &g))) {
                        (Some(n), _) => Frame::AttrGroup((tns.clone(), n)),
                        (None, Some(g)) => {
                            if let Some(o) = owner(&stack) {
                                self.groups.push((o, g));
                            }
                            Frame::Other
                        }
                        _ => Frame::Other,
                    },
                    "attribute" => {
                        let value = attr("default").or_else(|| attr("fixed"));
                        if let (Some(n), Some(v), Some(o)) = (attr("name"), value, owner(&stack)) {
                            let ns = if attr("form").as_deref() == Some("qualified") || attr_qualified {
                                tns.clone()
                            } else {
                                String::new()
                            };
                            self.defaults.push((o, (ns, n), v));
                        }
                        Frame::Other
                    }
                    "extension" | "restriction" => {
                        if let (Some(o), Some(b)) = (owner(&stack), attr("base").and_then(|b| qname(&r, &b))) {
                            self.bases.push((o, b));
                        }
                        Frame::Other
                    }
                    "key" | "keyref" | "unique" => {
                        let kind = match local.as_str() {
                            "key" => Kind::Key,
                            "unique" => Kind::Unique,
                            _ => Kind::Keyref,
                        };
                        let Some(Frame::Element(d)) = stack.last() else {
                            return Err(format!("{}: an xs:{local} outside an element declaration", path.display()));
                        };
                        let refer = attr("refer").and_then(|v| qname(&r, &v));
                        self.ics.push(IcSrc {
                            kind,
                            name: (tns.clone(), attr("name").unwrap_or_default()),
                            refer,
                            decl: *d,
                            selector: Err("no selector".into()),
                            fields: Vec::new(),
                            file: fidx,
                            span: (before, before),
                        });
                        Frame::Ic(self.ics.len() - 1)
                    }
                    "selector" | "field" => {
                        if let Some(Frame::Ic(i)) = stack.last() {
                            let xp = attr("xpath").unwrap_or_default();
                            let resolve = |p: &str| match r.resolve(XQName(format!("{p}:x").as_bytes()), true).0 {
                                ResolveResult::Bound(n) => Some(String::from_utf8_lossy(n.into_inner()).into_owned()),
                                _ => None,
                            };
                            let parsed = parse_xpath(&xp, local == "field", &resolve);
                            if local == "field" {
                                self.ics[*i].fields.push((xp, parsed));
                            } else {
                                self.ics[*i].selector = parsed;
                            }
                        }
                        Frame::Other
                    }
                    _ => Frame::Other,
                }
            };
            if empty {
                if let Frame::Ic(i) = frame {
                    self.ics[i].span = (before, r.buffer_position() as usize);
                }
            } else {
                stack.push(frame);
            }
        }
        // Only the texts with constraints are kept (to be stripped).
        let keep = self.ics.iter().rev().take_while(|c| c.file == fidx).count() > 0;
        self.files.push((path.to_path_buf(), if keep { text } else { String::new() }));
        Ok(())
    }
}

impl Set {
    /// Reads the constraints of the schema at `root` and of every file it
    /// includes or imports. `Err` when a file cannot be read: the caller
    /// then lets libxml2 check them all.
    pub fn compile(root: &Path) -> Result<Set, String> {
        let mut scan = Scan {
            decls: Vec::new(),
            ics: Vec::new(),
            bases: Vec::new(),
            defaults: Vec::new(),
            groups: Vec::new(),
            files: Vec::new(),
        };
        let mut todo = vec![lex_normal(root)];
        let mut seen = HashSet::new();
        while let Some(p) = todo.pop() {
            if !seen.insert(p.clone()) {
                continue;
            }
            let mut more = Vec::new();
            scan.file(&p, &mut more)?;
            more.reverse();
            todo.extend(more);
        }
        Ok(Set::link(scan))
    }

    fn link(scan: Scan) -> Set {
        let Scan { decls, ics, bases, defaults, groups, files } = scan;
        // Types derived from each type, transitively.
        let mut derived: HashMap<&QName, Vec<&QName>> = HashMap::new();
        for (t, b) in &bases {
            if let Owner::Type(t) = t {
                derived.entry(b).or_default().push(t);
            }
        }
        // The attribute defaults of each element name, through its type,
        // the types that type derives from and their attribute groups.
        let attr_defaults = {
            // Only the attributes some field reads.
            let read: HashSet<&QName> = ics
                .iter()
                .flat_map(|c| c.fields.iter())
                .filter_map(|(_, f)| f.as_ref().ok())
                .flatten()
                .filter_map(|p| p.attr.as_ref())
                .collect();
            let mut own: HashMap<&Owner, Vec<(&QName, &String)>> = HashMap::new();
            for (o, a, v) in defaults.iter().filter(|(_, a, _)| read.contains(a)) {
                own.entry(o).or_default().push((a, v));
            }
            let mut links: HashMap<&Owner, Vec<Owner>> = HashMap::new();
            for (o, b) in &bases {
                links.entry(o).or_default().push(Owner::Type(b.clone()));
            }
            for (o, g) in &groups {
                links.entry(o).or_default().push(Owner::Group(g.clone()));
            }
            let mut per_name: HashMap<QName, Vec<HashMap<QName, String>>> = HashMap::new();
            let mut memo: HashMap<Owner, HashMap<QName, String>> = HashMap::new();
            for (i, d) in decls.iter().enumerate().filter(|_| !own.is_empty()) {
                let start = match &d.ty {
                    Some(t) => Owner::Type(t.clone()),
                    None => Owner::Element(i),
                };
                let found = collect_defaults(&start, &own, &links, &mut memo, &mut HashSet::new());
                per_name.entry(d.name.clone()).or_default().push(found);
            }
            // `None`: the declarations of an element name disagree.
            let mut by_elem: HashMap<QName, HashMap<QName, Option<String>>> = HashMap::new();
            for (n, maps) in per_name {
                let attrs: HashSet<&QName> = maps.iter().flat_map(|m| m.keys()).collect();
                let m: HashMap<QName, Option<String>> = attrs
                    .into_iter()
                    .map(|a| {
                        let vals: HashSet<Option<&String>> = maps.iter().map(|m| m.get(a)).collect();
                        let v = if vals.len() == 1 { vals.into_iter().next().flatten().cloned() } else { None };
                        (a.clone(), v)
                    })
                    .collect();
                if !m.is_empty() {
                    by_elem.insert(n, m);
                }
            }
            by_elem
        };
        let family = |t: &QName| -> HashSet<QName> {
            let mut out = HashSet::new();
            let mut todo = vec![t.clone()];
            while let Some(x) = todo.pop() {
                if out.insert(x.clone()) {
                    todo.extend(derived.get(&x).into_iter().flatten().map(|q| (*q).clone()));
                }
            }
            out
        };
        let parents = |d: usize| -> Result<Option<HashSet<QName>>, String> {
            match &decls[d].context {
                Context::Global => Ok(None),
                Context::Anonymous(p) => Ok(Some(std::iter::once(decls[*p].name.clone()).collect())),
                Context::Type(t) => {
                    let fam = family(t);
                    let set: HashSet<QName> = decls
                        .iter()
                        .filter(|x| x.ty.as_ref().is_some_and(|ty| fam.contains(ty)))
                        .map(|x| x.name.clone())
                        .collect();
                    if set.is_empty() {
                        Err(format!("no element is declared with the type {{{}}}{}", t.0, t.1))
                    } else {
                        Ok(Some(set))
                    }
                }
                Context::Other(why) => Err(why.clone()),
            }
        };
        // Why each constraint (by name) cannot be checked natively.
        let mut why: HashMap<QName, String> = HashMap::new();
        let by_name: HashMap<&QName, usize> = ics.iter().enumerate().rev().map(|(i, c)| (&c.name, i)).collect();
        for c in &ics {
            let mut bad = Vec::new();
            if let Err(e) = &c.selector {
                bad.push(format!("its selector: {e}"));
            }
            if c.fields.is_empty() {
                bad.push("no field".into());
            }
            for (x, f) in &c.fields {
                match f {
                    Err(e) => bad.push(format!("its field `{x}`: {e}")),
                    Ok(paths) => {
                        for a in paths.iter().filter_map(|p| p.attr.as_ref()) {
                            for (el, m) in &attr_defaults {
                                if matches!(m.get(a), Some(None)) {
                                    bad.push(format!(
                                        "the default of its field `{x}` differs between declarations of {{{}}}{}",
                                        el.0, el.1
                                    ));
                                }
                            }
                        }
                    }
                }
            }
            if let Err(e) = parents(c.decl) {
                bad.push(format!("its element: {e}"));
            }
            if c.kind == Kind::Keyref {
                match c.refer.as_ref().and_then(|r| by_name.get(r)) {
                    None => bad.push("its refer names no key".into()),
                    Some(&k) if decls[ics[k].decl].name != decls[c.decl].name || ics[k].kind == Kind::Keyref => {
                        bad.push("its key is on another element".into())
                    }
                    Some(_) => {}
                }
            }
            if !bad.is_empty() {
                why.entry(c.name.clone()).or_insert_with(|| bad.join("; "));
            }
        }
        // A keyref and its key are checked by the same party.
        loop {
            let mut changed = false;
            for c in &ics {
                if let Some(r) = &c.refer {
                    let (a, b) = (why.contains_key(&c.name), why.contains_key(r));
                    if a != b {
                        let (from, to) = if a { (&c.name, r) } else { (r, &c.name) };
                        let m = format!("it goes with {{{}}}{}, which libxml2 checks", from.0, from.1);
                        why.insert(to.clone(), m);
                        changed = true;
                    }
                }
            }
            if !changed {
                break;
            }
        }
        let mut set = Set::default();
        // Only the defaults of attributes some checked field reads.
        let read: HashSet<&QName> = ics
            .iter()
            .filter(|c| !why.contains_key(&c.name))
            .flat_map(|c| c.fields.iter())
            .filter_map(|(_, f)| f.as_ref().ok())
            .flatten()
            .filter_map(|p| p.attr.as_ref())
            .collect();
        for a in read {
            let mut m = ByLocal::default();
            for (el, v) in attr_defaults.iter().filter_map(|(el, m)| Some((el, m.get(a)?.clone()?))) {
                m.entry(el.1.clone()).or_default().push((el.0.clone(), v));
            }
            if !m.is_empty() {
                set.defaults.push((a.clone(), m));
            }
        }
        set.defaults.sort_by(|a, b| a.0.cmp(&b.0));
        let default_of = |a: &Option<QName>| -> Option<u32> {
            let a = a.as_ref()?;
            set.defaults.binary_search_by(|(x, _)| x.cmp(a)).ok().map(|i| i as u32)
        };
        let mut strip: Vec<Vec<(usize, usize)>> = vec![Vec::new(); files.len()];
        let mut decl_of: HashMap<(QName, Option<Vec<QName>>), usize> = HashMap::new();
        let mut done: HashSet<(QName, QName)> = HashSet::new();
        let mut keyrefs = Vec::new();
        for c in &ics {
            if let Some(w) = why.get(&c.name) {
                set.kept.push(format!("{{{}}}{} ({}): {w}", c.name.0, c.name.1, c.kind.as_str()));
                continue;
            }
            strip[c.file].push(c.span);
            let d = &decls[c.decl];
            // The same constraint from a second copy of a schema file.
            if !done.insert((d.name.clone(), c.name.clone())) {
                continue;
            }
            let p = parents(c.decl).ok().flatten();
            let mut key: Option<Vec<QName>> = p.as_ref().map(|s| s.iter().cloned().collect());
            if let Some(k) = key.as_mut() {
                k.sort();
            }
            let di = *decl_of.entry((d.name.clone(), key)).or_insert_with(|| {
                set.decls.push(Decl { name: d.name.clone(), parents: p, constraints: Vec::new() });
                set.decls.len() - 1
            });
            let fields = c
                .fields
                .iter()
                .map(|(x, f)| {
                    let mut paths = f.clone().unwrap_or_default();
                    for p in &mut paths {
                        p.default = default_of(&p.attr);
                    }
                    (x.clone(), paths)
                })
                .collect();
            set.decls[di].constraints.push(Constraint {
                kind: c.kind,
                name: c.name.clone(),
                selector: c.selector.clone().unwrap_or_default(),
                fields,
                refer: None,
            });
            if let Some(r) = &c.refer {
                keyrefs.push((di, set.decls[di].constraints.len() - 1, r.clone()));
            }
        }
        for (di, ci, r) in keyrefs {
            let k = set.decls[di].constraints.iter().position(|x| x.name == r && x.kind != Kind::Keyref);
            set.decls[di].constraints[ci].refer = k;
        }
        for (i, (path, text)) in files.into_iter().enumerate() {
            let mut spans = std::mem::take(&mut strip[i]);
            if spans.is_empty() {
                continue;
            }
            spans.sort();
            let mut out = String::with_capacity(text.len());
            let mut at = 0;
            for (a, b) in spans {
                out.push_str(&text[at..a]);
                out.extend(std::iter::repeat_n('\n', text[a..b].matches('\n').count()));
                at = b;
            }
            out.push_str(&text[at..]);
            set.overlay.insert(path, out);
        }
        set
    }

    /// How many constraints scapc checks.
    pub fn len(&self) -> usize {
        self.decls.iter().map(|d| d.constraints.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Checks the constraints in `scope`'s subtree (`scope` included),
    /// leaving out the subtrees of `hidden` (which are validated on their
    /// own). Findings come in document order of their elements.
    pub fn check(&self, t: &Tree, scope: NodeId, hidden: &[NodeId]) -> Vec<Finding> {
        let end = t.subtree_end(scope);
        let mut hid: Vec<(NodeId, NodeId)> = hidden.iter().map(|&h| (h, t.subtree_end(h))).collect();
        hid.sort();
        let cx = Cx { t, hid, defaults: &self.defaults };
        let mut out = Vec::new();
        for d in &self.decls {
            let all = t.all(&d.name.0, &d.name.1);
            let lo = all.partition_point(|&x| x < scope);
            let hi = all.partition_point(|&x| x < end);
            for &e in &all[lo..hi] {
                if cx.hidden(e) {
                    continue;
                }
                if let Some(ps) = &d.parents {
                    // Compared borrowed: the sets are small.
                    let ok = t.parent(e).is_some_and(|p| {
                        let (ns, l) = (t.ns(p), t.local(p));
                        ps.iter().any(|(a, b)| a == ns && b == l)
                    });
                    if !ok {
                        continue;
                    }
                }
                cx.element(e, &d.constraints, &mut out);
            }
        }
        out.sort_by_key(|f| f.node);
        out
    }
}

struct Cx<'t> {
    t: &'t Tree,
    hid: Vec<(NodeId, NodeId)>,
    defaults: &'t [(QName, ByLocal)],
}

fn norm_attr(v: &str) -> String {
    v.replace(['\t', '\n', '\r'], " ")
}

impl Cx<'_> {
    fn hidden(&self, id: NodeId) -> bool {
        let i = self.hid.partition_point(|&(a, _)| a <= id);
        i > 0 && id < self.hid[i - 1].1
    }

    fn children(&self, id: NodeId, test: &Test, out: &mut Vec<NodeId>) {
        out.extend(self.t.children(id).filter(|&c| !self.hidden(c) && test.matches(self.t, c)));
    }

    /// The elements a path selects from `from`, in no particular order.
    fn select(&self, from: NodeId, p: &XPath, out: &mut Vec<NodeId>) {
        let t = self.t;
        let mut cur = vec![from];
        let mut steps = p.steps.as_slice();
        if p.descendant {
            let end = t.subtree_end(from);
            cur = match steps.first() {
                Some(Step::Child(Test::Name(ns, l))) => {
                    let all = t.all(ns, l);
                    let lo = all.partition_point(|&x| x <= from);
                    let hi = all.partition_point(|&x| x < end);
                    all[lo..hi].iter().copied().filter(|&x| !self.hidden(x)).collect()
                }
                Some(Step::Child(test)) => (from + 1..end).filter(|&x| !self.hidden(x) && test.matches(t, x)).collect(),
                // `.//.`: the element and all below it.
                Some(Step::This) | None => (from..end).filter(|&x| !self.hidden(x)).collect(),
            };
            steps = steps.get(1..).unwrap_or(&[]);
        }
        for s in steps {
            if let Step::Child(test) = s {
                let mut next = Vec::new();
                for &c in &cur {
                    self.children(c, test, &mut next);
                }
                cur = next;
            }
        }
        out.extend(cur);
    }

    fn select_all(&self, from: NodeId, paths: &[XPath]) -> Vec<NodeId> {
        let mut out = Vec::new();
        for p in paths {
            self.select(from, p, &mut out);
        }
        if paths.len() > 1 {
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// A field's values at `n` (borrowed from the tree where they can be).
    fn field<'a>(&'a self, n: NodeId, paths: &'a [XPath], vals: &mut Vec<Cow<'a, str>>) {
        let t = self.t;
        let attr_of = |x: NodeId, p: &'a XPath, ns: &'a str, l: &'a str, vals: &mut Vec<Cow<'a, str>>| {
            // Interned names compare as integers.
            let v = match (t.ns_symbol(ns), t.symbol(l)) {
                (Some(ns), Some(l)) => {
                    t.node(x).attrs.iter().find(|a| a.local == l && a.ns == ns).map(|a| a.value.as_str())
                }
                _ => None,
            };
            match v {
                Some(v) if v.contains(['\t', '\n', '\r']) => vals.push(Cow::Owned(norm_attr(v))),
                Some(v) => vals.push(Cow::Borrowed(v)),
                None => {
                    if let Some((_, m)) = p.default.and_then(|i| self.defaults.get(i as usize)) {
                        let el_ns = t.ns(x);
                        if let Some((_, d)) = m.get(t.local(x)).and_then(|v| v.iter().find(|(n, _)| n == el_ns)) {
                            vals.push(Cow::Borrowed(d.as_str()));
                        }
                    }
                }
            }
        };
        for p in paths {
            // `@a` and `.`: no step to take.
            if !p.descendant && p.steps.iter().all(|s| *s == Step::This) {
                match &p.attr {
                    Some((ns, l)) => attr_of(n, p, ns, l, vals),
                    None => vals.push(Cow::Borrowed(t.text(n))),
                }
                continue;
            }
            let mut nodes = Vec::new();
            self.select(n, p, &mut nodes);
            for x in nodes {
                match &p.attr {
                    Some((ns, l)) => attr_of(x, p, ns, l, vals),
                    None => vals.push(Cow::Borrowed(t.text(x))),
                }
            }
        }
    }

    /// Calls `each` with the key-sequence of every element `c` selects
    /// whose fields all have one value; reports the fields that do not.
    fn sequences<'a>(
        &'a self,
        e: NodeId,
        c: &'a Constraint,
        out: &mut Vec<Finding>,
        mut each: impl FnMut(NodeId, Vec<Cow<'a, str>>, &mut Vec<Finding>),
    ) {
        let mut vals = Vec::new();
        for n in self.select_all(e, &c.selector) {
            let mut seq = Vec::new();
            let mut whole = true;
            for (x, f) in &c.fields {
                vals.clear();
                self.field(n, f, &mut vals);
                match vals.len() {
                    1 => seq.extend(vals.pop()),
                    0 => {
                        if c.kind == Kind::Key {
                            out.push(finding(c, n, Vec::new(), Problem::Missing(x.clone()), None));
                        }
                        whole = false;
                    }
                    _ => {
                        out.push(finding(c, n, Vec::new(), Problem::Many(x.clone()), None));
                        whole = false;
                    }
                }
            }
            if whole {
                each(n, seq, out);
            }
        }
    }

    fn element(&self, e: NodeId, cs: &[Constraint], out: &mut Vec<Finding>) {
        let mut tables: Vec<Option<KeyTable<'_>>> = vec![None; cs.len()];
        for (i, c) in cs.iter().enumerate() {
            if c.kind == Kind::Keyref {
                continue;
            }
            let mut table = HashMap::default();
            self.sequences(e, c, out, |n, seq, out| match table.get(&seq) {
                Some(&first) => out.push(finding(c, n, owned(&seq), Problem::Duplicate { first }, None)),
                None => {
                    table.insert(seq, n);
                }
            });
            tables[i] = Some(table);
        }
        for c in cs.iter().filter(|c| c.kind == Kind::Keyref) {
            let Some(k) = c.refer else { continue };
            let Some(table) = &tables[k] else { continue };
            self.sequences(e, c, out, |n, seq, out| {
                if !table.contains_key(&seq) {
                    out.push(finding(c, n, owned(&seq), Problem::NoMatch, Some(cs[k].name.clone())));
                }
            });
        }
    }
}

fn owned(seq: &[Cow<'_, str>]) -> Vec<String> {
    seq.iter().map(|v| v.to_string()).collect()
}

fn finding(c: &Constraint, n: NodeId, values: Vec<String>, problem: Problem, refer: Option<QName>) -> Finding {
    Finding { constraint: c.name.clone(), kind: c.kind, node: n, values, problem, refer }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(p: &str) -> Option<String> {
        match p {
            "a" => Some("urn:a".into()),
            _ => None,
        }
    }

    #[test]
    fn xpath_subset() {
        let p = parse_xpath(".//a:x | ./y|a:b/*", false, &ns).unwrap();
        assert_eq!(p.len(), 3);
        assert!(p[0].descendant);
        assert_eq!(p[0].steps, vec![Step::Child(Test::Name("urn:a".into(), "x".into()))]);
        assert_eq!(p[1].steps, vec![Step::This, Step::Child(Test::Name(String::new(), "y".into()))]);
        assert_eq!(p[2].steps, vec![Step::Child(Test::Name("urn:a".into(), "b".into())), Step::Child(Test::Any)]);
        let f = parse_xpath("@id", true, &ns).unwrap();
        assert_eq!(f[0].attr, Some((String::new(), "id".into())));
        assert!(f[0].steps.is_empty());
        let f = parse_xpath("@xml:lang", true, &ns).unwrap();
        assert_eq!(f[0].attr, Some((NS_XML.into(), "lang".into())));
        assert_eq!(parse_xpath(".", true, &ns).unwrap()[0].steps, vec![Step::This]);
        assert_eq!(
            parse_xpath("child::a:*", false, &ns).unwrap()[0].steps,
            vec![Step::Child(Test::AnyIn("urn:a".into()))]
        );
    }

    #[test]
    fn xpaths_outside_the_subset_are_errors() {
        for x in ["a[1]", "../x", "//x", "/x", "ancestor::x", "x//y", "count(x)", "q:x", "", "x|", "@id"] {
            assert!(parse_xpath(x, false, &ns).is_err(), "{x}");
        }
        assert!(parse_xpath("@id/x", true, &ns).is_err());
        assert!(parse_xpath("@*", true, &ns).is_err());
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    const HEAD: &str = r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:a" xmlns:a="urn:a" elementFormDefault="qualified">"#;

    #[test]
    fn keys_uniques_and_keyrefs() {
        let t = tempfile::tempdir().unwrap();
        let root = write(
            t.path(),
            "s.xsd",
            &format!(
                r#"{HEAD}
  <xs:element name="r"><xs:complexType><xs:sequence><xs:element name="item" type="a:T" maxOccurs="unbounded"/></xs:sequence></xs:complexType>
    <xs:key name="k"><xs:selector xpath="a:item"/><xs:field xpath="@id"/></xs:key>
    <xs:keyref name="kr" refer="a:k"><xs:selector xpath=".//a:ref"/><xs:field xpath="."/></xs:keyref>
  </xs:element>
  <xs:complexType name="T"><xs:sequence><xs:element name="ref" type="xs:string" minOccurs="0" maxOccurs="unbounded"/>
    <xs:element name="inner" minOccurs="0"><xs:complexType><xs:sequence><xs:element name="v" type="xs:string" maxOccurs="unbounded"/></xs:sequence></xs:complexType>
      <xs:unique name="u"><xs:selector xpath="a:v"/><xs:field xpath="."/></xs:unique></xs:element>
  </xs:sequence><xs:attribute name="id"/></xs:complexType>
</xs:schema>"#
            ),
        );
        let set = Set::compile(&root).unwrap();
        assert!(set.kept.is_empty(), "{:?}", set.kept);
        assert_eq!(set.len(), 3);
        let stripped = &set.overlay[&root];
        assert!(!stripped.contains("xs:key") && !stripped.contains("xs:unique"), "{stripped}");
        assert_eq!(stripped.lines().count(), std::fs::read_to_string(&root).unwrap().lines().count());
        let doc = r#"<r xmlns="urn:a"><item id="1"><ref>2</ref><ref>9</ref></item><item id="2"><inner><v>x</v><v>x</v></inner></item><item id="1"/><item/></r>"#;
        let tree = Tree::parse(doc).unwrap();
        let f = set.check(&tree, 0, &[]);
        let got: Vec<_> = f.iter().map(|f| (f.constraint.1.as_str(), f.values.clone(), f.problem.clone())).collect();
        assert_eq!(
            got,
            vec![
                ("kr", vec!["9".to_owned()], Problem::NoMatch),
                ("u", vec!["x".to_owned()], Problem::Duplicate { first: 6 }),
                ("k", vec!["1".to_owned()], Problem::Duplicate { first: 1 }),
                ("k", vec![], Problem::Missing("@id".into())),
            ]
        );
        // A hidden subtree is not looked into.
        assert!(set.check(&tree, 0, &[0]).is_empty());
    }

    #[test]
    fn an_unsupported_xpath_keeps_the_constraint_and_its_keyrefs_for_libxml2() {
        let t = tempfile::tempdir().unwrap();
        let root = write(
            t.path(),
            "s.xsd",
            &format!(
                r#"{HEAD}
  <xs:element name="r"><xs:complexType><xs:sequence><xs:any processContents="skip" maxOccurs="unbounded"/></xs:sequence></xs:complexType>
    <xs:key name="k"><xs:selector xpath="a:item[1]"/><xs:field xpath="@id"/></xs:key>
    <xs:keyref name="kr" refer="a:k"><xs:selector xpath=".//a:ref"/><xs:field xpath="."/></xs:keyref>
    <xs:unique name="u"><xs:selector xpath="a:item"/><xs:field xpath="@n"/></xs:unique>
  </xs:element>
</xs:schema>"#
            ),
        );
        let set = Set::compile(&root).unwrap();
        assert_eq!(set.len(), 1);
        assert_eq!(set.kept.len(), 2, "{:?}", set.kept);
        assert!(set.kept[0].contains("a:item[1]"), "{:?}", set.kept);
        assert!(set.kept[1].contains("goes with {urn:a}k"), "{:?}", set.kept);
        let stripped = &set.overlay[&root];
        assert!(
            stripped.contains("<xs:key name=\"k\">")
                && stripped.contains("<xs:keyref")
                && !stripped.contains("xs:unique")
        );
    }
}
