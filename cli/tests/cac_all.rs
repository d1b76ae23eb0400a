//! Every product of the ComplianceAsCode tree at commit b3a2cca
//! (`../shared/reference/cac/content-b3a2cca.tar.xz`, all 38) loads and
//! resolves in one run, as `scapc build -C content` does it: product
//! properties, Jinja, rules, groups, values, controls and profiles, with no
//! error. Warnings are allowed (W0701 says what CaC builds that scapc does
//! not yet); they are counted by code on stderr. `scapc lint` of the tree
//! finds no schema problem in CaC's keys.
//!
//! Skipped, with a notice, when `../shared` is not there. The tarball is
//! unpacked once into the test's cache directory (shared with
//! `cac_compat.rs`).

mod cac_tree;

use scapc_diagnostics::Severity;
use std::collections::BTreeMap;

/// One load of the whole tree serves both checks: the compiler's (every
/// product loads and resolves without errors) and the linter's (its
/// schemas accept CaC's keys; what CaC's Jinja allows is not reported).
#[test]
fn all_38_products_load_and_resolve_without_errors_and_lint() {
    let Some(tree) = cac_tree::content_tree("the all-products CaC test") else { return };
    let cx = scapc_linter::Context::load(&tree);
    let mut by_code: BTreeMap<String, usize> = BTreeMap::new();
    for d in &cx.compiler {
        *by_code.entry(format!("{:?} {}", d.severity, d.code)).or_default() += 1;
    }
    eprintln!("all products: compiler diagnostics by severity and code: {by_code:?}");
    let errors: Vec<String> = cx
        .compiler
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| match &d.location {
            Some(l) => format!("{}: {}: {}", l, d.code, d.message),
            None => format!("{}: {}", d.code, d.message),
        })
        .collect();
    assert!(errors.is_empty(), "{} errors, e.g. {:#?}", errors.len(), &errors[..errors.len().min(20)]);
    let mut ids: Vec<&str> = cx.products.iter().map(|c| c.product.id.as_str()).collect();
    ids.sort();
    assert_eq!(ids.len(), 38, "{ids:?}");
    // Every product has rules and profiles (some only hidden ones, e.g.
    // ubuntu2604's `default`): nothing was silently empty.
    for c in &cx.products {
        assert!(!c.content.rules.is_empty(), "{} has no rules", c.product.id);
        assert!(!c.content.profiles.is_empty(), "{} has no profiles", c.product.id);
    }

    let report = scapc_linter::run(&cx, &scapc_linter::config::Config::default());
    let mut lints: BTreeMap<&str, usize> = BTreeMap::new();
    for f in &report.findings {
        *lints.entry(f.lint.code).or_default() += 1;
    }
    eprintln!("all products: lint findings by code: {lints:?}");
    let bad: Vec<String> = report
        .findings
        .iter()
        // A Value with no `default` option is a finding in CaC's tree too
        // (three of them at b3a2cca).
        .filter(|f| f.lint.name == "schema" && !f.diag.message.contains("lacks the required key \"default\""))
        .chain(report.findings.iter().filter(|f| f.diag.message.contains("misses the argument")))
        .take(20)
        .map(|f| format!("{}: {}", f.diag.location.as_ref().map(|l| l.to_string()).unwrap_or_default(), f.diag.message))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    // The lints still find something in CaC's tree (e.g. titles). Values
    // no rule uses (L044) are none now that checks and fixes are built:
    // every Value the benchmark keeps is used by one.
    assert!(lints.contains_key("L042") && !lints.contains_key("L044"), "{lints:?}");
}

/// `scapc build -C content` builds all 38 products in one run, through the
/// whole pipeline and the validation gate (XSDs and SP 800-126r3): exit 0
/// and one data stream per product. Loading alone (above) does not show
/// this: a `<sub>` naming a Value the benchmark dropped only fails the
/// gate.
#[test]
fn all_38_products_build_through_the_validation_gate() {
    let Some(tree) = cac_tree::content_tree("the all-products CaC build") else { return };
    let out = tempfile::tempdir().unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_scapc"))
        .args(["build", "-q", "--color", "never", "-C"])
        .arg(&tree)
        .arg("-o")
        .arg(out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    let errors: Vec<&str> = stderr.lines().filter(|l| l.contains("error")).take(20).collect();
    assert!(run.status.success(), "exit {:?}: {errors:#?}", run.status.code());
    // Every OVAL external variable names a Value the benchmark keeps
    // (W0701 would say one is left unexported).
    let unexported: Vec<&str> = stderr.lines().filter(|l| l.contains("W0701")).take(10).collect();
    assert!(unexported.is_empty(), "{unexported:#?}");
    let mut streams: Vec<String> = std::fs::read_dir(out.path())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with("-ds.xml"))
        .collect();
    streams.sort();
    assert_eq!(streams.len(), 38, "{streams:?}");
}
