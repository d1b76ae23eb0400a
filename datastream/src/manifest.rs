//! The compose manifest: a YAML description of a collection in the spirit
//! of NIST's SCAP Composer. `split` writes one beside the components so that
//! `compose` can rebuild the collection exactly, remote component-refs and
//! use-cases included.
//!
//! ```yaml
//! namespace: org.example
//! collection: my-content
//! components:
//!   my-xccdf.xml: {path: my-xccdf.xml}
//!   my-oval.xml: {path: my-oval.xml}
//!   vendor-oval.xml.bz2: {url: https://example.org/oval.xml.bz2}
//! data-streams:
//!   - name: my-content
//!     use-case: CONFIGURATION
//!     scap-version: "1.3"
//!     dictionaries: []
//!     checklists: [my-xccdf.xml]
//!     checks: [my-oval.xml, vendor-oval.xml.bz2]
//! ```
//!
//! A component's key is its name: the catalog name hrefs use, and the tail
//! of its ids (`scap_<ns>_comp_<key>`, `scap_<ns>_cref_<key>`).

use crate::read::{Collection, RefRole};
use std::collections::BTreeMap;

/// File name `split` gives the manifest.
pub const FILE_NAME: &str = "scapc-manifest.yml";

/// `scap_<ns>_<kind>_<rest>` -> (ns, rest).
pub fn parse_id(id: &str, kind: &str) -> Option<(String, String)> {
    let rest = id.strip_prefix("scap_")?;
    let marker = format!("_{kind}_");
    let i = rest.find(&marker)?;
    Some((rest[..i].to_owned(), rest[i + marker.len()..].to_owned()))
}

fn q(s: &str) -> String {
    // YAML double-quoted scalar.
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Writes the manifest of a collection whose components were written under
/// `file_names` (component id -> file name).
pub fn write(c: &Collection<'_>, file_names: &BTreeMap<String, String>) -> String {
    let (ns, coll) = parse_id(&c.id, "collection").unwrap_or_else(|| ("org.scapc".into(), c.id.clone()));
    // Component key: from its id when it follows the convention. When the
    // id holds the file name with `/` and the like turned into `-` (an SCE
    // script `rhel9/checks/sce/x.sh` has the id `…_ecomp_rhel9-checks-sce-x.sh`),
    // the file name is the key: it is the catalog name hrefs use, and
    // compose derives the very same id from it.
    let key_of_comp = |id: &str| -> String {
        let file = file_names.get(id);
        match parse_id(id, "comp").or_else(|| parse_id(id, "ecomp")) {
            Some((_, k)) => match file {
                Some(f) if *f != k && crate::compose::id_part(f) == k => f.clone(),
                _ => k,
            },
            None => file.cloned().unwrap_or_else(|| id.to_owned()),
        }
    };
    let mut s = String::new();
    s.push_str("# Written by `scapc ds split`; rebuild with `scapc ds compose <this file>`.\n");
    s.push_str(&format!("namespace: {}\ncollection: {}\ncomponents:\n", q(&ns), q(&coll)));
    let mut keys_done: Vec<String> = Vec::new();
    for comp in &c.components {
        let key = key_of_comp(&comp.id);
        s.push_str(&format!("  {}: {{path: {}}}\n", q(&key), q(&file_names[&comp.id])));
        keys_done.push(key);
    }
    let mut remote_keys: BTreeMap<String, String> = BTreeMap::new(); // cref id -> key
    for st in &c.streams {
        for r in &st.refs {
            if r.local_target().is_none() && !remote_keys.contains_key(&r.id) {
                let key = parse_id(&r.id, "cref").map(|(_, k)| k).unwrap_or_else(|| r.id.clone());
                s.push_str(&format!("  {}: {{url: {}}}\n", q(&key), q(&r.href)));
                remote_keys.insert(r.id.clone(), key);
            }
        }
    }
    s.push_str("data-streams:\n");
    for st in &c.streams {
        let name = parse_id(&st.id, "datastream").map(|(_, n)| n).unwrap_or_else(|| st.id.clone());
        s.push_str(&format!(
            "  - name: {}\n    use-case: {}\n    scap-version: {}\n",
            q(&name),
            q(&st.use_case),
            q(&st.scap_version)
        ));
        for (role, label) in
            [(RefRole::Dictionaries, "dictionaries"), (RefRole::Checklists, "checklists"), (RefRole::Checks, "checks")]
        {
            let keys: Vec<String> = st
                .refs
                .iter()
                .filter(|r| r.role == role || (role == RefRole::Checks && r.role == RefRole::Extended))
                .map(|r| match r.local_target() {
                    Some(t) => key_of_comp(t),
                    None => remote_keys[&r.id].clone(),
                })
                .map(|k| q(&k))
                .collect();
            s.push_str(&format!("    {label}: [{}]\n", keys.join(", ")));
        }
    }
    s
}
