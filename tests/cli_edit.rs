//! `kctl edit` beside the real `kubectl edit` (v1.32): each runs on its own fresh server
//! with a small shell script as the editor, which keeps a copy of every file it is
//! given and applies a `sed` program to it. Outputs, exit codes, the files the editor
//! saw and the objects left behind must match.

mod cli_common;
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use cli_common::{kctl_home, mask, masked_object, start_fixture};
use support::{stderr, stdout, TestServer};

const EDITOR_SCRIPT: &str = r#"#!/bin/sh
# Keeps each file it is asked to edit as seen-N, then edits it with $EDIT_SED.
n=$(ls "$EDIT_LOG" | wc -l)
cp "$1" "$EDIT_LOG/seen-$((n + 1))"
if [ -n "$EDIT_SED" ]; then sed -i "$EDIT_SED" "$1"; fi
"#;

/// One tool's edit run: its output and the files its editor was given, in order.
struct EditRun {
    output: Output,
    seen: Vec<String>,
}

fn editor_script(server: &TestServer) -> PathBuf {
    let path = server.dir.path().join("editor.sh");
    std::fs::write(&path, EDITOR_SCRIPT).expect("editor script");
    let status = Command::new("chmod").arg("+x").arg(&path).status().expect("chmod");
    assert!(status.success());
    path
}

fn run_edit(server: &TestServer, program: &str, home: &Path, args: &[&str], editor_env: &str, sed: &str) -> EditRun {
    let log = server.dir.path().join(format!("edit-log-{}", program.rsplit('/').next().unwrap_or(program)));
    let _ = std::fs::remove_dir_all(&log);
    std::fs::create_dir_all(&log).expect("edit log dir");
    let output = Command::new(program)
        .args(args)
        .env("KUBECONFIG", &server.kubeconfig)
        .env("HOME", home)
        .env_remove("KUBE_EDITOR")
        .env_remove("EDITOR")
        .env(editor_env, editor_script(server))
        .env("EDIT_LOG", &log)
        .env("EDIT_SED", sed)
        .env_remove("KUBECONFIG_FILE_ONLY")
        .stdin(Stdio::null())
        .output()
        .expect("run edit");
    let mut seen = Vec::new();
    for n in 1.. {
        match std::fs::read_to_string(log.join(format!("seen-{n}"))) {
            Ok(text) => seen.push(masked(&text)),
            Err(_) => break,
        }
    }
    EditRun { output, seen }
}

/// Also masks the temp file's name (`kubectl-edit-123.yaml` / `kctl-edit-456.yaml`).
fn masked(text: &str) -> String {
    let temp = regex::Regex::new(r"(kubectl|kctl)-edit-\d+").expect("pattern");
    mask(&temp.replace_all(text, "<program>-edit-<n>"))
}

/// Runs `kubectl edit` and `kctl edit` with the same editor on two fresh fixture servers,
/// compares everything, and returns kctl's run.
fn same_edit_as_kubectl(args: &[&str], editor_env: &str, sed: &str, objects: &[&str]) -> EditRun {
    let reference = start_fixture();
    let ours = start_fixture();
    let expected = run_edit(&reference, "kubectl", reference.dir.path(), args, editor_env, sed);
    let actual = run_edit(&ours, env!("CARGO_BIN_EXE_kctl"), &kctl_home(&ours), args, editor_env, sed);
    assert_eq!(masked(&stdout(&actual.output)), masked(&stdout(&expected.output)), "stdout of {args:?}");
    assert_eq!(masked(&stderr(&actual.output)), masked(&stderr(&expected.output)), "stderr of {args:?}");
    assert_eq!(actual.output.status.code(), expected.output.status.code(), "exit code of {args:?}");
    assert_eq!(actual.seen, expected.seen, "files the editor was given for {args:?}");
    for what in objects {
        assert_eq!(masked_object(&ours, what), masked_object(&reference, what), "{what} after {args:?}");
    }
    actual
}

#[test]
fn an_edited_image_is_patched_and_reported() {
    let run = same_edit_as_kubectl(
        &["edit", "deployment", "web"],
        "KUBE_EDITOR",
        "s/image: nginx$/image: nginx:1.27/",
        &["deploy/web"],
    );
    assert_eq!(stdout(&run.output), "deployment.apps/web edited\n");
    assert!(run.seen[0].starts_with("# Please edit the object below."), "{}", run.seen[0]);
}

#[test]
fn type_slash_name_and_json_output_edit_a_config_map() {
    let run = same_edit_as_kubectl(
        &["edit", "cm/settings", "-o", "json"],
        "EDITOR",
        r#"s/"mode": "test"/"mode": "prod"/"#,
        &["cm/settings"],
    );
    // With -o, kubectl prints the edited object in that format.
    assert!(stdout(&run.output).contains("\"mode\": \"prod\""), "{}", stdout(&run.output));
}

#[test]
fn an_unchanged_file_cancels_the_edit() {
    let run = same_edit_as_kubectl(&["edit", "svc", "web"], "EDITOR", "", &["svc/web"]);
    assert_eq!(stderr(&run.output), "Edit cancelled, no changes made.\n");
    assert_eq!(run.output.status.code(), Some(0));
}

#[test]
fn an_invalid_edit_reopens_with_the_causes_then_gives_up() {
    let run = same_edit_as_kubectl(
        &["edit", "deploy/web"],
        "KUBE_EDITOR",
        "s/^  replicas: 0/  replicas: -1/",
        &["deploy/web"],
    );
    assert_eq!(run.output.status.code(), Some(1));
    assert_eq!(run.seen.len(), 2, "the file is reopened once");
    assert!(
        run.seen[1].contains(
            "# deployments.apps \"web\" was not valid:\n# * spec.replicas: Invalid value: -1: must be greater than or equal to 0\n#\n"
        ),
        "{}",
        run.seen[1]
    );
    assert!(stderr(&run.output).ends_with("error: Edit cancelled, no valid changes were saved.\n"));
}

#[test]
fn edit_of_a_missing_object_fails_as_kubectl() {
    same_edit_as_kubectl(&["edit", "deploy", "nope"], "EDITOR", "", &[]);
}

/// kubectl validates a multi-object edit (a `List`) against `/openapi/v2`, which kctl's
/// server does not serve, so this case checks kctl alone, against kubectl's documented
/// behaviour: one `List` in the editor, unchanged items skipped, changed ones patched.
#[test]
fn several_objects_are_edited_as_one_list() {
    let server = start_fixture();
    let run = run_edit(
        &server,
        env!("CARGO_BIN_EXE_kctl"),
        &kctl_home(&server),
        &["edit", "deploy/web", "svc/web"],
        "EDITOR",
        "s/team: blue/team: green/",
    );
    assert_eq!(run.output.status.code(), Some(0), "{}", stderr(&run.output));
    assert_eq!(run.seen.len(), 1);
    assert!(run.seen[0].contains("\nitems:\n- apiVersion: apps/v1\n"), "{}", run.seen[0]);
    assert!(run.seen[0].contains("\nkind: List\nmetadata: {}\n"), "{}", run.seen[0]);
    assert_eq!(stdout(&run.output), "deployment.apps/web skipped\nservice/web edited\n");
    let team = server.kubectl_ok(&["get", "svc", "web", "-o", "jsonpath={.metadata.annotations.team}"]);
    assert_eq!(team, "green");
}
