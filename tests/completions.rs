//! The committed completion scripts in completions/ match what `kctl completion` prints.
//! Regenerate with `make completions` (KCTL_UPDATE_GOLDEN=1) and review the diff.

use std::path::Path;

use kctl::cli::completion::{script, CompletionShell};

#[test]
fn committed_completions_match_the_cli() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    let update = std::env::var_os("KCTL_UPDATE_GOLDEN").is_some();
    for (shell, file) in [
        (CompletionShell::Bash, "kctl.bash"),
        (CompletionShell::Zsh, "_kctl"),
        (CompletionShell::Fish, "kctl.fish"),
        (CompletionShell::Powershell, "_kctl.ps1"),
    ] {
        let path = dir.join(file);
        let generated = script(shell);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &generated).unwrap();
            continue;
        }
        let committed = std::fs::read(&path).unwrap_or_default();
        assert!(committed == generated, "{} is out of date: run `make completions`", path.display());
    }
}

#[test]
fn kctl_completion_prints_the_script() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kctl")).args(["completion", "bash"]).output().unwrap();
    assert!(output.status.success());
    assert_eq!(output.stdout, script(CompletionShell::Bash));
}

#[test]
fn kctl_node_without_its_arguments_is_a_usage_error() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kctl")).args(["node"]).output().unwrap();
    assert_ne!(output.status.code(), Some(0));
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("required arguments were not provided"), "{text}");
}
