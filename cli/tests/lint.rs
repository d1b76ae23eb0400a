//! Tests of `scapc lint` through the real binary.
//!
//! `tests/fixtures/lint/<code>-<name>/` is a small, self-contained content
//! tree per lint that triggers exactly that lint. Its `expected.txt` and
//! `expected.json` are the text and JSON output; a fixable lint's case also
//! has `expected.diff` (what `--diff` prints) and `after/` (the files as
//! `--fix` must leave them). `tests/fixtures/lint/clean/` lints clean.
//!
//! To update the golden files after an intended change:
//! `SCAPC_BLESS=1 cargo test -p scapc --test lint`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn fixtures() -> PathBuf {
    repo().join("tests/fixtures/lint")
}

fn bless() -> bool {
    std::env::var_os("SCAPC_BLESS").is_some()
}

/// Runs `scapc lint ARGS` in `dir`: (exit code, stdout, stderr).
fn lint(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scapc"))
        .arg("lint")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run scapc");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// Compares `actual` with a golden file (or writes it when blessing).
fn golden(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if bless() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected != actual {
        let diff = similar::TextDiff::from_lines(expected.as_str(), actual)
            .unified_diff()
            .header("expected", "actual")
            .to_string();
        failures.push(format!("{}: output differs (SCAPC_BLESS=1 to update)\n{diff}", path.display()));
    }
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}):\n{s}"))
}

/// The lints, as `scapc lint --list` prints them: (code, name, level, fixable).
fn lints() -> Vec<(String, String, String, bool)> {
    let (code, out, _) = lint(&repo(), &["--list"]);
    assert_eq!(code, 0);
    out.lines()
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f[0].to_owned(), f[1].to_owned(), f[2].to_owned(), l.ends_with("[fix]"))
        })
        .collect()
}

#[test]
fn every_lint_has_a_fixture_that_triggers_exactly_it() {
    let all = lints();
    assert!(all.len() >= 25, "only {} lints", all.len());
    let mut failures = Vec::new();
    for (code, name, _, _) in &all {
        let case = fixtures().join(format!("{code}-{name}"));
        if !case.is_dir() {
            failures.push(format!("{code} {name}: no fixture {}", case.display()));
            continue;
        }
        let (exit, out, err) = lint(&case, &["--format", "json", "."]);
        let v = json(&out);
        let diags = v["diagnostics"].as_array().unwrap();
        let codes: std::collections::BTreeSet<&str> = diags.iter().map(|d| d["code"].as_str().unwrap()).collect();
        if codes.len() != 1 || !codes.contains(code.as_str()) {
            failures.push(format!("{code} {name}: expected exactly {code}, got {codes:?}\n{err}"));
        }
        for d in diags {
            // Every finding names its file, and a line and column.
            let loc = &d["location"];
            if loc["file"].as_str().is_none_or(str::is_empty)
                || loc["line"].as_u64().is_none()
                || loc["column"].as_u64().is_none()
            {
                failures.push(format!("{code} {name}: a finding without file:line:col: {d}"));
            }
        }
        let want_exit = if v["errors"].as_u64().unwrap() > 0 { 1 } else { 0 };
        if exit != want_exit {
            failures.push(format!("{code} {name}: exit code {exit}, expected {want_exit}\n{err}"));
        }
        golden(&case.join("expected.json"), &out, &mut failures);
        let (exit_text, text, _) = lint(&case, &["."]);
        assert_eq!(exit_text, exit, "{code}: text and JSON runs disagree on the exit code");
        // The linter's own findings show the source line (the compiler's
        // may point past the end of a broken file, or at a directory).
        if !text.contains(&format!("[{code}]: ")) || (code.as_str() >= "L020" && !text.contains(" | ")) {
            failures.push(format!("{code} {name}: the text output lacks the code or a source snippet:\n{text}"));
        }
        golden(&case.join("expected.txt"), &text, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_clean_fixture_and_the_bundled_content_lint_clean() {
    for dir in [fixtures().join("clean"), repo()] {
        let (code, out, err) = lint(&dir, &["--format", "json", "."]);
        assert_eq!(code, 0, "{}: {err}", dir.display());
        let v = json(&out);
        assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0, "{}: {out}", dir.display());
    }
    let (code, out, err) = lint(&repo(), &["."]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.starts_with("0 error(s), 0 warning(s)"), "{err}");
}

#[test]
fn fix_fixtures_show_the_file_before_and_after() {
    let all = lints();
    let fixable: Vec<_> = all.iter().filter(|l| l.3).collect();
    assert!(fixable.len() >= 3, "{fixable:?}");
    let mut failures = Vec::new();
    for (code, name, _, _) in fixable {
        let case = fixtures().join(format!("{code}-{name}"));
        let after = case.join("after");
        assert!(after.is_dir(), "{code}: a fixable lint's fixture needs after/");
        let tmp = tempfile::tempdir().unwrap();
        copy_tree(&case, tmp.path());
        let expected: Vec<(PathBuf, String)> = files_under(&after)
            .into_iter()
            .map(|p| (p.strip_prefix(&after).unwrap().to_path_buf(), std::fs::read_to_string(&p).unwrap()))
            .collect();
        // --diff prints the change and writes nothing.
        let before: Vec<String> =
            expected.iter().map(|(rel, _)| std::fs::read_to_string(tmp.path().join(rel)).unwrap()).collect();
        let (_, diff, err) = lint(tmp.path(), &["--diff", "."]);
        golden(&case.join("expected.diff"), &diff, &mut failures);
        assert!(diff.starts_with("--- a/"), "{code}: no diff\n{err}");
        for ((rel, _), old) in expected.iter().zip(&before) {
            assert_eq!(
                &std::fs::read_to_string(tmp.path().join(rel)).unwrap(),
                old,
                "{code}: --diff changed {}",
                rel.display()
            );
            assert_ne!(&expected[0].1, old, "{code}: after/ equals before");
        }
        // --fix writes exactly the expected files, and the finding is gone.
        let (_, out, err) = lint(tmp.path(), &["--fix", "--format", "json", "."]);
        assert!(err.contains("fixed "), "{code}: {err}");
        for (rel, want) in &expected {
            let have = std::fs::read_to_string(tmp.path().join(rel)).unwrap();
            if &have != want {
                failures.push(format!("{code}: {} after --fix:\n{have}\nexpected:\n{want}", rel.display()));
            }
        }
        let left = json(&out);
        assert!(
            !left["diagnostics"].as_array().unwrap().iter().any(|d| d["code"] == code.as_str()),
            "{code}: still reported after --fix: {out}"
        );
        // No temporary files are left beside the rewritten ones.
        for (rel, _) in &expected {
            let dir = tmp.path().join(rel).parent().unwrap().to_path_buf();
            let names: Vec<String> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert!(names.iter().all(|n| !n.starts_with('.')), "{code}: leftovers in {}: {names:?}", dir.display());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn sarif_and_github_formats() {
    let case = fixtures().join("L031-cce-check-digit");
    let (code, out, _) = lint(&case, &["--format", "sarif", "."]);
    assert_eq!(code, 1);
    let v = json(&out);
    assert_eq!(v["version"], "2.1.0");
    assert_eq!(v["$schema"], "https://json.schemastore.org/sarif-2.1.0.json");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "L031");
    assert_eq!(run["tool"]["driver"]["rules"][0]["name"], "cce-check-digit");
    let r = &run["results"][0];
    assert_eq!(r["ruleId"], "L031");
    assert_eq!(r["level"], "error");
    let phys = &r["locations"][0]["physicalLocation"];
    assert_eq!(phys["artifactLocation"]["uri"], "rules/files/etc_group_mode/rule.yml");
    assert_eq!(phys["region"]["startLine"], 8);
    assert_eq!(phys["region"]["startColumn"], 3);

    let (code, out, _) = lint(&case, &["--format", "github", "."]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with("::error file=rules/files/etc_group_mode/rule.yml,line=8,col=3,title=L031 cce-check-digit::the check digit of `CCE-80001-3` is wrong"),
        "{out}"
    );
    // Warnings become ::warning.
    let (code, out, _) = lint(&fixtures().join("L043-rule-not-in-profile"), &["--format", "github", "."]);
    assert_eq!(code, 0, "warnings alone do not fail the run");
    assert!(out.starts_with("::warning file=rules/files/passwd_mode/rule.yml,line=2,col=8,"), "{out}");
}

/// The SARIF 2.1.0 constraints a code-scanning upload depends on: the
/// log's version and schema, one run whose driver names itself and lists
/// each reported rule once, and results whose level, message, rule index
/// and (related) locations are well-formed, with relative URIs.
fn assert_sarif_shape(v: &serde_json::Value, what: &str) {
    assert_eq!(v["version"], "2.1.0", "{what}");
    assert!(v["$schema"].as_str().is_some_and(|s| s.contains("sarif-2.1.0")), "{what}");
    let runs = v["runs"].as_array().unwrap_or_else(|| panic!("{what}: no runs"));
    assert_eq!(runs.len(), 1, "{what}");
    let driver = &runs[0]["tool"]["driver"];
    assert!(driver["name"].as_str().is_some_and(|n| !n.is_empty()), "{what}: driver name");
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "{what}: rule ids repeat");
    for r in rules {
        assert!(r["shortDescription"]["text"].is_string() && r["help"]["text"].is_string(), "{what}: {r}");
        assert!(
            ["note", "warning", "error"].contains(&r["defaultConfiguration"]["level"].as_str().unwrap()),
            "{what}: {r}"
        );
    }
    let check_loc = |l: &serde_json::Value| {
        let phys = &l["physicalLocation"];
        let uri = phys["artifactLocation"]["uri"].as_str().unwrap_or_else(|| panic!("{what}: {l}"));
        assert!(
            !uri.is_empty() && !uri.starts_with('/') && !uri.starts_with("./") && !uri.contains([' ', '\\']),
            "{what}: uri {uri}"
        );
        if !phys["region"].is_null() {
            assert!(
                phys["region"]["startLine"].as_u64().unwrap() >= 1
                    && phys["region"]["startColumn"].as_u64().unwrap() >= 1,
                "{what}: {l}"
            );
        }
    };
    for r in runs[0]["results"].as_array().unwrap() {
        assert!(["note", "warning", "error"].contains(&r["level"].as_str().unwrap()), "{what}: {r}");
        assert!(r["message"]["text"].as_str().is_some_and(|t| !t.is_empty()), "{what}: {r}");
        let i = r["ruleIndex"].as_u64().unwrap_or_else(|| panic!("{what}: no ruleIndex: {r}")) as usize;
        assert_eq!(r["ruleId"], rules[i]["id"], "{what}: ruleIndex");
        r["locations"].as_array().unwrap().iter().for_each(check_loc);
        if let Some(rel) = r["relatedLocations"].as_array() {
            for l in rel {
                check_loc(l);
                assert!(l["id"].is_u64() && l["message"]["text"].is_string(), "{what}: {l}");
            }
        }
    }
}

#[test]
fn sarif_of_every_fixture_is_well_formed() {
    for (code, name, _, _) in lints() {
        let case = fixtures().join(format!("{code}-{name}"));
        let (_, out, err) = lint(&case, &["--format", "sarif", "."]);
        let v = json(&out);
        assert_sarif_shape(&v, &format!("{code} {name}: {err}"));
        assert!(v["runs"][0]["results"].as_array().unwrap().iter().all(|r| r["ruleId"] == code.as_str()), "{code}");
    }
    // Related places become relatedLocations.
    let (_, out, _) = lint(&fixtures().join("L030-duplicate-cce"), &["--format", "sarif", "."]);
    let v = json(&out);
    let rel = &v["runs"][0]["results"][0]["relatedLocations"][0];
    assert_eq!(rel["physicalLocation"]["artifactLocation"]["uri"], "rules/files/etc_group_mode/rule.yml");
    assert_eq!(rel["message"]["text"], "first used here");
}

#[test]
fn suppression_comments_and_configuration() {
    let case = fixtures().join("L043-rule-not-in-profile");
    let rule = "rules/files/passwd_mode/rule.yml";

    // A comment on the line above silences the one finding.
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&case, tmp.path());
    let text = std::fs::read_to_string(tmp.path().join(rule)).unwrap();
    let silenced = text.replacen("title:", "# scapc-lint: disable=rule-not-in-profile\ntitle:", 1);
    std::fs::write(tmp.path().join(rule), &silenced).unwrap();
    let (code, out, err) = lint(tmp.path(), &["."]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains("1 suppressed"), "{err}");
    // ... by code too, and as a trailing comment on the line itself.
    std::fs::write(
        tmp.path().join(rule),
        text.replacen(
            "\ntitle: Verify Permissions on /etc/passwd",
            "\ntitle: Verify Permissions on /etc/passwd  # scapc-lint: disable=L043",
            1,
        ),
    )
    .unwrap();
    let (code, out, _) = lint(tmp.path(), &["."]);
    assert_eq!((code, out.as_str()), (0, ""));
    // A comment for another lint does not silence it.
    std::fs::write(tmp.path().join(rule), text.replacen("title:", "# scapc-lint: disable=L042\ntitle:", 1)).unwrap();
    let (_, out, _) = lint(tmp.path(), &["."]);
    assert!(out.contains("warning[L043]"), "{out}");
    std::fs::write(tmp.path().join(rule), &text).unwrap();

    // scapc-lint.yml turns it off, or makes it an error.
    std::fs::write(tmp.path().join("scapc-lint.yml"), "rules:\n  rule-not-in-profile: off\n").unwrap();
    let (code, out, _) = lint(tmp.path(), &["."]);
    assert_eq!((code, out.as_str()), (0, ""));
    std::fs::write(tmp.path().join("scapc-lint.yml"), "rules:\n  L043: error\n").unwrap();
    let (code, out, _) = lint(tmp.path(), &["."]);
    assert_eq!(code, 1);
    assert!(out.contains("error[L043]"), "{out}");
    // --set overrides for one run.
    let (code, out, _) = lint(tmp.path(), &["--set", "L043=off", "."]);
    assert_eq!((code, out.as_str()), (0, ""));
    // A bad configuration is a usage error that names the line.
    std::fs::write(tmp.path().join("scapc-lint.yml"), "rules:\n  L999: off\n").unwrap();
    let (code, _, err) = lint(tmp.path(), &["."]);
    assert_eq!(code, 64);
    assert!(err.contains("scapc-lint.yml:2:3: unknown lint `L999`"), "{err}");
}

#[test]
fn usage_errors_and_explain() {
    let (code, _, err) = lint(&repo(), &["no/such/dir"]);
    assert_eq!(code, 64);
    assert!(err.contains("is not a directory"), "{err}");
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, err) = lint(tmp.path(), &["."]);
    assert_eq!(code, 64, "an empty directory is not a content tree");
    assert!(err.contains("not a content tree"), "{err}");
    let (code, out, _) = lint(&repo(), &["--explain", "cce-check-digit"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("L031 cce-check-digit (default: error)") && out.contains("**Fix**"), "{out}");
    let (code, _, _) = lint(&repo(), &["--explain", "L999"]);
    assert_eq!(code, 64);
}

#[test]
fn lint_docs_page_lists_every_lint() {
    let page = std::fs::read_to_string(repo().join("docs/lints.md")).unwrap();
    for (code, name, level, _) in lints() {
        assert!(page.contains(&format!("\n## {code} {name}\n")), "docs/lints.md lacks {code}");
        assert!(page.contains(&format!("| `{name}` | {level} |")), "docs/lints.md: {code} level");
    }
}
