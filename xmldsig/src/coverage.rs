//! What the signatures cover: per data stream, whether the stream and every
//! component it reaches are signed by an accepted signature.
//!
//! A signature proves only that the elements it references are intact. A
//! collection may hold more than what is signed: an added, unsigned data
//! stream, or an unsigned component that an unsigned stream points at. What
//! runs is what the *chosen* stream reaches, so each stream is judged on
//! its own:
//!
//! * the stream itself must be the first SignedInfo reference of an
//!   accepted signature (valid, trusted when a trust anchor is given, and
//!   not by a weak key unless weak keys are allowed);
//! * every component it reaches must be referenced by an accepted
//!   signature. A stream reaches the local targets of its component-refs
//!   and, through each component-ref's catalog, the component-refs and
//!   components the catalog's `#id` uris name — also ones in other
//!   streams, followed on to what they reach;
//! * every id on the way must name exactly one data stream, component-ref
//!   or component, and must name something: an ambiguous or dangling id
//!   leaves it open what a processor loads, so the stream is not covered.
//!
//! Remote component-refs (hrefs that are not `#id`) reach nothing in the
//! file and are not followed.

use crate::dsig::{SignatureReport, Target, Verification};
use scapc_datastream::read::Collection;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

/// The coverage of one data stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamCoverage {
    /// The data stream's id.
    pub id: String,
    /// The stream and every component it reaches are covered by accepted
    /// signatures, and every id on the way is unambiguous.
    pub covered: bool,
    /// The accepted signatures whose SignedInfo signs this stream.
    pub signed_by: Vec<String>,
    /// The local components the stream reaches, in the order found.
    pub components: Vec<String>,
    /// Those of `components` that no accepted signature references.
    pub uncovered: Vec<String>,
    /// Ids on the way that are ambiguous or name nothing.
    pub problems: Vec<String>,
    /// Not covered only because a signature that covers it is made by a
    /// weak key (and weak keys are not allowed).
    pub weak_only: bool,
    /// Byte ranges of the `ds:component` / `ds:extended-component`
    /// elements that the stream reaches and an accepted signature covers,
    /// in the text given to [`crate::dsig::verify_document`] (a byte order
    /// mark included). A caller checks that what it runs lies inside one.
    pub covered_ranges: Vec<Range<usize>>,
}

/// What a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// A signature does not verify (value, a reference, the layout, or not
    /// by the trusted key).
    InvalidSignature,
    /// A signature is made by an RSA key under 2048 bits.
    WeakKey,
    /// A data stream is outside every accepted signature.
    UncoveredDataStream,
    /// A component is outside every accepted signature.
    UncoveredComponent,
    /// A data stream reaches an id that is ambiguous or names nothing.
    UnresolvedReference,
}

impl FindingKind {
    /// A stable name, used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            FindingKind::InvalidSignature => "invalid-signature",
            FindingKind::WeakKey => "weak-key",
            FindingKind::UncoveredDataStream => "uncovered-data-stream",
            FindingKind::UncoveredComponent => "uncovered-component",
            FindingKind::UnresolvedReference => "unresolved-reference",
        }
    }
}

/// One finding of a verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    pub message: String,
    pub signature: Option<String>,
    pub data_stream: Option<String>,
    pub component: Option<String>,
    /// Whether the finding makes the verification fail: invalid
    /// signatures always do, weak keys unless allowed, coverage findings
    /// when a trust anchor was given.
    pub fails: bool,
}

/// What a structural id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Named {
    Stream,
    /// (stream, component-ref)
    Ref(usize, usize),
    Component(usize),
}

/// The coverage of every data stream of `coll`, and the components that
/// no stream reaches and no accepted signature covers; `bom` is the length
/// of the byte order mark the verified text started with.
pub(crate) fn streams(
    coll: &Collection<'_>,
    sigs: &[SignatureReport],
    allow_weak_keys: bool,
    bom: usize,
) -> (Vec<StreamCoverage>, Vec<String>) {
    let (mut out, orphans) = compute(coll, sigs, allow_weak_keys, bom);
    if !allow_weak_keys && sigs.iter().any(|r| r.weak_key_bits.is_some()) {
        let (weak, _) = compute(coll, sigs, true, bom);
        for (s, w) in out.iter_mut().zip(weak) {
            s.weak_only = !s.covered && w.covered;
        }
    }
    (out, orphans)
}

fn compute(
    coll: &Collection<'_>,
    sigs: &[SignatureReport],
    allow_weak_keys: bool,
    bom: usize,
) -> (Vec<StreamCoverage>, Vec<String>) {
    let accepted: Vec<&SignatureReport> = sigs.iter().filter(|r| r.accepted(allow_weak_keys)).collect();
    let mut signed_components: HashSet<&str> = HashSet::new();
    for r in &accepted {
        for x in r.references.iter().filter(|x| x.ok) {
            if let Target::Component(c) = &x.target {
                signed_components.insert(c.as_str());
            }
        }
    }
    let mut names: HashMap<&str, Vec<Named>> = HashMap::new();
    for (si, s) in coll.streams.iter().enumerate() {
        names.entry(s.id.as_str()).or_default().push(Named::Stream);
        for (ri, r) in s.refs.iter().enumerate() {
            names.entry(r.id.as_str()).or_default().push(Named::Ref(si, ri));
        }
    }
    for (ci, c) in coll.components.iter().enumerate() {
        names.entry(c.id.as_str()).or_default().push(Named::Component(ci));
    }
    let mut out = Vec::new();
    let mut reached_any: HashSet<usize> = HashSet::new();
    for (si, s) in coll.streams.iter().enumerate() {
        let mut problems = Vec::new();
        if names.get(s.id.as_str()).map_or(0, Vec::len) > 1 {
            problems.push(format!("the id `{}` of the data stream is carried by more than one element", s.id));
        }
        // Component-refs to visit, and what was reached.
        let mut queue: Vec<(usize, usize)> = (0..s.refs.len()).map(|ri| (si, ri)).collect();
        let mut seen_refs: HashSet<(usize, usize)> = queue.iter().copied().collect();
        let mut reached: Vec<usize> = Vec::new();
        let reach_component = |id: &str, via: &str, problems: &mut Vec<String>, reached: &mut Vec<usize>| match names
            .get(id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            [Named::Component(ci)] => {
                if !reached.contains(ci) {
                    reached.push(*ci);
                }
            }
            [] => problems.push(format!("{via} points at `#{id}`, which is not in the file")),
            [_] => problems.push(format!("{via} points at `#{id}`, which is not a component")),
            more => problems.push(format!(
                "{via} points at `#{id}`, an id carried by {} elements: which one is loaded is ambiguous",
                more.len()
            )),
        };
        while let Some((qs, qr)) = queue.pop() {
            let r = &coll.streams[qs].refs[qr];
            if let Some(t) = r.local_target() {
                reach_component(t, &format!("component-ref `{}`", r.id), &mut problems, &mut reached);
            }
            for (name, uri) in &r.catalog {
                let Some(id) = uri.strip_prefix('#') else { continue };
                let via = format!("the catalog entry `{name}` of component-ref `{}`", r.id);
                match names.get(id).map(Vec::as_slice).unwrap_or(&[]) {
                    [Named::Ref(s2, r2)] => {
                        if seen_refs.insert((*s2, *r2)) {
                            queue.push((*s2, *r2));
                        }
                    }
                    [Named::Component(_)] => reach_component(id, &via, &mut problems, &mut reached),
                    [] => problems.push(format!("{via} points at `#{id}`, which is not in the file")),
                    [Named::Stream] => problems.push(format!("{via} points at `#{id}`, a data stream")),
                    more => problems.push(format!(
                        "{via} points at `#{id}`, an id carried by {} elements: which one is loaded is ambiguous",
                        more.len()
                    )),
                }
            }
        }
        reached.sort_unstable();
        reached_any.extend(reached.iter().copied());
        let components: Vec<String> = reached.iter().map(|&ci| coll.components[ci].id.clone()).collect();
        let uncovered: Vec<String> =
            components.iter().filter(|c| !signed_components.contains(c.as_str())).cloned().collect();
        let covered_ranges = reached
            .iter()
            .filter(|&&ci| signed_components.contains(coll.components[ci].id.as_str()))
            .map(|&ci| {
                let r = &coll.components[ci].element;
                r.start + bom..r.end + bom
            })
            .collect();
        let signed_by: Vec<String> =
            accepted.iter().filter(|r| r.data_stream.as_deref() == Some(s.id.as_str())).map(|r| r.id.clone()).collect();
        problems.sort();
        problems.dedup();
        out.push(StreamCoverage {
            id: s.id.clone(),
            covered: !signed_by.is_empty() && uncovered.is_empty() && problems.is_empty(),
            signed_by,
            components,
            uncovered,
            problems,
            weak_only: false,
            covered_ranges,
        });
    }
    let orphans = (0..coll.components.len())
        .filter(|ci| !reached_any.contains(ci) && !signed_components.contains(coll.components[*ci].id.as_str()))
        .map(|ci| coll.components[ci].id.clone())
        .collect();
    (out, orphans)
}

/// The findings of a verification (see [`Verification::findings`]).
pub(crate) fn findings(v: &Verification) -> Vec<Finding> {
    let mut out = Vec::new();
    let anchor = v.trust_anchor;
    for r in &v.signatures {
        if !r.valid() {
            out.push(Finding {
                kind: FindingKind::InvalidSignature,
                message: format!("signature `{}` is invalid: {}", r.id, r.explain()),
                signature: Some(r.id.clone()),
                data_stream: r.data_stream.clone(),
                component: None,
                fails: true,
            });
        }
        if let Some(bits) = r.weak_key_bits {
            out.push(Finding {
                kind: FindingKind::WeakKey,
                message: format!(
                    "signature `{}` is made by a weak key: RSA with {bits} bits (2048 bits at least are needed){}",
                    r.id,
                    if v.allow_weak_keys { "; allowed by --allow-weak-keys" } else { "" }
                ),
                signature: Some(r.id.clone()),
                data_stream: r.data_stream.clone(),
                component: None,
                fails: !v.allow_weak_keys,
            });
        }
    }
    // A stream that only a weak key covers is told by the weak-key finding.
    for s in v.streams.iter().filter(|s| !s.weak_only) {
        if s.signed_by.is_empty() {
            out.push(Finding {
                kind: FindingKind::UncoveredDataStream,
                message: format!("data stream `{}` is outside every accepted signature", s.id),
                signature: None,
                data_stream: Some(s.id.clone()),
                component: None,
                fails: anchor,
            });
        }
        for c in &s.uncovered {
            out.push(Finding {
                kind: FindingKind::UncoveredComponent,
                message: format!(
                    "component `{c}`, which data stream `{}` reaches, is outside every accepted signature",
                    s.id
                ),
                signature: None,
                data_stream: Some(s.id.clone()),
                component: Some(c.clone()),
                fails: anchor,
            });
        }
        for p in &s.problems {
            out.push(Finding {
                kind: FindingKind::UnresolvedReference,
                message: format!("data stream `{}`: {p}", s.id),
                signature: None,
                data_stream: Some(s.id.clone()),
                component: None,
                fails: anchor,
            });
        }
    }
    for c in &v.unreached {
        out.push(Finding {
            kind: FindingKind::UncoveredComponent,
            message: format!("component `{c}` is outside every accepted signature (no data stream reaches it)"),
            signature: None,
            data_stream: None,
            component: Some(c.clone()),
            fails: anchor,
        });
    }
    out
}
