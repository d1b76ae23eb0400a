//! The CLI consistency test (issue 14, item 10): walks every visible
//! subcommand of `scapc`'s clap definition ([`crate::command`]) and fails,
//! saying what to add, when one departs from the language the others
//! speak: `-q`/`-v`/`--color`/`--warnings-as-errors`, `--format` value
//! names, diagnostics in json/sarif/github, one trust-anchor spelling, a
//! content tree as `-C TREE` and as a positional, and examples that parse
//! at the end of every `--help`. Also: every warning a command prints
//! goes through `warn!` (so `--warnings-as-errors` sees it).
//!
//! Run with `cargo test -p scapc --bin scapc cli_consistency`.

use clap::{Arg, Command};

/// The `--format` value names every command picks from.
const FORMATS: &[&str] = &["text", "json", "sarif", "junit", "github", "markdown"];

/// Commands that print diagnostics (findings with a file and a line).
/// Any command whose `--format` offers `sarif` or `github` counts too.
const DIAGNOSTIC_COMMANDS: &[&str] = &["scapc build", "scapc lint", "scapc validate"];

/// What a diagnostics command's `--format` must offer.
const DIAGNOSTIC_FORMATS: &[&str] = &["text", "json", "sarif", "github"];

/// Commands that report results (a scan's rules) offer every shared
/// format a CI reads: junit for test reports, sarif and github for
/// annotations.
const RESULT_COMMANDS: &[&str] = &["scapc eval"];

/// What a results command's `--format` must offer.
const RESULT_FORMATS: &[&str] = &["text", "json", "sarif", "junit", "github"];

/// The one spelling of a trust anchor (a public key or certificate).
const TRUST_ANCHOR: &str = "trusted-key";

/// Every visible subcommand, depth first, with its path (`scapc ds split`).
fn subcommands() -> Vec<(String, Command)> {
    fn walk(cmd: &Command, path: &str, out: &mut Vec<(String, Command)>) {
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
            let p = format!("{path} {}", sub.get_name());
            out.push((p.clone(), sub.clone()));
            walk(sub, &p, out);
        }
    }
    let mut root = crate::command();
    root.build();
    let mut out = Vec::new();
    walk(&root, "scapc", &mut out);
    out
}

fn long(a: &Arg) -> String {
    a.get_long().map(|l| format!("--{l}")).unwrap_or_else(|| a.get_id().to_string())
}

fn values(a: &Arg) -> Vec<String> {
    a.get_possible_values().iter().map(|v| v.get_name().to_owned()).collect()
}

fn help_text(a: &Arg) -> String {
    let h = a.get_long_help().or(a.get_help()).map(|h| h.to_string()).unwrap_or_default();
    h.to_lowercase()
}

/// Problems with the options every subcommand shares.
fn shared_options(path: &str, cmd: &Command, problems: &mut Vec<String>) {
    let has = |long: &str, short: Option<char>| {
        cmd.get_arguments().any(|a| a.get_long() == Some(long) && (short.is_none() || a.get_short() == short))
    };
    for (long, short) in [("quiet", Some('q')), ("verbose", Some('v')), ("color", None), ("warnings-as-errors", None)] {
        if !has(long, short) {
            let s = short.map(|c| format!("-{c}/")).unwrap_or_default();
            problems.push(format!(
                "`{path}` lacks {s}--{long}: do not shadow or disable the global options of `ui::GlobalArgs`"
            ));
        }
    }
    if let Some(c) = cmd.get_arguments().find(|a| a.get_long() == Some("color")) {
        if values(c) != ["auto", "always", "never"] {
            problems
                .push(format!("`{path}`: --color takes auto, always, never (ui::ColorChoice), not {:?}", values(c)));
        }
    }
}

/// Problems with `--format`.
fn format_option(path: &str, cmd: &Command, problems: &mut Vec<String>) {
    let format = cmd.get_arguments().find(|a| a.get_long() == Some("format"));
    let vals = format.map(values).unwrap_or_default();
    for v in vals.iter().filter(|v| !FORMATS.contains(&v.as_str())) {
        problems.push(format!(
            "`{path} --format {v}`: `{v}` is not one of the common format names {FORMATS:?}; use one of them (or add it to FORMATS and docs/cli.md if it is new to every command)"
        ));
    }
    if RESULT_COMMANDS.contains(&path) {
        for want in RESULT_FORMATS.iter().filter(|w| !vals.iter().any(|v| v == *w)) {
            problems.push(format!(
                "`{path}` reports results but its --format lacks `{want}`: offer {RESULT_FORMATS:?} (eval_cmd::render_rules)"
            ));
        }
    }
    let diagnostic = DIAGNOSTIC_COMMANDS.contains(&path) || vals.iter().any(|v| v == "sarif" || v == "github");
    if diagnostic {
        for want in DIAGNOSTIC_FORMATS.iter().filter(|w| !vals.iter().any(|v| v == *w)) {
            problems.push(format!(
                "`{path}` prints diagnostics but its --format lacks `{want}`: offer {DIAGNOSTIC_FORMATS:?} (crate::Format and scapc_diagnostics::render_*)"
            ));
        }
    }
}

/// Every trust-anchor spelling (long names and aliases with "trust").
fn trust_anchor(path: &str, cmd: &Command, problems: &mut Vec<String>) {
    for a in cmd.get_arguments() {
        let names: Vec<&str> = a.get_long().into_iter().chain(a.get_all_aliases().unwrap_or_default()).collect();
        if names.iter().any(|n| n.contains("trust")) && a.get_long() != Some(TRUST_ANCHOR) {
            problems.push(format!(
                "`{path}` names a trust anchor `{}`: call it --{TRUST_ANCHOR} (keep the old spelling as a hidden `alias`)",
                long(a)
            ));
        }
    }
}

/// A command that reads a content tree takes it as `-C TREE` and as a
/// positional `TREE`.
fn content_tree(path: &str, cmd: &Command, problems: &mut Vec<String>) {
    let is_tree = |a: &&Arg| {
        let named = a.get_value_names().is_some_and(|v| v.iter().any(|n| n == "TREE"));
        named || (help_text(a).contains("content tree") && a.get_long() != Some("out"))
    };
    if !cmd.get_arguments().any(|a| is_tree(&a)) {
        return;
    }
    let tree_name = |a: &Arg| a.get_value_names().is_some_and(|v| v.iter().any(|n| n == "TREE"));
    let positional = cmd.get_positionals().any(tree_name);
    let dash_c = cmd.get_arguments().any(|a| a.get_short() == Some('C') && tree_name(a));
    if !positional || !dash_c {
        problems.push(format!(
            "`{path}` reads a content tree but lacks {}: `#[command(flatten)] tree: ui::TreeArg` gives both",
            match (positional, dash_c) {
                (false, false) => "-C TREE and a positional TREE",
                (false, true) => "a positional TREE",
                _ => "-C TREE",
            }
        ));
    }
}

/// Splits an example command line as a shell would (single and double
/// quotes), up to a redirection or a pipe.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let (mut quote, mut started) = (None, false);
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if started || !cur.is_empty() {
        words.push(cur);
    }
    let end = words.iter().position(|w| w == ">" || w == "|" || w == ">>").unwrap_or(words.len());
    words.truncate(end);
    words
}

/// `--help` ends with two or three examples, at least one of this very
/// subcommand, and each of them parses.
fn examples(path: &str, cmd: &Command, problems: &mut Vec<String>) {
    let after = cmd.get_after_long_help().or(cmd.get_after_help()).map(|s| s.to_string()).unwrap_or_default();
    let Some((_, block)) = after.rsplit_once("Examples:") else {
        problems.push(format!(
            "`{path} --help` has no examples: add #[command(after_help = \"Examples:\\n  {path} ...\\n  {path} ...\")] with two or three"
        ));
        return;
    };
    let lines: Vec<&str> = block.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.iter().any(|l| !l.starts_with("  scapc ")) {
        problems.push(format!("`{path} --help`: the examples must end the help, one `  scapc ...` per line"));
    }
    if !(2..=3).contains(&lines.len()) {
        problems.push(format!("`{path} --help` has {} example(s): give two or three", lines.len()));
    }
    if !lines.iter().any(|l| l.trim_start().starts_with(&format!("{path} ")) || l.trim() == path) {
        problems.push(format!("`{path} --help`: no example runs `{path}` itself"));
    }
    for l in lines {
        if let Err(e) = crate::command().try_get_matches_from(shell_words(l)) {
            problems.push(format!("`{path} --help`: the example `{}` does not parse: {}", l.trim(), e.kind()));
        }
    }
}

#[test]
fn every_subcommand_speaks_the_same_language() {
    let subs = subcommands();
    assert!(subs.len() > 20, "found only {} subcommands", subs.len());
    let mut problems = Vec::new();
    for (path, cmd) in &subs {
        shared_options(path, cmd, &mut problems);
        format_option(path, cmd, &mut problems);
        trust_anchor(path, cmd, &mut problems);
        content_tree(path, cmd, &mut problems);
        examples(path, cmd, &mut problems);
    }
    examples("scapc", &crate::command(), &mut problems);
    assert!(problems.is_empty(), "{} CLI inconsistencies:\n  {}", problems.len(), problems.join("\n  "));
}

#[test]
fn the_checks_catch_a_subcommand_added_wrongly() {
    // A made-up subcommand with every mistake the walk looks for.
    let bad = Command::new("bad")
        .arg(Arg::new("format").long("format").value_parser(["text", "yaml", "sarif"]))
        .arg(Arg::new("trust").long("trust-cert"))
        .arg(Arg::new("root").long("root").help("The content tree"));
    let mut problems = Vec::new();
    shared_options("scapc bad", &bad, &mut problems);
    format_option("scapc bad", &bad, &mut problems);
    trust_anchor("scapc bad", &bad, &mut problems);
    content_tree("scapc bad", &bad, &mut problems);
    examples("scapc bad", &bad, &mut problems);
    let text = problems.join("\n");
    for want in [
        "lacks -q/--quiet",
        "lacks -v/--verbose",
        "lacks --color",
        "lacks --warnings-as-errors",
        "`yaml` is not one of the common format names",
        "lacks `json`",
        "lacks `github`",
        "call it --trusted-key",
        "lacks -C TREE and a positional TREE",
        "has no examples",
    ] {
        assert!(text.contains(want), "no `{want}` in:\n{text}");
    }
    // and the real command line gets none of them
    let mut good = Vec::new();
    let (path, build) = subcommands().into_iter().find(|(p, _)| p == "scapc build").unwrap();
    for check in [shared_options, format_option, trust_anchor, content_tree, examples] {
        check(&path, &build, &mut good);
    }
    assert!(good.is_empty(), "{good:?}");
    // a results command without junit
    let mut problems = Vec::new();
    let eval_like = Command::new("eval").arg(Arg::new("format").long("format").value_parser(["text", "json"]));
    format_option("scapc eval", &eval_like, &mut problems);
    assert!(problems.iter().any(|p| p.contains("reports results") && p.contains("`junit`")), "{problems:?}");
}

#[test]
fn example_lines_split_like_a_shell() {
    assert_eq!(
        shell_words("  scapc eval ds.xml --profile '(all)' > out.json"),
        ["scapc", "eval", "ds.xml", "--profile", "(all)"]
    );
    assert_eq!(shell_words("scapc man | man -l -"), ["scapc", "man"]);
    assert_eq!(shell_words("scapc x \"a b\" ''"), ["scapc", "x", "a b", ""]);
}

#[test]
fn subcommand_typos_get_a_suggestion() {
    let e = crate::command().try_get_matches_from(["scapc", "bulid"]).unwrap_err();
    assert_eq!(e.kind(), clap::error::ErrorKind::InvalidSubcommand);
    assert!(e.to_string().contains("'build'"), "{e}");
    let e = crate::command().try_get_matches_from(["scapc", "ds", "splt", "x"]).unwrap_err();
    assert!(e.to_string().contains("'split'"), "{e}");
}

#[test]
fn warnings_go_through_warn() {
    // A `warning:` printed any other way escapes --warnings-as-errors.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "rs") || p.ends_with("ui.rs") || p.ends_with("cli_consistency.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for mac in ["errln!(", "err!(", "eprintln!(", "eprint!("] {
            if flat.contains(&format!("{mac} \"warning:")) || flat.contains(&format!("{mac}\"warning:")) {
                found.push(format!("{}: {mac}\"warning: ...\")", p.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "print warnings with `warn!(...)` (crate::ui), so --warnings-as-errors counts them:\n  {}",
        found.join("\n  ")
    );
}
