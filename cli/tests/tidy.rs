//! The tidy test: docs/ARCHITECTURE.md against the code.
//!
//! ARCHITECTURE.md is the one source of truth; this test reads it:
//! - the **Crates** table (`crate | path | may depend on | what it is`):
//!   every workspace member has a row and every row is a member; each
//!   crate's `[dependencies]` and `[build-dependencies]` on other workspace
//!   crates stay inside its "may depend on" cell, and those cells form no
//!   cycle;
//! - one **module table** (`module | role`) per crate, under a heading
//!   `` ## `<path>src/` ``: every `.rs` file under the crate's `src/`
//!   (`lib.rs`, `main.rs` and `mod.rs` included) has a row, and every row
//!   names something that exists. A row may name a directory (`probes/`),
//!   a glob (`schemas/*.json`, at least one match) or a pattern with a
//!   placeholder (`rules/<lint>.rs`, which stands for the rows around it
//!   and is not checked).
//!
//! It also checks, for every crate: a leading `//!` doc comment on every
//! module, `#![forbid(unsafe_code)]` at the root of each crate that has
//! no `unsafe`, and `[lints] workspace = true` in its Cargo.toml.
//!
//! Every failure says exactly what to add or change, and all are reported
//! at once.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// One row of the Crates table.
#[derive(Debug, Clone)]
struct CrateRow {
    name: String,
    /// Relative to the repository root, with a trailing `/` (`cli/`).
    path: String,
    may_depend_on: BTreeSet<String>,
    line: usize,
}

/// One row of a module table: the path relative to the crate's `src/`.
#[derive(Debug, Clone)]
struct ModuleRow {
    path: String,
    line: usize,
}

#[derive(Debug, Default)]
struct Architecture {
    crates: Vec<CrateRow>,
    /// Crate path (`compiler/`) -> its module rows.
    modules: BTreeMap<String, Vec<ModuleRow>>,
    /// The Crates table lacks the "may depend on" column (reported once;
    /// the dependency checks are then skipped).
    no_direction_column: bool,
}

fn cells(line: &str) -> Vec<String> {
    let t = line.trim();
    let t = t.strip_prefix('|').unwrap_or(t);
    let t = t.strip_suffix('|').unwrap_or(t);
    t.split('|').map(|c| c.trim().to_owned()).collect()
}

/// The text inside the first pair of backticks of a cell, else the cell.
fn code(cell: &str) -> String {
    match cell.split('`').nth(1) {
        Some(inner) if cell.contains('`') => inner.to_owned(),
        _ => cell.to_owned(),
    }
}

fn is_separator(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// Parses the Crates table and the module tables. Problems with the tables
/// themselves go to `problems`.
fn parse_architecture(text: &str, problems: &mut Vec<String>) -> Architecture {
    let lines: Vec<&str> = text.lines().collect();
    let mut arch = Architecture::default();
    let mut section: Option<String> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(h) = line.strip_prefix("## ") {
            section = Some(h.trim().to_owned());
            i += 1;
            continue;
        }
        let is_table_start = line.trim_start().starts_with('|') && lines.get(i + 1).is_some_and(|l| is_separator(l));
        if !is_table_start {
            i += 1;
            continue;
        }
        let header: Vec<String> = cells(line).iter().map(|c| c.to_lowercase()).collect();
        let mut rows = Vec::new();
        let mut j = i + 2;
        while j < lines.len() && lines[j].trim_start().starts_with('|') {
            rows.push((j + 1, cells(lines[j])));
            j += 1;
        }
        let col = |name: &str| header.iter().position(|h| h == name);
        let heading = section.clone().unwrap_or_default();
        if heading == "Crates" {
            match (col("crate"), col("path")) {
                (Some(c), Some(p)) => {
                    let d = col("may depend on");
                    if d.is_none() {
                        arch.no_direction_column = true;
                        problems.push(format!(
                            "docs/ARCHITECTURE.md:{}: the Crates table has no \"may depend on\" column: make its columns `crate | path | may depend on | what it is`, listing in each row the workspace crates that crate may depend on (`—` for none)",
                            i + 1
                        ));
                    }
                    for (n, r) in rows {
                        let deps = d.and_then(|d| r.get(d)).map(String::as_str).unwrap_or("");
                        let may_depend_on = deps
                            .split(',')
                            .map(|s| code(s.trim()))
                            .filter(|s| !s.is_empty() && s != "—" && s != "-")
                            .collect();
                        arch.crates.push(CrateRow {
                            name: code(r.get(c).map(String::as_str).unwrap_or("")),
                            path: code(r.get(p).map(String::as_str).unwrap_or("")),
                            may_depend_on,
                            line: n,
                        });
                    }
                }
                _ => problems.push(format!(
                    "docs/ARCHITECTURE.md:{}: the Crates table must have the columns `crate | path | may depend on | what it is`",
                    i + 1
                )),
            }
        } else if let Some(crate_path) =
            heading.strip_prefix('`').and_then(|h| h.strip_suffix('`')).and_then(|h| h.strip_suffix("src/"))
        {
            match col("module") {
                Some(m) if col("role").is_some() => {
                    let list = arch.modules.entry(crate_path.to_owned()).or_default();
                    for (n, r) in rows {
                        list.push(ModuleRow { path: code(r.get(m).map(String::as_str).unwrap_or("")), line: n });
                    }
                }
                _ => problems.push(format!(
                    "docs/ARCHITECTURE.md:{}: the table under `## {heading}` must have the columns `module | role`",
                    i + 1
                )),
            }
        }
        i = j;
    }
    arch
}

/// The `members` of the root Cargo.toml.
fn workspace_members(root_toml: &str) -> Vec<String> {
    let start = root_toml.find("members").expect("the root Cargo.toml has `members`");
    let rest = &root_toml[start..];
    let open = rest.find('[').unwrap();
    let close = rest.find(']').unwrap();
    rest[open + 1..close].split(',').map(|s| s.trim().trim_matches('"').to_owned()).filter(|s| !s.is_empty()).collect()
}

/// What the test needs from a crate's Cargo.toml.
#[derive(Debug, Default)]
struct Manifest {
    name: String,
    /// Names in `[dependencies]`, `[build-dependencies]` and their
    /// `[target.*.…]` and `[dependencies.<name>]` forms.
    deps: BTreeSet<String>,
    lints_workspace: bool,
}

fn parse_manifest(text: &str) -> Manifest {
    let mut m = Manifest::default();
    let mut table = String::new();
    for raw in text.lines() {
        let line = raw.split(" #").next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            table = line.trim_matches(['[', ']']).trim().to_owned();
            for kind in ["dependencies.", "build-dependencies."] {
                if let Some(name) = table.strip_prefix(kind).or_else(|| {
                    table.split_once(&format!(".{kind}")).filter(|(t, _)| t.starts_with("target.")).map(|(_, n)| n)
                }) {
                    m.deps.insert(name.trim_matches('"').to_owned());
                }
            }
            continue;
        }
        let Some((key, value)) = line.split_once('=') else { continue };
        let key = key.trim();
        let value = value.trim();
        let dep_table = table == "dependencies"
            || table == "build-dependencies"
            || (table.starts_with("target.")
                && (table.ends_with(".dependencies") || table.ends_with(".build-dependencies")));
        if table == "package" && key == "name" {
            m.name = value.trim_matches('"').to_owned();
        } else if dep_table {
            // `name = ...` or `name.workspace = true`
            m.deps.insert(key.split('.').next().unwrap().trim_matches('"').to_owned());
        } else if table == "lints" && key == "workspace" && value == "true" {
            m.lints_workspace = true;
        }
    }
    m
}

fn rust_files(dir: &Path, base: &Path, out: &mut Vec<String>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, base, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
}

/// Whether `pattern` (with `*` matching any run of characters except `/`)
/// matches `path`.
fn glob_match(pattern: &str, path: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = path.chars().collect();
    fn go(p: &[char], s: &[char]) -> bool {
        match p.first() {
            None => s.is_empty(),
            Some('*') => (0..=s.len()).take_while(|&k| k == 0 || s[k - 1] != '/').any(|k| go(&p[1..], &s[k..])),
            Some(c) => s.first() == Some(c) && go(&p[1..], &s[1..]),
        }
    }
    go(&p, &s)
}

fn all_files(dir: &Path, base: &Path, out: &mut Vec<String>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd {
        let p = e.unwrap().path();
        if p.is_dir() {
            all_files(&p, base, out);
        } else {
            out.push(p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
        }
    }
}

/// Whether Rust source uses `unsafe` outside comments (string literals
/// are not told apart; a crate that only *mentions* unsafe in a string
/// would be treated as using it, which only skips the forbid check).
fn uses_unsafe(src: &str) -> bool {
    src.lines().any(|l| {
        let code = l.split("//").next().unwrap_or("");
        code.split(|c: char| !(c.is_alphanumeric() || c == '_')).any(|w| w == "unsafe")
            && !code.contains("unsafe_code")
            && !code.contains("unsafe_op_in_unsafe_fn")
    })
}

/// Whether the first line that is not blank is a `//!` comment.
fn has_module_doc(src: &str) -> bool {
    src.lines().map(str::trim).find(|l| !l.is_empty()).is_some_and(|l| l.starts_with("//!"))
}

/// Runs every check and returns the problems, each saying what to do.
fn tidy(repo: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let arch_text = fs::read_to_string(repo.join("docs/ARCHITECTURE.md")).expect("docs/ARCHITECTURE.md");
    let arch = parse_architecture(&arch_text, &mut problems);
    let members = workspace_members(&fs::read_to_string(repo.join("Cargo.toml")).unwrap());

    // Crates table <-> workspace members.
    let rows_by_path: BTreeMap<String, &CrateRow> =
        arch.crates.iter().map(|c| (c.path.trim_end_matches('/').to_owned(), c)).collect();
    for m in &members {
        if !rows_by_path.contains_key(m) {
            let name = parse_manifest(&fs::read_to_string(repo.join(m).join("Cargo.toml")).unwrap_or_default()).name;
            problems.push(format!(
                "the workspace member `{m}` has no row in the Crates table of docs/ARCHITECTURE.md: add the row \"| `{name}` | `{m}/` | <workspace crates it may depend on> | <what it is> |\""
            ));
        }
    }
    let mut manifests: BTreeMap<String, Manifest> = BTreeMap::new();
    for row in &arch.crates {
        let dir = row.path.trim_end_matches('/');
        if !members.iter().any(|m| m == dir) {
            problems.push(format!(
                "docs/ARCHITECTURE.md:{}: the Crates table lists `{}` at `{}`, which is not a workspace member: remove the row or add `\"{dir}\"` to `members` in Cargo.toml",
                row.line, row.name, row.path
            ));
            continue;
        }
        let Ok(text) = fs::read_to_string(repo.join(dir).join("Cargo.toml")) else {
            problems.push(format!("docs/ARCHITECTURE.md:{}: `{}Cargo.toml` does not exist", row.line, row.path));
            continue;
        };
        let m = parse_manifest(&text);
        if m.name != row.name {
            problems.push(format!(
                "docs/ARCHITECTURE.md:{}: the crate at `{}` is named `{}` in its Cargo.toml, not `{}`: correct the row",
                row.line, row.path, m.name, row.name
            ));
        }
        manifests.insert(row.name.clone(), m);
    }

    // Dependency directions.
    let names: BTreeSet<String> = arch.crates.iter().map(|c| c.name.clone()).collect();
    for row in &arch.crates {
        for allowed in &row.may_depend_on {
            if !names.contains(allowed) {
                problems.push(format!(
                    "docs/ARCHITECTURE.md:{}: `{}` may depend on `{allowed}`, which is not a crate of the table: fix the \"may depend on\" cell",
                    row.line, row.name
                ));
            }
        }
        let Some(m) = manifests.get(&row.name).filter(|_| !arch.no_direction_column) else { continue };
        for dep in m.deps.iter().filter(|d| names.contains(*d)) {
            if !row.may_depend_on.contains(dep) {
                problems.push(format!(
                    "{}Cargo.toml depends on `{dep}`, which docs/ARCHITECTURE.md does not allow for `{}`: if the direction is intended, add `{dep}` to the \"may depend on\" cell of `{}` (line {}); otherwise remove the dependency",
                    row.path, row.name, row.name, row.line
                ));
            }
        }
    }
    // The allowed directions must not form a cycle.
    let allowed: BTreeMap<&str, &BTreeSet<String>> =
        arch.crates.iter().map(|c| (c.name.as_str(), &c.may_depend_on)).collect();
    fn find_cycle<'a>(
        n: &'a str,
        allowed: &BTreeMap<&'a str, &'a BTreeSet<String>>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|s| *s == n) {
            let mut c: Vec<String> = stack[at..].iter().map(|s| s.to_string()).collect();
            c.push(n.to_owned());
            return Some(c);
        }
        if !done.insert(n) {
            return None;
        }
        stack.push(n);
        for d in allowed.get(n).into_iter().flat_map(|s| s.iter()) {
            if let Some(c) = find_cycle(d.as_str(), allowed, stack, done) {
                return Some(c);
            }
        }
        stack.pop();
        None
    }
    let mut done = BTreeSet::new();
    for n in allowed.keys() {
        if let Some(c) = find_cycle(n, &allowed, &mut Vec::new(), &mut done) {
            problems.push(format!(
                "docs/ARCHITECTURE.md: the \"may depend on\" cells form a cycle ({}): dependencies must point one way",
                c.join(" -> ")
            ));
            break;
        }
    }

    // Modules, docs, unsafe, lints.
    for row in &arch.crates {
        let dir = row.path.trim_end_matches('/');
        let src = repo.join(dir).join("src");
        if !src.is_dir() {
            continue;
        }
        let mut files = Vec::new();
        rust_files(&src, &src, &mut files);
        let mut everything = Vec::new();
        all_files(&src, &src, &mut everything);
        let section = format!("## `{dir}/src/`");
        match arch.modules.get(&format!("{dir}/")) {
            None => problems.push(format!(
                "docs/ARCHITECTURE.md has no module table for `{}`: add a section `{section}` with a `| module | role |` table listing {}",
                row.name,
                files.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ")
            )),
            Some(rows) => {
                let listed: BTreeSet<&str> = rows.iter().map(|r| r.path.as_str()).collect();
                for f in &files {
                    if !listed.contains(f.as_str()) {
                        problems.push(format!(
                            "`{dir}/src/{f}` is not listed in docs/ARCHITECTURE.md: add the row \"| `{f}` | <its role, one line> |\" to the table under \"{section}\""
                        ));
                    }
                }
                for r in rows {
                    let p = r.path.as_str();
                    let exists = if p.contains('<') {
                        true
                    } else if p.contains('*') {
                        everything.iter().any(|f| glob_match(p, f))
                    } else if let Some(d) = p.strip_suffix('/') {
                        src.join(d).is_dir()
                    } else {
                        src.join(p).is_file()
                    };
                    if !exists {
                        problems.push(format!(
                            "docs/ARCHITECTURE.md:{}: `{dir}/src/{p}` does not exist: remove the row or correct its path",
                            r.line
                        ));
                    }
                }
            }
        }
        let mut any_unsafe = false;
        for f in &files {
            let text = fs::read_to_string(src.join(f)).unwrap();
            if !has_module_doc(&text) {
                problems.push(format!(
                    "`{dir}/src/{f}` has no module doc: start the file with a `//!` comment saying what the module does"
                ));
            }
            any_unsafe |= uses_unsafe(&text);
        }
        if !any_unsafe {
            for root in ["lib.rs", "main.rs"] {
                let p = src.join(root);
                if p.is_file() && !fs::read_to_string(&p).unwrap().contains("#![forbid(unsafe_code)]") {
                    problems.push(format!(
                        "`{dir}/src/{root}` lacks `#![forbid(unsafe_code)]`: `{}` has no unsafe code, so add it after the crate doc",
                        row.name
                    ));
                }
            }
        }
        if let Some(m) = manifests.get(&row.name) {
            if !m.lints_workspace {
                problems.push(format!(
                    "`{dir}/Cargo.toml` does not inherit the workspace lints: add `[lints]` with `workspace = true`"
                ));
            }
        }
    }
    problems
}

#[test]
fn architecture_matches_the_code() {
    let problems = tidy(&repo());
    assert!(
        problems.is_empty(),
        "docs/ARCHITECTURE.md and the code disagree ({} problems):\n{}",
        problems.len(),
        problems.iter().enumerate().map(|(i, p)| format!("{:>3}. {p}", i + 1)).collect::<Vec<_>>().join("\n")
    );
}

// --- the checks themselves, on a small made-up repository ------------------

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

/// A tidy two-crate workspace: `app` depends on `lib`.
fn fake_repo() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    write(r, "Cargo.toml", "[workspace]\nmembers = [\"app\", \"lib\"]\n");
    write(
        r,
        "app/Cargo.toml",
        "[package]\nname = \"x-app\"\n\n[dependencies]\nx-lib = { path = \"../lib\" }\n\n[lints]\nworkspace = true\n",
    );
    write(r, "app/src/main.rs", "//! The app.\n#![forbid(unsafe_code)]\nfn main() {}\n");
    write(r, "lib/Cargo.toml", "[package]\nname = \"x-lib\"\n\n[lints]\nworkspace = true\n");
    write(r, "lib/src/lib.rs", "//! The lib.\n#![forbid(unsafe_code)]\nmod a;\n");
    write(r, "lib/src/a/mod.rs", "//! A.\n");
    write(r, "lib/src/a/b.rs", "//! B.\n");
    write(
        r,
        "docs/ARCHITECTURE.md",
        "# A\n\n## Crates\n\n| crate | path | may depend on | what it is |\n|---|---|---|---|\n\
         | `x-app` | `app/` | `x-lib` | the app |\n| `x-lib` | `lib/` | — | the lib |\n\n\
         ## `app/src/`\n\n| module | role |\n|---|---|\n| `main.rs` | entry |\n\n\
         ## `lib/src/`\n\n| module | role |\n|--------|------|\n| `lib.rs` | root |\n| `a/mod.rs` | a |\n| `a/b.rs` | b |\n| `a/<x>.rs` | one per x |\n",
    );
    d
}

fn problems_of(edit: impl FnOnce(&Path)) -> Vec<String> {
    let d = fake_repo();
    edit(d.path());
    tidy(d.path())
}

fn one_problem(edit: impl FnOnce(&Path), expect: &str) {
    let p = problems_of(edit);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(p[0].contains(expect), "`{}` does not contain `{expect}`", p[0]);
}

#[test]
fn a_tidy_repository_passes() {
    assert_eq!(problems_of(|_| {}), Vec::<String>::new());
}

#[test]
fn finds_an_unlisted_module() {
    one_problem(
        |r| write(r, "lib/src/a/c.rs", "//! C.\n"),
        "`lib/src/a/c.rs` is not listed in docs/ARCHITECTURE.md: add the row \"| `a/c.rs` | <its role, one line> |\" to the table under \"## `lib/src/`\"",
    );
}

#[test]
fn finds_a_listed_path_that_is_gone() {
    one_problem(|r| fs::remove_file(r.join("lib/src/a/b.rs")).unwrap(), "`lib/src/a/b.rs` does not exist");
}

#[test]
fn finds_a_module_without_doc() {
    one_problem(|r| write(r, "lib/src/a/b.rs", "// not a doc\npub fn f() {}\n"), "`lib/src/a/b.rs` has no module doc");
}

#[test]
fn finds_a_dependency_against_the_direction() {
    one_problem(
        |r| {
            write(
                r,
                "lib/Cargo.toml",
                "[package]\nname = \"x-lib\"\n\n[dependencies]\nx-app.workspace = true\n\n[lints]\nworkspace = true\n",
            )
        },
        "lib/Cargo.toml depends on `x-app`, which docs/ARCHITECTURE.md does not allow for `x-lib`",
    );
}

#[test]
fn finds_a_cycle_in_the_allowed_directions() {
    one_problem(
        |r| {
            let a = fs::read_to_string(r.join("docs/ARCHITECTURE.md")).unwrap();
            write(r, "docs/ARCHITECTURE.md", &a.replace("| `lib/` | — |", "| `lib/` | `x-app` |"));
        },
        "form a cycle (x-app -> x-lib -> x-app)",
    );
}

#[test]
fn finds_a_member_without_row_and_a_crate_without_module_table() {
    let p = problems_of(|r| {
        write(r, "Cargo.toml", "[workspace]\nmembers = [\"app\", \"lib\", \"new\"]\n");
        write(r, "new/Cargo.toml", "[package]\nname = \"x-new\"\n\n[lints]\nworkspace = true\n");
        write(r, "new/src/lib.rs", "//! New.\n#![forbid(unsafe_code)]\n");
    });
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(p[0].contains("add the row \"| `x-new` | `new/` |"), "{}", p[0]);
}

#[test]
fn finds_a_missing_forbid_and_missing_lints() {
    let p = problems_of(|r| {
        write(r, "app/src/main.rs", "//! The app.\nfn main() {}\n");
        write(r, "lib/Cargo.toml", "[package]\nname = \"x-lib\"\n");
    });
    assert_eq!(p.len(), 2, "{p:#?}");
    assert!(p[0].contains("`app/src/main.rs` lacks `#![forbid(unsafe_code)]`"), "{}", p[0]);
    assert!(p[1].contains("`lib/Cargo.toml` does not inherit the workspace lints"), "{}", p[1]);
}

#[test]
fn a_crate_with_unsafe_needs_no_forbid() {
    let p = problems_of(|r| {
        write(r, "lib/src/lib.rs", "//! The lib.\nmod a;\npub fn f() { unsafe { g() } }\n");
    });
    assert_eq!(p, Vec::<String>::new());
}

#[test]
fn globs_and_directories_must_match_something() {
    let p = problems_of(|r| {
        let a = fs::read_to_string(r.join("docs/ARCHITECTURE.md")).unwrap();
        write(r, "docs/ARCHITECTURE.md", &format!("{a}| `schemas/*.json` | s |\n| `gone/` | g |\n"));
    });
    assert_eq!(p.len(), 2, "{p:#?}");
    assert!(p[0].contains("`lib/src/schemas/*.json` does not exist"), "{}", p[0]);
    assert!(p[1].contains("`lib/src/gone/` does not exist"), "{}", p[1]);
    let p = problems_of(|r| {
        let a = fs::read_to_string(r.join("docs/ARCHITECTURE.md")).unwrap();
        write(r, "docs/ARCHITECTURE.md", &format!("{a}| `schemas/*.json` | s |\n| `a/` | g |\n"));
        write(r, "lib/src/schemas/x.json", "{}");
    });
    assert_eq!(p, Vec::<String>::new());
}
