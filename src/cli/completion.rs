//! `kctl completion SHELL`: the script that registers kctl's completion with the shell.
//! The script calls kctl back for every completion (`KCTL_COMPLETE=<shell> kctl -- <words>`),
//! which answers from the same clap definition as the parser (verbs, flags) and from the
//! cluster (types, names; see `complete.rs`), like kubectl's cobra `__complete`. The
//! committed copies in completions/ are checked by a test.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use clap_complete::env::{Bash, EnvCompleter, Fish, Powershell, Zsh};

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

/// The environment variable the scripts set to ask kctl for completions.
pub const COMPLETE_VAR: &str = "KCTL_COMPLETE";

/// The completion script for `shell`.
pub fn script(shell: CompletionShell) -> Vec<u8> {
    let completer: &dyn EnvCompleter = match shell {
        CompletionShell::Bash => &Bash,
        CompletionShell::Zsh => &Zsh,
        CompletionShell::Fish => &Fish,
        CompletionShell::Powershell => &Powershell,
    };
    let mut out = Vec::new();
    // Writing into memory cannot fail.
    let _ = completer.write_registration(COMPLETE_VAR, "kctl", "kctl", "kctl", &mut out);
    out
}

pub fn run(args: &CompletionArgs, out: &mut impl Write) -> anyhow::Result<ExitCode> {
    out.write_all(&script(args.shell))?;
    Ok(ExitCode::SUCCESS)
}
