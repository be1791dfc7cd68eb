//! `kctl scale|label|annotate|patch|set env|logs` against a `kctl server` running the
//! apiserver alone, with the real kubectl v1.32 as the reference: each changing command
//! runs with kubectl on one fresh server and with kctl on another, and the outputs and
//! the resulting objects must match.

mod cli_common;
mod support;

use cli_common::{kctl, same_as_kubectl, same_change_as_kubectl, same_usage_error_as_kubectl, start_fixture};

#[test]
fn scale_matches_kubectl() {
    for args in [
        &["scale", "deployment/web", "--replicas=2"][..],
        &["scale", "deploy", "web", "--replicas=3", "--current-replicas=0"],
        &["scale", "deploy", "web", "--replicas=3", "--current-replicas=5"],
        &["scale", "deploy/nope", "--replicas=1"],
    ] {
        same_change_as_kubectl(start_fixture, args, &["deploy/web"]);
    }
}

#[test]
fn label_and_annotate_match_kubectl() {
    for args in [
        &["label", "pod", "p1", "env=prod"][..],
        &["label", "pod/p1", "app=api"],
        &["label", "pod/p1", "app=api", "--overwrite"],
        &["label", "pod/p1", "tier-"],
        &["label", "pod/p1", "nope-"],
        &["label", "pod/p1", "app=web"],
        &["label", "pod/p1", "a=b", "tier-", "--overwrite"],
        &["label", "pods", "--all", "x=y"],
        &["label", "deploy,svc", "-l", "app=web", "x=y"],
        &["label", "pods", "x=y"],
        &["label", "pod/nope", "x=y"],
        &["annotate", "svc", "web", "owner=me"],
        &["annotate", "svc/web", "team=red"],
        &["annotate", "svc/web", "team=red", "--overwrite"],
        &["annotate", "svc/web", "team-"],
        &["annotate", "pods", "--all", "note=hi"],
    ] {
        same_change_as_kubectl(start_fixture, args, &["pod/p1", "svc/web", "deploy/web"]);
    }
}

#[test]
fn patch_matches_kubectl() {
    for args in [
        &["patch", "deploy", "web", "-p", r#"{"spec":{"replicas":2}}"#][..],
        &["patch", "deploy/web", "--type", "merge", "-p", "spec: {replicas: 4}"],
        &["patch", "deploy/web", "--type=json", "-p", r#"[{"op":"replace","path":"/spec/replicas","value":5}]"#],
        &["patch", "deploy/web", "-p", r#"{"spec":{"replicas":0}}"#],
        &[
            "patch",
            "deploy/web",
            "-p",
            r#"{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:2"}]}}}}"#,
        ],
        &["patch", "cm/settings", "--type=merge", "-p", r#"{"data":{"mode":"prod"}}"#],
        &["patch", "deploy/nope", "-p", "{}"],
        &["patch", "deploy/web"],
    ] {
        same_change_as_kubectl(start_fixture, args, &["deploy/web", "cm/settings"]);
    }
}

#[test]
fn set_env_matches_kubectl() {
    for args in [
        &["set", "env", "deployment/web", "A=1", "B=2"][..],
        &["set", "env", "pod/p1", "MODE-"],
        &["set", "env", "deployment/web", "-c", "nginx", "A=1"],
    ] {
        same_change_as_kubectl(start_fixture, args, &["deploy/web"]);
    }
}

#[test]
fn logs_errors_match_kubectl() {
    let server = start_fixture();
    for args in [
        &["logs", "p1"][..],
        &["logs", "p1", "-c", "main", "--tail=5", "--timestamps"],
        &["logs", "p1", "--since=1h", "-p"],
        &["logs", "p1", "--since=5m", "--since-time=2024-01-01T00:00:00Z"],
        &["logs", "p1", "--since-time=not-a-time"],
        &["logs", "p1", "--since-time=2024-01-01 00:00:00Z"],
        &["logs", "p1", "-c", "nope"],
        &["logs", "pod/p1", "--all-containers"],
        &["logs", "deployment/web"],
        &["logs", "nope"],
        &["logs"],
    ] {
        same_as_kubectl(&server, args);
    }
}

#[test]
fn server_information_matches_kubectl() {
    let server = cli_common::start_static();
    for args in [
        &["api-versions"][..],
        &["api-resources"],
        &["api-resources", "-o", "wide"],
        &["api-resources", "--namespaced=false"],
        &["api-resources", "--api-group=apps", "-o", "name"],
        &["api-resources", "--verbs=list", "--no-headers", "--sort-by=kind"],
    ] {
        same_as_kubectl(&server, args);
    }
    // Not a golden file: the output names the server's random port.
    let expected = server.kubectl(&["cluster-info"]);
    let ours = kctl(&server, &["cluster-info"]);
    assert_eq!(ours.status.code(), expected.status.code());
    assert_eq!(support::stdout(&ours), support::stdout(&expected));
    // The client versions differ (kctl is not kubectl); the server's line is the same.
    let server_line = |text: String| text.lines().find(|l| l.starts_with("Server Version:")).map(str::to_string);
    let expected = server_line(server.kubectl_ok(&["version"]));
    let ours = kctl(&server, &["version"]);
    assert!(ours.status.success());
    let ours = String::from_utf8_lossy(&ours.stdout).into_owned();
    assert!(ours.starts_with("Client Version: v1.32.0-kctl."), "{ours}");
    assert_eq!(server_line(ours), expected);
}

/// `wait --timeout` and `logs --since` are Go durations: a bad or overflowing one is a
/// usage error in cobra's words (never a panic).
#[test]
fn bad_durations_are_usage_errors_as_kubectls() {
    for value in ["100000000000000000000s", "9223372036854775808ns", "abc", "5", "1e3s", "1h-1m", ".s", "1.5µs5"] {
        same_usage_error_as_kubectl(&["wait", "pod/p1", "--for=delete", &format!("--timeout={value}")]);
        same_usage_error_as_kubectl(&["logs", "p1", &format!("--since={value}")]);
    }
}

#[test]
fn wait_matches_kubectl() {
    let server = start_fixture();
    for args in [
        &["wait", "--for=jsonpath={.spec.replicas}=0", "deploy/web"][..],
        &["wait", "--for=condition=Ready", "pod/p1", "--timeout=1s"],
        &["wait", "--for=delete", "pod/p1", "--timeout=1s"],
        &["wait", "--for=condition=Ready", "pod/nope", "--timeout=1s"],
    ] {
        same_as_kubectl(&server, args);
    }
}

#[test]
fn wait_succeeds_as_kubectl_when_the_condition_comes_true_or_the_object_goes() {
    let server = start_fixture();
    server.kubectl_ok(&[
        "patch",
        "pod",
        "p1",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#,
    ]);
    same_as_kubectl(&server, &["wait", "--for=condition=Ready", "pod/p1", "--timeout=5s"]);
    same_as_kubectl(&server, &["wait", "--for=condition=Ready=true", "pod/p1", "--timeout=5s"]);

    // Both tools wait for a ConfigMap to go; it is deleted once both are watching (their
    // -v=6 request logs show the watch request answered).
    server.kubectl_ok(&["create", "configmap", "doomed"]);
    let spawn = |program: &str| {
        let mut child = std::process::Command::new(program)
            .args(["wait", "--for=delete", "configmap/doomed", "--timeout=30s", "-v=6"])
            .env("KUBECONFIG", &server.kubeconfig)
            .env("HOME", cli_common::kctl_home(&server))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let (watching, seen) = std::sync::mpsc::channel();
        let log = std::io::BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in std::io::BufRead::lines(log).map_while(Result::ok) {
                if line.contains("watch=true") {
                    let _ = watching.send(());
                }
            }
        });
        (child, seen)
    };
    let waiting = [spawn("kubectl"), spawn(env!("CARGO_BIN_EXE_kctl"))];
    for (_, seen) in &waiting {
        seen.recv_timeout(std::time::Duration::from_secs(20)).expect("a watch within 20 s");
    }
    server.kubectl_ok(&["delete", "configmap", "doomed"]);
    let [expected, actual] = waiting.map(|(child, _)| child.wait_with_output().unwrap());
    assert_eq!(actual.status.code(), expected.status.code());
    assert_eq!(support::stdout(&actual), support::stdout(&expected));
    assert_eq!(support::stdout(&actual), "configmap/doomed condition met\n");
}
