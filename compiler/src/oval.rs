//! OVAL linking: parse `<def-group>` fragments with short ids, merge them
//! into one document, check every reference, number the ids
//! (`oval:<ns>:<kind>:<n>`), rewrite references, and write OVAL 5.11.

use crate::codes;
use crate::source::LineMap;
use petgraph::graphmap::DiGraphMap;
use rayon::prelude::*;
use scapc_diagnostics::{Diagnostic, Location, Pos};
use scapc_xml::{Element, Node};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

pub const NS_DEF: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";
pub const NS_COMMON: &str = "http://oval.mitre.org/XMLSchema/oval-common-5";
pub const NS_IND: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5#independent";
pub const NS_UNIX: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5#unix";
pub const NS_LINUX: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5#linux";
pub const SCHEMA_VERSION: &str = "5.11.2";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Def,
    Tst,
    Obj,
    Ste,
    Var,
}

impl Kind {
    pub fn tag(self) -> &'static str {
        match self {
            Kind::Def => "def",
            Kind::Tst => "tst",
            Kind::Obj => "obj",
            Kind::Ste => "ste",
            Kind::Var => "var",
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Kind::Def => "definition",
            Kind::Tst => "test",
            Kind::Obj => "object",
            Kind::Ste => "state",
            Kind::Var => "variable",
        }
    }
    fn section(self) -> &'static str {
        match self {
            Kind::Def => "definitions",
            Kind::Tst => "tests",
            Kind::Obj => "objects",
            Kind::Ste => "states",
            Kind::Var => "variables",
        }
    }
    fn classify(local: &str) -> Option<Kind> {
        Some(match local {
            "definition" => Kind::Def,
            "external_variable" | "constant_variable" | "local_variable" => Kind::Var,
            l if l.ends_with("_test") => Kind::Tst,
            l if l.ends_with("_object") => Kind::Obj,
            l if l.ends_with("_state") => Kind::Ste,
            _ => return None,
        })
    }
}

/// One fragment to link: rendered text plus where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Fragment {
    /// The rule id or platform instance this fragment belongs to.
    pub owner: String,
    pub file: PathBuf,
    /// Maps rendered lines to lines of `file`.
    pub lines: LineMap,
    /// Shared: `build --watch` keeps a rule's fragments, and an unchanged
    /// one's text is then the same allocation (compared by address first).
    pub text: Arc<str>,
    /// Default `class` for definitions without one.
    pub class: &'static str,
}

/// A fragment's items in document order, each element it cannot take as an
/// error in its place.
pub type Items = Vec<Result<Arc<Item>, Diagnostic>>;

#[derive(Debug, Clone)]
pub struct Item {
    pub kind: Kind,
    pub short: String,
    /// Shared: `build --watch` keeps a fragment's items, and an item
    /// unchanged since the last build is then the same allocation
    /// (compared by address first).
    pub el: Arc<Element>,
    pub file: PathBuf,
    pub pos: Pos,
    pub owner: String,
    /// What `el` refers to ([`refs_of`]), found once when it is read (and
    /// again whenever `el` is replaced): linking walks these, not the
    /// elements.
    pub refs: Vec<(Kind, String, u32, u32)>,
}

/// See [`Oval::externals`].
pub struct Externals<'a> {
    by: HashMap<(Kind, &'a str), &'a Item, foldhash::fast::RandomState>,
}

impl Externals<'_> {
    /// The external variables reachable from definition `def`, sorted.
    pub fn of<'b>(&'b self, def: &'b str) -> Vec<String> {
        let mut seen: std::collections::HashSet<(Kind, &'b str), foldhash::fast::RandomState> = Default::default();
        let mut stack: Vec<(Kind, &'b str)> = vec![(Kind::Def, def)];
        let mut out = BTreeSet::new();
        while let Some(key) = stack.pop() {
            if !seen.insert(key) {
                continue;
            }
            let Some(item) = self.by.get(&key) else { continue };
            if item.el.local_name() == "external_variable" {
                out.insert(item.short.clone());
            }
            for (k, t, _, _) in &item.refs {
                stack.push((*k, t.as_str()));
            }
        }
        out.into_iter().collect()
    }
}

/// A linked OVAL document.
#[derive(Debug, Default, Clone)]
pub struct Oval {
    /// Shared: `build --watch` keeps a product's linked OVAL, and each
    /// rebuild's copy of it shares the items it does not change.
    pub items: BTreeMap<(Kind, String), Arc<Item>>,
    /// Owners with a fragment that could not be read.
    pub broken: BTreeSet<String>,
    ids: Ids,
}

/// Each item's full id, per kind by short id (looked up by a borrowed id:
/// emission looks up every reference).
#[derive(Debug, Default, Clone)]
struct Ids([HashMap<String, String, foldhash::fast::RandomState>; 5]);

impl Ids {
    fn get(&self, kind: Kind, short: &str) -> Option<&String> {
        self.0[kind as usize].get(short)
    }

    fn insert(&mut self, kind: Kind, short: String, id: String) {
        self.0[kind as usize].insert(short, id);
    }
}

fn ref_kind(attr: &str) -> Option<Kind> {
    Some(match attr {
        "definition_ref" => Kind::Def,
        "test_ref" => Kind::Tst,
        "object_ref" => Kind::Obj,
        "state_ref" => Kind::Ste,
        "var_ref" => Kind::Var,
        _ => return None,
    })
}

fn text_ref_kind(local: &str) -> Option<Kind> {
    match local {
        "filter" => Some(Kind::Ste),
        "object_reference" => Some(Kind::Obj),
        // ind:variable_object names its variable in an element.
        "var_ref" => Some(Kind::Var),
        _ => None,
    }
}

/// Every (kind, short id, position) an element refers to.
pub(crate) fn refs_of(el: &Element) -> Vec<(Kind, String, u32, u32)> {
    let mut out = Vec::new();
    el.walk(&mut |e| {
        for (k, v) in &e.attrs {
            if let Some(kind) = ref_kind(k) {
                out.push((kind, v.clone(), e.line, e.col));
            }
        }
        if let Some(kind) = text_ref_kind(e.local_name()) {
            out.push((kind, e.text().trim().to_owned(), e.line, e.col));
        }
    });
    out
}

/// One fragment's items in document order, each element it cannot take
/// as an error in its place; and whether the fragment is not well-formed.
fn fragment_items(f: &Fragment) -> (Items, bool) {
    let loc = |line: u32, col: u32| {
        let p = f.lines.source_pos(Pos::new(line, col));
        Location::at(&f.file, p.line, p.col)
    };
    let root = match scapc_xml::parse(&f.text) {
        Ok(r) => r,
        Err(e) => {
            let d = Diagnostic::error(codes::XML, format!("the OVAL fragment is not well-formed: {}", e.message))
                .at(loc(e.line, e.col))
                .hint(format!("(rendered for `{}`) check tags and escape `&` and `<` as `&amp;` and `&lt;`", f.owner));
            return (vec![Err(d)], true);
        }
    };
    if root.local_name() != "def-group" {
        let d = Diagnostic::error(
            codes::XML,
            format!("an OVAL fragment must have a `<def-group>` root, found `<{}>`", root.name),
        )
        .at(loc(root.line, root.col));
        return (vec![Err(d)], false);
    }
    // Copied out of the parsed tree: the copies are sized to fit, where
    // the parser's vectors and strings grew (kept until emission, the
    // difference is 10 MB of a rhel9 build's peak).
    (root.elements().cloned().map(|el| item(f, el).map(Arc::new)).collect(), false)
}

/// One element of fragment `f`'s def-group as an item, or why it cannot be.
fn item(f: &Fragment, mut el: Element) -> Result<Item, Diagnostic> {
    let loc = |line: u32, col: u32| {
        let p = f.lines.source_pos(Pos::new(line, col));
        Location::at(&f.file, p.line, p.col)
    };
    let Some(kind) = Kind::classify(el.local_name()) else {
        return Err(Diagnostic::error(codes::XML, format!("`<{}>` cannot appear in a def-group", el.name))
            .at(loc(el.line, el.col))
            .hint("a def-group holds definitions, tests, objects, states and variables"));
    };
    let Some(short) = el.attr("id").map(str::to_owned) else {
        return Err(Diagnostic::error(codes::XML, format!("`<{}>` has no `id`", el.name)).at(loc(el.line, el.col)));
    };
    if short.starts_with("oval:") || short.is_empty() || short.contains(char::is_whitespace) {
        return Err(Diagnostic::error(codes::OVAL, format!("`{short}` is not a short id"))
            .at(loc(el.line, el.col))
            .hint("write short names such as `test_sshd_root_login`; the compiler assigns oval:<ns>:<kind>:<n> ids"));
    }
    if el.attr("version").is_none() {
        el.set_attr("version", "1");
    }
    if kind == Kind::Def && el.attr("class").is_none() {
        el.set_attr("class", f.class);
    }
    let p = f.lines.source_pos(Pos::new(el.line, el.col));
    let refs = refs_of(&el);
    Ok(Item { kind, short, el: Arc::new(el), file: f.file.clone(), pos: p, owner: f.owner.clone(), refs })
}

fn same(a: &Arc<Element>, b: &Arc<Element>) -> bool {
    if Arc::ptr_eq(a, b) {
        return true;
    }
    let mut x = String::new();
    let mut y = String::new();
    a.write_pretty(&mut x, 0);
    b.write_pretty(&mut y, 0);
    x == y
}

/// Adds what a definition's metadata lacks: title, affected platform,
/// CCE references and description.
fn fill_one(el: &mut Element, title: &str, cces: Option<&Vec<String>>, platform: &str) {
    let idx = el.children.iter().position(|c| matches!(c, Node::Element(e) if e.local_name() == "metadata"));
    let idx = match idx {
        Some(i) => i,
        None => {
            el.children.insert(0, Node::Element(Element::new("metadata")));
            0
        }
    };
    let Node::Element(md) = &mut el.children[idx] else { unreachable!() };
    md.children.retain(|c| !matches!(c, Node::Text(t) if t.trim().is_empty()));
    let pos_of = |md: &Element, name: &str| {
        md.children.iter().position(|c| matches!(c, Node::Element(e) if e.local_name() == name))
    };
    if pos_of(md, "title").is_none() {
        let mut t = Element::new("title");
        t.set_text(title);
        md.children.insert(0, Node::Element(t));
    }
    if pos_of(md, "affected").is_none() {
        let mut a = Element::new("affected");
        a.set_attr("family", "unix");
        let mut p = Element::new("platform");
        p.set_text(platform);
        a.children.push(Node::Element(p));
        md.children.insert(1, Node::Element(a));
    }
    if let Some(list) = cces {
        let have: Vec<String> = md
            .elements()
            .filter(|e| e.local_name() == "reference")
            .filter_map(|e| e.attr("ref_id").map(str::to_owned))
            .collect();
        let at = pos_of(md, "affected").map(|i| i + 1).unwrap_or(md.children.len());
        for (k, cce) in list.iter().filter(|c| !have.contains(c)).enumerate() {
            let mut r = Element::new("reference");
            r.set_attr("source", "CCE");
            r.set_attr("ref_id", cce.clone());
            md.children.insert(at + k, Node::Element(r));
        }
    }
    if pos_of(md, "description").is_none() {
        // description comes after title, affected and references.
        let after = md
            .children
            .iter()
            .rposition(
                |c| matches!(c, Node::Element(e) if matches!(e.local_name(), "title" | "affected" | "reference")),
            )
            .map(|i| i + 1)
            .unwrap_or(0);
        let mut d = Element::new("description");
        d.set_text(title);
        md.children.insert(after, Node::Element(d));
    }
}

impl Oval {
    /// Parses and merges fragments. Returns diagnostics for malformed XML,
    /// unknown elements, missing ids and conflicting duplicates.
    pub fn link(fragments: &[Fragment], diags: &mut Vec<Diagnostic>) -> Oval {
        Oval::link_memo(fragments, diags, &crate::incremental::Memo::default())
    }

    /// [`Oval::link`], each fragment's parse taken from `memo` when an
    /// earlier build parsed the same text (`scapc build --watch`).
    pub fn link_memo(fragments: &[Fragment], diags: &mut Vec<Diagnostic>, memo: &crate::incremental::Memo) -> Oval {
        Oval::link_impl(fragments, false, diags, memo)
    }

    /// [`Oval::link`] as ComplianceAsCode's build merges OVAL
    /// (`ssg/oval_object_model/oval_container.py`): an external variable
    /// defined again, even differently, keeps its first definition; any
    /// other id defined twice with different content is an error.
    pub fn link_cac(fragments: &[Fragment], diags: &mut Vec<Diagnostic>) -> Oval {
        Oval::link_cac_memo(fragments, diags, &crate::incremental::Memo::default())
    }

    /// [`Oval::link_cac`], each fragment's parse taken from `memo` as in
    /// [`Oval::link_memo`].
    pub fn link_cac_memo(fragments: &[Fragment], diags: &mut Vec<Diagnostic>, memo: &crate::incremental::Memo) -> Oval {
        Oval::link_impl(fragments, true, diags, memo)
    }

    /// A fragment's items (see [`fragment_items`]), in `build --watch`
    /// kept per (owner, file) and reused for the same text, line map and
    /// class.
    fn items_of(f: &Fragment, memo: &crate::incremental::Memo) -> (Items, bool) {
        if memo.keeps() {
            let inputs = (f.text.clone(), f.lines.clone(), f.class);
            memo.derived_at("oval-fragment", &f.owner, &f.file, inputs, || fragment_items(f))
        } else {
            fragment_items(f)
        }
    }

    fn link_impl(
        fragments: &[Fragment],
        cac: bool,
        diags: &mut Vec<Diagnostic>,
        memo: &crate::incremental::Memo,
    ) -> Oval {
        let mut oval = Oval::default();
        // A fragment's items are a function of its text, owner, file, line
        // map and class alone: parsed in parallel (parsing is most of the
        // work), and in `build --watch` kept per (owner, file) and reused
        // when all of them are equal; merged below in the fragments' order.
        let parsed: Vec<_> = fragments.par_iter().map(|f| Self::items_of(f, memo)).collect();
        for (f, (parsed, broken)) in fragments.iter().zip(parsed) {
            if broken {
                oval.broken.insert(f.owner.clone());
            }
            for item in parsed {
                let item = match item {
                    Ok(item) => item,
                    Err(d) => {
                        diags.push(d);
                        continue;
                    }
                };
                let (kind, p) = (item.kind, item.pos);
                let short = item.short.clone();
                match oval.items.get(&(kind, short.clone())) {
                    Some(prev) if same(&prev.el, &item.el) => {}
                    Some(prev)
                        if cac
                            && (prev.el.local_name() == "external_variable"
                                || item.el.local_name() == "external_variable") => {}
                    Some(prev) => diags.push(
                        Diagnostic::error(
                            codes::DUPLICATE,
                            format!("the OVAL {} `{short}` is defined twice with different content", kind.noun()),
                        )
                        .at(Location::at(&item.file, p.line, p.col))
                        .related(Location::at(&prev.file, prev.pos.line, prev.pos.col), "first defined here")
                        .hint("give one of them another id, or make them identical to share it"),
                    ),
                    None => {
                        oval.items.insert((kind, short), item);
                    }
                }
            }
        }
        oval
    }

    /// Takes in `f`'s new text when linking it again would change nothing
    /// but its own items. Each of its items that is linked must either
    /// equal the linked one (which stays, or is replaced by the new one
    /// when it came from `f`), or have come from `f`, be defined nowhere
    /// else (`elsewhere`) and keep its element name and references. An
    /// external variable of another fragment stays as linked (their
    /// duplicates are allowed), and so does one whose declaration linking
    /// took from a rule (`declared`). Items linking left out (reached by
    /// no check) stay out. `false`, with nothing changed, when that does
    /// not hold.
    pub(crate) fn patch(
        &mut self,
        f: &Fragment,
        memo: &crate::incremental::Memo,
        elsewhere: &dyn Fn(&str) -> bool,
        declared: &dyn Fn(&str) -> bool,
    ) -> bool {
        let (items, broken) = Self::items_of(f, memo);
        if broken {
            return false;
        }
        let targets = |r: &[(Kind, String, u32, u32)]| r.iter().map(|(k, t, _, _)| (*k, t.clone())).collect::<Vec<_>>();
        let mut new = Vec::with_capacity(items.len());
        for item in items {
            let Ok(item) = item else { return false };
            let Some(old) = self.items.get(&(item.kind, item.short.clone())) else { continue };
            let ours = old.owner == item.owner && old.file == item.file;
            if item.el.local_name() == "external_variable" {
                match () {
                    _ if !ours => {}
                    _ if declared(&item.short) => new.push(Arc::new(Item { pos: item.pos, ..Item::clone(old) })),
                    _ if same(&old.el, &item.el) => new.push(item),
                    _ => return false,
                }
                continue;
            }
            if same(&old.el, &item.el) {
                if ours {
                    new.push(item);
                }
                continue;
            }
            if !ours
                || elsewhere(&item.short)
                || old.el.name != item.el.name
                || targets(&old.refs) != targets(&item.refs)
            {
                return false;
            }
            new.push(item);
        }
        for item in new {
            self.items.insert((item.kind, item.short.clone()), item);
        }
        true
    }

    /// Checks that every reference resolves (naming both ends when not) and
    /// that `extend_definition` has no cycles.
    pub fn check(&self, diags: &mut Vec<Diagnostic>) {
        let mut graph: DiGraphMap<&str, ()> = DiGraphMap::new();
        for ((kind, short), item) in &self.items {
            if *kind == Kind::Def {
                graph.add_node(short.as_str());
            }
            for (rk, target, line, col) in item.refs.iter().map(|(k, t, l, c)| (*k, t, *l, *c)) {
                let off = item.pos.line as i64 - item.el.line as i64;
                let here = Location::at(&item.file, (line as i64 + off).max(1) as u32, col);
                if !self.items.contains_key(&(rk, target.clone())) {
                    let mut d = Diagnostic::error(
                        codes::DANGLING,
                        format!(
                            "OVAL {} `{short}` refers to {} `{target}`, which is not defined",
                            kind.noun(),
                            rk.noun()
                        ),
                    )
                    .at(here);
                    // Point at a same-named item of another kind, a common slip.
                    if let Some(other) = self.items.values().find(|i| i.short == *target) {
                        d = d.related(
                            Location::at(&other.file, other.pos.line, other.pos.col),
                            format!("a {} with that id is here", other.kind.noun()),
                        );
                    }
                    d = d
                        .hint(format!("define the {} `{target}` in an OVAL fragment, or fix the reference", rk.noun()));
                    if rk == Kind::Def {
                        d = d.hint("a missing extend_definition target would otherwise silently drop the check");
                    }
                    diags.push(d);
                } else if rk == Kind::Def && *kind == Kind::Def {
                    let (a, _) = self.items.get_key_value(&(Kind::Def, short.clone())).unwrap();
                    let (b, _) = self.items.get_key_value(&(Kind::Def, target.clone())).unwrap();
                    graph.add_edge(a.1.as_str(), b.1.as_str(), ());
                }
            }
        }
        for scc in petgraph::algo::tarjan_scc(&graph) {
            let cyclic = scc.len() > 1 || graph.contains_edge(scc[0], scc[0]);
            if !cyclic {
                continue;
            }
            let mut names: Vec<&str> = scc.clone();
            names.sort();
            let first = &self.items[&(Kind::Def, names[0].to_owned())];
            let mut d = Diagnostic::error(
                codes::CYCLE,
                format!(
                    "OVAL definitions extend each other in a cycle: {}",
                    crate::compile::cycle_order(&graph, &scc).join(" -> ")
                ),
            )
            .at(Location::at(&first.file, first.pos.line, first.pos.col));
            for n in &names[1..] {
                let it = &self.items[&(Kind::Def, (*n).to_owned())];
                d = d.related(Location::at(&it.file, it.pos.line, it.pos.col), format!("`{n}` is part of the cycle"));
            }
            diags.push(d.hint("remove one extend_definition so that the chain ends"));
        }
    }

    /// Assigns `oval:<ns>:<kind>:<n>` ids: within each kind, sorted short
    /// ids numbered from 1.
    pub fn number(&mut self, ns: &str) {
        let mut counters: HashMap<Kind, u32> = HashMap::new();
        for (kind, short) in self.items.keys() {
            let n = counters.entry(*kind).or_insert(0);
            *n += 1;
            self.ids.insert(*kind, short.clone(), format!("oval:{ns}:{}:{}", kind.tag(), n));
        }
    }

    /// Assigns ComplianceAsCode's ids (`ssg/id_translate.py`): each short
    /// id `x` of kind `k` becomes `oval:<prefix>-x:<k>:1`.
    pub fn number_cac(&mut self, prefix: &str) {
        for (kind, short) in self.items.keys() {
            self.ids.insert(*kind, short.clone(), format!("oval:{prefix}-{short}:{}:1", kind.tag()));
        }
    }

    /// Keeps only what the given definitions reach, as CaC's linker drops
    /// what no rule's check uses.
    pub fn retain_closure(&mut self, defs: impl IntoIterator<Item = String>) {
        let keep = self.closure(defs);
        self.retain_only(&keep);
    }

    /// Keeps only the items in `keep` (e.g. a [`Oval::closure`] already
    /// walked).
    pub fn retain_only(&mut self, keep: &BTreeSet<(Kind, String)>) {
        self.items.retain(|k, _| keep.contains(k));
        for (i, kind) in [Kind::Def, Kind::Tst, Kind::Obj, Kind::Ste, Kind::Var].into_iter().enumerate() {
            debug_assert_eq!(kind as usize, i);
            let ids = &mut self.ids.0[i];
            if !ids.is_empty() {
                ids.retain(|s, _| keep.contains(&(kind, s.clone())));
            }
        }
    }

    pub fn id(&self, kind: Kind, short: &str) -> Option<&str> {
        self.ids.get(kind, short).map(String::as_str)
    }

    pub fn has(&self, kind: Kind, short: &str) -> bool {
        self.items.contains_key(&(kind, short.to_owned()))
    }

    /// The external variables reachable from definitions
    /// ([`Externals::of`]): the items indexed once (build it once for
    /// all the definitions), by borrowed ids, so that no walk allocates
    /// to look one up.
    pub fn externals(&self) -> Externals<'_> {
        Externals { by: self.items.iter().map(|((k, s), it)| ((*k, s.as_str()), &**it)).collect() }
    }

    /// Fills missing definition metadata: title, affected platform and
    /// description.
    pub fn fill_metadata(
        &mut self,
        titles: &HashMap<String, String>,
        cces: &HashMap<String, Vec<String>>,
        platform: &str,
    ) {
        self.fill_metadata_memo(titles, cces, platform, &crate::incremental::Memo::default(), "");
    }

    /// [`Oval::fill_metadata`], each definition's filled element kept in
    /// `memo` under `doc` and reused while the element it was filled from
    /// is the same allocation (see [`Item::el`]) with the same title and
    /// CCEs, so that an unchanged definition stays the same allocation
    /// from one `build --watch` rebuild to the next.
    pub fn fill_metadata_memo(
        &mut self,
        titles: &HashMap<String, String>,
        cces: &HashMap<String, Vec<String>>,
        platform: &str,
        memo: &crate::incremental::Memo,
        doc: &str,
    ) {
        for ((kind, short), item) in self.items.iter_mut() {
            if *kind != Kind::Def {
                continue;
            }
            let title = titles.get(short).cloned().unwrap_or_else(|| short.clone());
            let cce = cces.get(short);
            if !memo.keeps() {
                fill_one(Arc::make_mut(&mut Arc::make_mut(item).el), &title, cce, platform);
                continue;
            }
            type From = (Arc<Element>, String, Option<Vec<String>>, String);
            let src = item.el.clone();
            Arc::make_mut(item).el = memo.written(
                doc,
                short,
                |(e, t, c, p): &From| Arc::ptr_eq(e, &src) && *t == title && c.as_ref() == cce && p == platform,
                || {
                    let mut el = (*src).clone();
                    fill_one(&mut el, &title, cce, platform);
                    ((src.clone(), title.clone(), cce.cloned(), platform.to_owned()), Arc::new(el))
                },
            );
        }
    }

    /// Writes the OVAL definitions document (with XML declaration).
    pub fn emit(&self, timestamp: &str, keep: Option<&BTreeSet<(Kind, String)>>) -> String {
        self.emit_memo(timestamp, keep, &crate::incremental::Memo::default(), "")
    }

    /// [`Oval::emit`], each item's text taken from `memo` when an earlier
    /// build of document `doc` wrote an equal item under the same id with
    /// the same ids for what it refers to (`scapc build --watch`).
    pub fn emit_memo(
        &self,
        timestamp: &str,
        keep: Option<&BTreeSet<(Kind, String)>>,
        memo: &crate::incremental::Memo,
        doc: &str,
    ) -> String {
        let mut out = String::with_capacity(1 << 20);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str(&format!(
            "<oval_definitions xmlns=\"{NS_DEF}\" xmlns:oval=\"{NS_COMMON}\" xmlns:oval-def=\"{NS_DEF}\" xmlns:ind=\"{NS_IND}\" xmlns:unix=\"{NS_UNIX}\" xmlns:linux=\"{NS_LINUX}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"{NS_DEF} oval-definitions-schema.xsd {NS_IND} independent-definitions-schema.xsd {NS_UNIX} unix-definitions-schema.xsd {NS_LINUX} linux-definitions-schema.xsd {NS_COMMON} oval-common-schema.xsd\">\n"
        ));
        out.push_str(&format!(
            "  <generator>\n    <oval:product_name>scapc</oval:product_name>\n    <oval:product_version>{}</oval:product_version>\n    <oval:schema_version>{SCHEMA_VERSION}</oval:schema_version>\n    <oval:timestamp>{timestamp}</oval:timestamp>\n  </generator>\n",
            env!("CARGO_PKG_VERSION")
        ));
        for kind in [Kind::Def, Kind::Tst, Kind::Obj, Kind::Ste, Kind::Var] {
            let mut items: Vec<(&str, &Item)> = self
                .items
                .iter()
                .filter(|((k, s), _)| *k == kind && keep.is_none_or(|keep| keep.contains(&(*k, s.clone()))))
                .map(|((k, s), it)| (self.ids.0[*k as usize][s.as_str()].as_str(), &**it))
                .collect();
            if items.is_empty() {
                continue;
            }
            items.sort_by_key(|(id, _)| id_number(id));
            out.push_str(&format!("  <{}>\n", kind.section()));
            // Each item written on its own (in parallel), then in order.
            let written: Vec<std::sync::Arc<str>> = items
                .par_iter()
                .map(|(id, item)| {
                    let write = || -> std::sync::Arc<str> {
                        let mut el = (*item.el).clone();
                        self.rewrite(&mut el, id);
                        let mut s = String::from("    ");
                        el.write_pretty(&mut s, 2);
                        s.push('\n');
                        s.into()
                    };
                    if !memo.keeps() {
                        return write();
                    }
                    // What the text is written from: the item, its id and
                    // the ids `rewrite` puts in place of its references.
                    type From = (Arc<Element>, String, Vec<Option<String>>);
                    let refs = self.ref_ids(item);
                    let key = format!("{}:{}", kind.tag(), item.short);
                    memo.written(
                        doc,
                        &key,
                        |(el, own, r): &From| (Arc::ptr_eq(el, &item.el) || *el == item.el) && own == id && *r == refs,
                        || ((item.el.clone(), (*id).to_owned(), refs.clone()), write()),
                    )
                })
                .collect();
            for s in &written {
                out.push_str(s);
            }
            out.push_str(&format!("  </{}>\n", kind.section()));
        }
        out.push_str("</oval_definitions>\n");
        out
    }

    /// Everything reachable from the given definitions.
    pub fn closure(&self, defs: impl IntoIterator<Item = String>) -> BTreeSet<(Kind, String)> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(Kind, String)> = defs.into_iter().map(|d| (Kind::Def, d)).collect();
        while let Some(key) = stack.pop() {
            if !seen.insert(key.clone()) {
                continue;
            }
            if let Some(item) = self.items.get(&key) {
                for (k, t, _, _) in &item.refs {
                    stack.push((*k, t.clone()));
                }
            }
        }
        seen
    }

    /// The ids [`Oval::rewrite`] looks up for the item's references, in
    /// the order it meets them (`None` where it keeps the short id): those
    /// of [`Item::refs`], found by the same walk of the element.
    fn ref_ids(&self, item: &Item) -> Vec<Option<String>> {
        debug_assert!(item.refs == refs_of(&item.el));
        item.refs.iter().map(|(kind, short, _, _)| self.ids.get(*kind, short).cloned()).collect()
    }

    fn rewrite(&self, el: &mut Element, own_id: &str) {
        el.set_attr("id", own_id);
        let ids = &self.ids;
        el.walk_mut(&mut |e| {
            for (k, v) in e.attrs.iter_mut() {
                if let Some(kind) = ref_kind(k) {
                    if let Some(full) = ids.get(kind, v) {
                        *v = full.clone();
                    }
                }
            }
            if let Some(kind) = text_ref_kind(e.local_name()) {
                if let Some(full) = ids.get(kind, e.text().trim()) {
                    e.set_text(full.clone());
                }
            }
        });
    }
}

fn id_number(id: &str) -> u64 {
    id.rsplit(':').next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frag(owner: &str, text: &str) -> Fragment {
        Fragment {
            owner: owner.into(),
            file: format!("{owner}.xml").into(),
            lines: LineMap::identity(),
            text: text.into(),
            class: "compliance",
        }
    }

    const A: &str = r#"<def-group>
  <definition class="compliance" id="a" version="1">
    <criteria><criterion test_ref="t_a"/><extend_definition definition_ref="b"/></criteria>
  </definition>
  <ind:textfilecontent54_test id="t_a" check="all" version="1"><ind:object object_ref="o"/></ind:textfilecontent54_test>
  <ind:textfilecontent54_object id="o" version="1"><ind:filepath>/x</ind:filepath><ind:pattern operation="pattern match">^a$</ind:pattern><ind:instance datatype="int">1</ind:instance><filter action="include">s</filter></ind:textfilecontent54_object>
  <ind:textfilecontent54_state id="s" version="1"><ind:text var_ref="v"/></ind:textfilecontent54_state>
  <external_variable id="v" datatype="string" version="1" comment="c"/>
</def-group>"#;

    /// A fragment's new text is taken in item by item only when linking
    /// it again would give the same but for its own items' content.
    #[test]
    fn patches_take_in_text_changes_and_refuse_what_linking_would_decide_anew() {
        let b = r#"<def-group><definition id="b"><criteria><criterion test_ref="t_a"/></criteria></definition></def-group>"#;
        let memo = crate::incremental::Memo::default();
        let linked = || {
            let mut diags = Vec::new();
            let o = Oval::link(&[frag("a", A), frag("b", b)], &mut diags);
            assert!(diags.is_empty(), "{diags:?}");
            o
        };
        let nowhere = |_: &str| false;
        let emitted = |mut o: Oval| {
            o.number("org.x");
            o.emit("2026-01-01T00:00:00", None)
        };
        // The object's pattern, a definition's comment: taken in.
        let mut o = linked();
        let edited = A.replace("^a$", "^a+$").replace(r#"<criteria>"#, r#"<criteria comment="new">"#);
        assert!(o.patch(&frag("a", &edited), &memo, &nowhere, &nowhere));
        let xml = emitted(o);
        assert!(xml.contains("^a+$") && xml.contains(r#"comment="new""#), "{xml}");
        // A reference changed: linked again.
        let mut o = linked();
        let moved = A.replace(r#"<criterion test_ref="t_a"/>"#, r#"<criterion test_ref="t_b"/>"#);
        assert!(!o.patch(&frag("a", &moved), &memo, &nowhere, &nowhere));
        assert_eq!(emitted(o), emitted(linked()));
        // A changed item that another fragment defines too: its duplicate
        // check would run anew.
        let mut o = linked();
        let everywhere = |_: &str| true;
        assert!(!o.patch(&frag("a", &edited), &memo, &everywhere, &nowhere));
        // A changed external variable: its declaration may come from
        // elsewhere.
        let mut o = linked();
        assert!(!o.patch(&frag("a", &A.replace(r#"comment="c""#, r#"comment="d""#)), &memo, &nowhere, &nowhere));
        // Not well-formed: linked again (and reported there).
        let mut o = linked();
        assert!(!o.patch(&frag("a", "<def-group>"), &memo, &nowhere, &nowhere));
        // Another owner's fragment changing an item it did not define.
        let mut o = linked();
        let b2 = b.replace("<definition id=\"b\">", "<definition id=\"b\" class=\"inventory\">");
        assert!(o.patch(&frag("b", &b2), &memo, &nowhere, &nowhere));
        assert!(!o.patch(&frag("b", &A.replace("^a$", "^z$")), &memo, &nowhere, &nowhere));
    }

    #[test]
    fn links_numbers_and_rewrites() {
        let b = r#"<def-group><definition id="b"><criteria><criterion test_ref="t_a"/></criteria></definition></def-group>"#;
        let mut diags = Vec::new();
        let mut o = Oval::link(&[frag("a", A), frag("b", b)], &mut diags);
        o.check(&mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        o.number("org.x");
        assert_eq!(o.id(Kind::Def, "a"), Some("oval:org.x:def:1"));
        assert_eq!(o.id(Kind::Def, "b"), Some("oval:org.x:def:2"));
        assert_eq!(o.externals().of("a"), vec!["v".to_string()]);
        let mut titles = HashMap::new();
        titles.insert("a".to_string(), "Title A".to_string());
        o.fill_metadata(&titles, &HashMap::new(), "Debian 12");
        let xml = o.emit("2026-01-01T00:00:00", None);
        assert!(xml.contains(r#"<extend_definition definition_ref="oval:org.x:def:2"/>"#), "{xml}");
        assert!(xml.contains(r#"<filter action="include">oval:org.x:ste:1</filter>"#));
        assert!(xml.contains(r#"<ind:text var_ref="oval:org.x:var:1"/>"#));
        assert!(xml.contains("<title>Title A</title>"));
        assert!(xml.contains(r#"<definition id="oval:org.x:def:2" version="1" class="compliance">"#), "{xml}");
        scapc_xml::parse(&xml).unwrap();
    }

    /// `ind:variable_object` names its variable in a `<var_ref>` element:
    /// it is a reference (checked, kept, renumbered) like the attribute.
    #[test]
    fn var_ref_elements_are_references() {
        let x = r#"<def-group>
  <definition class="compliance" id="d" version="1"><criteria><criterion test_ref="t"/></criteria></definition>
  <ind:variable_test id="t" check="all" version="1"><ind:object object_ref="o"/></ind:variable_test>
  <ind:variable_object id="o" version="1"><ind:var_ref>v</ind:var_ref></ind:variable_object>
  <local_variable id="v" datatype="int" version="1" comment="c"><literal_component>1</literal_component></local_variable>
  <local_variable id="unused" datatype="int" version="1" comment="c"><literal_component>1</literal_component></local_variable>
</def-group>"#;
        let mut diags = Vec::new();
        let mut o = Oval::link(&[frag("d", x)], &mut diags);
        o.check(&mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        assert!(o.closure(["d".to_owned()]).contains(&(Kind::Var, "v".to_owned())));
        o.retain_closure(["d".to_owned()]);
        assert!(!o.has(Kind::Var, "unused"));
        o.number_cac("ssg");
        let xml = o.emit("2026-01-01T00:00:00", None);
        assert!(xml.contains("<ind:var_ref>oval:ssg-v:var:1</ind:var_ref>"), "{xml}");
        let bad = x.replace("<ind:var_ref>v<", "<ind:var_ref>nope<");
        let mut diags = Vec::new();
        Oval::link(&[frag("d", &bad)], &mut diags).check(&mut diags);
        assert!(diags.iter().any(|d| d.message.contains("variable `nope`")), "{diags:?}");
    }

    #[test]
    fn dangling_and_cycles_name_both_ends() {
        let b = r#"<def-group><definition id="b"><criteria><extend_definition definition_ref="a"/></criteria></definition></def-group>"#;
        let a = A.replace(r#"<criterion test_ref="t_a"/>"#, r#"<criterion test_ref="nope"/>"#);
        let mut diags = Vec::new();
        let o = Oval::link(&[frag("a", &a), frag("b", b)], &mut diags);
        o.check(&mut diags);
        let text: Vec<String> = diags.iter().map(|d| d.one_line()).collect();
        assert!(text.iter().any(|t| t.contains("refers to test `nope`") && t.starts_with("a.xml:3:")), "{text:?}");
        assert!(text.iter().any(|t| t.contains("cycle: a -> b")), "{text:?}");
    }

    #[test]
    fn conflicting_duplicates() {
        let x1 = r#"<def-group><ind:textfilecontent54_object id="o" version="1"><ind:filepath>/a</ind:filepath></ind:textfilecontent54_object></def-group>"#;
        let x2 = r#"<def-group>
  <ind:textfilecontent54_object id="o" version="1">
    <ind:filepath>/a</ind:filepath>
  </ind:textfilecontent54_object></def-group>"#;
        let x3 = x1.replace("/a", "/b");
        let mut diags = Vec::new();
        Oval::link(&[frag("r1", x1), frag("r2", x2)], &mut diags);
        assert!(diags.is_empty(), "identical content may be shared: {diags:?}");
        Oval::link(&[frag("r1", x1), frag("r3", &x3)], &mut diags);
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.contains("defined twice"));
        assert_eq!(diags[0].related[0].location.file, PathBuf::from("r1.xml"));
    }
}
