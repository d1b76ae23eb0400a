//! Generated documentation stays in step with the sources.

use std::path::Path;

#[test]
fn templates_page_is_current() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let tree = scapc_compiler::load::discover(repo);
    let (ts, ps, diags) = scapc_compiler::load::load_templates_and_platforms(&tree);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(ts.len() >= 10);
    let want = scapc_compiler::docs::templates_page(&ts, &ps);
    let path = repo.join("docs/templates.md");
    if std::env::var_os("SCAPC_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(have == want, "docs/templates.md is stale: run SCAPC_BLESS=1 cargo test -p scapc --test docs");
}
