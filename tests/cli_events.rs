//! `kctl events` beside the real kubectl on a `kctl server` (apiserver only, so nothing else
//! records events): listing, `-A`, `--for`, `--types`, output formats, errors and `-w`.

mod cli_common;
mod support;

use std::time::{Duration, Instant};

use cli_common::{kctl_home, same_as_kubectl, start_fixture};
use support::TestServer;

/// An event about `kind/name`, last seen `minutes_ago`, `count` times.
fn event(
    name: &str,
    namespace: &str,
    kind: &str,
    object: &str,
    kind_of_event: &str,
    minutes_ago: i64,
    count: i64,
) -> String {
    let api_version = if kind == "Deployment" { "apps/v1" } else { "v1" };
    let last = (chrono::Utc::now() - chrono::TimeDelta::minutes(minutes_ago)).format("%Y-%m-%dT%H:%M:%SZ");
    let first = (chrono::Utc::now() - chrono::TimeDelta::minutes(minutes_ago + 30)).format("%Y-%m-%dT%H:%M:%SZ");
    format!(
        "apiVersion: v1\nkind: Event\nmetadata: {{name: {name}, namespace: {namespace}}}\n\
         involvedObject: {{kind: {kind}, name: {object}, namespace: {namespace}, apiVersion: {api_version}}}\n\
         reason: Reason{name}\nmessage: \"  message of {name}  \"\ntype: {kind_of_event}\n\
         source: {{component: test}}\ncount: {count}\nfirstTimestamp: \"{first}\"\nlastTimestamp: \"{last}\"\n"
    )
}

fn start_with_events() -> TestServer {
    let server = start_fixture();
    let out = server.kubectl(&["create", "namespace", "other"]);
    assert!(out.status.success());
    let events = [
        event("e1", "default", "Pod", "p1", "Normal", 50, 1),
        event("e2", "default", "Deployment", "web", "Warning", 20, 4),
        event("e3", "default", "Pod", "p1", "Warning", 40, 1),
        event("e4", "other", "Pod", "elsewhere", "Normal", 30, 1),
    ]
    .join("---\n");
    let out = server.kubectl_stdin(&["create", "-f", "-"], Some(&events));
    assert!(out.status.success(), "events: {}", String::from_utf8_lossy(&out.stderr));
    server
}

#[test]
fn events_list_as_kubectl() {
    let server = start_with_events();
    for args in [
        &["events"][..],
        &["events", "-A"],
        &["events", "--types=Warning"],
        &["events", "--types", "normal,Warning"],
        &["events", "--for", "pod/p1"],
        &["events", "--for", "deployment.apps/web", "-A"],
        &["events", "--for", "deploy/nope"],
        &["events", "--no-headers", "-n", "other"],
        &["events", "-n", "empty"],
        &["events", "-o", "name"],
        &["events", "-n", "other", "-o", "yaml"],
        &["events", "--types", "Bad"],
        &["events", "--for", "p1"],
        &["events", "--for", "widgets/x"],
    ] {
        same_as_kubectl(&server, args);
    }
}

/// Starts `program events -w --for pod/p1` and forwards its lines.
fn watch(
    server: &TestServer,
    program: &str,
    home: &std::path::Path,
) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    cli_common::spawn_lines(server, program, home, &["events", "-w", "--for", "pod/p1"])
}

#[test]
fn watch_prints_each_event_as_kubectl() {
    let server = start_with_events();
    let (mut ours, our_lines) = watch(&server, env!("CARGO_BIN_EXE_kctl"), &kctl_home(&server));
    let (mut theirs, their_lines) = watch(&server, "kubectl", server.dir.path());
    let out = server.kubectl_stdin(&["create", "-f", "-"], Some(&event("e5", "default", "Pod", "p1", "Normal", 1, 1)));
    assert!(out.status.success());
    // The header, the three existing events of p1 and the new one: five lines each.
    let collect = |lines: &std::sync::mpsc::Receiver<String>| {
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = Vec::new();
        while seen.len() < 5 && Instant::now() < deadline {
            if let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
                seen.push(line);
            }
        }
        seen
    };
    let ours_seen = collect(&our_lines);
    let theirs_seen = collect(&their_lines);
    let _ = ours.kill();
    let _ = theirs.kill();
    let _ = ours.wait();
    let _ = theirs.wait();
    assert_eq!(ours_seen.len(), 5, "kctl printed {ours_seen:?}");
    let sorted = |lines: &[String]| {
        let mut masked: Vec<String> = lines.iter().map(|l| cli_common::mask(l)).collect();
        masked[1..].sort();
        masked
    };
    assert_eq!(sorted(&ours_seen), sorted(&theirs_seen), "raw: {ours_seen:#?} {theirs_seen:#?}");
    assert!(ours_seen[0].starts_with("LAST SEEN"), "{ours_seen:?}");
    assert!(ours_seen.iter().any(|l| l.contains("Reasone5")), "{ours_seen:?}");
}
