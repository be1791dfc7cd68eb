//! Dynamic completion against a real `kctl server`: the completion entry point is called
//! as the shell scripts call it (`KCTL_COMPLETE=bash kctl -- <words>`), and the committed bash
//! script is sourced in a real bash that runs its completion function, as on a TAB.

mod cli_common;
mod support;

use std::path::Path;
use std::process::Command;

use cli_common::{kctl_home, start_fixture};
use support::{stderr, TestServer};

/// What kctl offers for the last of `words` (the word being completed).
fn complete(server: &TestServer, words: &[&str]) -> Vec<String> {
    let output = Command::new(env!("CARGO_BIN_EXE_kctl"))
        .arg("--")
        .args(words)
        .env("KCTL_COMPLETE", "bash")
        .env("_CLAP_IFS", "\n")
        .env("_CLAP_COMPLETE_INDEX", (words.len() - 1).to_string())
        .env("KUBECONFIG", &server.kubeconfig)
        .env("HOME", kctl_home(server))
        .env_remove("KUBECONFIG_FILE_ONLY")
        .output()
        .expect("run kctl completion");
    assert!(output.status.success(), "completion of {words:?}: {}", stderr(&output));
    String::from_utf8_lossy(&output.stdout).lines().filter(|l| !l.is_empty()).map(str::to_string).collect()
}

#[test]
fn types_come_from_discovery_and_names_from_the_namespace() {
    let server = start_fixture();
    let types = complete(&server, &["kctl", "get", ""]);
    for wanted in ["pods", "deployments.apps", "services", "configmaps"] {
        assert!(types.contains(&wanted.to_string()), "{wanted} in {types:?}");
    }
    assert!(types.iter().all(|t| !t.starts_with('-')), "flags only after a dash: {types:?}");
    assert_eq!(complete(&server, &["kctl", "get", "de"]), ["deployments.apps"]);
    assert_eq!(complete(&server, &["kctl", "get", "pods", ""]), ["p1"]);
    assert_eq!(complete(&server, &["kctl", "get", "pod/"]), ["pod/p1"]);
    assert_eq!(complete(&server, &["kctl", "describe", "deploy", "w"]), ["web"]);
    assert_eq!(complete(&server, &["kctl", "-n", "default", "edit", "svc", ""]), ["kubernetes", "web"]);
    // The namespace's own `kube-root-ca.crt` (the root CA publisher's) is a ConfigMap too.
    assert_eq!(complete(&server, &["kctl", "delete", "-o", "name", "cm", ""]), ["kube-root-ca.crt", "settings"]);
    assert_eq!(complete(&server, &["kctl", "label", "pods", "p1", ""]), Vec::<String>::new());
    assert_eq!(complete(&server, &["kctl", "logs", ""]), ["p1"]);
    assert_eq!(complete(&server, &["kctl", "annotate", "svc/"]), ["svc/kubernetes", "svc/web"]);
    assert_eq!(complete(&server, &["kctl", "get", "pods", "-n", "kube-system", ""]), Vec::<String>::new());
}

#[test]
fn verbs_with_few_types_offer_those_types() {
    let server = start_fixture();
    assert_eq!(
        complete(&server, &["kctl", "scale", ""]),
        ["deployment", "replicaset", "replicationcontroller", "statefulset"]
    );
    assert_eq!(complete(&server, &["kctl", "rollout", "status", "d"]), ["deployment", "daemonset"]);
    assert_eq!(complete(&server, &["kctl", "rollout", "history", "deployment", ""]), ["web"]);
    assert_eq!(complete(&server, &["kctl", "scale", "deployment/"]), ["deployment/web"]);
    let namespaces = complete(&server, &["kctl", "get", "pods", "-n", ""]);
    assert!(
        namespaces.contains(&"default".to_string()) && namespaces.contains(&"kube-system".to_string()),
        "{namespaces:?}"
    );
    let flags = complete(&server, &["kctl", "get", "--show-l"]);
    assert_eq!(flags, ["--show-labels"]);
    assert!(complete(&server, &["kctl", "g"]).contains(&"get".to_string()));
}

#[test]
fn the_bash_script_completes_pod_names_through_kctl() {
    let server = start_fixture();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/kctl.bash");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_kctl")).parent().expect("bin dir").to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let program = format!(
        r#"source {script}
COMP_WORDS=(kctl get pods "")
COMP_CWORD=3
COMP_TYPE=9
_clap_complete_kctl kctl "" pods
printf '%s\n' "${{COMPREPLY[@]}}""#,
        script = script.display()
    );
    let output = Command::new("bash")
        .args(["-c", &program])
        .env("PATH", path)
        .env("KUBECONFIG", &server.kubeconfig)
        .env("HOME", kctl_home(&server))
        .env_remove("KUBECONFIG_FILE_ONLY")
        .output()
        .expect("run bash");
    assert!(output.status.success(), "bash: {}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "p1\n");
}
