//! `scapc-synth`: writes a synthetic content tree of N rules shaped like
//! real content, for benchmarks. It copies the repository's templates,
//! macros, platforms and products, then generates nested groups, rules
//! (mostly templated with the catalog templates, about a tenth with
//! hand-written OVAL, some of which extend another rule's definition),
//! Values with several selectors, bash fixes and three profiles (one
//! extending another). Output is deterministic for a seed.
//!
//! Usage: scapc-synth --rules N --out DIR [--seed S] [--from REPO_ROOT]
#![forbid(unsafe_code)]

mod data;
mod gen;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let t = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &t)?;
        } else {
            std::fs::copy(e.path(), t)?;
        }
    }
    Ok(())
}

/// Writes the generated files under `out`, creating directories first and
/// then writing the files from a few threads.
fn write_tree(out: &Path, files: &[(PathBuf, String)]) -> std::io::Result<()> {
    let dirs: BTreeSet<&Path> = files.iter().filter_map(|(p, _)| p.parent()).collect();
    for d in &dirs {
        std::fs::create_dir_all(out.join(d))?;
    }
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8);
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || -> std::io::Result<()> {
                    for (p, c) in part {
                        std::fs::write(out.join(p), c)?;
                    }
                    Ok(())
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| h.join().expect("writer thread panicked"))
    })
}

/// Generates the tree and writes it, with the repository parts copied
/// from `from`.
pub fn run(out: &Path, from: &Path, rules: usize, seed: u64) -> std::io::Result<gen::Summary> {
    for d in ["rules", "profiles"] {
        if out.join(d).exists() {
            return Err(std::io::Error::other(format!(
                "{} already exists; give an empty or new --out directory",
                out.join(d).display()
            )));
        }
    }
    for d in ["templates", "macros", "applicability", "products"] {
        copy_dir(&from.join(d), &out.join(d))?;
    }
    let tree = gen::generate(rules, seed);
    write_tree(out, &tree.files)?;
    Ok(tree.summary)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut rules: Option<usize> = None;
    let mut out: Option<PathBuf> = None;
    let mut seed = 1u64;
    let mut from = PathBuf::from(".");
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a.as_str(), None),
        };
        let mut val = |name: &str| {
            inline.clone().or_else(|| it.next().cloned()).unwrap_or_else(|| usage(&format!("{name} needs a value")))
        };
        match flag {
            "--rules" => rules = Some(val("--rules").parse().unwrap_or_else(|_| usage("--rules takes a number"))),
            "--out" => out = Some(PathBuf::from(val("--out"))),
            "--seed" => seed = val("--seed").parse().unwrap_or_else(|_| usage("--seed takes a number")),
            "--from" => from = PathBuf::from(val("--from")),
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown argument `{other}`")),
        }
    }
    let rules = rules.unwrap_or_else(|| usage("--rules is required"));
    let out = out.unwrap_or_else(|| usage("--out is required"));
    for d in ["templates", "macros", "applicability", "products"] {
        if !from.join(d).is_dir() {
            usage(&format!("{} has no {d}/: pass the repository root with --from", from.display()));
        }
    }
    let t0 = std::time::Instant::now();
    match run(&out, &from, rules, seed) {
        Ok(s) => eprintln!(
            "wrote {} rules ({} with hand-written OVAL, {} extending another definition, {} bash fixes), {} groups, {} values, 3 profiles to {} in {:.0} ms",
            s.rules,
            s.oval_rules,
            s.extends,
            s.bash_fixes,
            s.groups,
            s.values,
            out.display(),
            t0.elapsed().as_secs_f64() * 1000.0
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

fn usage(msg: &str) -> ! {
    if !msg.is_empty() {
        eprintln!("error: {msg}");
    }
    eprintln!("usage: scapc-synth --rules N --out DIR [--seed S] [--from REPO_ROOT]");
    eprintln!("  --rules N      number of rules to generate");
    eprintln!("  --out DIR      output directory (must not hold rules/ or profiles/ yet)");
    eprintln!("  --seed S       random seed (default 1); the same seed gives the same tree");
    eprintln!(
        "  --from DIR     repository root to copy templates/, macros/, applicability/ and products/ from (default .)"
    );
    std::process::exit(if msg.is_empty() { 0 } else { 2 });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn files(d: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        fn walk(base: &Path, d: &Path, v: &mut Vec<(PathBuf, Vec<u8>)>) {
            for e in std::fs::read_dir(d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    walk(base, &p, v);
                } else {
                    v.push((p.strip_prefix(base).unwrap().to_path_buf(), std::fs::read(&p).unwrap()));
                }
            }
        }
        let mut v = Vec::new();
        walk(d, d, &mut v);
        v.sort();
        v
    }

    #[test]
    fn writes_a_complete_deterministic_tree() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let s = run(a.path(), &repo(), 300, 7).unwrap();
        run(b.path(), &repo(), 300, 7).unwrap();
        assert_eq!(s.rules, 300);
        let fa = files(a.path());
        assert_eq!(fa, files(b.path()), "same seed, different trees");
        assert_eq!(fa.iter().filter(|(p, _)| p.ends_with("rule.yml")).count(), 300);
        assert!(a.path().join("products/debian12/product.yml").is_file());
        assert!(a.path().join("templates/sysctl/template.yml").is_file());
        assert!(a.path().join("profiles/synth_hardened.profile").is_file());
        // A second run into the same directory is refused.
        assert!(run(a.path(), &repo(), 300, 7).is_err());
    }
}
