//! `scapc decompile DS -o DIR`: a source data stream back into a content
//! tree that `scapc build` turns into an equivalent data stream
//! (docs/decompile.md). The tree is written as one all-or-nothing set.

use crate::ds_cmd::{fail, read_text};
use clap::{Args, ValueEnum};
use scapc_diagnostics::{Diagnostic, Location};
use scapc_output::{write_set, Mode, SetFile, SetOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DecompileFormat {
    Text,
    Json,
}

#[derive(Args)]
#[command(after_help = "Examples:
  scapc decompile /usr/share/xml/scap/ssg/content/ssg-debian11-ds.xml -o debian11-src
  scapc build -C debian11-src -o build
  scapc decompile vendor-ds.xml -o src --benchmark xccdf_com.example_benchmark_X --format json")]
pub struct DecompileArgs {
    /// The source data stream to decompile
    pub ds: PathBuf,
    /// The directory to write the content tree into (created if missing;
    /// it must be empty unless --force)
    #[arg(long, short = 'o')]
    pub out: PathBuf,
    /// Decompile this benchmark (full or short id) when the data stream has several
    #[arg(long)]
    pub benchmark: Option<String>,
    /// Write into a directory that is not empty, replacing files of the same name
    #[arg(long)]
    pub force: bool,
    /// text, or json (the summary: counts and what was not kept)
    #[arg(long, value_enum, default_value = "text")]
    pub format: DecompileFormat,
}

fn non_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).map(|mut d| d.next().is_some()).unwrap_or(false)
}

pub fn run(a: DecompileArgs) -> ExitCode {
    if non_empty(&a.out) && !a.force {
        return fail(
            Diagnostic::error("D0020", "the output directory is not empty")
                .at_file(&a.out)
                .hint("choose an empty or new directory, or pass --force to write into it"),
        );
    }
    let text = match read_text(&a.ds) {
        Ok(t) => t,
        Err(d) => return fail(d),
    };
    let opts = scapc_decompile::Options { benchmark: a.benchmark.clone() };
    let tree = match scapc_decompile::decompile(&text, &opts) {
        Ok(t) => t,
        Err(e) => {
            let d = Diagnostic::error("D0021", format!("cannot decompile: {}", e.message));
            let d = if e.line > 0 { d.at(Location::at(&a.ds, e.line, e.col)) } else { d.at_file(&a.ds) };
            return fail(d);
        }
    };
    let files: Vec<SetFile> = tree
        .files
        .iter()
        .map(|(name, data)| SetFile { name: name.clone(), data: data.as_bytes().to_vec(), mode: Mode::Public })
        .collect();
    if let Err(e) = std::fs::create_dir_all(&a.out) {
        return fail(Diagnostic::error("D0022", format!("cannot create the directory: {e}")).at_file(&a.out));
    }
    let opts = SetOptions { overwrite: a.force, skip_unchanged: false };
    if let Err(e) = write_set(&a.out, &files, &opts) {
        return fail(Diagnostic::error("D0022", format!("nothing was written: {e}")).at_file(&a.out));
    }
    let s = &tree.summary;
    match a.format {
        DecompileFormat::Json => {
            let v = serde_json::json!({ "out": a.out.display().to_string(), "files": files.len(), "summary": s });
            crate::out::write_str(&format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default()));
        }
        DecompileFormat::Text => crate::out::write_str(&summary_text(&a.out, files.len(), s)),
    }
    ExitCode::SUCCESS
}

fn summary_text(out: &Path, files: usize, s: &scapc_decompile::Summary) -> String {
    let mut t = format!(
        "decompiled {} into {} ({files} files): product {}, namespace {}\n  {} groups, {} rules, {} values, {} profiles, {} platforms; {} OVAL checks, {} OCIL checks, {} fixes\n",
        s.benchmark,
        out.display(),
        s.product,
        s.namespace,
        s.groups,
        s.rules,
        s.values,
        s.profiles,
        s.platforms,
        s.oval_checks,
        s.ocil_checks,
        s.fixes
    );
    for b in &s.other_benchmarks {
        t.push_str(&format!("  not decompiled (choose with --benchmark): {b}\n"));
    }
    if !s.lost.is_empty() {
        t.push_str("not kept or normalized:\n");
        for (what, n) in &s.lost {
            t.push_str(&format!("  {n:>6}  {what}\n"));
        }
    }
    t
}
