//! `kctl get` against a real `kctl server`, with the real kubectl v1.32 as the reference:
//! the same commands must print the same bytes (ages, times and uids masked), and the
//! outputs are kept as golden files in testdata/golden.

mod cli_common;
mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use cli_common::{kctl, kctl_home, kctl_with, same_as_kubectl, same_usage_error_as_kubectl, start_fixture};
use support::{stderr, stdout, TestServer};

#[test]
fn tables_and_formats_match_kubectl() {
    let server = start_fixture();
    let commands: &[&[&str]] = &[
        &["get", "pods"],
        &["get", "deploy"],
        &["get", "svc"],
        &["get", "ns"],
        &["get", "all"],
        &["get", "all", "-A"],
        &["get", "pods", "-o", "wide"],
        &["get", "pods", "--show-labels"],
        &["get", "pods", "-L", "app,tier"],
        &["get", "pods", "--no-headers"],
        &["get", "pods,svc"],
        &["get", "pod/p1", "service/web"],
        &["get", "svc", "-A", "--sort-by=.metadata.name"],
        &["get", "cm", "-l", "app=web"],
        &["get", "pods", "--field-selector", "metadata.name=p1"],
        &["get", "pod", "p1", "-o", "yaml"],
        &["get", "svc", "web", "-o", "json"],
        &["get", "pods", "-o", "yaml"],
        &["get", "deployments.apps", "-o", "json"],
        &["get", "pods", "-o", "name"],
        &["get", "all", "-o", "name"],
        &["get", "pods", "-o", "jsonpath={.items[*].metadata.name}"],
        &[
            "get",
            "pods",
            "-o",
            "jsonpath={range .items[*]}{.metadata.name}{\"\\t\"}{.spec.containers[0].image}{\"\\n\"}{end}",
        ],
        &["get", "pod", "p1", "-o", "jsonpath={.spec.containers[?(@.name==\"main\")].ports[0].containerPort}"],
        &[
            "get",
            "pods",
            "-o",
            "custom-columns=NAME:.metadata.name,IMAGES:.spec.containers[*].image,NODE:.spec.nodeName",
        ],
    ];
    for args in commands {
        same_as_kubectl(&server, args);
    }
}

/// A `--request-timeout` kubectl cannot read, an overflowing one among them, is refused in
/// its words (never a panic).
#[test]
fn bad_request_timeouts_are_refused_as_kubectl_refuses_them() {
    for timeout in ["100000000000000000000s", "100000000000000000000", "2562048h", "abc", "-5", "1.5", "5m-"] {
        same_usage_error_as_kubectl(&["get", "pods", &format!("--request-timeout={timeout}")]);
    }
}

#[test]
fn errors_read_as_kubectl() {
    let server = start_fixture();
    for args in [
        &["get", "pod", "nope"][..],
        &["get", "widgets"],
        &["get", "pods,svc", "nope"],
        &["get", "pods", "-n", "empty"],
        &["get", "nodes"],
        &["get", "pods", "-o", "bogus"],
    ] {
        same_as_kubectl(&server, args);
    }
}

/// The last stderr line of kubectl and kctl (kubectl logs retries above it).
fn last_line(text: &str) -> String {
    text.lines().last().unwrap_or_default().to_string()
}

#[test]
fn an_unreachable_server_is_refused_in_kubectls_words() {
    let server = TestServer::start();
    let args = ["get", "pods", "--server", "https://127.0.0.1:1"];
    let expected = server.kubectl(&args);
    let actual = kctl(&server, &args);
    assert_eq!(actual.status.code(), expected.status.code());
    assert_eq!(last_line(&stderr(&actual)), last_line(&stderr(&expected)));
    assert_eq!(
        stderr(&actual).trim(),
        "The connection to the server 127.0.0.1:1 was refused - did you specify the right host or port?"
    );
}

#[test]
fn bad_credentials_ask_to_log_in_as_kubectl() {
    let server = TestServer::start();
    let url = server.server_url();
    let config = server.write(
        "token.yaml",
        &format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {url}\n    insecure-skip-tls-verify: true\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: not-a-credential\n"
        ),
    );
    let expected = support::kubectl_with(&config, server.dir.path(), &["get", "pods"], None);
    let actual = kctl_with(&config, &kctl_home(&server), &["get", "pods"]);
    assert_eq!(actual.status.code(), Some(1));
    assert_eq!(actual.status.code(), expected.status.code());
    assert_eq!(last_line(&stderr(&actual)), last_line(&stderr(&expected)));
    assert_eq!(
        stderr(&actual),
        "error: You must be logged in to the server (the server has asked for the client to provide credentials)\n"
    );
}

#[test]
fn a_warm_discovery_cache_makes_one_request() {
    let server = TestServer::start();
    let cold = kctl(&server, &["get", "pods", "-v=6"]);
    assert!(cold.status.success(), "{}", stderr(&cold));
    let requests = |log: &str| log.lines().filter(|l| l.contains("round_trippers.go")).count();
    assert_eq!(requests(&stderr(&cold)), 3, "cold: /api, /apis and the list:\n{}", stderr(&cold));
    let warm = kctl(&server, &["get", "pods", "-v=6"]);
    let log = stderr(&warm);
    assert_eq!(requests(&log), 1, "{log}");
    assert!(
        log.contains("GET https://127.0.0.1:") && log.contains("/api/v1/namespaces/default/pods?limit=500 200 OK in ")
    );
    // kubectl's own layout, so kubectl can read what kctl wrote.
    let port = server.server_url().rsplit(':').next().unwrap_or_default().to_string();
    let dir = kctl_home(&server).join(format!(".kube/cache/discovery/127.0.0.1_{port}"));
    assert!(dir.join("servergroups.json").exists() && dir.join("apps/v1/serverresources.json").exists());
    let kubectl = support::kubectl_with(&server.kubeconfig, &kctl_home(&server), &["get", "pods", "-v=6"], None);
    assert_eq!(requests(&stderr(&kubectl)), 1, "kubectl used kctl's cache:\n{}", stderr(&kubectl));
}

#[test]
fn an_unknown_type_refreshes_a_warm_cache_before_failing() {
    let server = TestServer::start();
    assert!(kctl(&server, &["get", "pods"]).status.success());
    let output = kctl(&server, &["get", "widgets", "-v=6"]);
    assert_eq!(output.status.code(), Some(1));
    let log = stderr(&output);
    assert!(log.contains("/apis?timeout=32s 200 OK"), "discovery was fetched again: {log}");
    assert!(log.ends_with("error: the server doesn't have a resource type \"widgets\"\n"), "{log}");
}

#[test]
fn verbose_eight_logs_headers_and_bodies() {
    let server = TestServer::start();
    let log = stderr(&kctl(&server, &["get", "ns", "-v=8"]));
    assert!(log.contains("Request Headers:") && log.contains("Accept: application/json;as=Table;v=v1;g=meta.k8s.io"));
    assert!(log.contains("Response Status: 200 OK in "), "{log}");
    assert!(log.contains("\"Response Body\" body=\"{"), "{log}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let server = TestServer::start();
    let big = "x".repeat(4000);
    for i in 0..40 {
        let cm = format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\ndata:\n  big: {big}\n");
        server.kubectl_stdin(&["create", "-f", "-"], Some(&cm));
    }
    let script = format!(
        "set -o pipefail; HOME={home} KUBECONFIG={config} {kctl} get cm -o yaml | head -c 10 >/dev/null",
        home = kctl_home(&server).display(),
        config = server.kubeconfig.display(),
        kctl = env!("CARGO_BIN_EXE_kctl"),
    );
    let output = Command::new("bash").args(["-c", &script]).output().unwrap();
    assert!(output.status.success(), "exit {:?}: {}", output.status.code(), stderr(&output));
    assert_eq!(stderr(&output), "");
}

#[test]
fn watch_prints_the_list_then_a_row_per_change() {
    let server = TestServer::start();
    server.kubectl_stdin(&["create", "-f", "-"], Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n"));
    let mut watch = Command::new(env!("CARGO_BIN_EXE_kctl"))
        .args(["get", "configmaps", "-w", "--field-selector", "metadata.name!=kube-root-ca.crt"])
        .env("KUBECONFIG", &server.kubeconfig)
        .env("HOME", kctl_home(&server))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = watch.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = || rx.recv_timeout(Duration::from_secs(10));
    let header = next().expect("header");
    assert!(header.starts_with("NAME "), "{header}");
    let seen = [next().expect("a row")];
    server.kubectl_stdin(&["create", "-f", "-"], Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\n"));
    let later = next();
    let _ = watch.kill();
    let _ = watch.wait();
    assert!(seen.iter().any(|l| l.starts_with("first ")), "{seen:?}");
    let later = later.expect("the new configmap");
    assert!(later.starts_with("second "), "{later}");
}

#[test]
fn raw_paths_print_the_body() {
    let server = TestServer::start();
    let output = kctl(&server, &["get", "--raw", "/api/v1/namespaces/default"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["metadata"]["name"], "default");
}

#[test]
fn kubeconfig_files_merge_with_the_first_file_winning() {
    let server = TestServer::start();
    server.kubectl_stdin(
        &["create", "-f", "-"],
        Some("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: in-team\n  namespace: team\n"),
    );
    let real = std::fs::read_to_string(&server.kubeconfig).unwrap();
    // The first file only picks the context (and a namespace); the second has the rest,
    // plus a context of the same name that must lose.
    let first = server.write(
        "first.yaml",
        "apiVersion: v1\nkind: Config\ncurrent-context: picked\ncontexts:\n- name: picked\n  context:\n    cluster: kctl\n    user: kctl\n    namespace: team\nclusters: []\nusers: []\n",
    );
    let second = server.write("second.yaml", &real.replace("current-context: kctl", "current-context: other"));
    let list = std::env::join_paths([&first, &second]).unwrap();
    let run = |extra: &[&str]| {
        // (Not the namespaces' own `kube-root-ca.crt`.)
        let mut args = vec!["get", "cm", "-o", "name", "--field-selector", "metadata.name!=kube-root-ca.crt"];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_kctl"))
            .args(&args)
            .env("KUBECONFIG", &list)
            .env("HOME", kctl_home(&server))
            .output()
            .unwrap()
    };
    let in_team = run(&[]);
    assert!(in_team.status.success(), "{}", stderr(&in_team));
    assert_eq!(stdout(&in_team), "configmap/in-team\n");
    // `-n` overrides the context's namespace.
    let in_default = run(&["-n", "default"]);
    assert_eq!(stdout(&in_default), "", "{}", stderr(&in_default));
    // An unknown context is a configuration error, as kubectl says it.
    let missing = run(&["--context", "nope"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(stderr(&missing), "Error in configuration: context was not found for specified context: nope\n");
}

/// Starts `program get configmaps --watch-only` and forwards its lines.
fn watch_only(
    server: &TestServer,
    program: &str,
    home: &std::path::Path,
) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    cli_common::spawn_lines(server, program, home, &["get", "configmaps", "--watch-only"])
}

#[test]
fn watch_only_prints_changes_but_not_the_list_as_kubectl() {
    let server = TestServer::start();
    server.kubectl_stdin(&["create", "-f", "-"], Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n"));
    let (mut ours, ours_lines) = watch_only(&server, env!("CARGO_BIN_EXE_kctl"), &kctl_home(&server));
    let (mut theirs, their_lines) = watch_only(&server, "kubectl", server.dir.path());
    // Either watch may start late: keep creating configmaps until both have printed a row.
    let mut seen: [Vec<String>; 2] = [Vec::new(), Vec::new()];
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let mut n = 0;
    while seen.iter().any(|lines| lines.len() < 2) && std::time::Instant::now() < deadline {
        server.kubectl_stdin(
            &["create", "-f", "-"],
            Some(&format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second-{n}\n")),
        );
        n += 1;
        std::thread::sleep(Duration::from_millis(300));
        for (lines, rx) in seen.iter_mut().zip([&ours_lines, &their_lines]) {
            lines.extend(rx.try_iter());
        }
    }
    for child in [&mut ours, &mut theirs] {
        let _ = child.kill();
        let _ = child.wait();
    }
    let [ours, theirs] = seen;
    assert!(ours.len() >= 2 && theirs.len() >= 2, "kctl {ours:?}, kubectl {theirs:?}");
    assert_eq!(ours[0], theirs[0], "header");
    for lines in [&ours, &theirs] {
        assert!(lines[1..].iter().all(|l| l.starts_with("second-")), "only new configmaps: {lines:?}");
    }
}

#[test]
fn usage_errors_are_worded_and_exit_as_kubectls() {
    let cases: &[&[&str]] = &[
        &["get", "pods", "--bogus"],
        &["get", "pods", "-xyz"],
        &["get", "pods", "-o"],
        &["rollout", "status", "deployment/web", "--bogus"],
        &["xqzzy"],
    ];
    for args in cases {
        let run = |program: &str| Command::new(program).args(*args).env("HOME", "/nonexistent").output().unwrap();
        let (expected, actual) = (run("kubectl"), run(env!("CARGO_BIN_EXE_kctl")));
        assert_eq!(actual.status.code(), expected.status.code(), "exit code of {args:?}");
        assert_eq!(stderr(&actual), stderr(&expected).replace("kubectl", "kctl"), "stderr of {args:?}");
        assert_eq!(stdout(&actual), "");
    }
}

#[test]
fn cluster_and_user_flags_override_the_contexts_as_kubectl_does() {
    let server = TestServer::start();
    let real = std::fs::read_to_string(&server.kubeconfig).unwrap();
    // The current context points at a dead server and a user without credentials; the
    // flags pick the real cluster and user from the same file.
    let extra = "- name: broken\n  context:\n    cluster: down\n    user: nobody-here\n";
    let config = real
        .replace("current-context: kctl", "current-context: broken")
        .replace("contexts:\n", &format!("contexts:\n{extra}"))
        .replace("clusters:\n", "clusters:\n- name: down\n  cluster:\n    server: https://127.0.0.1:1\n")
        .replace("users:\n", "users:\n- name: nobody-here\n  user: {}\n");
    let path = server.write("flags.yaml", &config);
    let run = |program: &str, extra: &[&str]| {
        let mut args = vec!["get", "ns", "default", "-o", "name"];
        args.extend_from_slice(extra);
        Command::new(program).args(&args).env("KUBECONFIG", &path).env("HOME", kctl_home(&server)).output().unwrap()
    };
    let cases: [&[&str]; 3] = [
        &["--cluster", "kctl", "--user", "kctl"],
        &["--cluster", "kctl", "--user", "missing"],
        &["--cluster", "gone", "--user", "missing"],
    ];
    for flags in cases {
        let (expected, actual) = (run("kubectl", flags), run(env!("CARGO_BIN_EXE_kctl"), flags));
        assert_eq!(actual.status.code(), expected.status.code(), "exit code with {flags:?}: {}", stderr(&actual));
        assert_eq!(stdout(&actual), stdout(&expected), "stdout with {flags:?}");
        assert_eq!(last_line(&stderr(&actual)), last_line(&stderr(&expected)), "stderr with {flags:?}");
    }
    assert_eq!(
        stdout(&run(env!("CARGO_BIN_EXE_kctl"), &["--cluster", "kctl", "--user", "kctl"])),
        "namespace/default\n"
    );
}

#[test]
fn a_server_that_never_answers_times_out_at_the_request_timeout() {
    let server = TestServer::start();
    // Accepts connections and says nothing (not even the TLS handshake), until the test ends.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("https://{}", silent.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<_> = silent.incoming().take(16).collect();
        std::thread::sleep(Duration::from_secs(60));
        drop(held);
    });
    let started = std::time::Instant::now();
    let out = kctl(&server, &["get", "pods", "--server", &address, "--request-timeout=1s"]);
    assert!(started.elapsed() < Duration::from_secs(10), "gave up after {:?}", started.elapsed());
    assert_eq!(out.status.code(), Some(1));
    // kubectl's last line (its wording of where the deadline hit varies between runs).
    let last = last_line(&stderr(&out));
    assert!(last.starts_with("Unable to connect to the server: net/http: request canceled"), "{last}");
    assert!(last.ends_with("(Client.Timeout exceeded while awaiting headers)"), "{last}");
}

#[test]
fn a_watch_ends_at_the_request_timeout_as_kubectls_does() {
    let server = TestServer::start();
    server.kubectl_stdin(&["create", "-f", "-"], Some("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: first\n"));
    let args = ["get", "configmaps", "-w", "--request-timeout=1s"];
    let theirs = server.kubectl(&args);
    let started = std::time::Instant::now();
    let ours = kctl(&server, &args);
    assert!(started.elapsed() < Duration::from_secs(10), "still watching after {:?}", started.elapsed());
    assert_eq!((ours.status.code(), theirs.status.code()), (Some(0), Some(0)), "{}", stderr(&ours));
    let rows = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.split_whitespace().next().map(str::to_string))
            .collect::<Vec<_>>()
    };
    assert_eq!(rows(&ours), rows(&theirs));
}
