//! The CronJob controller against a real `kctl server` with hollow nodes, on a clock
//! running 60 times as fast (`KCTL_CRONJOB_CLOCK_SPEED`), so `* * * * *` fires every
//! second: jobs named `<cronjob>-<minutes>` with the scheduled-timestamp annotation, the
//! history limits kept, Forbid skipping while a job is active, suspend, and
//! `create job --from=cronjob/…` by both kctl and the real kubectl.

mod cli_common;
mod support;

use std::time::Duration;

use serde_json::Value;
use support::{eventually, TestServer};

const WAIT: Duration = Duration::from_secs(60);

fn fast_server() -> TestServer {
    TestServer::start_with_env(&["--hollow-nodes", "1"], &[("KCTL_CRONJOB_CLOCK_SPEED", "60")])
}

fn json(server: &TestServer, args: &[&str]) -> Value {
    let output = server.kubectl(&[args, &["-o", "json"]].concat());
    serde_json::from_slice(&output.stdout).unwrap_or_default()
}

fn jobs_of(server: &TestServer, cron_job: &str) -> Vec<Value> {
    let jobs = json(server, &["get", "jobs"]);
    let items = jobs["items"].as_array().cloned().unwrap_or_default();
    items.into_iter().filter(|j| j["metadata"]["ownerReferences"][0]["name"] == cron_job).collect()
}

fn cron_job(name: &str, policy: &str, command: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: {name}\nspec:\n  schedule: \"* * * * *\"\n  \
         concurrencyPolicy: {policy}\n  successfulJobsHistoryLimit: 2\n  failedJobsHistoryLimit: 1\n  jobTemplate:\n    \
         metadata:\n      labels: {{team: batch}}\n    spec:\n      template:\n        spec:\n          \
         restartPolicy: Never\n          containers:\n          - name: main\n            image: busybox\n            \
         command: {command}\n"
    )
}

#[test]
fn cron_jobs_run_on_schedule_and_keep_their_history() {
    let server = fast_server();
    let manifests = format!(
        "{}---\n{}",
        cron_job("tick", "Allow", "[\"true\"]"),
        cron_job("hold", "Forbid", "[\"sleep\", \"3600\"]")
    );
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&manifests));

    // Several runs complete; only the last two successful jobs are kept.
    assert!(
        eventually(WAIT, || {
            let cj = json(&server, &["get", "cronjob", "tick"]);
            let events = server.kubectl(&["get", "events", "--field-selector=involvedObject.name=tick"]);
            cj["status"]["lastSuccessfulTime"].is_string()
                && String::from_utf8_lossy(&events.stdout).contains("SuccessfulDelete")
        }),
        "{}",
        json(&server, &["get", "cronjob", "tick"])
    );
    assert!(eventually(WAIT, || jobs_of(&server, "tick").len() <= 3));
    let cj = json(&server, &["get", "cronjob", "tick"]);
    assert!(cj["status"]["lastScheduleTime"].is_string(), "{cj}");
    let jobs = jobs_of(&server, "tick");
    let job = &jobs[0];
    let name = job["metadata"]["name"].as_str().unwrap_or_default();
    let minutes: i64 = name.strip_prefix("tick-").and_then(|m| m.parse().ok()).expect("tick-<minutes>");
    let scheduled = job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"]
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .expect("scheduled timestamp");
    assert_eq!(scheduled.timestamp(), minutes * 60);
    assert_eq!(job["metadata"]["labels"]["team"], "batch");
    let owner = &job["metadata"]["ownerReferences"][0];
    assert_eq!((owner["kind"].as_str(), owner["controller"].as_bool()), (Some("CronJob"), Some(true)));
    let events = String::from_utf8_lossy(&server.kubectl(&["get", "events"]).stdout).into_owned();
    for reason in ["SuccessfulCreate", "SawCompletedJob", "SuccessfulDelete"] {
        assert!(events.contains(reason), "no {reason} event: {events}");
    }

    // Forbid: the one job never ends, so no other starts.
    assert!(eventually(WAIT, || {
        let events = server.kubectl(&["get", "events", "--field-selector=involvedObject.name=hold"]);
        String::from_utf8_lossy(&events.stdout).contains("JobAlreadyActive")
    }));
    assert_eq!(jobs_of(&server, "hold").len(), 1);
    let hold = json(&server, &["get", "cronjob", "hold"]);
    assert_eq!(hold["status"]["active"].as_array().map(Vec::len), Some(1), "{hold}");

    // Suspended, no more jobs are made.
    server.kubectl_ok(&["patch", "cronjob", "tick", "--type=merge", "-p", r#"{"spec":{"suspend":true}}"#]);
    std::thread::sleep(Duration::from_millis(500));
    let before = json(&server, &["get", "cronjob", "tick"])["status"]["lastScheduleTime"].clone();
    // Three scheduled minutes pass on the fast clock.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(json(&server, &["get", "cronjob", "tick"])["status"]["lastScheduleTime"], before);

    // create job --from=cronjob/… by kctl and by kubectl make the same job.
    let created = cli_common::kctl(&server, &["create", "job", "by-kctl", "--from=cronjob/tick"]);
    assert_eq!(String::from_utf8_lossy(&created.stdout), "job.batch/by-kctl created\n");
    server.kubectl_ok(&["create", "job", "by-kubectl", "--from=cronjob/tick"]);
    let shape = |name: &str| {
        let job = json(&server, &["get", "job", name]);
        (
            job["metadata"]["annotations"].clone(),
            job["metadata"]["labels"]["team"].clone(),
            job["metadata"]["ownerReferences"].clone(),
        )
    };
    assert_eq!(shape("by-kctl"), shape("by-kubectl"));
    assert_eq!(shape("by-kctl").0["cronjob.kubernetes.io/instantiate"], "manual");
    let refused = cli_common::kctl(&server, &["create", "job", "x", "--from=deployment/web"]);
    assert_eq!(String::from_utf8_lossy(&refused.stderr), "error: from must be an existing cronjob\n");
}
