#![allow(dead_code)]

//! Comparing writing verbs: kubectl works in namespace `ns-ref`, kctl in `ns-kctl`, with
//! the same inputs; outputs must match once the namespace is masked, and so must the
//! objects each leaves behind (uids, times and resource versions left out).

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

use super::kctl_home;
use crate::support::{stderr, stdout, TestServer};

pub const REF: &str = "ns-ref";
pub const OURS: &str = "ns-kctl";

/// A static server with the two namespaces.
pub fn start() -> TestServer {
    let server = super::start_static();
    for ns in [REF, OURS] {
        server.kubectl_ok(&["create", "namespace", ns]);
    }
    server
}

pub fn kctl_stdin(server: &TestServer, args: &[&str], input: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kctl"))
        .args(args)
        .env("KUBECONFIG", &server.kubeconfig)
        .env("HOME", kctl_home(server))
        .env_remove("KUBECONFIG_FILE_ONLY")
        .env_remove("KCTL_LOG")
        .current_dir(server.dir.path())
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kctl");
    if let (Some(text), Some(mut pipe)) = (input, child.stdin.take()) {
        pipe.write_all(text.as_bytes()).expect("kctl stdin");
    }
    child.wait_with_output().expect("kctl output")
}

fn kubectl_in_dir(server: &TestServer, args: &[&str], input: Option<&str>) -> Output {
    let mut child = Command::new("kubectl")
        .args(args)
        .env("KUBECONFIG", &server.kubeconfig)
        .env("HOME", server.dir.path())
        .current_dir(server.dir.path())
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubectl");
    if let (Some(text), Some(mut pipe)) = (input, child.stdin.take()) {
        pipe.write_all(text.as_bytes()).expect("kubectl stdin");
    }
    child.wait_with_output().expect("kubectl output")
}

fn masked(text: &str) -> String {
    super::mask(&text.replace(REF, "<ns>").replace(OURS, "<ns>"))
}

/// Runs `args` with kubectl in `ns-ref` and kctl in `ns-kctl` (files are relative to
/// the server's directory); asserts the same exit code, stdout and stderr. Returns kctl's.
pub fn both(server: &TestServer, args: &[&str], input: Option<&str>) -> Output {
    let with_ns = |ns: &str| -> Vec<String> {
        let mut all: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        // Before `--`: what follows it is the container's command.
        let at = all.iter().position(|a| a == "--").unwrap_or(all.len());
        all.splice(at..at, ["-n".to_string(), ns.to_string()]);
        all
    };
    let reference = with_ns(REF);
    let ours = with_ns(OURS);
    let reference: Vec<&str> = reference.iter().map(String::as_str).collect();
    let ours: Vec<&str> = ours.iter().map(String::as_str).collect();
    let expected = kubectl_in_dir(server, &reference, input);
    let actual = kctl_stdin(server, &ours, input);
    assert_eq!(masked(&stdout(&actual)), masked(&stdout(&expected)), "stdout of {args:?}");
    assert_eq!(masked(&stderr(&actual)), masked(&stderr(&expected)), "stderr of {args:?}");
    assert_eq!(actual.status.code(), expected.status.code(), "exit code of {args:?}");
    actual
}

/// Runs the same command (no namespace added) with both tools; same outputs and exit code.
pub fn same(server: &TestServer, args: &[&str]) -> Output {
    let expected = kubectl_in_dir(server, args, None);
    let actual = kctl_stdin(server, args, None);
    assert_eq!(masked(&stdout(&actual)), masked(&stdout(&expected)), "stdout of {args:?}");
    assert_eq!(masked(&stderr(&actual)), masked(&stderr(&expected)), "stderr of {args:?}");
    assert_eq!(actual.status.code(), expected.status.code(), "exit code of {args:?}");
    actual
}

/// The object as it matters for comparison: no uid, times, resource version.
fn comparable(mut object: Value) -> Value {
    if let Some(metadata) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in ["uid", "resourceVersion", "creationTimestamp", "namespace"] {
            metadata.remove(key);
        }
        if let Some(fields) = metadata.get_mut("managedFields").and_then(Value::as_array_mut) {
            for entry in fields {
                if let Some(entry) = entry.as_object_mut() {
                    entry.remove("time");
                }
            }
        }
    }
    // Allocated by the server in the order of creation.
    if let Some(spec) = object.get_mut("spec").and_then(Value::as_object_mut) {
        spec.remove("clusterIP");
        spec.remove("clusterIPs");
    }
    let text = serde_json::to_string(&object).expect("json").replace(REF, "<ns>").replace(OURS, "<ns>");
    // Uids the server writes into labels and selectors (a Job's controller-uid).
    let uids = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").expect("uid pattern");
    let text = uids.replace_all(&text, "<uid>");
    serde_json::from_str(&text).expect("json")
}

/// `None` when the object does not exist.
pub fn object(server: &TestServer, kind: &str, name: &str, ns: &str) -> Option<Value> {
    let out = server.kubectl(&["get", kind, name, "-n", ns, "-o", "json", "--ignore-not-found"]);
    assert!(out.status.success(), "get {kind} {name}: {}", stderr(&out));
    let text = stdout(&out);
    (!text.trim().is_empty()).then(|| comparable(serde_json::from_str(&text).expect("object json")))
}

/// Both tools left the same object behind (or both none).
pub fn same_objects(server: &TestServer, kind: &str, name: &str) {
    assert_eq!(object(server, kind, name, OURS), object(server, kind, name, REF), "{kind}/{name}");
}
