//! The control plane's events against a real kctl server: repeats are counted, similar
//! ones combined and a flood cut by the spam filter as client-go does, and kubectl
//! describe shows them.

mod support;

use std::time::{Duration, Instant};

use kctl::machinery::record::{reference_to, EventRecorder, EventWriter};
use support::TestServer;

#[tokio::test]
async fn repeated_events_are_counted_and_described() {
    // Without the scheduler, whose own FailedScheduling events would join ours.
    let server = TestServer::start_with(&["--apiserver-only"]);
    server.kubectl_ok(&["run", "web", "--image=nginx"]);
    let uid = server.kubectl_ok(&["get", "pod", "web", "-o", "jsonpath={.metadata.uid}"]);
    let writer = EventWriter::new(server.client().await, "default-scheduler");
    let pod = reference_to("v1", "Pod", Some("default"), "web", Some(&uid));
    writer.record(&pod, "Warning", "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.").await;
    writer.record(&pod, "Warning", "FailedScheduling", "0/1 nodes are available: 1 Insufficient cpu.").await;
    writer.record(&pod, "Normal", "Scheduled", "Successfully assigned default/web to n1").await;
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

#[tokio::test]
async fn a_flood_of_similar_events_is_combined_then_cut() {
    let server = TestServer::start_with(&["--apiserver-only"]);
    let recorder = EventRecorder::new(server.client().await, "replicaset-controller");
    let rs = reference_to("apps/v1", "ReplicaSet", Some("default"), "web-5d8f", Some("u1"));
    for i in 0..30 {
        recorder.normal(&rs, "SuccessfulCreate", &format!("Created pod: web-5d8f-{i}"));
    }
    let list = ["get", "events", "-o", "jsonpath={range .items[*]}{.count} {.message}{\"\\n\"}{end}"];
    let combined = "15 (combined from similar events): Created pod: web-5d8f-24";
    let deadline = Instant::now() + Duration::from_secs(20);
    let lines = loop {
        let listed = server.kubectl_ok(&list);
        if listed.lines().any(|l| l == combined) || Instant::now() > deadline {
            break listed;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Ten kept apart, the rest folded into one; 25 in all, the last five dropped.
    let mut lines: Vec<&str> = lines.lines().collect();
    lines.sort();
    let mut expected: Vec<String> = (0..10).map(|i| format!("1 Created pod: web-5d8f-{i}")).collect();
    expected.push(combined.to_string());
    expected.sort();
    assert_eq!(lines, expected);
}
