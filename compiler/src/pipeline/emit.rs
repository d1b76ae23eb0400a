//! Phase 4, emit: a [`Compiled`] product written out as documents, each
//! a string built in parallel (XCCDF, OVAL, CPE OVAL, OCIL, CPE
//! dictionary), and the source data stream composed from them
//! ([`scapc_datastream::compose`]).
//!
//! Invariant: emitting reads nothing and changes nothing; the same
//! [`Compiled`] gives the same bytes.

use crate::compile::Compiled;
use crate::{cpe, ocil, xccdf};
use scapc_datastream::compose::{self as ds, Component, Role};
use scapc_diagnostics::Diagnostic;

/// The documents of one compiled product, in memory.
pub struct Emitted {
    pub files: Vec<(String, String)>,
}

/// The entry point of the phase.
pub fn emit(c: &Compiled, diags: &mut Vec<Diagnostic>) -> Emitted {
    emit_memo(c, diags, &crate::incremental::Memo::default())
}

/// [`emit`], reusing what `memo` kept of earlier builds' rules (`scapc
/// build --watch`).
pub fn emit_memo(c: &Compiled, diags: &mut Vec<Diagnostic>, memo: &crate::incremental::Memo) -> Emitted {
    let p = &c.product.id;
    let ((xccdf_doc, xdiags), (oval_doc, (cpe_oval_doc, (ocil_doc, cpe_doc)))) = rayon::join(
        || {
            let mut d = Vec::new();
            let s = xccdf::emit_memo(c, &mut d, memo);
            (s, d)
        },
        || {
            rayon::join(
                || c.oval.emit_memo(&c.timestamp, None, memo, &format!("{p}/oval")),
                || {
                    rayon::join(
                        || c.cpe_oval.emit_memo(&c.timestamp, None, memo, &format!("{p}/cpe-oval")),
                        || rayon::join(|| ocil::emit(c), || cpe::emit(c)),
                    )
                },
            )
        },
    );
    diags.extend(xdiags);
    let name = |part: &str| c.file_name(part);
    let has_ocil = c.rules.values().any(|r| r.ocil);
    let mut xccdf_catalog = vec![name("oval"), name("cpe-oval")];
    if has_ocil {
        xccdf_catalog.insert(1, name("ocil"));
    }
    let mut components = vec![
        Component {
            catalog: vec![name("cpe-oval")],
            ..Component::new(name("cpe-dictionary"), Role::Dictionary, cpe_doc)
        },
        Component::new(name("xccdf"), Role::Checklist, xccdf_doc),
        Component::new(name("oval"), Role::Check, oval_doc),
        Component::new(name("cpe-oval"), Role::Check, cpe_oval_doc),
    ];
    // An OCIL document with no questionnaire is not valid OCIL: leave it out.
    if has_ocil {
        components.insert(3, Component::new(name("ocil"), Role::Check, ocil_doc));
    }
    if c.sce {
        for out in c.rules.values() {
            if let Some(s) = &out.sce {
                xccdf_catalog.push(s.href.clone());
                components.push(Component {
                    extended: true,
                    ..Component::new(s.href.clone(), Role::Check, s.script.clone())
                });
            }
        }
    }
    // External OVAL feeds (CaC's `oval_external_content`): remote components.
    let feeds: std::collections::BTreeMap<&String, &String> =
        c.rules.values().filter_map(|r| r.external_oval.as_ref()).map(|(n, u)| (n, u)).collect();
    for (feed, url) in feeds {
        xccdf_catalog.push(feed.clone());
        components.push(Component { remote: Some(url.clone()), ..Component::new(feed.clone(), Role::Check, "") });
    }
    components[1].catalog = xccdf_catalog;
    let spec = ds::Spec {
        ns: c.product.namespace.clone(),
        name: p.clone(),
        use_case: "OTHER".into(),
        timestamp: c.timestamp.clone(),
        components,
        streams: Vec::new(),
        sources: Vec::new(),
    };
    let ds_doc = ds::compose(&spec);
    // The documents move from the composed components to the files (no
    // second copy of each: the whole tree's outputs are 360 MB).
    let mut docs: Vec<(String, String)> =
        spec.components.into_iter().filter(|c| !c.extended).map(|c| (c.name, c.xml)).collect();
    let mut take = |n: String| {
        let i = docs.iter().position(|(k, _)| *k == n).expect("every document is a component");
        docs.swap_remove(i)
    };
    let mut files = vec![(format!("{p}-ds.xml"), ds_doc), take(name("xccdf")), take(name("oval"))];
    if has_ocil {
        files.push(take(name("ocil")));
    }
    files.push(take(name("cpe-dictionary")));
    files.push(take(name("cpe-oval")));
    Emitted { files }
}
