//! `kctl completion SHELL`: scripts generated from the same clap definition as the parser,
//! so they never drift from the flags (the committed copies in completions/ are checked by
//! a test).

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, CommandFactory, ValueEnum};
use clap_complete::Shell;

#[derive(Args, Debug, Clone)]
pub struct CompletionArgs {
    /// The shell: bash, zsh, fish or powershell.
    pub shell: CompletionShell,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl From<CompletionShell> for Shell {
    fn from(shell: CompletionShell) -> Shell {
        match shell {
            CompletionShell::Bash => Shell::Bash,
            CompletionShell::Zsh => Shell::Zsh,
            CompletionShell::Fish => Shell::Fish,
            CompletionShell::Powershell => Shell::PowerShell,
        }
    }
}

/// The completion script for `shell`.
pub fn script(shell: CompletionShell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(Shell::from(shell), &mut super::Cli::command(), "kctl", &mut out);
    out
}

pub fn run(args: &CompletionArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    out.write_all(&script(args.shell))?;
    Ok(ExitCode::SUCCESS)
}
