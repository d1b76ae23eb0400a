//! Gathering component files into a [`Spec`] for [`compose`]: the quick
//! form starts from an XCCDF file and follows what it references.
//!
//! - every `check-content-ref/@href` and `check-fact-ref/@href` becomes a
//!   component (local file) or a remote component-ref (URL);
//! - CPE names used by the benchmark pull in the CPE dictionary found beside
//!   it, and the dictionary's check hrefs pull in the CPE OVAL;
//! - catalogs map each href to its component-ref;
//! - ids are `scap_<ns>_..._<name>` and never doubled: a file already named
//!   like a component-ref id (`scap_<ns>_cref_<name>`, as `split` writes
//!   them) keeps its `<name>`.
//!
//! [`compose`]: crate::compose::compose

use crate::compose::{Component, Role, Spec};
use crate::info::{NS_CPE_DICT, NS_XCCDF_11, NS_XCCDF_12};
use quick_xml::events::Event;
use quick_xml::Reader;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Default)]
pub struct QuickOptions {
    /// Reverse-DNS namespace for ids; derived from the input when `None`.
    pub namespace: Option<String>,
    /// Seconds since the epoch for every timestamp (SOURCE_DATE_EPOCH);
    /// each file's mtime when `None`.
    pub epoch: Option<i64>,
    /// Read referenced files outside the XCCDF's directory too (by default
    /// an href that resolves outside it, through `..`, an absolute path or
    /// a symbolic link, is an error).
    pub allow_outside: bool,
}

/// The option that lets compose read files outside the input's directory.
pub const ALLOW_OUTSIDE_FLAG: &str = "--allow-outside";

/// What a document is, from its first element: (namespace, local name).
pub fn sniff(text: &str) -> Option<(String, String)> {
    let mut r = Reader::from_str(text);
    let mut decls: Vec<(String, String)> = Vec::new();
    loop {
        match r.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) => {
                decls.extend(scapc_xml::split_attributes(&e).ok()?.0);
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let (p, l) =
                    name.split_once(':').map(|(p, l)| (p.to_owned(), l.to_owned())).unwrap_or((String::new(), name));
                let ns = decls.iter().find(|(q, _)| *q == p).map(|(_, u)| u.clone()).unwrap_or_default();
                return Some((ns, l));
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// hrefs a document refers to (check-content-ref, check-fact-ref,
/// cpe-dict check) and the CPE names it uses as platforms.
pub fn references(text: &str) -> (Vec<String>, Vec<String>) {
    let mut r = Reader::from_str(text);
    let mut hrefs = Vec::new();
    let mut cpes = Vec::new();
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let local = name.rsplit(':').next().unwrap_or(&name).to_owned();
                let want = match local.as_str() {
                    "check-content-ref" | "check-fact-ref" | "check" => Some("href"),
                    "platform" => Some("idref"),
                    _ => None,
                };
                if let Some(attr) = want {
                    for a in e.attributes().flatten() {
                        if a.key.as_ref() == attr.as_bytes() {
                            let v = a.unescape_value().map(|v| v.into_owned()).unwrap_or_default();
                            if attr == "href" {
                                if !v.is_empty() && !hrefs.contains(&v) {
                                    hrefs.push(v);
                                }
                            } else if v.starts_with("cpe:") && !cpes.contains(&v) {
                                cpes.push(v);
                            }
                        }
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    (hrefs, cpes)
}

fn is_remote(href: &str) -> bool {
    href.starts_with("http://") || href.starts_with("https://") || href.starts_with("ftp://")
}

/// `scap_<ns>_cref_<rest>` -> (ns, rest).
fn split_cref_name(file: &str) -> Option<(String, String)> {
    let rest = file.strip_prefix("scap_")?;
    let i = rest.find("_cref_")?;
    Some((rest[..i].to_owned(), rest[i + 6..].to_owned()))
}

fn ts(epoch: Option<i64>, path: &Path) -> i64 {
    epoch.unwrap_or_else(|| {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    })
}

fn read(path: &Path) -> Result<String, String> {
    scapc_output::regular_file(path)?;
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", path.display()))
}

/// Checks that a component document is well-formed and not hostile,
/// without building a tree.
pub fn check_xml(path: &Path, text: &str) -> Result<(), String> {
    let mut r = Reader::from_str(text);
    r.config_mut().check_end_names = true;
    let mut depth = 0i64;
    let mut roots = 0;
    loop {
        let pos = r.buffer_position() as usize;
        match r.read_event() {
            Ok(Event::Start(_) | Event::Empty(_)) if depth as usize >= scapc_xml::MAX_DEPTH => {
                let (l, c) = scapc_xml::line_col(text, pos);
                return Err(format!("{}:{l}:{c}: {}", path.display(), scapc_xml::too_deep(l, c)));
            }
            Ok(Event::Start(_)) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
            }
            Ok(Event::Empty(_)) => {
                if depth == 0 {
                    roots += 1;
                }
            }
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::DocType(t)) => {
                if let Err(m) = scapc_xml::check_doctype(t.as_ref()) {
                    let (l, c) = scapc_xml::line_col(text, pos);
                    return Err(format!("{}:{l}:{c}: {m}", path.display()));
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let (l, c) = scapc_xml::line_col(text, r.error_position() as usize);
                return Err(format!("{}:{l}:{c}: not well-formed XML: {e}", path.display()));
            }
        }
    }
    if depth != 0 {
        return Err(format!("{}: the document is truncated", path.display()));
    }
    if roots != 1 {
        return Err(format!("{}: expected one root element, found {roots}", path.display()));
    }
    Ok(())
}

/// One loaded component file.
struct Loaded {
    name: String,
    path: PathBuf,
    role: Role,
    text: String,
    extended: bool,
    epoch: i64,
    hrefs: Vec<String>,
}

/// Builds a data stream from an XCCDF file and everything it references.
pub fn quick(xccdf: &Path, opts: &QuickOptions) -> Result<Spec, String> {
    let dir = xccdf.parent().map(Path::to_path_buf).unwrap_or_default();
    let file_name = xccdf.file_name().and_then(|n| n.to_str()).ok_or("bad file name")?.to_owned();
    let text = read(xccdf)?;
    check_xml(xccdf, &text)?;
    match sniff(&text) {
        Some((ns, l)) if (ns == NS_XCCDF_12 || ns == NS_XCCDF_11) && l == "Benchmark" => {}
        Some((ns, l)) => return Err(format!("{}: not an XCCDF benchmark (root `{l}` in `{ns}`)", xccdf.display())),
        None => return Err(format!("{}: no root element", xccdf.display())),
    }
    let (hrefs, cpe_names) = references(&text);
    let from_name = split_cref_name(&file_name);
    let ns = opts
        .namespace
        .clone()
        .or_else(|| from_name.as_ref().map(|(n, _)| n.clone()))
        .or_else(|| {
            let i = text.find("xccdf_")?;
            let rest = &text[i + 6..];
            let j = rest.find("_benchmark_")?;
            Some(rest[..j].to_owned())
        })
        .unwrap_or_else(|| "org.scapc".to_owned());
    let xname = from_name.map(|(_, n)| n).unwrap_or(file_name.clone());
    let mut loaded: Vec<Loaded> = vec![Loaded {
        name: xname.clone(),
        path: xccdf.to_path_buf(),
        role: Role::Checklist,
        text,
        extended: false,
        epoch: ts(opts.epoch, xccdf),
        hrefs,
    }];
    let mut remote: BTreeMap<String, String> = BTreeMap::new(); // href -> name

    // The CPE dictionary: a sibling cpe-list that names the benchmark's CPEs.
    if !cpe_names.is_empty() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "xml") && p.as_path() != xccdf)
            .collect();
        entries.sort();
        for p in entries {
            if scapc_output::confine(&dir, &p, ALLOW_OUTSIDE_FLAG).is_err() {
                continue;
            }
            let Ok(head) = std::fs::read(&p).map(|b| String::from_utf8_lossy(&b[..b.len().min(8192)]).into_owned())
            else {
                continue;
            };
            if !head.contains("cpe-list") {
                continue;
            }
            let t = read(&p)?;
            if sniff(&t).is_some_and(|(ns, l)| ns == NS_CPE_DICT && l == "cpe-list")
                && cpe_names.iter().any(|c| t.contains(c.as_str()))
            {
                check_xml(&p, &t)?;
                let fname = p.file_name().unwrap().to_string_lossy().into_owned();
                let name = split_cref_name(&fname).map(|(_, n)| n).unwrap_or(fname);
                let (h, _) = references(&t);
                loaded.push(Loaded {
                    name,
                    path: p.clone(),
                    role: Role::Dictionary,
                    text: t,
                    extended: false,
                    epoch: ts(opts.epoch, &p),
                    hrefs: h,
                });
                break;
            }
        }
    }
    // Follow hrefs breadth first.
    let mut i = 0;
    while i < loaded.len() {
        for href in loaded[i].hrefs.clone() {
            if is_remote(&href) {
                let seg = href.rsplit('/').next().unwrap_or("remote").to_owned();
                remote.entry(href.clone()).or_insert(seg);
                continue;
            }
            if loaded.iter().any(|l| l.name == href) {
                continue;
            }
            let path = dir.join(&href);
            if !opts.allow_outside && std::fs::symlink_metadata(&path).is_ok() {
                if let Err(msg) = scapc_output::confine(&dir, &path, ALLOW_OUTSIDE_FLAG) {
                    return Err(format!("{}: the href `{href}`: {msg}", xccdf.display()));
                }
            }
            if std::fs::symlink_metadata(&path).is_err() {
                return Err(format!(
                    "{}: `{href}` is referenced but {} does not exist (a dangling href); if it is a remote component, compose from a manifest that gives its `url:` (`ds split` writes one: scapc-manifest.yml)",
                    xccdf.display(),
                    path.display()
                ));
            }
            let t = read(&path)?;
            let (role, extended, hrefs) = if href.ends_with(".xml") || t.trim_start().starts_with('<') {
                check_xml(&path, &t)?;
                let (h, _) = references(&t);
                (Role::Check, false, h)
            } else {
                (Role::Check, true, Vec::new())
            };
            let epoch = ts(opts.epoch, &path);
            loaded.push(Loaded { name: href.clone(), path, role, text: t, extended, epoch, hrefs });
        }
        i += 1;
    }
    let max_epoch = loaded.iter().map(|l| l.epoch).max().unwrap_or(0);
    let iso = crate::compose::iso_datetime;
    let mut components: Vec<Component> = Vec::new();
    for l in &loaded {
        let mut catalog: Vec<String> = l
            .hrefs
            .iter()
            .filter(|h| loaded.iter().any(|x| &&x.name == h) || remote.contains_key(*h))
            .cloned()
            .collect();
        catalog.dedup();
        components.push(Component {
            catalog,
            extended: l.extended,
            timestamp: Some(iso(l.epoch)),
            ..Component::new(l.name.clone(), l.role, l.text.clone())
        });
    }
    for href in remote.keys() {
        components
            .push(Component { remote: Some(href.clone()), ..Component::new(href.clone(), Role::Check, String::new()) });
    }
    // Order: dictionaries, checklists, checks as OpenSCAP and SCAP Composer do.
    components.sort_by_key(|c| match c.role {
        Role::Dictionary => 0,
        Role::Checklist => 1,
        Role::Check => 2,
    });
    let name = xname.strip_suffix(".xml").unwrap_or(&xname);
    let name = name.strip_suffix("-xccdf").unwrap_or(name).to_owned();
    Ok(Spec {
        ns,
        name,
        use_case: "OTHER".into(),
        timestamp: iso(max_epoch),
        components,
        streams: Vec::new(),
        sources: loaded.iter().map(|l| l.path.clone()).collect(),
    })
}
