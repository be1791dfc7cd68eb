//! Shared by the `kctl get`/`kctl describe` tests: running kctl like the real kubectl
//! (same kubeconfig, its own HOME so its discovery cache is its own), masking what
//! changes between runs (ages, timestamps, uids, resource versions, generated names),
//! and golden files under testdata/golden (rewritten with KCTL_UPDATE_GOLDEN=1).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use regex::Regex;

use crate::support::TestServer;

pub mod mutate;

/// A server with the objects the golden outputs show (applied by the real kubectl).
pub const FIXTURE: &str = r#"apiVersion: v1
kind: Pod
metadata:
  name: p1
  labels: {app: web, tier: front}
spec:
  containers:
  - name: main
    image: busybox
    command: [sleep, "3600"]
    env: [{name: MODE, value: test}]
    ports: [{containerPort: 8080, name: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 0
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: nginx, ports: [{containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations: {team: blue}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, labels: {app: web}}
data: {mode: test}
"#;

/// Only the apiserver runs: with controllers, objects would change between the kubectl
/// and kctl runs (and between golden runs).
pub fn start_static() -> TestServer {
    TestServer::start_with(&["--apiserver-only"])
}

pub fn start_fixture() -> TestServer {
    let server = start_static();
    let out = server.kubectl_stdin(&["create", "-f", "-"], Some(FIXTURE));
    assert!(out.status.success(), "fixture: {}", String::from_utf8_lossy(&out.stderr));
    // An event about the pod, so describe shows an Events table.
    let uid = server.kubectl_ok(&["get", "pod", "p1", "-o", "jsonpath={.metadata.uid}"]);
    let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let event = format!(
        "apiVersion: v1\nkind: Event\nmetadata: {{name: p1.1, namespace: default}}\ninvolvedObject: {{kind: Pod, name: p1, namespace: default, apiVersion: v1, uid: {uid}}}\nreason: Scheduled\nmessage: Successfully assigned default/p1 to node1\ntype: Normal\nsource: {{component: default-scheduler}}\ncount: 1\nfirstTimestamp: \"{now}\"\nlastTimestamp: \"{now}\"\n"
    );
    let out = server.kubectl_stdin(&["create", "-f", "-"], Some(&event));
    assert!(out.status.success(), "event: {}", String::from_utf8_lossy(&out.stderr));
    server
}

/// kctl's HOME for this server (its discovery cache lives there).
pub fn kctl_home(server: &TestServer) -> PathBuf {
    let home = server.dir.path().join("kctl-home");
    std::fs::create_dir_all(&home).expect("kctl home");
    home
}

pub fn kctl(server: &TestServer, args: &[&str]) -> Output {
    kctl_with(&server.kubeconfig, &kctl_home(server), args)
}

pub fn kctl_with(kubeconfig: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kctl"))
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .env("HOME", home)
        .env_remove("KUBECONFIG_FILE_ONLY")
        .env_remove("KCTL_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("run kctl")
}

/// Replaces what differs between runs with placeholders.
pub fn mask(text: &str) -> String {
    let rules = [
        // RFC 3339 and RFC 1123 timestamps.
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", "<time>"),
        (r"[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}", "<time>"),
        (r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uid>"),
        (r#"(resourceVersion"?:\s*)"\d+""#, "$1\"<rv>\""),
        // Names the controllers generate (`web-5d8f7c9b4-x2x9z`).
        (r"\bweb-[a-z0-9]{8,10}(-[a-z0-9]{5})?\b", "web-<hash>"),
        // The service-account token volume the ServiceAccount admission plugin names.
        (r"\bkube-api-access-[a-z0-9]{5}\b", "kube-api-access-<id>"),
        // The test server's address and port (127.0.0.1:0 picks one), which the `kubernetes`
        // Service's endpoints and target port carry.
        (r"\b(\d{1,3}\.){3}\d{1,3}:\d{5}\b", "<apiserver>"),
        (r"(TargetPort: +)\d{5}/", "${1}<port>/"),
        // Ages (`5s`, `2m30s`, `3d`) and the padding after them, which depends on their width.
        (r"(?m)\b\d+[smhdy](\d+[smhd])?\b( +|$)", "<age> "),
    ];
    let mut masked = text.to_string();
    for (pattern, replacement) in rules {
        let regex = Regex::new(pattern).expect("mask pattern");
        masked = regex.replace_all(&masked, replacement).into_owned();
    }
    masked
}

/// Compares `actual` with testdata/golden/`name`, or rewrites it with KCTL_UPDATE_GOLDEN=1.
pub fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/golden").join(name);
    if std::env::var_os("KCTL_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().expect("golden dir")).expect("golden dir");
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected =
        std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} missing: KCTL_UPDATE_GOLDEN=1", path.display()));
    assert_eq!(actual, expected, "{name} differs from {}", path.display());
}

/// File name of a command's golden output: `get pods -o wide` → `get_pods_-o_wide.txt`.
pub fn golden_name(args: &[&str]) -> String {
    let joined = args.join("_");
    let safe: String =
        joined.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    format!("{safe}.txt")
}

/// Runs the command with kubectl and kctl: same exit code, same (masked) stdout and
/// stderr; the masked kctl output is also checked against its golden file.
pub fn same_as_kubectl(server: &TestServer, args: &[&str]) {
    let expected = server.kubectl(args);
    let actual = kctl(server, args);
    let text = |o: &Output| mask(&String::from_utf8_lossy(&o.stdout));
    let errors = |o: &Output| mask(&String::from_utf8_lossy(&o.stderr));
    assert_eq!(actual.status.code(), expected.status.code(), "exit code of {args:?}: {}", errors(&actual));
    assert_eq!(text(&actual), text(&expected), "stdout of {args:?}");
    assert_eq!(errors(&actual), errors(&expected), "stderr of {args:?}");
    let mut record = text(&actual);
    let stderr = errors(&actual);
    if !stderr.is_empty() {
        record.push_str("--- stderr\n");
        record.push_str(&stderr);
    }
    golden(&golden_name(args), &record);
}

/// The object as JSON with what differs between servers masked.
pub fn masked_object(server: &TestServer, what: &str) -> String {
    mask(&server.kubectl_ok(&["get", what, "-o", "json"]))
}

/// Runs a changing command with kubectl on one fresh server and with kctl on another,
/// then compares the outputs and the objects it changed.
pub fn same_change_as_kubectl(setup: fn() -> TestServer, args: &[&str], objects: &[&str]) {
    let reference = setup();
    let ours = setup();
    let expected = reference.kubectl(args);
    let actual = kctl(&ours, args);
    let text = |o: &std::process::Output| mask(&String::from_utf8_lossy(&o.stdout));
    let errors = |o: &std::process::Output| mask(&String::from_utf8_lossy(&o.stderr));
    assert_eq!(actual.status.code(), expected.status.code(), "exit code of {args:?}: {}", errors(&actual));
    assert_eq!(text(&actual), text(&expected), "stdout of {args:?}");
    assert_eq!(errors(&actual), errors(&expected), "stderr of {args:?}");
    for what in objects {
        assert_eq!(masked_object(&ours, what), masked_object(&reference, what), "{what} after {args:?}");
    }
}

/// Runs a command that kubectl refuses before it talks to any server (a bad flag value)
/// with kubectl and kctl against an address nothing listens on: the same exit code and
/// the same stderr, kubectl's name for itself read as kctl's.
pub fn same_usage_error_as_kubectl(args: &[&str]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = dir.path().join("no-kubeconfig");
    let mut with_server = args.to_vec();
    with_server.extend(["--server=https://127.0.0.1:1", "--token=unused"]);
    let expected = crate::support::kubectl_with(&kubeconfig, dir.path(), &with_server, None);
    let actual = kctl_with(&kubeconfig, dir.path(), &with_server);
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();
    let theirs = stderr(&expected).replace("'kubectl ", "'kctl ");
    assert_eq!(actual.status.code(), expected.status.code(), "exit code of {args:?}: {}", stderr(&actual));
    assert_eq!(stderr(&actual), theirs, "stderr of {args:?}");
    assert!(!theirs.is_empty(), "kubectl refused {args:?}");
}

/// Starts `program args…` (kubectl or kctl) against the server and forwards its stdout lines
/// (for `-w` outputs, read with a deadline by the test).
pub fn spawn_lines(
    server: &TestServer,
    program: &str,
    home: &Path,
    args: &[&str],
) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead;
    let mut child = Command::new(program)
        .args(args)
        .env("KUBECONFIG", &server.kubeconfig)
        .env("HOME", home)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the watch");
    let out = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}
