//! `scapc diff`: the semantic difference of two SCAP documents (source data
//! streams, XCCDF benchmarks or OVAL documents). Rules, groups, values and
//! profiles are matched by id and compared field by field; check logic is
//! compared through OVAL fingerprints ([`oval`]), so renumbered OVAL ids are
//! no change. The report renders as text, JSON or Markdown (for a pull
//! request comment).
#![forbid(unsafe_code)]

mod hash;
pub mod model;
pub mod oval;
pub mod render;

use model::{Content, Field, Item, KINDS};
use oval::OvalIndex;
use scapc_xml::tree::Tree;
use serde::Serialize;
use std::collections::BTreeMap;

/// An item present on one side only.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub title: String,
}

/// How one field of an item changed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Change {
    /// A text (or check logic) changed; `diff` is a unified diff of long texts.
    Text {
        field: String,
        before: String,
        after: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        diff: Option<String>,
    },
    /// Members added to or removed from a set (or entries of a map).
    Set { field: String, added: Vec<String>, removed: Vec<String>, changed: Vec<(String, String, String)> },
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Changed {
    pub id: String,
    pub title: String,
    pub changes: Vec<Change>,
}

/// The differences of one kind of item.
#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct KindDiff {
    pub kind: String,
    pub added: Vec<Entry>,
    pub removed: Vec<Entry>,
    pub changed: Vec<Changed>,
}

impl KindDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Report {
    pub a: String,
    pub b: String,
    /// One entry per kind with at least one difference.
    pub kinds: Vec<KindDiff>,
}

impl Report {
    pub fn is_empty(&self) -> bool {
        self.kinds.iter().all(KindDiff::is_empty)
    }
}

/// Why a document could not be compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

/// Elements no comparison reads, left out when a document is parsed: an
/// OCIL questionnaire document, a CPE dictionary's list, and what OVAL
/// definition metadata holds besides the title (fingerprints and renderings
/// leave metadata out; a lone OVAL document's definitions show its title).
fn unread(ns: &str, local: &str) -> bool {
    match ns {
        oval::NS_OVAL_DEF => matches!(local, "affected" | "reference" | "description"),
        "http://scap.nist.gov/schema/ocil/2.0" => local == "ocil",
        "http://cpe.mitre.org/dictionary/2.0" => local == "cpe-list",
        _ => false,
    }
}

/// Parses one document for [`diff_trees`], leaving out what no comparison reads.
pub fn parse(src: &str) -> Result<Tree, Error> {
    Tree::parse_without(src, &unread).map_err(|e| Error { line: e.line, col: e.col, message: e.message })
}

/// Parses two documents in parallel; the error says which side (0 or 1) failed.
pub fn parse_both(a: &str, b: &str) -> Result<(Tree, Tree), (usize, Error)> {
    let (ta, tb) = rayon::join(|| parse(a), || parse(b));
    Ok((ta.map_err(|e| (0, e))?, tb.map_err(|e| (1, e))?))
}

/// Compares two documents (read in parallel); `a_name` and `b_name` label
/// the sides in the report.
pub fn diff_sources(a_name: &str, a: &str, b_name: &str, b: &str) -> Result<Report, (usize, Error)> {
    let (ta, tb) = parse_both(a, b)?;
    Ok(diff_trees(a_name, &ta, b_name, &tb))
}

/// Compares two documents parsed by [`parse`] (each side indexed and read
/// in parallel).
pub fn diff_trees(a_name: &str, ta: &Tree, b_name: &str, tb: &Tree) -> Report {
    let read = |t| {
        let mut o = OvalIndex::new(t);
        let c = model::extract(t, &mut o);
        (o, c)
    };
    let ((oa, ca), (ob, cb)) = rayon::join(|| read(ta), || read(tb));
    let sides = [Side { content: &ca, oval: &oa }, Side { content: &cb, oval: &ob }];
    diff(a_name, &sides[0], b_name, &sides[1])
}

/// One document as [`diff`] compares it: what was read, and the OVAL index
/// that renders the logic of checks that differ.
pub struct Side<'a, 't> {
    pub content: &'a Content,
    pub oval: &'a OvalIndex<'t>,
}

impl Side<'_, '_> {
    fn render(&self, refs: &[String]) -> String {
        refs.iter().map(|r| self.oval.render(r)).collect()
    }
}

/// Compares two documents read by [`model::extract`].
pub fn diff(a_name: &str, a: &Side<'_, '_>, b_name: &str, b: &Side<'_, '_>) -> Report {
    let kinds = KINDS.iter().enumerate().map(|(k, name)| diff_kind(name, a, b, k)).filter(|d| !d.is_empty()).collect();
    Report { a: a_name.to_owned(), b: b_name.to_owned(), kinds }
}

fn diff_kind(kind: &str, sa: &Side<'_, '_>, sb: &Side<'_, '_>, k: usize) -> KindDiff {
    let (a, b) = (&sa.content.items[k], &sb.content.items[k]);
    let mut d = KindDiff { kind: kind.to_owned(), ..KindDiff::default() };
    for (id, ia) in a {
        match b.get(id) {
            None => d.removed.push(Entry { id: id.clone(), title: ia.title.clone() }),
            Some(ib) => {
                let changes = diff_item(ia, ib, sa, sb);
                if !changes.is_empty() {
                    d.changed.push(Changed { id: id.clone(), title: ib.title.clone(), changes });
                }
            }
        }
    }
    for (id, ib) in b {
        if !a.contains_key(id) {
            d.added.push(Entry { id: id.clone(), title: ib.title.clone() });
        }
    }
    d
}

/// A unified diff of two texts when either spans several lines.
/// A map entry on one line: multi-line values are summarised.
fn entry(k: &str, v: &str) -> String {
    match v.lines().count() {
        0 | 1 => format!("{k} = {v}"),
        n => format!("{k} ({n} lines)"),
    }
}

pub(crate) fn text_diff(before: &str, after: &str) -> Option<String> {
    if !before.contains('\n') && !after.contains('\n') {
        return None;
    }
    let d = similar::TextDiff::from_lines(before, after);
    Some(d.unified_diff().context_radius(2).to_string())
}

fn diff_item(a: &Item, b: &Item, sa: &Side<'_, '_>, sb: &Side<'_, '_>) -> Vec<Change> {
    let mut out = Vec::new();
    if a.title != b.title {
        out.push(Change::Text { field: "title".into(), before: a.title.clone(), after: b.title.clone(), diff: None });
    }
    let empty = Field::Text(String::new());
    let mut keys: Vec<&&str> = a.fields.keys().chain(b.fields.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let fa = a.fields.get(*key);
        let fb = b.fields.get(*key);
        let field = key.to_string();
        match (fa.unwrap_or(&empty), fb.unwrap_or(&empty)) {
            (Field::Logic { key: ka, .. }, Field::Logic { key: kb, .. }) if ka == kb => {}
            (Field::Logic { shown: wa, refs: ra, .. }, Field::Logic { shown: wb, refs: rb, .. }) => {
                let (ra, rb) = (sa.render(ra), sb.render(rb));
                let diff =
                    text_diff(&ra, &rb).filter(|d| !d.is_empty()).or_else(|| Some("(logic changed)\n".to_owned()));
                out.push(Change::Text { field, before: wa.clone(), after: wb.clone(), diff });
            }
            (x, y) if x == y => {}
            (Field::Set(x), Field::Set(y)) => out.push(Change::Set {
                field,
                added: y.difference(x).cloned().collect(),
                removed: x.difference(y).cloned().collect(),
                changed: Vec::new(),
            }),
            (Field::Set(x), Field::Text(s)) if s.is_empty() => out.push(Change::Set {
                field,
                added: Vec::new(),
                removed: x.iter().cloned().collect(),
                changed: vec![],
            }),
            (Field::Text(s), Field::Set(y)) if s.is_empty() => out.push(Change::Set {
                field,
                added: y.iter().cloned().collect(),
                removed: Vec::new(),
                changed: vec![],
            }),
            (x, y) if matches!(x, Field::Map(_)) || matches!(y, Field::Map(_)) => {
                let none = BTreeMap::new();
                let mx = if let Field::Map(m) = x { m } else { &none };
                let my = if let Field::Map(m) = y { m } else { &none };
                let added = my.iter().filter(|(k, _)| !mx.contains_key(*k)).map(|(k, v)| entry(k, v)).collect();
                let removed = mx.iter().filter(|(k, _)| !my.contains_key(*k)).map(|(k, v)| entry(k, v)).collect();
                let changed = mx
                    .iter()
                    .filter_map(|(k, v)| my.get(k).filter(|w| *w != v).map(|w| (k.clone(), v.clone(), w.clone())))
                    .collect();
                out.push(Change::Set { field, added, removed, changed });
            }
            (x, y) => {
                let show = |f: &Field| match f {
                    Field::Text(s) => s.clone(),
                    Field::Set(s) => s.iter().cloned().collect::<Vec<_>>().join(", "),
                    Field::Map(m) => format!("{m:?}"),
                    Field::Logic { shown, .. } => shown.clone(),
                };
                let (before, after) = (show(x), show(y));
                let diff = text_diff(&before, &after);
                out.push(Change::Text { field, before, after, diff });
            }
        }
    }
    out
}
