//! Plugins as kubectl finds them: `kctl foo …` runs `kubectl-foo` (or `kctl-foo`) from the
//! PATH, `plugin list` lists them with kubectl's warnings; each beside the real kubectl.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A PATH of two plugin directories (the second shadowed by the first) and a missing one.
struct Plugins {
    _dir: tempfile::TempDir,
    path: String,
}

fn write_plugin(dir: &Path, name: &str, body: &str, mode: u32) {
    let file = dir.join(name);
    std::fs::write(&file, format!("#!/bin/sh\n{body}\n")).expect("write plugin");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).expect("chmod plugin");
}

fn plugins(with_kctl_ones: bool) -> Plugins {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    std::fs::create_dir_all(&first).expect("mkdir");
    std::fs::create_dir_all(&second).expect("mkdir");
    write_plugin(&first, "kubectl-foo", r#"echo "foo: $*""#, 0o755);
    write_plugin(&first, "kubectl-foo-bar", r#"echo "foo-bar: $*"; exit 7"#, 0o755);
    write_plugin(&first, "kubectl-create-thing", r#"echo "create-thing: $*""#, 0o755);
    write_plugin(&first, "kubectl-get", "echo get", 0o755);
    write_plugin(&first, "kubectl-lazy", "echo lazy", 0o644);
    write_plugin(&second, "kubectl-foo", "echo shadowed", 0o755);
    if with_kctl_ones {
        write_plugin(&second, "kctl-hello", r#"echo "hello from kctl-hello: $*""#, 0o755);
    }
    let missing = dir.path().join("missing");
    let path = [first, second, missing].iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(":");
    Plugins { _dir: dir, path }
}

fn kubectl_binary() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|d| d.join("kubectl")).find(|p| p.is_file()).expect("kubectl on the PATH")
}

fn run(binary: &Path, plugins: &Plugins, args: &[&str]) -> Output {
    Command::new(binary)
        .args(args)
        .env("PATH", &plugins.path)
        .env("KUBECONFIG", "/nonexistent/kubeconfig")
        .output()
        .expect("run")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// kubectl names itself in command paths and error texts; kctl names itself.
fn as_kubectl(text: &str) -> String {
    text.replace("\"kctl ", "\"kubectl ").replace("for \"kctl\"", "for \"kubectl\"")
}

fn same_as_kubectl(plugins: &Plugins, args: &[&str]) -> Output {
    let kctl = run(Path::new(env!("CARGO_BIN_EXE_kctl")), plugins, args);
    let kubectl = run(&kubectl_binary(), plugins, args);
    assert_eq!(text(&kctl.stdout), text(&kubectl.stdout), "stdout of {args:?}");
    assert_eq!(as_kubectl(&text(&kctl.stderr)), text(&kubectl.stderr), "stderr of {args:?}");
    assert_eq!(kctl.status.code(), kubectl.status.code(), "exit code of {args:?}");
    kctl
}

#[test]
fn a_plugin_runs_with_the_remaining_words_and_its_exit_code() {
    let plugins = plugins(false);
    let out = same_as_kubectl(&plugins, &["foo", "a", "--flag", "b"]);
    assert_eq!(text(&out.stdout), "foo: a --flag b\n");
    let out = same_as_kubectl(&plugins, &["foo", "bar", "x"]);
    assert_eq!(text(&out.stdout), "foo-bar: x\n");
    assert_eq!(out.status.code(), Some(7));
}

#[test]
fn create_takes_subcommand_plugins_only_for_unknown_generators() {
    let plugins = plugins(false);
    let out = same_as_kubectl(&plugins, &["create", "thing", "--x=1"]);
    assert_eq!(text(&out.stdout), "create-thing: --x=1\n");
}

#[test]
fn flags_before_the_plugin_name_and_unknown_commands_are_refused_as_kubectl() {
    let plugins = plugins(false);
    let out = same_as_kubectl(&plugins, &["-n", "x", "foo"]);
    assert_eq!(text(&out.stderr), "Error: flags cannot be placed before plugin name: -n\n");
    let out = same_as_kubectl(&plugins, &["nosuchverb"]);
    assert!(!out.status.success());
}

#[test]
fn plugin_list_shows_paths_and_warnings_as_kubectl() {
    let plugins = plugins(false);
    let out = same_as_kubectl(&plugins, &["plugin", "list"]);
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("The following compatible plugins are available:\n\n"), "{stdout}");
    let stderr = text(&out.stderr);
    assert!(stderr.contains("kubectl-get overwrites existing command: \"kctl get\""), "{stderr}");
    assert!(stderr.contains("kubectl-create-thing overwrites existing command: \"kctl create\""), "{stderr}");
    assert!(stderr.contains("is overshadowed by a similarly named plugin"), "{stderr}");
    assert!(stderr.contains("identified as a kubectl plugin, but it is not executable"), "{stderr}");
    assert!(stderr.ends_with("error: 4 plugin warnings were found\n"), "{stderr}");
    let out = same_as_kubectl(&plugins, &["plugin", "list", "--name-only"]);
    assert!(text(&out.stdout).contains("\nkubectl-foo-bar\n"));
}

#[test]
fn kctl_finds_its_own_prefix_too() {
    let plugins = plugins(true);
    let out = run(Path::new(env!("CARGO_BIN_EXE_kctl")), &plugins, &["hello", "world"]);
    assert_eq!(text(&out.stdout), "hello from kctl-hello: world\n");
    assert!(out.status.success());
    let out = run(Path::new(env!("CARGO_BIN_EXE_kctl")), &plugins, &["plugin", "list", "--name-only"]);
    assert!(text(&out.stdout).contains("\nkctl-hello\n"), "{}", text(&out.stdout));
}

#[test]
fn an_empty_path_has_no_plugins() {
    let dir = tempfile::tempdir().expect("tempdir");
    let plugins = Plugins { path: dir.path().display().to_string(), _dir: dir };
    let out = same_as_kubectl(&plugins, &["plugin", "list"]);
    assert_eq!(text(&out.stderr), "error: unable to find any kubectl plugins in your PATH\n");
    assert_eq!(out.status.code(), Some(1));
}
