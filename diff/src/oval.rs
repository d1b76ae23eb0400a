//! OVAL compared by meaning: every definition, test, object, state and
//! variable gets a fingerprint of its content in which each reference to
//! another OVAL id stands for the fingerprint of what it references. Ids,
//! versions, comments and definition metadata are left out, so renumbering
//! ids (or rewording a comment) changes no fingerprint. The work is
//! iterative: neither deep documents nor long reference chains grow the stack.

use crate::hash::{FastMap, Fingerprinter};
use scapc_xml::tree::{NodeId, Tree};
use std::hash::{Hash, Hasher};

pub const NS_OVAL_DEF: &str = "http://oval.mitre.org/XMLSchema/oval-definitions-5";

const CONTAINERS: [&str; 5] = ["definitions", "tests", "objects", "states", "variables"];
/// Attributes that identify or annotate an element without changing what it checks.
const IGNORED_ATTRS: [&str; 3] = ["id", "version", "comment"];
/// How many references deep [`OvalIndex::render`] inlines.
const RENDER_DEPTH: usize = 12;

/// Every OVAL element with an id in one document, and their fingerprints.
pub struct OvalIndex<'t> {
    tree: &'t Tree,
    by_id: FastMap<&'t str, NodeId>,
    /// Fingerprints by node (index into the tree's arena), once known.
    memo: Vec<Option<u64>>,
    /// Elements whose references [`OvalIndex::fingerprint`] is resolving
    /// (a cycle meets one of them again), by node.
    open: Vec<bool>,
}

impl<'t> OvalIndex<'t> {
    pub fn new(tree: &'t Tree) -> Self {
        let mut by_id = FastMap::default();
        for local in CONTAINERS {
            for &c in tree.all(NS_OVAL_DEF, local) {
                for e in tree.children(c) {
                    if let Some(id) = tree.attr(e, "id") {
                        by_id.entry(id).or_insert(e);
                    }
                }
            }
        }
        // Fingerprints are kept for indexed elements only, which come
        // before the end of the last container.
        let len = by_id.values().map(|&n| n as usize + 1).max().unwrap_or(0);
        OvalIndex { tree, by_id, memo: vec![None; len], open: vec![false; len] }
    }

    pub fn contains(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    /// Whether an attribute of `n` is left out of fingerprints and renderings.
    fn ignored(&self, n: NodeId, local: &str) -> bool {
        IGNORED_ATTRS.contains(&local) && self.indexed(n)
    }

    /// The nodes of `root`'s subtree that count, into `out`: definition
    /// metadata is skipped.
    fn nodes(&self, root: NodeId, out: &mut Vec<NodeId>) {
        let t = self.tree;
        let end = t.subtree_end(root);
        out.clear();
        let mut n = root;
        while n < end {
            if n != root && t.is(n, NS_OVAL_DEF, "metadata") {
                n = t.subtree_end(n);
                continue;
            }
            out.push(n);
            n += 1;
        }
    }

    fn known(&self, n: NodeId) -> bool {
        self.memo.get(n as usize).is_some_and(Option::is_some)
    }

    /// The fingerprint of the element with this id, `None` when the
    /// document has no such element.
    pub fn fingerprint(&mut self, id: &str) -> Option<u64> {
        let root = *self.by_id.get(id)?;
        if let Some(f) = self.memo[root as usize] {
            return Some(f);
        }
        let mut stack = vec![root];
        let mut nodes = Vec::new();
        let mut waiting = Vec::new();
        while let Some(&top) = stack.last() {
            if self.known(top) {
                stack.pop();
                continue;
            }
            self.nodes(top, &mut nodes);
            let is_open = self.open[top as usize];
            waiting.clear();
            if !is_open {
                // Ids referenced inside the subtree (attribute values and texts).
                let t = self.tree;
                for &n in &nodes {
                    let node = t.node(n);
                    let indexed = self.indexed(n);
                    let attrs = node
                        .attrs
                        .iter()
                        .filter(|a| !(indexed && IGNORED_ATTRS.contains(&t.name(a.local))))
                        .map(|a| a.value.as_str());
                    for v in attrs.chain(std::iter::once(node.text.trim())) {
                        if let Some(&target) = self.by_id.get(v) {
                            if target != top && !self.known(target) && !self.open[target as usize] {
                                waiting.push(target);
                            }
                        }
                    }
                }
            }
            if waiting.is_empty() {
                let h = self.hash_node(&nodes);
                self.memo[top as usize] = Some(h);
                self.open[top as usize] = false;
                stack.pop();
            } else {
                self.open[top as usize] = true;
                stack.extend_from_slice(&waiting);
            }
        }
        self.memo[root as usize]
    }

    /// Whether `n` is the element its id names (its id, version and
    /// comment then count for nothing).
    fn indexed(&self, n: NodeId) -> bool {
        self.tree.attr(n, "id").is_some_and(|id| self.by_id.get(id) == Some(&n))
    }

    fn hash_node(&self, nodes: &[NodeId]) -> u64 {
        let t = self.tree;
        let mut h = Fingerprinter::default();
        // Positions within the counted nodes, so that skipped metadata of
        // any size leaves the fingerprint alone.
        for (i, &n) in nodes.iter().enumerate() {
            i.hash(&mut h);
            t.parent(n).and_then(|p| nodes.binary_search(&p).ok()).hash(&mut h);
            t.ns(n).hash(&mut h);
            t.local(n).hash(&mut h);
            let indexed = self.indexed(n);
            let mut attrs: Vec<(&str, &str)> = t
                .node(n)
                .attrs
                .iter()
                .map(|a| (t.name(a.local), a.value.as_str()))
                .filter(|(k, _)| !(indexed && IGNORED_ATTRS.contains(k)))
                .collect();
            attrs.sort_unstable();
            for (k, v) in attrs {
                k.hash(&mut h);
                self.hash_value(v, &mut h);
            }
            self.hash_value(t.text(n).trim(), &mut h);
        }
        h.finish()
    }

    /// A value hashes as the fingerprint it references, when it is a known
    /// id (a reference still being resolved, in a cycle, hashes as a marker).
    fn hash_value(&self, v: &str, h: &mut Fingerprinter) {
        match self.by_id.get(v) {
            Some(&n) => match self.memo.get(n as usize).copied().flatten() {
                Some(f) => (1u8, f).hash(h),
                None => (2u8, 0u64).hash(h),
            },
            None => (0u8, v).hash(h),
        }
    }

    /// The element with this id as indented text, ids left out and
    /// references inlined (a few levels deep), for showing what changed.
    pub fn render(&self, id: &str) -> String {
        let mut out = String::new();
        if let Some(&n) = self.by_id.get(id) {
            self.render_into(n, 0, 0, &mut out);
        }
        out
    }

    fn render_into(&self, root: NodeId, indent: usize, depth: usize, out: &mut String) {
        let t = self.tree;
        // (node, indent) pairs, children pushed in reverse so they pop in order.
        let mut stack = vec![(root, indent)];
        while let Some((n, ind)) = stack.pop() {
            if n != root && t.is(n, NS_OVAL_DEF, "metadata") {
                continue;
            }
            let pad = "  ".repeat(ind.min(40));
            out.push_str(&pad);
            out.push_str(t.local(n));
            let mut attrs: Vec<(&str, &str)> = t
                .node(n)
                .attrs
                .iter()
                .filter(|a| !self.ignored(n, t.name(a.local)))
                .map(|a| (t.name(a.local), a.value.as_str()))
                .collect();
            attrs.sort_unstable();
            let mut inline = Vec::new();
            for (k, v) in attrs {
                if self.by_id.contains_key(v) {
                    out.push_str(&format!(" {k}=→"));
                    inline.push(v);
                } else {
                    out.push_str(&format!(" {k}={v:?}"));
                }
            }
            let text = t.text(n).trim();
            if !text.is_empty() {
                if self.by_id.contains_key(text) {
                    out.push_str(" →");
                    inline.push(text);
                } else {
                    out.push_str(&format!(" {text:?}"));
                }
            }
            out.push('\n');
            for r in inline {
                if depth >= RENDER_DEPTH {
                    out.push_str(&format!("{pad}    …\n"));
                } else if let Some(&target) = self.by_id.get(r) {
                    self.render_into(target, ind + 2, depth + 1, out);
                }
            }
            let kids: Vec<NodeId> = t.children(n).collect();
            for &c in kids.iter().rev() {
                stack.push((c, ind + 1));
            }
        }
    }
}
