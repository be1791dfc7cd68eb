//! The pod status a Docker kubelet reports, derived from its containers as upstream's
//! kubelet does: container states (waiting/running/terminated, lastState, restarts),
//! the phase (`getPhase`), the five conditions, IPs and start time.

use chrono::{DateTime, SecondsFormat, Utc};
use k8s_openapi::api::core::v1::Pod;
use serde_json::{json, Value};

use super::runtime::Instance;

fn timestamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Why a container is not running, when that is not just "being created".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub reason: String,
    pub message: String,
}

/// What the kubelet knows of one spec container.
#[derive(Debug, Clone)]
pub struct ContainerView<'a> {
    pub name: &'a str,
    pub image: &'a str,
    /// Its newest instance on the engine, and the one before.
    pub current: Option<&'a Instance>,
    pub previous: Option<&'a Instance>,
    /// Set while it waits: pulling failed, backing off from a crash, could not be created.
    pub waiting: Option<Waiting>,
    /// What its probes say of the running instance: started (startup probe passed, or
    /// none) and ready (started, and the readiness probe passed, or none).
    pub started: bool,
    pub ready: bool,
}

/// Terminated state of an exited instance (`lastState.terminated` or `state.terminated`).
pub fn terminated(instance: &Instance) -> Value {
    let code = instance.exit_code();
    let reason = if instance.oom_killed() {
        "OOMKilled"
    } else if !instance.ever_started() || instance.error().is_some() {
        "StartError"
    } else if code == 0 {
        "Completed"
    } else {
        "Error"
    };
    let mut state = json!({"exitCode": code, "reason": reason, "containerID": format!("docker://{}", instance.id)});
    if let Some(message) = instance.error() {
        state["message"] = json!(message);
    }
    let finished = instance.finished_at();
    let started = instance.started_at().or(finished);
    if let Some(started) = started {
        state["startedAt"] = json!(timestamp(started));
    }
    if let Some(finished) = finished {
        state["finishedAt"] = json!(timestamp(finished));
    }
    state
}

pub fn container_status(view: &ContainerView) -> Value {
    let last_of = |instance: Option<&Instance>| match instance {
        Some(instance) if !instance.running() => json!({"terminated": terminated(instance)}),
        _ => json!({}),
    };
    let (state, last_state, running) = match (view.current, &view.waiting) {
        (Some(current), _) if current.running() => {
            let started = current.started_at().map(timestamp);
            (json!({"running": {"startedAt": started}}), last_of(view.previous), true)
        }
        (current, Some(waiting)) => {
            let last = if current.is_some() { last_of(current) } else { last_of(view.previous) };
            (json!({"waiting": {"reason": waiting.reason, "message": waiting.message}}), last, false)
        }
        (Some(current), None) => (json!({"terminated": terminated(current)}), last_of(view.previous), false),
        (None, None) => (json!({"waiting": {"reason": "ContainerCreating"}}), json!({}), false),
    };
    let mut status = json!({
        "name": view.name,
        "image": view.image,
        "imageID": view.current.map(|c| format!("docker://{}", c.image_id())).unwrap_or_default(),
        "ready": running && view.ready,
        "started": running && view.started,
        "restartCount": view.current.map_or(0, |c| c.attempt),
        "state": state,
        "lastState": last_state,
    });
    if let Some(current) = view.current {
        status["containerID"] = json!(format!("docker://{}", current.id));
    }
    status
}

/// Upstream's getPhase over the container statuses just computed.
pub fn phase(restart_policy: &str, statuses: &[Value]) -> &'static str {
    let (mut pending, mut running, mut stopped, mut succeeded) = (0, 0, 0, 0);
    for status in statuses {
        let state = &status["state"];
        if state.get("running").is_some() {
            running += 1;
        } else if let Some(terminated) = state.get("terminated") {
            stopped += 1;
            if terminated["exitCode"].as_i64() == Some(0) {
                succeeded += 1;
            }
        } else if status.pointer("/lastState/terminated").is_some() {
            stopped += 1;
        } else {
            pending += 1;
        }
    }
    if statuses.is_empty() || pending > 0 {
        return "Pending";
    }
    if running > 0 {
        return "Running";
    }
    match restart_policy {
        _ if stopped == 0 => "Pending",
        "Never" if stopped == succeeded => "Succeeded",
        "Never" => "Failed",
        // A waiting container with a last termination is about to be restarted.
        "OnFailure" if stopped == succeeded && statuses.iter().all(|s| s.pointer("/state/terminated").is_some()) => {
            "Succeeded"
        }
        _ => "Running",
    }
}

/// The condition, keeping its transition time while its status stays the same.
fn condition(pod: &Pod, type_: &str, status: bool, reason: Option<&str>, message: Option<&str>, now: &str) -> Value {
    let status = if status { "True" } else { "False" };
    let previous =
        pod.status.as_ref().and_then(|s| s.conditions.as_ref()).and_then(|c| c.iter().find(|c| c.type_ == type_));
    let since = match previous {
        Some(previous) if previous.status == status => {
            previous.last_transition_time.as_ref().map(|t| timestamp(t.0)).unwrap_or_else(|| now.to_string())
        }
        _ => now.to_string(),
    };
    let mut condition = json!({"type": type_, "status": status, "lastProbeTime": null, "lastTransitionTime": since});
    if let Some(reason) = reason {
        condition["reason"] = json!(reason);
    }
    if let Some(message) = message {
        condition["message"] = json!(message);
    }
    condition
}

/// The pod's whole status (a `pods/status` merge patch body under `status`).
pub fn pod_status(
    pod: &Pod,
    views: &[ContainerView],
    sandbox_ready: bool,
    pod_ip: Option<&str>,
    host_ip: &str,
    now: DateTime<Utc>,
) -> Value {
    let now_text = timestamp(now);
    let statuses: Vec<Value> = views.iter().map(container_status).collect();
    let policy = pod.spec.as_ref().and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always");
    let phase = phase(policy, &statuses);
    let terminal = matches!(phase, "Succeeded" | "Failed");
    let unready: Vec<&str> =
        views.iter().zip(&statuses).filter(|(_, s)| s["ready"] != json!(true)).map(|(v, _)| v.name).collect();
    let ready = unready.is_empty();
    let unready_message = format!("containers with unready status: [{}]", unready.join(" "));
    let (reason, message) = match (terminal, ready) {
        (true, _) => (Some("PodCompleted"), None),
        (false, true) => (None, None),
        (false, false) => (Some("ContainersNotReady"), Some(unready_message.as_str())),
    };
    let conditions = json!([
        condition(pod, "PodReadyToStartContainers", sandbox_ready, None, None, &now_text),
        condition(pod, "Initialized", true, terminal.then_some("PodCompleted"), None, &now_text),
        condition(pod, "Ready", ready && !terminal, reason, message, &now_text),
        condition(pod, "ContainersReady", ready && !terminal, reason, message, &now_text),
        condition(pod, "PodScheduled", true, None, None, &now_text),
    ]);
    let start_time =
        pod.status.as_ref().and_then(|s| s.start_time.as_ref()).map(|t| timestamp(t.0)).unwrap_or(now_text);
    let mut status = json!({
        "phase": phase,
        "conditions": conditions,
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "startTime": start_time,
        "containerStatuses": statuses,
        "qosClass": pod.status.as_ref().and_then(|s| s.qos_class.clone()).unwrap_or_else(|| "BestEffort".into()),
    });
    let kept_ip = pod.status.as_ref().and_then(|s| s.pod_ip.clone());
    if let Some(ip) = pod_ip.map(str::to_string).or(kept_ip) {
        status["podIP"] = json!(ip);
        status["podIPs"] = json!([{"ip": ip}]);
    }
    status
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(state: Value, last: Value) -> Value {
        json!({"state": state, "lastState": last})
    }

    #[test]
    fn phase_follows_upstreams_rules() {
        let running = status(json!({"running": {}}), json!({}));
        let done = status(json!({"terminated": {"exitCode": 0}}), json!({}));
        let failed = status(json!({"terminated": {"exitCode": 1}}), json!({}));
        let creating = status(json!({"waiting": {"reason": "ContainerCreating"}}), json!({}));
        let crash = status(json!({"waiting": {"reason": "CrashLoopBackOff"}}), json!({"terminated": {"exitCode": 1}}));
        assert_eq!(phase("Always", &[creating.clone()]), "Pending");
        assert_eq!(phase("Always", &[running.clone(), creating]), "Pending");
        assert_eq!(phase("Always", &[running.clone(), done.clone()]), "Running");
        assert_eq!(phase("Never", &[done.clone()]), "Succeeded");
        assert_eq!(phase("Never", &[done.clone(), failed.clone()]), "Failed");
        assert_eq!(phase("OnFailure", &[done.clone()]), "Succeeded");
        assert_eq!(phase("OnFailure", &[crash.clone()]), "Running");
        assert_eq!(phase("Always", &[crash]), "Running");
        assert_eq!(phase("Always", &[done]), "Running");
    }

    #[test]
    fn a_missing_container_is_being_created() {
        let view = ContainerView {
            name: "c",
            image: "i",
            current: None,
            previous: None,
            waiting: None,
            started: true,
            ready: true,
        };
        let status = container_status(&view);
        assert_eq!(status["state"]["waiting"]["reason"], "ContainerCreating");
        assert_eq!(status["ready"], false);
        assert_eq!(status["restartCount"], 0);
        let waiting = Waiting { reason: "ErrImagePull".into(), message: "no".into() };
        let view = ContainerView { waiting: Some(waiting), ..view };
        assert_eq!(container_status(&view)["state"]["waiting"]["reason"], "ErrImagePull");
    }

    #[test]
    fn an_unready_pod_names_its_containers() {
        let pod: Pod = serde_json::from_value(json!({"metadata": {"name": "p"},
            "spec": {"containers": [{"name": "a"}, {"name": "b"}]}}))
        .unwrap();
        let views = [
            ContainerView {
                name: "a",
                image: "i",
                current: None,
                previous: None,
                waiting: None,
                started: true,
                ready: true,
            },
            ContainerView {
                name: "b",
                image: "i",
                current: None,
                previous: None,
                waiting: None,
                started: true,
                ready: true,
            },
        ];
        let status = pod_status(&pod, &views, true, Some("172.17.0.5"), "127.0.0.1", Utc::now());
        assert_eq!(status["phase"], "Pending");
        assert_eq!(status["podIP"], "172.17.0.5");
        let ready = status["conditions"].as_array().unwrap().iter().find(|c| c["type"] == "Ready").unwrap();
        assert_eq!(ready["message"], "containers with unready status: [a b]");
    }
}
