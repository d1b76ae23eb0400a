//! `stigref` references of a ComplianceAsCode product, from DISA's STIG.
//!
//! CaC's build gives a rule whose `stigid` references name a STIG item
//! (`RHEL-09-651010`) two more references: `stigref`, the id of DISA's rule
//! for that item (`SV-258134r1155620_rule`), and `stigref_vulnerability_id`
//! (`V-258134`). It finds them in the product's DISA STIG benchmark,
//! `shared/references/disa-stig-<product>-*-xccdf-manual.xml` (the first
//! such file in name order), where each XCCDF 1.1 `Rule` carries the STIG
//! item in its `version`. Without that file CaC's build adds neither;
//! scapc does the same and says so with a warning, once per product.

use crate::codes;
use crate::model::{Content, Product};
use crate::source::Cache;
use scapc_diagnostics::{Diagnostic, Location};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const XCCDF_11: &str = "http://checklists.nist.gov/xccdf/1.1";

/// The product's DISA STIG file, as CaC's build finds it.
fn stig_file(cache: &Cache, product: &Product) -> Option<PathBuf> {
    let dir = crate::cac_cpe::tree_root(product).join("shared").join("references");
    let prefix = format!("disa-stig-{}-", product.id);
    cache
        .list(&dir)
        .iter()
        .find(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.len() > prefix.len() + "xccdf-manual.xml".len()
                    && n.starts_with(&prefix)
                    && n.ends_with("-xccdf-manual.xml")
            })
        })
        .cloned()
}

/// STIG item (`version`) -> DISA's rule id, from a STIG benchmark.
pub fn versions_to_rule_ids(text: &str, file: &Path) -> Result<BTreeMap<String, String>, Diagnostic> {
    let t = scapc_xml::tree::Tree::parse(text).map_err(|e| {
        Diagnostic::error(codes::XML, format!("the DISA STIG benchmark is not well-formed: {}", e.message))
            .at(Location::at(file, e.line, e.col))
    })?;
    let mut out = BTreeMap::new();
    for &r in t.all(XCCDF_11, "Rule") {
        let Some(&v) = t.all_in(r, XCCDF_11, "version").first() else { continue };
        let version = t.text(v).trim();
        if let (false, Some(id)) = (version.is_empty(), t.attr(r, "id")) {
            out.insert(version.to_owned(), id.to_owned());
        }
    }
    Ok(out)
}

/// Reads the product's DISA STIG file, when the tree has it, into
/// `content.stig_rule_ids` (the `stigid` references come from rules and
/// from policies, so which rules need it is known only when compiling).
pub fn load(cache: &Cache, content: &mut Content, product: &Product, diags: &mut Vec<Diagnostic>) {
    let Some(file) = stig_file(cache, product) else { return };
    match cache.read(&file).and_then(|text| versions_to_rule_ids(&text, &file)) {
        Ok(map) => content.stig_rule_ids = Some(map),
        Err(d) => diags.push(d),
    }
}

/// Adds `stigref` and `stigref_vulnerability_id` references to each rule
/// whose `stigid` references the STIG file names, after its other
/// references, as CaC's `add_stig_references` does. Without the file,
/// warns once when some rule has a `stigid` reference.
pub fn add_references(product: &Product, content: &mut Content, diags: &mut Vec<Diagnostic>) {
    let Some(ids) = &content.stig_rule_ids else {
        let with_stigid = content.rules.values().filter(|r| r.references.iter().any(|(s, _)| s == "stigid")).count();
        if with_stigid > 0 {
            diags.push(missing_file(product, with_stigid));
        }
        return;
    };
    for rule in content.rules.values_mut() {
        let Some((_, stigids)) = rule.references.iter().find(|(s, _)| s == "stigid") else { continue };
        let refs: Vec<String> = stigids.iter().filter_map(|s| ids.get(s).cloned()).collect();
        if refs.is_empty() {
            continue;
        }
        let vulns: Vec<String> = refs.iter().filter_map(|r| vulnerability_id(r)).collect();
        rule.references.push(("stigref".into(), refs));
        if !vulns.is_empty() {
            rule.references.push(("stigref_vulnerability_id".into(), vulns));
        }
    }
}

fn missing_file(product: &Product, with_stigid: usize) -> Diagnostic {
    let dir = crate::cac_cpe::tree_root(product).join("shared").join("references");
    Diagnostic::warning(
        codes::NO_REFERENCE_DATA,
        format!(
            "{with_stigid} rules of `{}` have `stigid` references, but the DISA STIG benchmark \
             {}/disa-stig-{}-*-xccdf-manual.xml is absent: they get no `stigref` references",
            product.id,
            dir.display(),
            product.id
        ),
    )
    .at_file(&product.file)
    .hint("CaC's build leaves them out too without that file; put DISA's STIG (XCCDF) there to get them")
}

/// `SV-258134r1155620_rule` -> `V-258134` (CaC's
/// `S(?P<vulnerability_id>V-\d+)r\d+_rule`, matched at the start).
fn vulnerability_id(rule_id: &str) -> Option<String> {
    let rest = rule_id.strip_prefix("SV-")?;
    let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let after = rest[digits..].strip_prefix('r')?;
    let rev = after.find(|c: char| !c.is_ascii_digit()).unwrap_or(after.len());
    (digits > 0 && rev > 0 && after[rev..].starts_with("_rule")).then(|| format!("V-{}", &rest[..digits]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::{compile_tree, BuildOptions};
    use crate::cac::tests::{platforms_for_tests, rule, write};

    const STIG: &str = r#"<?xml version="1.0" encoding="utf-8"?><?xml-stylesheet type='text/xsl' href='STIG_unclass.xsl'?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.1" id="P_STIG">
  <Group id="V-1"><title>SRG-OS-1</title><Rule id="SV-1r2_rule" severity="medium"><version>P-01-000010</version></Rule></Group>
  <Group id="V-2"><title>SRG-OS-2</title><Rule id="SV-2r5_rule" severity="low"><version>P-01-000020</version></Rule></Group>
</Benchmark>
"#;

    /// A small CaC tree: `rule_a` names its STIG item itself
    /// (`stigid@p`), `rule_b` gets it from a policy with
    /// `reference_type: stigid`; `rule_c` names an item the STIG lacks.
    fn tree(with_stig: bool) -> (tempfile::TempDir, crate::compile::Compiled, Vec<Diagnostic>) {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        write(
            r,
            "products/p/product.yml",
            "product: p\nfull_name: P\nbenchmark_id: P\nbenchmark_root: ../../guide\ncpes_root: ../../shared/applicability\ncpes:\n  - p:\n      name: cpe:/o:x:p\n      title: P\n      check_id: installed_OS_is_p\n",
        );
        platforms_for_tests(r);
        write(r, "guide/g/group.yml", "documentation_complete: true\ntitle: G\ndescription: d\n");
        rule(r, "g", "rule_a", "references:\n    stigid@p: P-01-000010\n    stigid@q: Q-01-000010\n");
        rule(r, "g", "rule_b", "");
        rule(r, "g", "rule_c", "references:\n    stigid@p: P-01-999999\n");
        write(
            r,
            "controls/stig_p.yml",
            "policy: STIG\ntitle: STIG\nid: stig_p\nreference_type: stigid\nproduct: p\ncontrols:\n  - id: P-01-000020\n    title: two\n    rules: [rule_b]\n",
        );
        write(
            r,
            "products/p/profiles/stig.profile",
            "documentation_complete: true\ntitle: S\ndescription: d\nselections:\n  - stig_p:all\n  - rule_a\n  - rule_c\n",
        );
        // Another product's STIG, whose name starts like p's.
        write(r, "shared/references/disa-stig-pp-v1r1-xccdf-manual.xml", "not even XML");
        if with_stig {
            write(r, "shared/references/disa-stig-p-v1r1-xccdf-manual.xml", STIG);
        }
        let opts = BuildOptions {
            root: r.to_path_buf(),
            out_dir: r.join("build"),
            products: Vec::new(),
            sce: false,
            epoch: Some(0),
        };
        let (mut compiled, diags) = compile_tree(&opts);
        let diags: Vec<Diagnostic> = diags.iter().cloned().collect();
        assert!(!diags.iter().any(|d| d.severity == scapc_diagnostics::Severity::Error), "{diags:?}");
        (d, compiled.remove(0), diags)
    }

    fn refs<'a>(c: &'a crate::compile::Compiled, rule: &str) -> Vec<(&'a str, Vec<&'a str>)> {
        let r = &c.content.rules[rule].references;
        r.iter().map(|(s, ids)| (s.as_str(), ids.iter().map(String::as_str).collect())).collect()
    }

    #[test]
    fn stig_items_get_disa_rule_ids_as_stigref_references() {
        let (_d, c, diags) = tree(true);
        assert!(!diags.iter().any(|d| d.code == codes::NO_REFERENCE_DATA), "{diags:?}");
        assert_eq!(
            refs(&c, "rule_a"),
            [
                ("stigid", vec!["P-01-000010"]),
                ("stigref", vec!["SV-1r2_rule"]),
                ("stigref_vulnerability_id", vec!["V-1"])
            ]
        );
        // From the policy's reference, then the STIG's.
        assert_eq!(
            refs(&c, "rule_b"),
            [
                ("stigid", vec!["P-01-000020"]),
                ("stigref", vec!["SV-2r5_rule"]),
                ("stigref_vulnerability_id", vec!["V-2"])
            ]
        );
        assert_eq!(refs(&c, "rule_c"), [("stigid", vec!["P-01-999999"])]);
        let mut d = Vec::new();
        let x = crate::xccdf::emit(&c, &mut d);
        assert!(x.contains("<xccdf-1.2:reference href=\"https://www.cyber.mil/stigs/srg-stig-tools/\">SV-2r5_rule</xccdf-1.2:reference>"), "{x}");
        assert!(
            x.contains("<xccdf-1.2:reference href=\"https://www.cyber.mil/stigs/srg-stig-tools#vulnerability_id\">V-1</xccdf-1.2:reference>"),
            "{x}"
        );
    }

    #[test]
    fn without_the_stig_file_a_warning_names_it() {
        let (_d, c, diags) = tree(false);
        let w: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == codes::NO_REFERENCE_DATA).collect();
        assert_eq!(w.len(), 1, "{diags:?}");
        assert!(w[0].message.contains("shared/references/disa-stig-p-*-xccdf-manual.xml"), "{}", w[0].message);
        assert!(w[0].message.starts_with("3 rules of `p`"), "{}", w[0].message);
        assert!(w[0].location.as_ref().is_some_and(|l| l.file.ends_with("products/p/product.yml")));
        assert_eq!(refs(&c, "rule_a"), [("stigid", vec!["P-01-000010"])]);
    }

    #[test]
    fn vulnerability_ids_as_cac_reads_them() {
        assert_eq!(vulnerability_id("SV-258134r1155620_rule").as_deref(), Some("V-258134"));
        assert_eq!(vulnerability_id("SV-1r2_rule_extra").as_deref(), Some("V-1"));
        assert_eq!(vulnerability_id("SV-258134_rule"), None);
        assert_eq!(vulnerability_id("SV-r1_rule"), None);
        assert_eq!(vulnerability_id("V-258134"), None);
    }

    #[test]
    fn versions_map_to_rule_ids_and_bad_xml_names_the_place() {
        let xml = r#"<?xml version="1.0"?><?xml-stylesheet href='x.xsl'?>
<Benchmark xmlns="http://checklists.nist.gov/xccdf/1.1" id="B">
  <Group id="V-1"><Rule id="SV-1r2_rule"><version>P-01-000010</version><title>t</title></Rule></Group>
  <Group id="V-2"><Rule id="SV-2r3_rule"><version> </version></Rule></Group>
</Benchmark>"#;
        let m = versions_to_rule_ids(xml, Path::new("s.xml")).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m["P-01-000010"], "SV-1r2_rule");
        let e = versions_to_rule_ids("<Benchmark>\n<Rule></Benchmark>", Path::new("s.xml")).unwrap_err();
        assert_eq!(e.code, codes::XML);
        assert!(e.location.unwrap().to_string().starts_with("s.xml:2:"), "located at the bad line");
    }
}
