//! Stable diagnostic codes of the compiler. `docs/diagnostics.md` lists
//! them; a test keeps that page in step with this table.

/// (code, one-line meaning).
pub const ALL: &[(&str, &str)] = &[
    (IO, "a file or directory could not be read or written"),
    (YAML, "the YAML is not well-formed"),
    (NOT_MAPPING, "a YAML document or key holds the wrong kind of node (mapping, list, scalar)"),
    (UNKNOWN_KEY, "a key that the file type does not define"),
    (MISSING_KEY, "a required key is missing"),
    (BAD_VALUE, "a key has a value of the wrong type or outside its allowed set"),
    (JINJA, "Jinja rendering failed (syntax error, undefined variable, endless loop)"),
    (DUPLICATE, "two items share one id"),
    (DANGLING, "a reference names something that does not exist"),
    (CYCLE, "references form a cycle"),
    (LAYOUT, "a file is somewhere the tree layout does not allow"),
    (TEMPLATE_PARAM, "a template parameter is missing, unknown, ill-typed or not allowed"),
    (XML, "an XML fragment (OVAL check) is not well-formed or not as expected"),
    (OVAL, "an OVAL fragment is inconsistent (missing definition, conflicting ids)"),
    (PLATFORM, "a platform expression is not valid"),
    (SCE_OMITTED, "an SCE check was left out because SCAP 1.3 does not allow it (use --sce)"),
    (NO_CHECK, "a rule has no automated or manual check"),
    (NO_EFFECT, "a selection or setting has no effect (e.g. it takes back something never set)"),
    (NO_REFERENCE_DATA, "reference data the product's references come from is absent (e.g. CaC's DISA STIG file)"),
];

pub const IO: &str = "E0001";
pub const YAML: &str = "E0100";
pub const NOT_MAPPING: &str = "E0101";
pub const UNKNOWN_KEY: &str = "E0102";
pub const MISSING_KEY: &str = "E0103";
pub const BAD_VALUE: &str = "E0104";
pub const JINJA: &str = "E0200";
pub const DUPLICATE: &str = "E0300";
pub const DANGLING: &str = "E0301";
pub const CYCLE: &str = "E0302";
pub const LAYOUT: &str = "E0303";
pub const TEMPLATE_PARAM: &str = "E0400";
pub const XML: &str = "E0500";
pub const OVAL: &str = "E0501";
pub const PLATFORM: &str = "E0600";
pub const SCE_OMITTED: &str = "N0700";
pub const NO_CHECK: &str = "W0701";
pub const NO_EFFECT: &str = "W0310";
pub const NO_REFERENCE_DATA: &str = "W0702";

/// The text of `docs/diagnostics.md`, generated from [`ALL`].
pub fn docs_page() -> String {
    let mut s = String::from(
        "# Compiler diagnostics\n\n\
         Generated from `compiler/src/codes.rs`; a test fails when this page is stale\n\
         (regenerate with `SCAPC_BLESS=1 cargo test -p scapc-compiler codes`).\n\n\
         Every diagnostic prints as `file:line:col: severity[CODE]: message`, followed by\n\
         the source line, related places (`= note:`) and how to fix it (`= help:`).\n\
         `--format json` and `--format sarif` carry the same fields.\n\n\
         Codes starting with `E` are errors (nothing is written), `W` warnings, `N` notes.\n\n\
         | code | meaning |\n|------|---------|\n",
    );
    for (code, meaning) in ALL {
        s.push_str(&format!("| `{code}` | {meaning} |\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_are_unique_and_docs_are_current() {
        let mut seen = std::collections::HashSet::new();
        for (c, _) in super::ALL {
            assert!(seen.insert(c), "duplicate code {c}");
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/diagnostics.md");
        let want = super::docs_page();
        if std::env::var_os("SCAPC_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(have, want, "docs/diagnostics.md is stale: run SCAPC_BLESS=1 cargo test -p scapc-compiler codes");
    }
}
