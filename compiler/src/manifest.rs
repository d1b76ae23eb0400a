//! Reading a data stream compose manifest (see
//! `scapc_datastream::manifest` for the format) into a compose spec, with
//! every problem located in the manifest.

use crate::codes;
use crate::source::{self, Doc, LineMap};
use scapc_datastream::assemble::{check_xml, references, ALLOW_OUTSIDE_FLAG};
use scapc_datastream::compose::{iso_datetime, Component, Role, Spec, Stream};
use scapc_diagnostics::{Diagnostic, Location};
use std::path::Path;

const TOP_KEYS: &[&str] = &["namespace", "collection", "components", "data-streams"];
const STREAM_KEYS: &[&str] = &["name", "use-case", "scap-version", "dictionaries", "checklists", "checks"];
const USE_CASES: &[&str] = &["CONFIGURATION", "VULNERABILITY", "INVENTORY", "OTHER"];

/// Reads the manifest and every local component it names. `epoch` sets all
/// timestamps; otherwise each file's mtime is used. Component paths must
/// resolve inside the manifest's directory.
pub fn load(path: &Path, epoch: Option<i64>) -> Result<Spec, Vec<Diagnostic>> {
    load_with(path, epoch, false)
}

/// [`load`]; with `allow_outside`, component paths may resolve anywhere.
pub fn load_with(path: &Path, epoch: Option<i64>, allow_outside: bool) -> Result<Spec, Vec<Diagnostic>> {
    let text = source::read(path).map_err(|d| vec![d])?;
    let mut doc = Doc::new(path, LineMap::identity(), "");
    let Some(node) = doc.parse_yaml(&text) else { return Err(doc.diags) };
    let Some(f) = doc.mapping(&node, "the manifest", TOP_KEYS) else { return Err(doc.diags) };
    let what = "the manifest";
    let ns = doc.required_string(&f, "namespace", what).unwrap_or_default();
    if !ns.is_empty() && (ns.contains('_') || !ns.contains('.')) {
        let pos = f.get("namespace").unwrap().pos;
        doc.error(codes::BAD_VALUE, pos, format!("namespace `{ns}` is not a reverse-DNS name without `_`"));
    }
    let collection = doc.required_string(&f, "collection", what).unwrap_or_default();
    let dir = path.parent().unwrap_or(Path::new(""));
    let mut components: Vec<Component> = Vec::new();
    let mut sources = vec![path.to_path_buf()];
    let mut max_epoch = epoch.unwrap_or(0);
    match f.get("components") {
        None => {
            doc.error(codes::MISSING_KEY, f.pos, "the manifest lists no `components`");
        }
        Some(cn) => {
            if let Some(cm) = doc.mapping(cn, "`components`", &[]) {
                for key in &cm.order {
                    let node = cm.get(key).unwrap();
                    let w = format!("component `{key}`");
                    let Some(c) = doc.mapping(node, &w, &["path", "url"]) else { continue };
                    match (doc.string(&c, "path", &w), doc.string(&c, "url", &w)) {
                        (Some(_), Some(_)) | (None, None) => {
                            doc.error(codes::BAD_VALUE, node.pos, format!("{w} needs exactly one of `path` or `url`"));
                        }
                        (None, Some(url)) => {
                            components.push(Component {
                                remote: Some(url),
                                ..Component::new(key.clone(), Role::Check, String::new())
                            });
                        }
                        (Some(rel), None) => {
                            let p = dir.join(&rel);
                            let pos = c.get("path").unwrap().pos;
                            // Only regular files, and only inside the manifest's
                            // directory unless the user allows more.
                            let allowed = if allow_outside || std::fs::symlink_metadata(&p).is_err() {
                                scapc_output::regular_file(&p).map(|_| ())
                            } else {
                                scapc_output::confine(dir, &p, ALLOW_OUTSIDE_FLAG).map(|_| ())
                            };
                            if let Err(msg) = allowed {
                                let d = doc.error(codes::IO, pos, msg);
                                d.hints.push("paths are relative to the manifest's directory".into());
                                continue;
                            }
                            sources.push(p.clone());
                            let body = match std::fs::read(&p).map(String::from_utf8) {
                                Ok(Ok(t)) => t,
                                Ok(Err(_)) => {
                                    doc.error(codes::IO, pos, format!("{} is not UTF-8 text", p.display()));
                                    continue;
                                }
                                Err(e) => {
                                    doc.error(codes::IO, pos, format!("cannot read {}: {e}", p.display()))
                                        .hints
                                        .push("paths are relative to the manifest's directory".into());
                                    continue;
                                }
                            };
                            let file_epoch = epoch.unwrap_or_else(|| {
                                std::fs::metadata(&p)
                                    .and_then(|m| m.modified())
                                    .ok()
                                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                                    .map(|d| d.as_secs() as i64)
                                    .unwrap_or(0)
                            });
                            max_epoch = max_epoch.max(file_epoch);
                            let extended = !body.trim_start().starts_with('<');
                            if !extended {
                                if let Err(msg) = check_xml(&p, &body) {
                                    doc.diags.push(Diagnostic::error(codes::XML, msg).at(doc.loc(pos)));
                                    continue;
                                }
                            }
                            components.push(Component {
                                extended,
                                timestamp: Some(iso_datetime(file_epoch)),
                                ..Component::new(key.clone(), Role::Check, body)
                            });
                        }
                    }
                }
            }
        }
    }
    // Catalogs: every href a component uses that names another component.
    let names: Vec<String> = components.iter().map(|c| c.name.clone()).collect();
    for c in components.iter_mut().filter(|c| c.remote.is_none() && !c.extended) {
        let (hrefs, _) = references(&c.xml);
        c.catalog = hrefs.into_iter().filter(|h| names.contains(h) && *h != c.name).collect();
    }
    let mut streams = Vec::new();
    match f.get("data-streams").and_then(|n| n.as_seq().map(|s| (n, s))) {
        None => {
            doc.error(codes::MISSING_KEY, f.pos, "the manifest defines no `data-streams` list");
        }
        Some((_, items)) => {
            for item in items {
                let Some(s) = doc.mapping(item, "a data stream", STREAM_KEYS) else { continue };
                let w = "a data stream";
                let name = doc.required_string(&s, "name", w).unwrap_or_default();
                let use_case = doc.string(&s, "use-case", w).unwrap_or_else(|| "OTHER".into());
                if !USE_CASES.contains(&use_case.as_str()) {
                    let pos = s.get("use-case").unwrap().pos;
                    doc.error(
                        codes::BAD_VALUE,
                        pos,
                        format!("use-case `{use_case}` is not one of {}", USE_CASES.join(", ")),
                    );
                }
                let scap_version = doc.string(&s, "scap-version", w).unwrap_or_else(|| "1.3".into());
                if !matches!(scap_version.as_str(), "1.2" | "1.3") {
                    let pos = s.get("scap-version").unwrap().pos;
                    doc.error(codes::BAD_VALUE, pos, format!("scap-version `{scap_version}` is not 1.2 or 1.3"));
                }
                let mut lists: [Vec<String>; 3] = Default::default();
                for (i, key) in ["dictionaries", "checklists", "checks"].iter().enumerate() {
                    for (k, pos) in doc.string_list(&s, key, w) {
                        if !names.contains(&k) {
                            let d =
                                doc.error(codes::DANGLING, pos, format!("`{k}` is not a component of this manifest"));
                            if let Some(sug) =
                                source::suggest(&k, &names.iter().map(String::as_str).collect::<Vec<_>>())
                            {
                                d.hints.push(format!("did you mean `{sug}`?"));
                            }
                            continue;
                        }
                        lists[i].push(k);
                    }
                }
                let [dictionaries, checklists, checks] = lists;
                streams.push(Stream { name, use_case, scap_version, dictionaries, checklists, checks });
            }
        }
    }
    if doc.diags.iter().any(|d| d.severity == scapc_diagnostics::Severity::Error) {
        return Err(doc.diags);
    }
    // Every catalog entry must resolve in each stream that references it.
    for st in &streams {
        let in_stream: Vec<&String> = st.dictionaries.iter().chain(&st.checklists).chain(&st.checks).collect();
        for c in components.iter().filter(|c| in_stream.contains(&&c.name)) {
            for h in &c.catalog {
                if !in_stream.contains(&h) {
                    return Err(vec![Diagnostic::error(
                        codes::DANGLING,
                        format!(
                            "component `{}` refers to `{h}`, which data stream `{}` does not include",
                            c.name, st.name
                        ),
                    )
                    .at(Location::file(path))
                    .hint(format!("add `{h}` to the stream's checks"))]);
                }
            }
        }
    }
    Ok(Spec {
        ns,
        name: collection,
        use_case: "OTHER".into(),
        timestamp: iso_datetime(max_epoch),
        components,
        streams,
        sources,
    })
}
