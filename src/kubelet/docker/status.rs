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
    /// An init container with `restartPolicy: Always` (a sidecar).
    pub sidecar: bool,
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
    container_status_waiting_for(view, "ContainerCreating")
}

/// The status, saying `default_waiting` of a container not created yet (upstream says
/// PodInitializing in a pod with init containers).
fn container_status_waiting_for(view: &ContainerView, default_waiting: &str) -> Value {
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
            let mut state = json!({"waiting": {"reason": waiting.reason}});
            if !waiting.message.is_empty() {
                state["waiting"]["message"] = json!(waiting.message);
            }
            (state, last, false)
        }
        (Some(current), None) => (json!({"terminated": terminated(current)}), last_of(view.previous), false),
        (None, None) => (json!({"waiting": {"reason": default_waiting}}), json!({}), false),
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

/// An init container's status: a regular one is ready once it completed, as upstream's
/// prober manager says.
pub fn init_container_status(view: &ContainerView) -> Value {
    let mut status = container_status_waiting_for(view, "PodInitializing");
    if !view.sidecar {
        status["ready"] = json!(init_done(false, &status));
    }
    status
}

/// Upstream's getPhase over the container statuses just computed: `init` are the init
/// containers' (with whether each is a sidecar), `statuses` the app containers'.
pub fn phase(restart_policy: &str, init: &[(bool, Value)], statuses: &[Value]) -> &'static str {
    let failed_exit = |state: Option<&Value>| state.is_some_and(|t| t["exitCode"].as_i64() != Some(0));
    let (mut pending_init, mut pending_sidecars, mut failed_init) = (0, 0, 0);
    let (mut running, mut waiting, mut stopped, mut succeeded) = (0, 0, 0, 0);
    for (sidecar, status) in init {
        let state = &status["state"];
        let last = status.pointer("/lastState/terminated");
        if *sidecar {
            if state.get("running").is_some() {
                if status["started"] != json!(true) {
                    pending_sidecars += 1;
                }
                running += 1;
            } else if state.get("waiting").is_some() && last.is_none() {
                pending_sidecars += 1;
                waiting += 1;
            }
        } else if state.get("running").is_some() {
            pending_init += 1;
        } else if let Some(terminated) = state.get("terminated") {
            if failed_exit(Some(terminated)) {
                failed_init += 1;
            }
        } else if last.is_some() {
            if failed_exit(last) {
                failed_init += 1;
            }
        } else {
            pending_init += 1;
        }
    }
    let app_started = any_started(statuses);
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
            waiting += 1;
        }
    }
    if failed_init > 0 && restart_policy == "Never" {
        return "Failed";
    }
    if statuses.is_empty() || pending_init > 0 || (pending_sidecars > 0 && !app_started) || waiting > 0 {
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

/// Whether an app container ever ran (upstream's HasAnyRegularContainerStarted): the pod
/// was initialized before.
fn any_started(statuses: &[Value]) -> bool {
    statuses.iter().any(|s| {
        s.pointer("/state/running").is_some()
            || s.pointer("/state/terminated").is_some()
            || s.pointer("/lastState/terminated").is_some()
    })
}

/// Whether an init container no longer holds the pod back: a sidecar that started, or a
/// regular one that completed (upstream's isInitContainerInitialized).
fn init_done(sidecar: bool, status: &Value) -> bool {
    if sidecar {
        status["started"] == json!(true)
    } else {
        status.pointer("/state/terminated/exitCode").and_then(Value::as_i64) == Some(0)
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
    init_views: &[ContainerView],
    views: &[ContainerView],
    sandbox_ready: bool,
    pod_ip: Option<&str>,
    host_ip: &str,
    now: DateTime<Utc>,
) -> Value {
    let now_text = timestamp(now);
    let default_waiting = if init_views.is_empty() { "ContainerCreating" } else { "PodInitializing" };
    let statuses: Vec<Value> = views.iter().map(|v| container_status_waiting_for(v, default_waiting)).collect();
    let init: Vec<(bool, Value)> = init_views.iter().map(|v| (v.sidecar, init_container_status(v))).collect();
    let policy = pod.spec.as_ref().and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always");
    let phase = phase(policy, &init, &statuses);
    let terminal = matches!(phase, "Succeeded" | "Failed");
    // Sidecars count for readiness as app containers do.
    let sidecars = init_views.iter().zip(&init).filter(|(v, _)| v.sidecar).map(|(v, (_, s))| (v, s));
    let unready: Vec<&str> = sidecars
        .chain(views.iter().zip(&statuses))
        .filter(|(_, s)| s["ready"] != json!(true))
        .map(|(v, _)| v.name)
        .collect();
    let app_started = any_started(&statuses);
    let incomplete: Vec<&str> =
        init_views.iter().zip(&init).filter(|(v, (_, s))| !init_done(v.sidecar, s)).map(|(v, _)| v.name).collect();
    // Upstream's GeneratePodInitializedCondition: a failed pod whose init containers
    // failed was never initialized.
    let succeeded = phase == "Succeeded";
    let initialized = succeeded || app_started || incomplete.is_empty();
    let incomplete_message = format!("containers with incomplete status: [{}]", incomplete.join(" "));
    let (init_reason, init_message) = match (succeeded, initialized) {
        (true, _) => (Some("PodCompleted"), None),
        (false, true) => (None, None),
        (false, false) => (Some("ContainersNotInitialized"), Some(incomplete_message.as_str())),
    };
    let ready = unready.is_empty();
    let unready_message = format!("containers with unready status: [{}]", unready.join(" "));
    let (reason, message) = match (terminal, ready) {
        (true, _) => (Some("PodCompleted"), None),
        (false, true) => (None, None),
        (false, false) => (Some("ContainersNotReady"), Some(unready_message.as_str())),
    };
    let conditions = json!([
        condition(pod, "PodReadyToStartContainers", sandbox_ready, None, None, &now_text),
        condition(pod, "Initialized", initialized, init_reason, init_message, &now_text),
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
    if !init.is_empty() {
        status["initContainerStatuses"] = Value::Array(init.into_iter().map(|(_, s)| s).collect());
    }
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
        assert_eq!(phase("Always", &[], &[creating.clone()]), "Pending");
        assert_eq!(phase("Always", &[], &[running.clone(), creating]), "Pending");
        assert_eq!(phase("Always", &[], &[running.clone(), done.clone()]), "Running");
        assert_eq!(phase("Never", &[], &[done.clone()]), "Succeeded");
        assert_eq!(phase("Never", &[], &[done.clone(), failed.clone()]), "Failed");
        assert_eq!(phase("OnFailure", &[], &[done.clone()]), "Succeeded");
        assert_eq!(phase("OnFailure", &[], &[crash.clone()]), "Running");
        assert_eq!(phase("Always", &[], &[crash]), "Running");
        assert_eq!(phase("Always", &[], &[done]), "Running");
    }

    #[test]
    fn init_containers_hold_the_pod_pending_or_fail_it() {
        let app = status(json!({"waiting": {"reason": "PodInitializing"}}), json!({}));
        let running = status(json!({"running": {}}), json!({}));
        let failed = status(json!({"terminated": {"exitCode": 3}}), json!({}));
        let done = status(json!({"terminated": {"exitCode": 0}}), json!({}));
        assert_eq!(phase("Always", &[(false, running.clone())], &[app.clone()]), "Pending");
        assert_eq!(phase("Never", &[(false, failed.clone())], &[app.clone()]), "Failed");
        assert_eq!(phase("Always", &[(false, failed)], &[app.clone()]), "Pending");
        let mut sidecar = running.clone();
        sidecar["started"] = json!(true);
        assert_eq!(phase("Never", &[(false, done.clone()), (true, sidecar)], &[running.clone()]), "Running");
        assert_eq!(phase("Never", &[(true, running)], &[app]), "Pending", "a sidecar not started yet");
        assert!(init_done(false, &done) && !init_done(true, &done));
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
            sidecar: false,
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
                sidecar: false,
            },
            ContainerView {
                name: "b",
                image: "i",
                current: None,
                previous: None,
                waiting: None,
                started: true,
                ready: true,
                sidecar: false,
            },
        ];
        let status = pod_status(&pod, &[], &views, true, Some("172.17.0.5"), "127.0.0.1", Utc::now());
        assert_eq!(status["phase"], "Pending");
        assert_eq!(status["podIP"], "172.17.0.5");
        let ready = status["conditions"].as_array().unwrap().iter().find(|c| c["type"] == "Ready").unwrap();
        assert_eq!(ready["message"], "containers with unready status: [a b]");
    }
}
