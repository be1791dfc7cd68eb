//! Pods that finish on a hollow node. Hollow nodes run no containers, so a pod's fate is
//! read from its spec: with restartPolicy Never or OnFailure, a first container whose
//! command (or, without one, args) starts with `true` exits 0 and the pod Succeeds;
//! one starting with `false` exits 1 and, with restartPolicy Never, the pod Fails
//! (OnFailure restarts are not simulated: such a pod keeps running). So
//! `kubectl create job x --image=busybox -- true` completes on a hollow cluster.

use chrono::{DateTime, SecondsFormat, Utc};
use k8s_openapi::api::core::v1::Pod;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The exit code the pod's run ends with, if it ends.
pub fn exit_code(pod: &Pod) -> Option<i32> {
    let spec = pod.spec.as_ref()?;
    let policy = spec.restart_policy.as_deref().unwrap_or("Always");
    if policy == "Always" {
        return None;
    }
    let container = spec.containers.first()?;
    let word = container.command.iter().flatten().chain(container.args.iter().flatten()).next()?;
    match word.rsplit('/').next().unwrap_or(word) {
        "true" => Some(0),
        "false" if policy == "Never" => Some(1),
        _ => None,
    }
}

/// The status of a pod whose containers exited with `code`: Succeeded or Failed, not
/// ready, each container terminated (Completed or Error).
pub fn finished(pod: &Pod, code: i32, now: DateTime<Utc>) -> Value {
    let status = pod.status.as_ref();
    let started = status.and_then(|s| s.start_time.as_ref()).map(|t| t.0).unwrap_or(now);
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let reason = if code == 0 { "Completed" } else { "Error" };
    let containers: Vec<Value> = pod
        .spec
        .as_ref()
        .map(|s| s.containers.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let image = c.image.clone().unwrap_or_default();
            json!({
                "name": c.name,
                "image": image,
                "imageID": format!("{image}@sha256:{}", hex::encode(Sha256::digest(image.as_bytes()))),
                "containerID": format!("containerd://{}", hex::encode(Sha256::digest(format!("{uid}/{}", c.name).as_bytes()))),
                "ready": false,
                "started": false,
                "restartCount": 0,
                "state": {"terminated": {"exitCode": code, "reason": reason,
                    "startedAt": timestamp(started), "finishedAt": timestamp(now)}},
                "lastState": {},
            })
        })
        .collect();
    let condition = |type_: &str, ok: bool, completed: bool| {
        let mut condition = json!({"type": type_, "status": if ok { "True" } else { "False" },
            "lastProbeTime": null, "lastTransitionTime": timestamp(now)});
        if completed {
            condition["reason"] = json!("PodCompleted");
        }
        condition
    };
    json!({"status": {
        "phase": if code == 0 { "Succeeded" } else { "Failed" },
        "conditions": [
            condition("PodReadyToStartContainers", false, false),
            condition("Initialized", true, true),
            condition("Ready", false, true),
            condition("ContainersReady", false, true),
            condition("PodScheduled", true, false),
        ],
        "containerStatuses": containers,
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(policy: &str, command: Value) -> Pod {
        serde_json::from_value(json!({"metadata": {"name": "p", "uid": "u"},
            "spec": {"restartPolicy": policy, "containers": [{"name": "c", "image": "busybox", "command": command}]}}))
        .unwrap()
    }

    #[test]
    fn true_succeeds_and_false_fails_unless_restarted() {
        assert_eq!(exit_code(&pod("Never", json!(["true"]))), Some(0));
        assert_eq!(exit_code(&pod("OnFailure", json!(["/bin/true"]))), Some(0));
        assert_eq!(exit_code(&pod("Never", json!(["false"]))), Some(1));
        assert_eq!(exit_code(&pod("OnFailure", json!(["false"]))), None);
        assert_eq!(exit_code(&pod("Always", json!(["true"]))), None);
        assert_eq!(exit_code(&pod("Never", json!(["sleep", "10"]))), None);
    }

    #[test]
    fn a_finished_pod_is_terminated_and_not_ready() {
        let failed: Pod = serde_json::from_value(json!({"metadata": {"name": "p"},
            "status": finished(&pod("Never", json!(["false"])), 1, Utc::now())["status"]}))
        .unwrap();
        let status = failed.status.unwrap();
        assert_eq!(status.phase.as_deref(), Some("Failed"));
        let terminated = status.container_statuses.unwrap()[0].state.clone().unwrap().terminated.unwrap();
        assert_eq!((terminated.exit_code, terminated.reason.as_deref()), (1, Some("Error")));
    }
}
