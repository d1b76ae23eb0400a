//! `scapc diff A B`: the semantic difference of two data streams, benchmarks
//! or OVAL documents. Exit status as diff(1): 0 equal, 1 different, 2 trouble.

use crate::ds_cmd::read_text;
use clap::{Args, ValueEnum};
use scapc_diagnostics::{render_text, Diagnostic, Location, TextOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DiffFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Args)]
pub struct DiffArgs {
    /// The old document (source data stream, XCCDF benchmark or OVAL definitions)
    pub a: PathBuf,
    /// The new document
    pub b: PathBuf,
    /// text, json, or markdown (for a pull request comment)
    #[arg(long, value_enum, default_value = "text")]
    pub format: DiffFormat,
}

fn trouble(d: Diagnostic) -> ExitCode {
    err!("{}", render_text(&[d], &TextOptions { snippets: false, color: false }));
    ExitCode::from(2)
}

pub fn run(a: DiffArgs) -> ExitCode {
    let (ta, tb) = rayon::join(|| read_text(&a.a), || read_text(&a.b));
    let ta = match ta {
        Ok(t) => t,
        Err(d) => return trouble(d),
    };
    let tb = match tb {
        Ok(t) => t,
        Err(d) => return trouble(d),
    };
    let (na, nb) = (a.a.display().to_string(), a.b.display().to_string());
    let trees = match scapc_diff::parse_both(&ta, &tb) {
        Ok(t) => t,
        Err((side, e)) => {
            let path = if side == 0 { &a.a } else { &a.b };
            return trouble(
                Diagnostic::error("D0002", format!("cannot read the document: {}", e.message))
                    .at(Location::at(path, e.line, e.col)),
            );
        }
    };
    let report = scapc_diff::diff_trees(&na, &trees.0, &nb, &trees.1);
    let text = match a.format {
        DiffFormat::Text => scapc_diff::render::text(&report),
        DiffFormat::Json => scapc_diff::render::json(&report),
        DiffFormat::Markdown => scapc_diff::render::markdown(&report),
    };
    crate::out::write_str(&text);
    // The process ends now: freeing two parsed 24 MB documents piece by
    // piece (a tenth of the whole run) would only delay the exit.
    std::mem::forget((trees, ta, tb));
    if report.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
