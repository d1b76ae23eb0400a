//! Generates `docs/lints.md` from the registry: each lint's code, name,
//! level, fix availability, claimed compiler codes and its module doc
//! comment. A test fails when the page is stale.

use crate::{registry, Level};

/// The `//!` doc comment of a rule file, as markdown.
pub fn module_doc(source: &str) -> String {
    let mut out = String::new();
    for line in source.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("//!") {
            out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
            out.push('\n');
        } else if !t.is_empty() {
            break;
        }
    }
    out
}

/// The text of `docs/lints.md`.
pub fn lints_page() -> String {
    let mut s = String::from(
        "# Lints\n\n\
         Generated from `linter/src/rules/*.rs`; a test fails when this page is stale\n\
         (regenerate with `SCAPC_BLESS=1 cargo test -p scapc-linter docs`).\n\
         How to run the linter, configure it and silence a finding: [lint.md](lint.md).\n\n\
         Codes are stable. Configuration and suppression comments accept the code or the name.\n\
         A lint that *surfaces* compiler diagnostics reports them under its own code; the\n\
         compiler's code ([diagnostics.md](diagnostics.md)) is named in a hint.\n\n\
         | code | name | default | fix | what it finds |\n|------|------|---------|-----|---------------|\n",
    );
    for r in registry() {
        let l = r.lint;
        s.push_str(&format!(
            "| [`{}`](#{}) | `{}` | {} | {} | {} |\n",
            l.code,
            format!("{}-{}", l.code, l.name).to_lowercase(),
            l.name,
            l.level.as_str(),
            if l.fixable { "yes" } else { "" },
            l.summary
        ));
    }
    for r in registry() {
        let l = r.lint;
        s.push_str(&format!("\n## {} {}\n\n", l.code, l.name));
        s.push_str(&format!("{}\n\n", l.summary));
        s.push_str(&format!(
            "Default level: **{}**{}. Safe fix: {}.\n",
            l.level.as_str(),
            if l.level == Level::Off { " (enable it in `scapc-lint.yml`)" } else { "" },
            if l.fixable { "yes (`scapc lint --fix`)" } else { "no" }
        ));
        if !l.claims.is_empty() {
            let claims: Vec<String> = l
                .claims
                .iter()
                .map(|c| {
                    if c.any_of.is_empty() {
                        format!("`{}`", c.code)
                    } else {
                        format!(
                            "`{}` ({})",
                            c.code,
                            c.any_of.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ")
                        )
                    }
                })
                .collect();
            s.push_str(&format!("Surfaces compiler diagnostics: {}.\n", claims.join(", ")));
        }
        s.push('\n');
        s.push_str(module_doc(r.source).trim_end());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_lints_md_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/lints.md");
        let want = lints_page();
        if std::env::var_os("SCAPC_BLESS").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(have == want, "docs/lints.md is stale: run SCAPC_BLESS=1 cargo test -p scapc-linter docs");
    }

    #[test]
    fn architecture_maps_every_lint_module() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/ARCHITECTURE.md");
        let page = std::fs::read_to_string(&path).unwrap();
        for r in registry() {
            let row = format!("| `rules/{}` | {} `{}`: ", r.file, r.lint.code, r.lint.name);
            assert!(page.contains(&row), "docs/ARCHITECTURE.md lacks the line for {}: {row}", r.file);
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        for entry in std::fs::read_dir(&dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            if name.ends_with(".rs") {
                assert!(page.contains(&format!("| `{name}` |")), "docs/ARCHITECTURE.md lacks linter/src/{name}");
            }
        }
    }

    #[test]
    fn every_lint_is_documented_with_the_four_parts() {
        for r in registry() {
            let doc = module_doc(r.source);
            for part in ["**Why**", "**Example**", "**Fix**"] {
                assert!(doc.contains(part), "{} {}: the doc comment lacks {part}", r.lint.code, r.lint.name);
            }
            assert!(
                doc.lines().next().is_some_and(|l| !l.trim().is_empty()),
                "{}: the doc comment must start with what it checks",
                r.lint.code
            );
        }
    }

    #[test]
    fn codes_and_names_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for r in registry() {
            let l = r.lint;
            assert!(
                l.code.len() == 4 && l.code.starts_with('L') && l.code[1..].chars().all(|c| c.is_ascii_digit()),
                "{}",
                l.code
            );
            assert!(l.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", l.name);
            assert!(seen.insert(l.code) && seen.insert(l.name), "duplicate {} {}", l.code, l.name);
            assert!(l.check.is_some() || !l.claims.is_empty() || l.code == "L000", "{} checks nothing", l.code);
        }
        assert!(registry().len() >= 25, "only {} lints", registry().len());
        // Codes are in order, so the page and the registry read alike.
        let codes: Vec<&str> = registry().iter().map(|r| r.lint.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted);
    }

    #[test]
    fn every_compiler_code_has_a_lint() {
        for (code, _) in scapc_compiler::codes::ALL {
            let claimed = registry().iter().any(|r| r.lint.claims.iter().any(|c| c.code == *code));
            assert!(claimed, "compiler code {code} is claimed by no lint (it would fall to L000)");
        }
    }
}
