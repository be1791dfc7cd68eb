//! The control plane's event recorder against a real kctl server: repeats are counted,
//! and kubectl describe shows them.

mod support;

use kctl::controllers::events::{reference_to, EventRecorder};
use support::TestServer;

#[tokio::test]
async fn repeated_events_are_counted_and_described() {
    // Without the scheduler, whose own FailedScheduling events would join ours.
    let server = TestServer::start_with(&["--apiserver-only"]);
    server.kubectl_ok(&["run", "web", "--image=nginx"]);
    let uid = server.kubectl_ok(&["get", "pod", "web", "-o", "jsonpath={.metadata.uid}"]);
    let recorder = EventRecorder::new(server.client().await, "default-scheduler");
    let pod = reference_to("v1", "Pod", Some("default"), "web", Some(&uid));
    recorder.warning(&pod, "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.").await;
    recorder.warning(&pod, "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.").await;
    recorder.normal(&pod, "Scheduled", "Successfully assigned default/web to n1").await;
    let counts = server.kubectl_ok(&["get", "events", "-o", "jsonpath={range .items[*]}{.reason}={.count} {end}"]);
    let mut counts: Vec<&str> = counts.split_whitespace().collect();
    counts.sort();
    assert_eq!(counts, ["FailedScheduling=2", "Scheduled=1"]);
    let described = server.kubectl_ok(&["describe", "pod", "web"]);
    assert!(
        described.contains("default-scheduler") && described.contains("Successfully assigned default/web to n1"),
        "{described}"
    );
}
