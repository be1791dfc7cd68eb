//! Deployments, replica sets, replication controllers, daemon sets, stateful sets and jobs.

use serde_json::Value;

use super::pod::{controlled_by, template};
use super::writer::{rfc1123z, text, Writer};
use crate::machinery::duration;
use crate::machinery::labels::{format_label_map, format_label_selector, selector_string};

/// Counts of the controller's pods by phase: running, waiting, succeeded, failed.
pub type PodCounts = (usize, usize, usize, usize);

/// Counts the pods `uid` controls (orphans and others' pods are skipped, as kubectl).
pub fn count_pods(pods: &[Value], uid: &str) -> PodCounts {
    let mut counts = (0, 0, 0, 0);
    for pod in pods {
        let owned = pod["metadata"]["ownerReferences"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|o| o["controller"].as_bool() == Some(true) && o["uid"] == uid);
        if !owned {
            continue;
        }
        match pod["status"]["phase"].as_str().unwrap_or_default() {
            "Running" => counts.0 += 1,
            "Pending" => counts.1 += 1,
            "Succeeded" => counts.2 += 1,
            "Failed" => counts.3 += 1,
            _ => {}
        }
    }
    counts
}

fn conditions(w: &mut Writer, status: &Value) {
    if let Some(conditions) = status["conditions"].as_array().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n  Type\tStatus\tReason\n");
        w.w(1, "----\t------\t------\n");
        for c in conditions {
            w.w(1, &format!("{} \t{}\t{}\n", text(&c["type"]), text(&c["status"]), text(&c["reason"])));
        }
    }
}

fn int(value: &Value) -> i64 {
    value.as_i64().unwrap_or(0)
}

/// `50%` or `1`: an IntOrString as Go prints it.
fn int_or_string(value: &Value) -> String {
    text(value)
}

pub fn deployment(d: &Value, old: &[Value], new: &[Value], events: Option<&[Value]>) -> String {
    let mut w = Writer::default();
    let (meta, spec, status) = (&d["metadata"], &d["spec"], &d["status"]);
    w.w(0, &format!("Name:\t{}\n", text(&meta["name"])));
    w.w(0, &format!("Namespace:\t{}\n", text(&meta["namespace"])));
    w.w(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(&meta["creationTimestamp"])));
    w.labels("", "Labels", &meta["labels"]);
    w.annotations("Annotations", &meta["annotations"]);
    w.w(0, &format!("Selector:\t{}\n", selector_string(Some(&spec["selector"])).unwrap_or_default()));
    w.w(
        0,
        &format!(
            "Replicas:\t{} desired | {} updated | {} total | {} available | {} unavailable\n",
            int(&spec["replicas"]),
            int(&status["updatedReplicas"]),
            int(&status["replicas"]),
            int(&status["availableReplicas"]),
            int(&status["unavailableReplicas"])
        ),
    );
    w.w(0, &format!("StrategyType:\t{}\n", text(&spec["strategy"]["type"])));
    w.w(0, &format!("MinReadySeconds:\t{}\n", int(&spec["minReadySeconds"])));
    if let Some(ru) = spec["strategy"]["rollingUpdate"].as_object() {
        w.w(
            0,
            &format!(
                "RollingUpdateStrategy:\t{} max unavailable, {} max surge\n",
                int_or_string(ru.get("maxUnavailable").unwrap_or(&Value::Null)),
                int_or_string(ru.get("maxSurge").unwrap_or(&Value::Null))
            ),
        );
    }
    template(&mut w, &spec["template"]);
    conditions(&mut w, status);
    if !old.is_empty() || !new.is_empty() {
        w.w(0, &format!("OldReplicaSets:\t{}\n", replica_sets(old)));
        w.w(0, &format!("NewReplicaSet:\t{}\n", replica_sets(new)));
    }
    if let Some(events) = events {
        super::events::write(&mut w, events);
    }
    w.finish()
}

fn replica_sets(sets: &[Value]) -> String {
    if sets.is_empty() {
        return "<none>".to_string();
    }
    sets.iter()
        .map(|rs| {
            format!(
                "{} ({}/{} replicas created)",
                text(&rs["metadata"]["name"]),
                int(&rs["status"]["replicas"]),
                int(&rs["spec"]["replicas"])
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Splits the deployment's replica sets into old ones and the new one (the one whose
/// pod template matches the deployment's, ignoring the pod-template-hash label).
pub fn split_replica_sets(deployment: &Value, sets: &[Value]) -> (Vec<Value>, Vec<Value>) {
    let uid = &deployment["metadata"]["uid"];
    let owned: Vec<&Value> = sets
        .iter()
        .filter(|rs| {
            rs["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|o| o["controller"].as_bool() == Some(true) && &o["uid"] == uid)
        })
        .collect();
    let strip = |template: &Value| {
        let mut t = template.clone();
        if let Some(labels) = t["metadata"]["labels"].as_object_mut() {
            labels.remove("pod-template-hash");
        }
        t
    };
    let wanted = strip(&deployment["spec"]["template"]);
    let mut new = Vec::new();
    let mut old = Vec::new();
    for rs in owned {
        if new.is_empty() && strip(&rs["spec"]["template"]) == wanted {
            new.push(rs.clone());
        } else if int(&rs["spec"]["replicas"]) > 0 || int(&rs["status"]["replicas"]) > 0 {
            old.push(rs.clone());
        }
    }
    (old, new)
}

pub fn replica_set(rs: &Value, counts: PodCounts, events: Option<&[Value]>) -> String {
    let mut w = Writer::default();
    let (meta, spec, status) = (&rs["metadata"], &rs["spec"], &rs["status"]);
    w.w(0, &format!("Name:\t{}\n", text(&meta["name"])));
    w.w(0, &format!("Namespace:\t{}\n", text(&meta["namespace"])));
    w.w(0, &format!("Selector:\t{}\n", format_label_selector(Some(&spec["selector"]))));
    w.labels("", "Labels", &meta["labels"]);
    w.annotations("Annotations", &meta["annotations"]);
    if let Some(controller) = controlled_by(meta) {
        w.w(0, &format!("Controlled By:\t{controller}\n"));
    }
    w.w(0, &format!("Replicas:\t{} current / {} desired\n", int(&status["replicas"]), int(&spec["replicas"])));
    w.w(0, "Pods Status:\t");
    w.w(0, &format!("{} Running / {} Waiting / {} Succeeded / {} Failed\n", counts.0, counts.1, counts.2, counts.3));
    template(&mut w, &spec["template"]);
    conditions(&mut w, status);
    if let Some(events) = events {
        super::events::write(&mut w, events);
    }
    w.finish()
}

pub fn replication_controller(rc: &Value, counts: PodCounts, events: Option<&[Value]>) -> String {
    let mut w = Writer::default();
    let (meta, spec, status) = (&rc["metadata"], &rc["spec"], &rc["status"]);
    w.w(0, &format!("Name:\t{}\n", text(&meta["name"])));
    w.w(0, &format!("Namespace:\t{}\n", text(&meta["namespace"])));
    w.w(0, &format!("Selector:\t{}\n", format_label_map(spec["selector"].as_object())));
    w.labels("", "Labels", &meta["labels"]);
    w.annotations("Annotations", &meta["annotations"]);
    w.w(0, &format!("Replicas:\t{} current / {} desired\n", int(&status["replicas"]), int(&spec["replicas"])));
    w.w(
        0,
        &format!(
            "Pods Status:\t{} Running / {} Waiting / {} Succeeded / {} Failed\n",
            counts.0, counts.1, counts.2, counts.3
        ),
    );
    template(&mut w, &spec["template"]);
    conditions(&mut w, status);
    if let Some(events) = events {
        super::events::write(&mut w, events);
    }
    w.finish()
}

fn pods_status(w: &mut Writer, counts: PodCounts) {
    let (running, waiting, succeeded, failed) = counts;
    w.w(0, &format!("Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / {failed} Failed\n"));
}

pub fn daemon_set(ds: &Value, counts: PodCounts, events: Option<&[Value]>) -> String {
    let mut w = Writer::default();
    let (meta, spec, status) = (&ds["metadata"], &ds["spec"], &ds["status"]);
    w.w(0, &format!("Name:\t{}\n", text(&meta["name"])));
    w.w(0, &format!("Selector:\t{}\n", format_label_selector(Some(&spec["selector"]))));
    w.w(0, &format!("Node-Selector:\t{}\n", format_label_map(spec["template"]["spec"]["nodeSelector"].as_object())));
    w.labels("", "Labels", &meta["labels"]);
    w.annotations("Annotations", &meta["annotations"]);
    for (title, field) in [
        ("Desired Number of Nodes Scheduled", "desiredNumberScheduled"),
        ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
        ("Number of Nodes Scheduled with Up-to-date Pods", "updatedNumberScheduled"),
        ("Number of Nodes Scheduled with Available Pods", "numberAvailable"),
        ("Number of Nodes Misscheduled", "numberMisscheduled"),
    ] {
        w.w(0, &format!("{title}: {}\n", int(&status[field])));
    }
    pods_status(&mut w, counts);
    template(&mut w, &spec["template"]);
    if let Some(events) = events {
        super::events::write(&mut w, events);
    }
    w.finish()
}

pub fn stateful_set(sts: &Value, counts: PodCounts, events: Option<&[Value]>) -> String {
    let mut w = Writer::default();
    let (meta, spec, status) = (&sts["metadata"], &sts["spec"], &sts["status"]);
    w.w(0, &format!("Name:\t{}\n", text(&meta["name"])));
    w.w(0, &format!("Namespace:\t{}\n", text(&meta["namespace"])));
    w.w(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(&meta["creationTimestamp"])));
    w.w(0, &format!("Selector:\t{}\n", format_label_selector(Some(&spec["selector"]))));
    w.labels("", "Labels", &meta["labels"]);
    w.annotations("Annotations", &meta["annotations"]);
    w.w(0, &format!("Replicas:\t{} desired | {} total\n", int(&spec["replicas"]), int(&status["replicas"])));
    w.w(0, &format!("Update Strategy:\t{}\n", text(&spec["updateStrategy"]["type"])));
    let rolling = &spec["updateStrategy"]["rollingUpdate"];
    if !rolling["partition"].is_null() {
        w.w(1, &format!("Partition:\t{}\n", int(&rolling["partition"])));
        if !rolling["maxUnavailable"].is_null() {
            w.w(1, &format!("MaxUnavailable:\t{}\n", int_or_string(&rolling["maxUnavailable"])));
        }
    }
    pods_status(&mut w, counts);
    template(&mut w, &spec["template"]);
    let claims = spec["volumeClaimTemplates"].as_array().cloned().unwrap_or_default();
    if claims.is_empty() {
        w.w(0, "Volume Claims:\t<none>\n");
    } else {
        w.w(0, "Volume Claims:\n");
        for claim in &claims {
            w.w(1, &format!("Name:\t{}\n", text(&claim["metadata"]["name"])));
            let class = claim["spec"]["storageClassName"]
                .as_str()
                .or_else(|| claim["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"].as_str())
                .unwrap_or_default();
            w.w(1, &format!("StorageClass:\t{class}\n"));
            w.labels("  ", "Labels", &claim["metadata"]["labels"]);
            w.labels("  ", "Annotations", &claim["metadata"]["annotations"]);
            let capacity = claim["spec"]["resources"]["requests"]["storage"].as_str().unwrap_or("<default>");
            w.w(1, &format!("Capacity:\t{capacity}\n"));
            let modes: Vec<&str> =
                claim["spec"]["accessModes"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            w.w(1, &format!("Access Modes:\t[{}]\n", modes.join(" ")));
        }
    }
    if let Some(events) = events {
        super::events::write(&mut w, events);
    }
    w.finish()
}

pub fn job(job: &Value, events: Option<&[Value]>) -> String {
    let mut w = Writer::default();
    let (meta, spec, status) = (&job["metadata"], &job["spec"], &job["status"]);
    w.w(0, &format!("Name:\t{}\n", text(&meta["name"])));
    w.w(0, &format!("Namespace:\t{}\n", text(&meta["namespace"])));
    w.w(0, &format!("Selector:\t{}\n", selector_string(Some(&spec["selector"])).unwrap_or_default()));
    w.labels("", "Labels", &meta["labels"]);
    w.annotations("Annotations", &meta["annotations"]);
    if let Some(controller) = controlled_by(meta) {
        w.w(0, &format!("Controlled By:\t{controller}\n"));
    }
    if let Some(n) = spec["parallelism"].as_i64() {
        w.w(0, &format!("Parallelism:\t{n}\n"));
    }
    match spec["completions"].as_i64() {
        Some(n) => w.w(0, &format!("Completions:\t{n}\n")),
        None => w.w(0, "Completions:\t<unset>\n"),
    }
    if let Some(mode) = spec["completionMode"].as_str() {
        w.w(0, &format!("Completion Mode:\t{mode}\n"));
    }
    if let Some(suspend) = spec["suspend"].as_bool() {
        w.w(0, &format!("Suspend:\t{suspend}\n"));
    }
    if let Some(limit) = spec["backoffLimit"].as_i64() {
        w.w(0, &format!("Backoff Limit:\t{limit}\n"));
    }
    if let Some(ttl) = spec["ttlSecondsAfterFinished"].as_i64() {
        w.w(0, &format!("TTL Seconds After Finished:\t{ttl}\n"));
    }
    if status["startTime"].is_string() {
        w.w(0, &format!("Start Time:\t{}\n", rfc1123z(&status["startTime"])));
    }
    if status["completionTime"].is_string() {
        w.w(0, &format!("Completed At:\t{}\n", rfc1123z(&status["completionTime"])));
    }
    if let (Some(start), Some(end)) = (parse(&status["startTime"]), parse(&status["completionTime"])) {
        w.w(0, &format!("Duration:\t{}\n", duration::human(end - start)));
    }
    if let Some(deadline) = spec["activeDeadlineSeconds"].as_i64() {
        w.w(0, &format!("Active Deadline Seconds:\t{deadline}s\n"));
    }
    let (active, succeeded, failed) = (int(&status["active"]), int(&status["succeeded"]), int(&status["failed"]));
    match status["ready"].as_i64() {
        None => w.w(0, &format!("Pods Statuses:\t{active} Active / {succeeded} Succeeded / {failed} Failed\n")),
        Some(ready) => w.w(
            0,
            &format!("Pods Statuses:\t{active} Active ({ready} Ready) / {succeeded} Succeeded / {failed} Failed\n"),
        ),
    }
    if spec["completionMode"] == "Indexed" {
        let indexes = text(&status["completedIndexes"]);
        w.w(0, &format!("Completed Indexes:\t{}\n", if indexes.is_empty() { "<none>".to_string() } else { indexes }));
    }
    template(&mut w, &spec["template"]);
    if let Some(events) = events {
        super::events::write(&mut w, events);
    }
    w.finish()
}

fn parse(value: &Value) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    value.as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
}
