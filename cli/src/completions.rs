//! `scapc completions SHELL`: shell completion scripts, generated from the
//! clap definitions (clap_complete), so they follow every subcommand and flag.

use clap::{Args, ValueEnum};
use clap_complete::Shell;
use std::process::ExitCode;

/// The shells scapc writes completions for.
#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Elvish,
    Powershell,
}

#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to write completions for
    pub shell: ShellArg,
}

pub fn run(a: CompletionsArgs) -> ExitCode {
    let shell = match a.shell {
        ShellArg::Bash => Shell::Bash,
        ShellArg::Zsh => Shell::Zsh,
        ShellArg::Fish => Shell::Fish,
        ShellArg::Elvish => Shell::Elvish,
        ShellArg::Powershell => Shell::PowerShell,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut crate::command(), "scapc", &mut buf);
    crate::out::write_bytes(&buf);
    ExitCode::SUCCESS
}
