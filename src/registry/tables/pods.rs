//! Pods: READY, STATUS (kubectl's whole pod-status logic), RESTARTS with the last restart's age.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{
    age, arr_at, bool_at, col, int_at, name_cell, present, s, str_at, time_at, wide, Column, Printer, AGE, NAME,
};

const COLUMNS: &[Column] = &[
    NAME,
    col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
    col("Status", "string", "The aggregate status of the containers in this pod."),
    col(
        "Restarts",
        "string",
        "The number of times the containers in this pod have been restarted and when the last container in this pod \
         has restarted.",
    ),
    AGE,
    wide(
        "IP",
        "string",
        "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
    ),
    wide("Node", "string", "NodeName indicates in which node this pod is scheduled."),
    wide("Nominated Node", "string", "nominatedNodeName is set only when this pod preempts other pods on the node."),
    wide("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness."),
];

pub static POD: Printer = Printer { columns: COLUMNS, cells: pod_cells };

/// The reason upstream shows for a pod on an unreachable node (`node.NodeUnreachablePodReason`).
const NODE_UNREACHABLE_REASON: &str = "NodeLost";

/// A sidecar: an init container with `restartPolicy: Always`.
fn is_restartable_init_container(pod: &Value, name: &str) -> bool {
    arr_at(pod, "/spec/initContainers")
        .iter()
        .find(|c| str_at(c, "/name") == name)
        .is_some_and(|c| str_at(c, "/restartPolicy") == "Always")
}

/// Whether the pod has a condition of this type with status True.
fn has_true_condition(pod: &Value, type_: &str) -> bool {
    arr_at(pod, "/status/conditions").iter().any(|c| str_at(c, "/type") == type_ && str_at(c, "/status") == "True")
}

/// Keeps the later of the running latest restart time and a container's last termination.
fn note_restart(latest: &mut Option<DateTime<Utc>>, container_status: &Value) {
    if let Some(finished) = time_at(container_status, "/lastState/terminated/finishedAt") {
        if latest.is_none_or(|l| l < finished) {
            *latest = Some(finished);
        }
    }
}

/// Upstream's `printPod`.
fn pod_cells(pod: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let init_containers = arr_at(pod, "/spec/initContainers");
    let mut restarts = 0i64;
    let mut sidecar_restarts = 0i64;
    let total = arr_at(pod, "/spec/containers").len()
        + init_containers.iter().filter(|c| str_at(c, "/restartPolicy") == "Always").count();
    let mut ready = 0usize;
    let mut last_restart: Option<DateTime<Utc>> = None;
    let mut last_sidecar_restart: Option<DateTime<Utc>> = None;

    let phase = str_at(pod, "/status/phase");
    let mut reason = match str_at(pod, "/status/reason") {
        "" => phase.to_string(),
        r => r.to_string(),
    };
    // A scheduling-gated pod says so, whatever its phase.
    if arr_at(pod, "/status/conditions")
        .iter()
        .any(|c| str_at(c, "/type") == "PodScheduled" && str_at(c, "/reason") == "SchedulingGated")
    {
        reason = "SchedulingGated".into();
    }

    let mut initializing = false;
    for (i, container) in arr_at(pod, "/status/initContainerStatuses").iter().enumerate() {
        restarts += int_at(container, "/restartCount");
        note_restart(&mut last_restart, container);
        let sidecar = is_restartable_init_container(pod, str_at(container, "/name"));
        if sidecar {
            sidecar_restarts += int_at(container, "/restartCount");
            note_restart(&mut last_sidecar_restart, container);
        }
        let terminated = present(container, "/state/terminated");
        let waiting_reason = str_at(container, "/state/waiting/reason");
        if terminated && int_at(container, "/state/terminated/exitCode") == 0 {
            continue;
        } else if sidecar && bool_at(container, "/started") {
            if bool_at(container, "/ready") {
                ready += 1;
            }
            continue;
        } else if terminated {
            // Initialization failed.
            reason = match str_at(container, "/state/terminated/reason") {
                "" => match int_at(container, "/state/terminated/signal") {
                    0 => format!("Init:ExitCode:{}", int_at(container, "/state/terminated/exitCode")),
                    signal => format!("Init:Signal:{signal}"),
                },
                r => format!("Init:{r}"),
            };
        } else if !waiting_reason.is_empty() && waiting_reason != "PodInitializing" {
            reason = format!("Init:{waiting_reason}");
        } else {
            reason = format!("Init:{i}/{}", init_containers.len());
        }
        initializing = true;
        break;
    }

    if !initializing || has_true_condition(pod, "Initialized") {
        restarts = sidecar_restarts;
        last_restart = last_sidecar_restart;
        let mut has_running = false;
        for container in arr_at(pod, "/status/containerStatuses").iter().rev() {
            restarts += int_at(container, "/restartCount");
            note_restart(&mut last_restart, container);
            let waiting_reason = str_at(container, "/state/waiting/reason");
            let terminated = present(container, "/state/terminated");
            let terminated_reason = str_at(container, "/state/terminated/reason");
            if !waiting_reason.is_empty() {
                reason = waiting_reason.to_string();
            } else if terminated && !terminated_reason.is_empty() {
                reason = terminated_reason.to_string();
            } else if terminated {
                reason = match int_at(container, "/state/terminated/signal") {
                    0 => format!("ExitCode:{}", int_at(container, "/state/terminated/exitCode")),
                    signal => format!("Signal:{signal}"),
                };
            } else if bool_at(container, "/ready") && present(container, "/state/running") {
                has_running = true;
                ready += 1;
            }
        }
        // A pod whose last container completed while another still runs is still running.
        if reason == "Completed" && has_running {
            reason = if has_true_condition(pod, "Ready") { "Running" } else { "NotReady" }.into();
        }
    }

    if present(pod, "/metadata/deletionTimestamp") {
        if str_at(pod, "/status/reason") == NODE_UNREACHABLE_REASON {
            reason = "Unknown".into();
        } else if phase != "Failed" && phase != "Succeeded" {
            reason = "Terminating".into();
        }
    }

    let restarts_text = match last_restart {
        Some(at) if restarts != 0 => format!("{restarts} ({} ago)", super::since(Some(at), now)),
        _ => restarts.to_string(),
    };

    vec![
        name_cell(pod),
        s(format!("{ready}/{total}")),
        s(reason),
        s(restarts_text),
        s(age(pod, now)),
        s(or_none(pod_ip(pod))),
        s(or_none(str_at(pod, "/spec/nodeName"))),
        s(or_none(str_at(pod, "/status/nominatedNodeName"))),
        s(readiness_gates(pod)),
    ]
}

/// The pod's primary IP: `podIP` wins over `podIPs[0]` as in upstream's v1 conversion.
fn pod_ip(pod: &Value) -> &str {
    match str_at(pod, "/status/podIP") {
        "" => arr_at(pod, "/status/podIPs").first().map_or("", |ip| str_at(ip, "/ip")),
        ip => ip,
    }
}

fn or_none(text: &str) -> &str {
    if text.is_empty() {
        "<none>"
    } else {
        text
    }
}

/// READINESS GATES: how many of the pod's readiness gates have a True condition, `<none>` without gates.
fn readiness_gates(pod: &Value) -> String {
    let gates = arr_at(pod, "/spec/readinessGates");
    if gates.is_empty() {
        return "<none>".into();
    }
    let conditions = arr_at(pod, "/status/conditions");
    let met = gates
        .iter()
        .filter(|gate| {
            let type_ = str_at(gate, "/conditionType");
            conditions.iter().find(|c| str_at(c, "/type") == type_).is_some_and(|c| str_at(c, "/status") == "True")
        })
        .count();
    format!("{met}/{}", gates.len())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ago, now};
    use super::*;
    use serde_json::json;

    fn row(pod: Value) -> Vec<String> {
        pod_cells(&pod, now()).iter().map(|c| c.as_str().unwrap_or("?").to_string()).collect()
    }

    /// READY, STATUS, RESTARTS of a pod.
    fn status(pod: Value) -> (String, String, String) {
        let r = row(pod);
        (r[1].clone(), r[2].clone(), r[3].clone())
    }

    fn running(name: &str, ready: bool) -> Value {
        json!({"name": name, "ready": ready, "restartCount": 0, "state": {"running": {"startedAt": ago(60)}}})
    }

    fn pod(containers: &[&str], status: Value) -> Value {
        let containers: Vec<Value> = containers.iter().map(|n| json!({"name": n, "image": "nginx"})).collect();
        json!({
            "metadata": {"name": "nginx", "creationTimestamp": ago(300)},
            "spec": {"containers": containers},
            "status": status,
        })
    }

    #[test]
    fn running_pod_prints_ready_count_and_age() {
        let p = pod(
            &["a", "b"],
            json!({"phase": "Running", "containerStatuses": [running("a", true), running("b", false)]}),
        );
        assert_eq!(row(p), ["nginx", "1/2", "Running", "0", "5m", "<none>", "<none>", "<none>", "<none>"]);
    }

    #[test]
    fn pending_pod_without_statuses_is_pending() {
        assert_eq!(status(pod(&["a"], json!({"phase": "Pending"}))), ("0/1".into(), "Pending".into(), "0".into()));
    }

    #[test]
    fn waiting_reason_is_the_status() {
        for waiting in ["ContainerCreating", "ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff"] {
            let c = json!({"name": "a", "ready": false, "restartCount": 0, "state": {"waiting": {"reason": waiting}}});
            assert_eq!(status(pod(&["a"], json!({"phase": "Pending", "containerStatuses": [c]}))).1, waiting);
        }
    }

    #[test]
    fn restarts_carry_the_age_of_the_last_termination() {
        let c = json!({
            "name": "a", "ready": false, "restartCount": 5,
            "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(5)}},
        });
        let got = status(pod(&["a"], json!({"phase": "Running", "containerStatuses": [c]})));
        assert_eq!(got, ("0/1".into(), "CrashLoopBackOff".into(), "5 (5s ago)".into()));
    }

    #[test]
    fn restarts_without_a_termination_time_have_no_suffix() {
        let mut c = running("a", true);
        c["restartCount"] = json!(3);
        assert_eq!(status(pod(&["a"], json!({"phase": "Running", "containerStatuses": [c]}))).2, "3");
    }

    #[test]
    fn terminated_containers_show_reason_or_exit_code_or_signal() {
        let t = |terminated: Value| json!({"name": "a", "restartCount": 0, "state": {"terminated": terminated}});
        let p = |c| pod(&["a"], json!({"phase": "Failed", "containerStatuses": [c]}));
        assert_eq!(status(p(t(json!({"exitCode": 0, "reason": "Completed"})))).1, "Completed");
        assert_eq!(status(p(t(json!({"exitCode": 1, "reason": "Error"})))).1, "Error");
        assert_eq!(status(p(t(json!({"exitCode": 2})))).1, "ExitCode:2");
        assert_eq!(status(p(t(json!({"exitCode": 137, "signal": 9})))).1, "Signal:9");
    }

    #[test]
    fn completed_container_beside_a_running_one_reads_running_or_not_ready() {
        let done =
            json!({"name": "a", "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}});
        let statuses = json!([running("b", true), done]);
        let ready = json!([{"type": "Ready", "status": "True"}]);
        let p1 = pod(&["a", "b"], json!({"phase": "Running", "containerStatuses": statuses, "conditions": ready}));
        assert_eq!(status(p1).1, "Running");
        let p2 = pod(&["a", "b"], json!({"phase": "Running", "containerStatuses": statuses}));
        assert_eq!(status(p2).1, "NotReady");
    }

    #[test]
    fn init_containers_show_progress_and_failures() {
        let mut p = pod(&["main"], json!({"phase": "Pending"}));
        p["spec"]["initContainers"] = json!([{"name": "i1"}, {"name": "i2"}]);
        let done =
            json!({"name": "i1", "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}});
        let init = |second: Value| {
            let mut p = p.clone();
            p["status"]["initContainerStatuses"] = json!([done, second]);
            status(p).1
        };
        assert_eq!(init(json!({"name": "i2", "state": {"running": {}}})), "Init:1/2");
        assert_eq!(init(json!({"name": "i2", "state": {"waiting": {"reason": "PodInitializing"}}})), "Init:1/2");
        assert_eq!(init(json!({"name": "i2", "state": {"waiting": {"reason": "ErrImagePull"}}})), "Init:ErrImagePull");
        assert_eq!(
            init(json!({"name": "i2", "state": {"terminated": {"exitCode": 1, "reason": "Error"}}})),
            "Init:Error"
        );
        assert_eq!(init(json!({"name": "i2", "state": {"terminated": {"exitCode": 3}}})), "Init:ExitCode:3");
        assert_eq!(
            init(json!({"name": "i2", "state": {"terminated": {"exitCode": 1, "signal": 15}}})),
            "Init:Signal:15"
        );
    }

    #[test]
    fn init_restarts_count_while_initializing() {
        let mut p = pod(&["main"], json!({"phase": "Pending"}));
        p["spec"]["initContainers"] = json!([{"name": "i1"}]);
        p["status"]["initContainerStatuses"] = json!([{
            "name": "i1", "restartCount": 2, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
            "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(30)}},
        }]);
        assert_eq!(status(p), ("0/1".into(), "Init:CrashLoopBackOff".into(), "2 (30s ago)".into()));
    }

    #[test]
    fn started_sidecars_count_toward_ready_and_total() {
        let mut p = pod(&["main"], json!({"phase": "Running", "containerStatuses": [running("main", true)]}));
        p["spec"]["initContainers"] = json!([{"name": "proxy", "restartPolicy": "Always"}]);
        p["status"]["initContainerStatuses"] =
            json!([{"name": "proxy", "ready": true, "started": true, "restartCount": 1, "state": {"running": {}}}]);
        assert_eq!(status(p), ("2/2".into(), "Running".into(), "1".into()));
    }

    /// A pod with two sidecars and one main container, as in upstream's printer tests.
    fn sidecar_pod(phase: &str, initialized: bool, init_statuses: Value, statuses: Value) -> Value {
        json!({
            "metadata": {"name": "test1"},
            "spec": {"initContainers": [{"name": "restartable-init-1", "restartPolicy": "Always"},
                                        {"name": "restartable-init-2", "restartPolicy": "Always"}],
                     "containers": [{"name": ""}]},
            "status": {"phase": phase, "initContainerStatuses": init_statuses, "containerStatuses": statuses,
                       "conditions": [{"type": "Initialized", "status": if initialized { "True" } else { "False" }}]},
        })
    }

    #[test]
    fn sidecars_match_upstream_printer_cases() {
        let restarted = json!({"terminated": {"finishedAt": ago(10)}});
        let waiting_main = json!([{"ready": false, "restartCount": 0, "state": {"waiting": {}}}]);
        let first = |started: bool| {
            json!({"name": "restartable-init-1", "ready": false, "restartCount": 3, "state": {"running": {}},
                   "started": started, "lastState": restarted})
        };
        let second = |state: Value, started: bool| json!({"name": "restartable-init-2", "ready": false, "state": state, "started": started});

        let p = sidecar_pod(
            "Pending",
            false,
            json!([first(false), second(json!({"waiting": {}}), false)]),
            waiting_main.clone(),
        );
        assert_eq!(status(p), ("0/3".into(), "Init:0/2".into(), "3 (10s ago)".into()));

        let p =
            sidecar_pod("Pending", false, json!([first(true), second(json!({"running": {}}), false)]), waiting_main);
        assert_eq!(status(p), ("0/3".into(), "Init:1/2".into(), "3 (10s ago)".into()));

        let main = json!([{"ready": true, "restartCount": 4, "state": {"running": {}}, "lastState": {"terminated": {"finishedAt": ago(20)}}}]);
        let p = sidecar_pod("Running", true, json!([first(true), second(json!({"running": {}}), true)]), main);
        assert_eq!(status(p), ("1/3".into(), "Running".into(), "7 (10s ago)".into()));

        let error = json!({"terminated": {"reason": "Error", "exitCode": 137}});
        let mut failed_first = first(false);
        failed_first["state"] = error.clone();
        let done = json!([{"ready": false, "restartCount": 4, "state": {"terminated": {"reason": "Completed", "exitCode": 0}},
                           "lastState": {"terminated": {"finishedAt": ago(20)}}}]);
        let p = sidecar_pod("Succeeded", true, json!([failed_first, second(error, false)]), done);
        assert_eq!(status(p), ("0/3".into(), "Completed".into(), "7 (10s ago)".into()));
    }

    #[test]
    fn statuses_of_unknown_containers_do_not_confuse_the_count() {
        let p = json!({
            "metadata": {"name": "test4"},
            "spec": {"initContainers": [{"name": "init1"}, {"name": "sidecar1", "restartPolicy": "Always"}],
                     "containers": [{"name": "container1"}]},
            "status": {"phase": "Running",
                       "initContainerStatuses": [{"name": "initinvalid"}, {"name": "init1"}, {"name": "sidecar1"}],
                       "containerStatuses": [{"name": "containerinvalid"}, {"name": "container1"}]},
        });
        assert_eq!(status(p), ("0/2".into(), "Init:0/2".into(), "0".into()));
    }

    #[test]
    fn status_reason_overrides_phase() {
        let p = pod(&["a"], json!({"phase": "Failed", "reason": "Evicted"}));
        assert_eq!(status(p).1, "Evicted");
        let p = pod(&["a"], json!({"phase": "Unknown", "reason": "NodeLost"}));
        assert_eq!(status(p).1, "NodeLost");
    }

    #[test]
    fn scheduling_gated_pods_say_so() {
        let p = pod(
            &["a"],
            json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]}),
        );
        assert_eq!(status(p).1, "SchedulingGated");
    }

    #[test]
    fn deleted_pods_are_terminating_unless_finished_or_node_lost() {
        let mut p = pod(&["a"], json!({"phase": "Running", "containerStatuses": [running("a", true)]}));
        p["metadata"]["deletionTimestamp"] = json!(ago(1));
        assert_eq!(status(p.clone()).1, "Terminating");
        p["status"]["reason"] = json!("NodeLost");
        assert_eq!(status(p.clone()).1, "Unknown");
        let mut done = pod(&["a"], json!({"phase": "Succeeded"}));
        done["metadata"]["deletionTimestamp"] = json!(ago(1));
        assert_eq!(status(done).1, "Succeeded");
    }

    #[test]
    fn wide_cells_show_ip_node_nominated_node_and_readiness_gates() {
        let mut p = pod(&["a"], json!({"phase": "Running", "podIPs": [{"ip": "10.0.0.7"}], "nominatedNodeName": "n2"}));
        p["spec"]["nodeName"] = json!("n1");
        p["spec"]["readinessGates"] = json!([{"conditionType": "x/a"}, {"conditionType": "x/b"}]);
        p["status"]["conditions"] = json!([{"type": "x/a", "status": "True"}, {"type": "x/b", "status": "False"}]);
        assert_eq!(row(p)[5..], ["10.0.0.7", "n1", "n2", "1/2"]);
    }

    #[test]
    fn pod_ip_prefers_pod_ip_over_pod_ips() {
        let p = pod(&["a"], json!({"podIP": "10.0.0.1", "podIPs": [{"ip": "fd00::1"}]}));
        assert_eq!(row(p)[5], "10.0.0.1");
    }

    #[test]
    fn mistyped_fields_do_not_panic() {
        let p = json!({"metadata": {"name": 3}, "spec": {"containers": "x", "initContainers": [1]},
            "status": {"containerStatuses": [null, 1, {"state": null}], "initContainerStatuses": [null]}});
        assert_eq!(pod_cells(&p, now()).len(), COLUMNS.len());
    }
}
