//! `scapc man [-o DIR]`: manual pages generated from the clap definitions
//! (clap_mangen): `scapc.1` and one `scapc-<sub>.1` per visible subcommand.

use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct ManArgs {
    /// Write every page into this directory (created if missing) [default:
    /// print scapc.1 on stdout]
    #[arg(long, short = 'o', value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Every page, `(file name, roff text)`: the command, then its visible
/// subcommands depth first.
pub fn pages(cmd: clap::Command) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    fn walk(cmd: clap::Command, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
        let man = clap_mangen::Man::new(cmd.clone());
        let mut buf = Vec::new();
        man.render(&mut buf)?;
        out.push((man.get_filename(), buf));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub.clone(), out)?;
        }
        Ok(())
    }
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut out = Vec::new();
    walk(cmd, &mut out)?;
    Ok(out)
}

pub fn run(a: ManArgs) -> ExitCode {
    let pages = match pages(crate::command()) {
        Ok(p) => p,
        Err(e) => return crate::eval_cmd::err(format!("rendering the manual pages: {e}")),
    };
    let Some(dir) = a.out else {
        if let Some((_, text)) = pages.first() {
            crate::out::write_bytes(text);
        }
        return ExitCode::SUCCESS;
    };
    let files: Vec<scapc_output::SetFile> = pages
        .into_iter()
        .map(|(name, data)| scapc_output::SetFile { name, data, mode: scapc_output::Mode::Public })
        .collect();
    let o = scapc_output::SetOptions { overwrite: true, skip_unchanged: false };
    if let Err(e) = scapc_output::write_set(&dir, &files, &o) {
        return crate::eval_cmd::err(format!("{}: {e}", dir.display()));
    }
    status!("wrote {} manual pages into {}", files.len(), dir.display());
    ExitCode::SUCCESS
}
