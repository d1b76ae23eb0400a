//! A standalone XCCDF benchmark (1.2 or 1.1.4) made into a source data
//! stream in memory, so it is evaluated by the same code as a data stream.
//!
//! As oscap does, every `check-content-ref` and `check-fact-ref` href is a
//! file resolved relative to the benchmark's directory (OVAL, OCIL, SCE
//! scripts); CPE dictionaries come from `--cpe`, and their check hrefs are
//! resolved relative to each dictionary. A referenced file that does not
//! exist, or a remote href, is reported as a warning: the checks that need
//! it are `notchecked`, as in oscap (but for a file only OCIL checks
//! name: scapc does not evaluate OCIL, and oscap does not look for it
//! either). Each file is checked for
//! well-formedness on its own first, so an error names the file, line and
//! column.

use scapc_datastream::assemble::{check_xml, references, sniff};
use scapc_datastream::compose::{self, Component, Role, Spec};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The data stream made from a benchmark and the files it references.
pub struct Assembled {
    /// The source data stream collection.
    pub xml: String,
    /// Hrefs that could not be followed, said in words.
    pub warnings: Vec<String>,
    /// (component name = href, file) of every component.
    pub files: Vec<(String, PathBuf)>,
}

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| format!("{}: the file is not UTF-8: {e}", path.display()))
}

fn is_remote(href: &str) -> bool {
    href.contains("://") && !href.starts_with("file://")
}

/// The file an href names: `file:///abs`, `file:rel`, or a plain path
/// (relative ones are taken from `base`).
fn local_path(base: &Path, href: &str) -> PathBuf {
    let rel = href.strip_prefix("file://").or_else(|| href.strip_prefix("file:")).unwrap_or(href);
    base.join(rel)
}

fn mtime(path: &Path) -> i64 {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| p.display().to_string())
}

/// Builds the data stream for the benchmark at `xccdf` (its text `text`),
/// with the CPE dictionaries `cpe_dicts`.
/// `fetch`: remote hrefs are downloaded ([`crate::fetch`]; a failure is an
/// error), else reported and left out.
pub fn assemble(xccdf: &Path, text: String, cpe_dicts: &[PathBuf], fetch: bool) -> Result<Assembled, String> {
    check_xml(xccdf, &text)?;
    let dir = xccdf.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut warnings = Vec::new();
    // (component, the directory its hrefs are relative to, its hrefs, file)
    let mut comps: Vec<(Component, PathBuf, Vec<String>, PathBuf)> = Vec::new();
    let name = file_name(xccdf);
    let (hrefs, _) = references(&text);
    let ocil_only = ocil_only_hrefs(&text);
    let mut by_name: HashMap<String, PathBuf> = HashMap::new();
    by_name.insert(name.clone(), canonical(xccdf));
    comps.push((
        Component {
            timestamp: Some(compose::iso_datetime(mtime(xccdf))),
            ..Component::new(name, Role::Checklist, text)
        },
        dir,
        hrefs,
        xccdf.to_path_buf(),
    ));
    for d in cpe_dicts {
        let t = read_text(d)?;
        check_xml(d, &t)?;
        if !sniff(&t).is_some_and(|(ns, l)| ns == "http://cpe.mitre.org/dictionary/2.0" && l == "cpe-list") {
            return Err(format!("{}: --cpe wants a CPE 2.x dictionary (a `cpe-list` document)", d.display()));
        }
        let n = file_name(d);
        if let Some(prev) = by_name.get(&n) {
            if *prev != canonical(d) {
                return Err(format!(
                    "{}: another input is also named `{n}` ({}); rename one of them",
                    d.display(),
                    prev.display()
                ));
            }
            continue;
        }
        by_name.insert(n.clone(), canonical(d));
        let (h, _) = references(&t);
        let base = d.parent().map(Path::to_path_buf).unwrap_or_default();
        comps.push((
            Component { timestamp: Some(compose::iso_datetime(mtime(d))), ..Component::new(n, Role::Dictionary, t) },
            base,
            h,
            d.clone(),
        ));
    }
    // Follow hrefs breadth first; each component's catalog maps the hrefs
    // that were found.
    let mut i = 0;
    while i < comps.len() {
        let (base, hrefs) = (comps[i].1.clone(), comps[i].2.clone());
        let from = comps[i].3.clone();
        for href in hrefs {
            if href.starts_with('#') {
                continue;
            }
            if is_remote(&href) && !(fetch && crate::fetch::is_http(&href)) {
                let how = if crate::fetch::is_http(&href) { " without --fetch-remote-resources" } else { "" };
                warnings.push(format!(
                    "{}: `{href}` is a remote resource, which is not fetched{how}: the checks that use it are not evaluated",
                    from.display()
                ));
                continue;
            }
            if is_remote(&href) {
                if by_name.contains_key(&href) {
                    comps[i].0.catalog.push(href.clone());
                    continue;
                }
                let t = crate::fetch::fetch(&href)
                    .map_err(|e| format!("{}: downloading {href} failed: {e}", from.display()))?;
                check_xml(Path::new(&href), &t)?;
                let more = references(&t).0;
                let c = Component { xml: t, ..Component::new(href.clone(), Role::Check, String::new()) };
                by_name.insert(href.clone(), PathBuf::from(&href));
                comps[i].0.catalog.push(href.clone());
                comps.push((c, base.clone(), more, PathBuf::from(&href)));
                continue;
            }
            let path = local_path(&base, &href);
            if let Some(prev) = by_name.get(&href) {
                if *prev == canonical(&path) {
                    comps[i].0.catalog.push(href.clone());
                } else {
                    warnings.push(format!(
                        "{}: `{href}` names {} but another file of that name ({}) is already used; the checks that use it are not evaluated",
                        from.display(),
                        path.display(),
                        prev.display()
                    ));
                }
                continue;
            }
            if !path.is_file() {
                if ocil_only.contains(&href) {
                    continue;
                }
                warnings.push(format!(
                    "{}: `{href}` is referenced but {} does not exist: the checks that use it are not evaluated",
                    from.display(),
                    path.display()
                ));
                continue;
            }
            let t = read_text(&path)?;
            let xml = t.trim_start().starts_with('<');
            let mut c = Component {
                timestamp: Some(compose::iso_datetime(mtime(&path))),
                ..Component::new(href.clone(), Role::Check, String::new())
            };
            let mut more = Vec::new();
            if xml {
                check_xml(&path, &t)?;
                more = references(&t).0;
                // An XCCDF benchmark named by a check is still a check.
            } else {
                c.extended = true;
            }
            c.xml = t;
            by_name.insert(href.clone(), canonical(&path));
            comps[i].0.catalog.push(href.clone());
            let b = path.parent().map(Path::to_path_buf).unwrap_or_default();
            comps.push((c, b, more, path));
        }
        i += 1;
    }
    let files = comps.iter().map(|(c, _, _, p)| (c.name.clone(), p.clone())).collect();
    let mut components: Vec<Component> = comps.into_iter().map(|(c, ..)| c).collect();
    for c in &mut components {
        c.catalog.dedup();
    }
    components.sort_by_key(|c| match c.role {
        Role::Dictionary => 0,
        Role::Checklist => 1,
        Role::Check => 2,
    });
    let stem = file_name(xccdf);
    let stem = stem.strip_suffix(".xml").unwrap_or(&stem);
    let spec = Spec {
        ns: "org.scapc".into(),
        name: compose::id_part(stem),
        use_case: "OTHER".into(),
        timestamp: compose::iso_datetime(mtime(xccdf)),
        components,
        streams: Vec::new(),
        sources: Vec::new(),
    };
    Ok(Assembled { xml: compose::compose(&spec), warnings, files })
}

/// The hrefs that only OCIL checks of the benchmark name.
fn ocil_only_hrefs(text: &str) -> std::collections::HashSet<String> {
    use super::{NS_XCCDF, NS_XCCDF_11};
    let mut ocil = std::collections::HashSet::new();
    let mut other = std::collections::HashSet::new();
    let Ok(tree) = scapc_xml::tree::Tree::parse(text) else { return ocil };
    for ns in [NS_XCCDF, NS_XCCDF_11] {
        for &c in tree.all(ns, "check") {
            let is_ocil = tree.attr(c, "system").is_some_and(|s| s.starts_with("http://scap.nist.gov/schema/ocil/"));
            for r in tree.children_named(c, ns, "check-content-ref") {
                let href = tree.attr(r, "href").unwrap_or("").to_owned();
                if is_ocil { &mut ocil } else { &mut other }.insert(href);
            }
        }
    }
    ocil.retain(|h| !other.contains(h));
    ocil
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    const XCCDF: &str = r##"<?xml version="1.0"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.2" id="xccdf_t_benchmark_b">
  <status>draft</status><version>1</version>
  <Rule id="xccdf_t_rule_a"><title>a</title>
    <check system="http://oval.mitre.org/XMLSchema/oval-definitions-5">
      <check-content-ref href="oval.xml" name="oval:t:def:1"/>
    </check>
  </Rule>
  <Rule id="xccdf_t_rule_b"><title>b</title>
    <check system="http://oval.mitre.org/XMLSchema/oval-definitions-5">
      <check-content-ref href="missing.xml" name="oval:t:def:1"/>
    </check>
  </Rule>
</Benchmark>
"##;

    #[test]
    fn local_hrefs() {
        let b = Path::new("/b");
        assert_eq!(local_path(b, "file:///x/o.xml"), Path::new("/x/o.xml"));
        assert_eq!(local_path(b, "file:o.xml"), Path::new("/b/o.xml"));
        assert_eq!(local_path(b, "/x/o.xml"), Path::new("/x/o.xml"));
        assert_eq!(local_path(b, "d/o.xml"), Path::new("/b/d/o.xml"));
        assert!(!is_remote("file:///x") && is_remote("https://e.org/o.xml"));
    }

    #[test]
    fn follows_hrefs_and_warns_on_missing_files() {
        let d = std::env::temp_dir().join(format!("scapc-standalone-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(d.join("b.xml"), XCCDF).unwrap();
        std::fs::write(
            d.join("oval.xml"),
            "<oval_definitions xmlns=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\"/>",
        )
        .unwrap();
        let a = assemble(&d.join("b.xml"), XCCDF.to_owned(), &[], false).unwrap();
        let coll = scapc_datastream::read::read(&a.xml).unwrap();
        assert_eq!(coll.components.len(), 2);
        assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
        assert!(a.warnings[0].contains("missing.xml"));
        // a broken referenced file is an error that names it
        std::fs::write(d.join("oval.xml"), "<oval_definitions>\n<x></y>").unwrap();
        let e = assemble(&d.join("b.xml"), XCCDF.to_owned(), &[], false).err().unwrap();
        assert!(e.contains("oval.xml:2:"), "{e}");
        std::fs::remove_dir_all(&d).unwrap();
    }
}
