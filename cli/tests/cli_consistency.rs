//! The command line as a user meets it, through the real binary: usage
//! errors exit 64 on every subcommand, the shared options (`-q`, `-v`,
//! `SCAPC_LOG`, `--color`, `NO_COLOR`, `--warnings-as-errors`) do what
//! they say, a content tree is `-C TREE` or a positional, typos get "did
//! you mean", and `completions` and `man` write what the shells and man(1)
//! read. The walk over the clap definition itself (every subcommand has
//! the shared options, common `--format` names, examples that parse, one
//! trust-anchor spelling) is the unit test `cli/src/cli_consistency.rs`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Runs scapc: (exit code, stdout, stderr).
fn scapc(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_scapc"));
    c.args(args).current_dir(repo()).env_remove("NO_COLOR").env_remove("SCAPC_LOG");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().expect("run scapc");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The subcommand names listed under "Commands:" in `help`.
fn commands_in(help: &str) -> Vec<String> {
    let Some((_, rest)) = help.split_once("Commands:\n") else { return Vec::new() };
    rest.lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_subcommand_exits_64_on_a_usage_error() {
    let (code, top, _) = scapc(&["--help"], &[]);
    assert_eq!(code, 0);
    let mut paths: Vec<Vec<String>> = commands_in(&top).into_iter().map(|c| vec![c]).collect();
    assert!(paths.len() > 15, "{top}");
    let mut i = 0;
    while i < paths.len() {
        let mut args: Vec<&str> = paths[i].iter().map(String::as_str).collect();
        args.push("--help");
        let (_, help, _) = scapc(&args, &[]);
        let subs: Vec<Vec<String>> =
            commands_in(&help).into_iter().map(|s| paths[i].iter().cloned().chain([s]).collect()).collect();
        paths.extend(subs);
        i += 1;
    }
    for p in &paths {
        let mut args: Vec<&str> = p.iter().map(String::as_str).collect();
        args.push("--no-such-flag-anywhere");
        let (code, _, err) = scapc(&args, &[]);
        assert_eq!(code, 64, "scapc {}: {err}", args.join(" "));
    }
    // a typo in a subcommand's name: clap suggests
    let (code, _, err) = scapc(&["bulid"], &[]);
    assert_eq!(code, 64);
    assert!(err.contains("'build'"), "{err}");
    let (code, _, err) = scapc(&["lint", "-v", "-q"], &[]);
    assert_eq!(code, 64, "-q and -v conflict: {err}");
    let (code, _, err) = scapc(&["lint", "--color", "sometimes"], &[]);
    assert_eq!(code, 64, "{err}");
    let (code, _, err) = scapc(&["lint", "no/such/tree"], &[("SCAPC_LOG", "loud")]);
    assert_eq!(code, 64);
    assert!(err.contains("SCAPC_LOG"), "{err}");
}

#[test]
fn a_content_tree_is_dash_c_or_positional() {
    let tree = repo().join("tests/fixtures/lint/L016-no-check");
    let t = tree.to_str().unwrap();
    let (c1, o1, _) = scapc(&["lint", t, "--format", "json"], &[]);
    let (c2, o2, _) = scapc(&["lint", "-C", t, "--format", "json"], &[]);
    let (c3, o3, _) = scapc(&["lint", "--root", t, "--format", "json"], &[]);
    assert_eq!((c1, &o1), (c2, &o2));
    assert_eq!((c1, &o1), (c3, &o3));
    assert!(o1.contains("L016"), "{o1}");
    let (code, _, err) = scapc(&["lint", t, "-C", t], &[]);
    assert_eq!(code, 64, "a tree given twice is a usage error: {err}");
    // build: positional and -C, and a product that is not there gets a suggestion
    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let minimal = repo().join("tests/fixtures/valid/minimal");
    let m = minimal.to_str().unwrap();
    for args in [
        &["build", m, "-o", o, "--no-validate", "-p", "deom"][..],
        &["build", "-C", m, "-o", o, "--no-validate", "-p", "deom"],
    ] {
        let (code, _, err) = scapc(args, &[("SOURCE_DATE_EPOCH", "1700000000")]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("no product `deom`") && err.contains("did you mean `demo`?"), "{err}");
    }
    let (code, _, err) = scapc(&["build", m, "-o", o, "--no-validate", "-q"], &[("SOURCE_DATE_EPOCH", "1700000000")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.path().join("demo-ds.xml").is_file());
    assert!(!err.contains("built demo"), "-q prints no summary: {err}");
}

/// The yamlfilecontent probe fixture: a standalone benchmark with a root
/// filesystem, some rules pass and some fail.
fn eval_fixture(extra: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let dir = repo().join("tests/fixtures/eval-probes/yamlfilecontent");
    let target = format!("dir:{}", dir.join("root").display());
    let x = dir.join("xccdf.xml");
    let mut args = vec!["eval", x.to_str().unwrap(), "--target", &target];
    args.extend(extra);
    scapc(&args, env)
}

#[test]
fn color_quiet_and_verbose() {
    let (code, plain, _) = eval_fixture(&[], &[]);
    assert_eq!(code, 2, "the fixture has failing rules");
    assert!(!plain.contains('\x1b'), "no colour into a pipe: {plain}");
    assert!(plain.lines().any(|l| l.starts_with("fail ")), "{plain}");
    let (_, colored, _) = eval_fixture(&["--color", "always"], &[]);
    assert!(colored.contains("\x1b[31mfail"), "{colored}");
    assert!(colored.contains("\x1b[32mpass"), "{colored}");
    let (_, never, _) = eval_fixture(&["--color=never"], &[("NO_COLOR", "")]);
    assert_eq!(strip_times(&never), strip_times(&plain));
    // lint text honours --color too
    let tree = repo().join("tests/fixtures/lint/L016-no-check");
    let (_, lint_colored, _) = scapc(&["lint", tree.to_str().unwrap(), "--color", "always"], &[]);
    assert!(lint_colored.contains('\x1b'), "{lint_colored}");
    // -q: the summary only; -v: what was read; -vv and SCAPC_LOG=debug: per rule
    let (_, quiet, _) = eval_fixture(&["-q"], &[]);
    assert_eq!(quiet.lines().count(), 1, "{quiet}");
    let (_, _, info) = eval_fixture(&["-v"], &[]);
    assert!(info.contains("info: read ") && info.contains("rules"), "{info}");
    assert!(!info.contains("debug:"), "{info}");
    let (_, _, debug) = eval_fixture(&["-vv"], &[]);
    assert!(debug.contains("debug: scapc "), "{debug}");
    let (_, _, env_debug) = eval_fixture(&[], &[("SCAPC_LOG", "debug")]);
    assert!(env_debug.contains("debug: scapc "), "{env_debug}");
    let (_, _, normal) = eval_fixture(&[], &[]);
    assert!(!normal.contains("info:") && !normal.contains("debug:"), "{normal}");
}

fn strip_times(s: &str) -> String {
    s.lines().map(|l| l.split(" in ").next().unwrap_or(l)).collect::<Vec<_>>().join("\n")
}

#[test]
fn warnings_as_errors_everywhere() {
    let empty = tempfile::tempdir().unwrap();
    let e = empty.path().to_str().unwrap();
    let (code, _, err) = scapc(&["validate", e, "--no-xsd"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: ") && err.contains("holds no .xml files"), "{err}");
    let (code, _, err) = scapc(&["validate", e, "--no-xsd", "--warnings-as-errors"], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--warnings-as-errors"), "{err}");
    // lint: a warning-level finding
    let tree = repo().join("tests/fixtures/lint/L016-no-check");
    let t = tree.to_str().unwrap();
    let (code, _, _) = scapc(&["lint", t], &[]);
    assert_eq!(code, 0);
    let (code, _, _) = scapc(&["lint", t, "--warnings-as-errors"], &[]);
    assert_eq!(code, 1);
    // the flag may come before the subcommand too
    let (code, _, _) = scapc(&["--warnings-as-errors", "lint", t], &[]);
    assert_eq!(code, 1);
    // eval: nothing selected is a warning
    let all: Vec<String> =
        std::fs::read_to_string(repo().join("tests/fixtures/eval-probes/yamlfilecontent/expected.txt"))
            .unwrap()
            .lines()
            .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
            .collect();
    let mut skip: Vec<&str> = Vec::new();
    for id in &all {
        skip.extend(["--skip-rule", id.as_str()]);
    }
    let (code, _, err) = eval_fixture(&skip, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: no rule was evaluated"), "{err}");
    skip.push("--warnings-as-errors");
    let (code, _, _) = eval_fixture(&skip, &[]);
    assert_eq!(code, 1);
}

#[test]
fn diagnostics_print_as_github_annotations() {
    let tree = repo().join("tests/fixtures/lint/L016-no-check");
    let (_, out, _) = scapc(&["lint", tree.to_str().unwrap(), "--format", "github"], &[]);
    assert!(out.lines().all(|l| l.starts_with("::")), "{out}");
    assert!(out.contains("::warning file="), "{out}");
    // build: a broken tree
    let case = repo().join("tests/fixtures/invalid/oval_malformed");
    let tmp = tempfile::tempdir().unwrap();
    let minimal = repo().join("tests/fixtures/valid/minimal");
    copy(&minimal, tmp.path());
    copy(&case, tmp.path());
    let o = tmp.path().join("out");
    let (code, out, _) = scapc(
        &[
            "build",
            "-C",
            tmp.path().to_str().unwrap(),
            "-o",
            o.to_str().unwrap(),
            "--no-validate",
            "--format",
            "github",
        ],
        &[("SOURCE_DATE_EPOCH", "1700000000")],
    );
    assert_eq!(code, 1, "{} must not build: {out}", case.display());
    assert!(out.contains("::error file=") && out.contains(",line=3,col=15,title=E0500"), "{out}");
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy(&e.path(), &t);
        } else if e.file_name() != "expected.txt" {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

#[test]
fn completions_for_each_shell() {
    for (shell, marker) in [("bash", "complete -F"), ("zsh", "#compdef scapc"), ("fish", "complete -c scapc")] {
        let (code, out, err) = scapc(&["completions", shell], &[]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(marker), "{shell}: {}", &out[..out.len().min(300)]);
        for sub in ["build", "eval", "lint", "completions"] {
            assert!(out.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(out.contains("warnings-as-errors"), "{shell}");
    }
    // the bash script is valid bash
    let (_, script, _) = scapc(&["completions", "bash"], &[]);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("scapc.bash");
    std::fs::write(&f, script).unwrap();
    if let Ok(st) = Command::new("bash").arg("-n").arg(&f).status() {
        assert!(st.success(), "bash -n rejects the completion script");
    }
}

#[test]
fn man_pages_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("man1");
    let (code, _, err) = scapc(&["man", "-o", d.to_str().unwrap()], &[]);
    assert_eq!(code, 0, "{err}");
    for page in ["scapc.1", "scapc-build.1", "scapc-eval.1", "scapc-ds-split.1", "scapc-task-create.1"] {
        let text = std::fs::read_to_string(d.join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{page}: {}", &text[..text.len().min(200)]);
    }
    let eval = std::fs::read_to_string(d.join("scapc-eval.1")).unwrap();
    assert!(eval.contains("trusted\\-key") && eval.contains("Examples:"), "scapc-eval.1 lacks options or examples");
    assert!(!d.join("scapc-__scenario-job.1").exists(), "hidden commands get no page");
    let (code, top, _) = scapc(&["man"], &[]);
    assert_eq!(code, 0);
    assert!(top.contains(".TH scapc 1"), "{}", &top[..top.len().min(200)]);
    // man(1) renders it, where man is installed
    if let Ok(o) = Command::new("man").arg("-l").arg(d.join("scapc-lint.1")).env("MANWIDTH", "80").output() {
        if o.status.success() {
            let text = String::from_utf8_lossy(&o.stdout);
            assert!(text.contains("--warnings-as-errors") || text.contains("warnings-as-errors"), "{text}");
        }
    }
}
