//! XCCDF 1.1.4 to 1.2 (`scapc convert`), as OpenSCAP's
//! `xccdf_1.1_to_1.2.xsl` converts:
//!
//! - every element of the XCCDF 1.1 namespace moves to the 1.2 namespace
//!   (its namespace declaration is rewritten, so prefixes stay as written);
//! - ids of Benchmark, Profile, Rule, Group, Value and TestResult become
//!   `xccdf_<reverse DNS>_<kind>_<old id>`; an id that already has that
//!   form for its kind is kept (the XSL would prefix it a second time);
//! - `idref` (except on `platform`), `requires/@idref` (each id of the
//!   list), `check-export/@value-id` and `extends` follow the item they
//!   name; a reference to nothing is an error that lists them;
//! - `style="SCAP_1.1"` becomes `SCAP_1.2`, `sub` gets `use="legacy"`;
//! - the elements 1.2 removed (`platform-definitions`,
//!   `Platform-Specification`, `cpe-list`, `impact-metric`) are dropped.
//!
//! Everything else is copied event by event, comments and text included.

use super::{NS_XCCDF, NS_XCCDF_11};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use quick_xml::writer::Writer;
use scapc_xml::tree::Tree;
use std::collections::HashMap;

const REMOVED: [&str; 4] = ["platform-definitions", "Platform-Specification", "cpe-list", "impact-metric"];

/// The id an item of `kind` gets.
fn new_id(rdns: &str, kind: &str, old: &str) -> String {
    let prefix = "xccdf_";
    let infix = format!("_{kind}_");
    if old.starts_with(prefix) && old[prefix.len()..].contains(&infix) {
        return old.to_owned();
    }
    format!("xccdf_{rdns}_{kind}_{old}")
}

/// Converts an XCCDF 1.1.4 benchmark to XCCDF 1.2. `rdns` is the reverse
/// DNS name put in the new ids (e.g. `org.example`).
pub fn to_xccdf12(src: &str, rdns: &str) -> Result<String, String> {
    if rdns.is_empty() || !rdns.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-')) {
        return Err(format!("`{rdns}` is not a reverse DNS name (letters, digits, `.` and `-`, e.g. org.example)"));
    }
    let tree = Tree::parse(src).map_err(|e| format!("{}:{}: {}", e.line, e.col, e.message))?;
    let root = tree.root();
    if !tree.is(root, NS_XCCDF_11, "Benchmark") {
        return Err(format!(
            "not an XCCDF 1.1.4 benchmark (root element `{}` in `{}`)",
            tree.local(root),
            tree.ns(root)
        ));
    }
    // old id -> kind, in the XSL's lookup order: profile, rule, group, value
    let mut kinds: HashMap<&str, Vec<&'static str>> = HashMap::new();
    for i in 0..tree.nodes.len() {
        let n = i as scapc_xml::tree::NodeId;
        if tree.ns(n) != NS_XCCDF_11 {
            continue;
        }
        let kind = match tree.local(n) {
            "Profile" if tree.parent(n) == Some(root) => "profile",
            "Rule" => "rule",
            "Group" => "group",
            "Value" => "value",
            _ => continue,
        };
        if let Some(id) = tree.attr(n, "id") {
            kinds.entry(id).or_default().push(kind);
        }
    }
    let order = ["profile", "rule", "group", "value"];
    let mut dangling: Vec<String> = Vec::new();
    let mut lookup = |old: &str, allowed: &[&str]| -> String {
        let found = kinds.get(old).and_then(|ks| order.iter().find(|k| allowed.contains(k) && ks.contains(k)));
        match found {
            Some(k) => new_id(rdns, k, old),
            None => {
                dangling.push(old.to_owned());
                old.to_owned()
            }
        }
    };

    let mut r = NsReader::from_str(src);
    let mut w = Writer::new(Vec::with_capacity(src.len() + src.len() / 8));
    let mut skip = 0usize;
    loop {
        let (res, ev) = match r.read_resolved_event() {
            Ok(x) => x,
            Err(e) => {
                let (l, c) = scapc_xml::line_col(src, r.error_position() as usize);
                return Err(format!("{l}:{c}: {e}"));
            }
        };
        let in11 = matches!(res, ResolveResult::Bound(ns) if ns.as_ref() == NS_XCCDF_11.as_bytes());
        match ev {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if skip > 0 || (in11 && REMOVED.contains(&local.as_str())) {
                    if !empty {
                        skip += 1;
                    }
                    continue;
                }
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let mut out = BytesStart::new(name);
                let mut has_use = false;
                for a in e.attributes() {
                    let a = a.map_err(|e| format!("an attribute: {e}"))?;
                    let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                    has_use |= key == "use";
                    let val = a.unescape_value().map_err(|e| format!("an attribute value: {e}"))?.into_owned();
                    let v = if key == "xmlns" || key.starts_with("xmlns:") {
                        if val == NS_XCCDF_11 {
                            NS_XCCDF.to_owned()
                        } else {
                            val
                        }
                    } else if !in11 {
                        val
                    } else {
                        match (key.as_str(), local.as_str()) {
                            ("id", "Benchmark") => new_id(rdns, "benchmark", &val),
                            ("id", "Profile") => new_id(rdns, "profile", &val),
                            ("id", "Rule") => new_id(rdns, "rule", &val),
                            ("id", "Group") => new_id(rdns, "group", &val),
                            ("id", "Value") => new_id(rdns, "value", &val),
                            ("id", "TestResult") => new_id(rdns, "testresult", &val),
                            ("style", "Benchmark") if val == "SCAP_1.1" => "SCAP_1.2".to_owned(),
                            ("idref", "platform") => val,
                            ("idref", "requires") => val
                                .split_whitespace()
                                .map(|x| lookup(x, &["group", "rule"]))
                                .collect::<Vec<_>>()
                                .join(" "),
                            ("idref", _) => lookup(&val, &order),
                            ("value-id", _) => lookup(&val, &["value"]),
                            ("extends", "Profile") => lookup(&val, &["profile"]),
                            ("extends", "Rule") => lookup(&val, &["rule"]),
                            ("extends", "Group") => lookup(&val, &["group"]),
                            ("extends", "Value") => lookup(&val, &["value"]),
                            _ => val,
                        }
                    };
                    out.push_attribute((key.as_str(), v.as_str()));
                }
                if in11 && local == "sub" && !has_use {
                    out.push_attribute(("use", "legacy"));
                }
                let res = if empty { w.write_event(Event::Empty(out)) } else { w.write_event(Event::Start(out)) };
                res.map_err(|e| e.to_string())?;
            }
            Event::End(e) => {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                w.write_event(Event::End(e)).map_err(|e| e.to_string())?;
            }
            other => {
                if skip == 0 {
                    w.write_event(other).map_err(|e| e.to_string())?;
                }
            }
        }
    }
    if !dangling.is_empty() {
        dangling.sort();
        dangling.dedup();
        return Err(format!(
            "{} reference(s) to items the benchmark does not have: {}",
            dangling.len(),
            dangling.join(", ")
        ));
    }
    String::from_utf8(w.into_inner()).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = r#"<?xml version="1.0"?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.1" id="b" style="SCAP_1.1">
  <status>draft</status>
  <Profile id="p"><title>P</title><select idref="r1" selected="true"/><refine-value idref="v" selector="x"/></Profile>
  <Profile id="q" extends="p"><title>Q</title></Profile>
  <Value id="v"><value>1</value></Value>
  <Group id="g">
    <Rule id="r1"><title>R <sub idref="v"/></title><requires idref="g r2"/><conflicts idref="r2"/><platform idref="cpe:/o:x"/>
      <impact-metric>AV:N</impact-metric>
      <check system="s"><check-export value-id="v" export-name="e"/><check-content-ref href="o.xml" name="d"/></check>
    </Rule>
    <Rule id="r2"/>
  </Group>
</Benchmark>
"#;

    #[test]
    fn ids_references_and_removed_elements() {
        let out = to_xccdf12(B, "org.t").unwrap();
        let t = Tree::parse(&out).unwrap();
        assert!(t.is(t.root(), NS_XCCDF, "Benchmark"));
        for want in [
            "id=\"xccdf_org.t_benchmark_b\"",
            "style=\"SCAP_1.2\"",
            "<select idref=\"xccdf_org.t_rule_r1\"",
            "<refine-value idref=\"xccdf_org.t_value_v\"",
            "id=\"xccdf_org.t_profile_q\" extends=\"xccdf_org.t_profile_p\"",
            "<sub idref=\"xccdf_org.t_value_v\" use=\"legacy\"/>",
            "<requires idref=\"xccdf_org.t_group_g xccdf_org.t_rule_r2\"/>",
            "<conflicts idref=\"xccdf_org.t_rule_r2\"/>",
            "<platform idref=\"cpe:/o:x\"/>",
            "value-id=\"xccdf_org.t_value_v\"",
        ] {
            assert!(out.contains(want), "{want} not in\n{out}");
        }
        assert!(!out.contains("impact-metric"));
        // conformant ids are kept; a reference to nothing is an error
        let again = to_xccdf12(&out.replace(NS_XCCDF, NS_XCCDF_11), "org.t").unwrap();
        assert!(again.contains("id=\"xccdf_org.t_rule_r1\""), "{again}");
        let e = to_xccdf12(&B.replace("<conflicts idref=\"r2\"/>", "<conflicts idref=\"nope\"/>"), "org.t");
        assert!(e.unwrap_err().contains("nope"));
        assert!(to_xccdf12(B, "bad name").is_err());
    }
}
