//! The job controller against a real `kctl server` with hollow nodes, where a pod whose
//! container runs `true` succeeds and one running `false` (restartPolicy Never) fails.
//! Driven by the real kubectl: completion, parallelism, the backoff limit, the active
//! deadline (with the pod failure backoff), suspension and ttlSecondsAfterFinished.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::{eventually, TestServer};

const WAIT: Duration = Duration::from_secs(60);

fn hollow_cluster() -> TestServer {
    TestServer::start_with(&["--hollow-nodes", "2"])
}

fn job_json(server: &TestServer, name: &str) -> Value {
    let output = server.kubectl(&["get", "job", name, "-o", "json"]);
    serde_json::from_slice(&output.stdout).unwrap_or_default()
}

fn condition<'a>(job: &'a Value, type_: &str) -> Option<&'a Value> {
    job.pointer("/status/conditions")?.as_array()?.iter().find(|c| c["type"] == type_ && c["status"] == "True")
}

fn pods_of(server: &TestServer, job: &str) -> Vec<Value> {
    let output = server.kubectl(&["get", "pods", "-l", &format!("job-name={job}"), "-o", "json"]);
    let list: Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    list["items"].as_array().cloned().unwrap_or_default()
}

fn job(name: &str, spec: &str, command: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\nspec:\n{spec}  template:\n    spec:\n      \
         restartPolicy: Never\n      containers:\n      - name: main\n        image: busybox\n        command: {command}\n"
    )
}

#[test]
fn jobs_complete_with_parallelism_labels_and_events() {
    let server = hollow_cluster();
    server.kubectl_ok(&["create", "job", "hello", "--image=busybox", "--", "true"]);
    let manifest = job("batch", "  completions: 4\n  parallelism: 2\n", "[\"true\"]");
    let indexed = job("indexed", "  completions: 3\n  parallelism: 2\n  completionMode: Indexed\n", "[\"true\"]");
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&format!("{manifest}---\n{indexed}")));

    for name in ["hello", "batch", "indexed"] {
        assert!(
            eventually(WAIT, || condition(&job_json(&server, name), "Complete").is_some()),
            "job {name} did not complete: {}",
            job_json(&server, name)
        );
    }
    let hello = job_json(&server, "hello");
    assert_eq!(hello["status"]["succeeded"], 1);
    assert_eq!(hello["status"]["ready"], 0);
    assert_eq!(hello["status"]["uncountedTerminatedPods"], serde_json::json!({}));
    assert!(hello["status"]["completionTime"].is_string() && hello["status"]["startTime"].is_string());
    assert_eq!(condition(&hello, "SuccessCriteriaMet").map(|c| c["reason"].clone()), Some("CompletionsReached".into()));
    assert_eq!(
        condition(&hello, "Complete").map(|c| c["message"].clone()),
        Some("Reached expected number of succeeded pods".into())
    );

    let uid = hello["metadata"]["uid"].as_str().unwrap_or_default().to_string();
    let pods = pods_of(&server, "hello");
    assert_eq!(pods.len(), 1, "{pods:?}");
    let labels = &pods[0]["metadata"]["labels"];
    assert_eq!(labels["batch.kubernetes.io/job-name"], "hello");
    assert_eq!(labels["controller-uid"], uid.as_str());
    assert_eq!(labels["batch.kubernetes.io/controller-uid"], uid.as_str());
    let owner = &pods[0]["metadata"]["ownerReferences"][0];
    assert_eq!((owner["kind"].as_str(), owner["controller"].as_bool()), (Some("Job"), Some(true)));
    assert_eq!(pods[0]["status"]["phase"], "Succeeded");

    let batch = job_json(&server, "batch");
    assert_eq!(batch["status"]["succeeded"], 4);
    assert_eq!(pods_of(&server, "batch").len(), 4);

    let indexed = job_json(&server, "indexed");
    assert_eq!(
        (indexed["status"]["succeeded"].as_i64(), indexed["status"]["completedIndexes"].as_str()),
        (Some(3), Some("0-2"))
    );
    let mut indexes: Vec<String> = pods_of(&server, "indexed")
        .iter()
        .map(|p| {
            let index =
                p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"].as_str().unwrap_or("?");
            assert_eq!(p["spec"]["hostname"].as_str(), Some(format!("indexed-{index}").as_str()));
            index.to_string()
        })
        .collect();
    indexes.sort();
    assert_eq!(indexes, ["0", "1", "2"]);

    let table = server.kubectl_ok(&["get", "jobs"]);
    let hello_row = table.lines().find(|l| l.starts_with("hello ")).unwrap_or_default();
    assert!(hello_row.contains("Complete") && hello_row.contains("1/1"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("batch ") && l.contains("4/4")), "{table}");
    let described = server.kubectl_ok(&["describe", "job", "hello"]);
    assert!(described.contains("SuccessfulCreate") && described.contains("Created pod: hello-"), "{described}");
    assert!(described.contains("Completed") && described.contains("Job completed"), "{described}");
    assert!(described.contains("job-controller"), "{described}");
}

#[test]
fn jobs_fail_on_backoff_limit_and_deadline() {
    let server = hollow_cluster();
    let failing = job("failing", "  backoffLimit: 1\n", "[\"false\"]");
    let slow = job("slow", "  activeDeadlineSeconds: 3\n", "[\"sleep\", \"3600\"]");
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&format!("{failing}---\n{slow}")));

    assert!(
        eventually(WAIT, || condition(&job_json(&server, "failing"), "Failed").is_some()),
        "{}",
        job_json(&server, "failing")
    );
    let failed = job_json(&server, "failing");
    assert_eq!(condition(&failed, "Failed").map(|c| c["reason"].clone()), Some("BackoffLimitExceeded".into()));
    assert!(condition(&failed, "FailureTarget").is_some());
    assert_eq!(failed["status"]["failed"], 2, "one try and one retry: {failed}");
    assert!(failed["status"].get("completionTime").is_none());
    // The retry waited out upstream's 10 s pod failure backoff.
    let mut created: Vec<chrono::DateTime<chrono::Utc>> = pods_of(&server, "failing")
        .iter()
        .filter_map(|p| p["metadata"]["creationTimestamp"].as_str()?.parse().ok())
        .collect();
    created.sort();
    assert_eq!(created.len(), 2, "{created:?}");
    assert!(created[1] - created[0] >= chrono::Duration::seconds(9), "{created:?}");
    let described = server.kubectl_ok(&["describe", "job", "failing"]);
    assert!(
        described.contains("BackoffLimitExceeded") && described.contains("Job has reached the specified backoff limit")
    );

    assert!(
        eventually(WAIT, || condition(&job_json(&server, "slow"), "Failed").is_some()),
        "{}",
        job_json(&server, "slow")
    );
    let slow = job_json(&server, "slow");
    assert_eq!(condition(&slow, "Failed").map(|c| c["reason"].clone()), Some("DeadlineExceeded".into()));
    // Its running pod was deleted.
    assert!(eventually(WAIT, || pods_of(&server, "slow").is_empty()), "{:?}", pods_of(&server, "slow"));
    let described = server.kubectl_ok(&["describe", "job", "slow"]);
    assert!(described.contains("Job was active longer than specified deadline"), "{described}");
    assert!(described.contains("SuccessfulDelete"), "{described}");
    let table = server.kubectl_ok(&["get", "job", "slow"]);
    assert!(table.contains("Failed"), "{table}");
}

#[test]
fn suspended_jobs_wait_and_finished_jobs_expire() {
    let server = hollow_cluster();
    let suspended = job("paused", "  suspend: true\n", "[\"true\"]");
    let expiring = job("expiring", "  ttlSecondsAfterFinished: 2\n", "[\"true\"]");
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&format!("{suspended}---\n{expiring}")));

    assert!(eventually(WAIT, || condition(&job_json(&server, "paused"), "Suspended").is_some()));
    assert!(pods_of(&server, "paused").is_empty());
    server.kubectl_ok(&["patch", "job", "paused", "--type=merge", "-p", "{\"spec\":{\"suspend\":false}}"]);
    assert!(eventually(WAIT, || condition(&job_json(&server, "paused"), "Complete").is_some()));
    let resumed = job_json(&server, "paused");
    let suspended_condition = resumed["status"]["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == "Suspended").cloned())
        .unwrap_or_default();
    assert_eq!(
        (suspended_condition["status"].as_str(), suspended_condition["reason"].as_str()),
        (Some("False"), Some("JobResumed"))
    );

    // Completes, then is deleted with its pods after two seconds.
    let gone = |what: &[&str]| !server.kubectl(what).status.success();
    assert!(eventually(WAIT, || gone(&["get", "job", "expiring"])), "{}", job_json(&server, "expiring"));
    assert!(eventually(WAIT, || pods_of(&server, "expiring").is_empty()));
}
