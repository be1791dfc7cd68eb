//! Workload controllers: deployments, replica sets, replication controllers, stateful sets,
//! daemon sets, jobs, cron jobs and controller revisions.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::machinery::duration;
use crate::machinery::labels::{format_label_map, format_label_selector, selector_string};

use super::{
    age, arr_at, bool_at, col, container_cells, desired_replicas, int_at, map_at, n, name_cell, opt_int_at, opt_str_at,
    present, s, since, str_at, time_at, wide, Column, Printer, AGE, CONTAINERS, IMAGES, NAME,
};

const DEPLOYMENT_COLUMNS: &[Column] = &[
    NAME,
    col("Ready", "string", "Number of the pod with ready state"),
    col("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
    col("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
    AGE,
    CONTAINERS,
    IMAGES,
    wide("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."),
];

pub static DEPLOYMENT: Printer = Printer { columns: DEPLOYMENT_COLUMNS, cells: deployment_cells };

/// READY is ready/desired; the selector prints `<invalid>` (not `<error>`) and "" when empty, as upstream.
fn deployment_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let (containers, images) = container_cells(o, "/spec/template/spec/containers");
    let selector = selector_string(o.pointer("/spec/selector")).unwrap_or_else(|_| "<invalid>".into());
    vec![
        name_cell(o),
        s(format!("{}/{}", int_at(o, "/status/readyReplicas"), desired_replicas(o))),
        n(int_at(o, "/status/updatedReplicas")),
        n(int_at(o, "/status/availableReplicas")),
        s(age(o, now)),
        containers,
        images,
        s(selector),
    ]
}

/// DESIRED, CURRENT, READY, AGE; wide CONTAINERS, IMAGES, SELECTOR: replica sets and replication controllers.
const REPLICA_COLUMNS: &[Column] = &[
    NAME,
    col("Desired", "integer", "Replicas is the number of desired replicas."),
    col("Current", "integer", "Replicas is the most recently observed number of replicas."),
    col("Ready", "integer", "The number of ready replicas for this replica set."),
    AGE,
    CONTAINERS,
    IMAGES,
    wide("Selector", "string", "Selector is a label query over pods that should match the replica count."),
];

pub static REPLICA_SET: Printer = Printer { columns: REPLICA_COLUMNS, cells: replica_set_cells };
pub static REPLICATION_CONTROLLER: Printer = Printer { columns: REPLICA_COLUMNS, cells: replication_controller_cells };

fn replica_counts(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![
        name_cell(o),
        n(desired_replicas(o)),
        n(int_at(o, "/status/replicas")),
        n(int_at(o, "/status/readyReplicas")),
        s(age(o, now)),
    ]
}

fn replica_set_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let mut cells = replica_counts(o, now);
    let (containers, images) = container_cells(o, "/spec/template/spec/containers");
    cells.extend([containers, images, s(format_label_selector(o.pointer("/spec/selector")))]);
    cells
}

/// A replication controller's selector is a plain label map.
fn replication_controller_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let mut cells = replica_counts(o, now);
    let (containers, images) = container_cells(o, "/spec/template/spec/containers");
    cells.extend([containers, images, s(format_label_map(map_at(o, "/spec/selector")))]);
    cells
}

const STATEFUL_SET_COLUMNS: &[Column] =
    &[NAME, col("Ready", "string", "Number of the pod with ready state"), AGE, CONTAINERS, IMAGES];

pub static STATEFUL_SET: Printer = Printer { columns: STATEFUL_SET_COLUMNS, cells: stateful_set_cells };

fn stateful_set_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let (containers, images) = container_cells(o, "/spec/template/spec/containers");
    vec![
        name_cell(o),
        s(format!("{}/{}", int_at(o, "/status/readyReplicas"), desired_replicas(o))),
        s(age(o, now)),
        containers,
        images,
    ]
}

const DAEMON_SET_COLUMNS: &[Column] = &[
    NAME,
    col("Desired", "integer", "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod)."),
    col("Current", "integer", "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."),
    col("Ready", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready."),
    col("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
    col("Available", "integer", "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
    col("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node."),
    AGE,
    CONTAINERS,
    IMAGES,
    wide("Selector", "string", "A label query over pods that are managed by the daemon set."),
];

pub static DAEMON_SET: Printer = Printer { columns: DAEMON_SET_COLUMNS, cells: daemon_set_cells };

fn daemon_set_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let (containers, images) = container_cells(o, "/spec/template/spec/containers");
    vec![
        name_cell(o),
        n(int_at(o, "/status/desiredNumberScheduled")),
        n(int_at(o, "/status/currentNumberScheduled")),
        n(int_at(o, "/status/numberReady")),
        n(int_at(o, "/status/updatedNumberScheduled")),
        n(int_at(o, "/status/numberAvailable")),
        s(format_label_map(map_at(o, "/spec/template/spec/nodeSelector"))),
        s(age(o, now)),
        containers,
        images,
        s(format_label_selector(o.pointer("/spec/selector"))),
    ]
}

const JOB_COLUMNS: &[Column] = &[
    NAME,
    col("Status", "string", "Status of the job."),
    col("Completions", "string", "The number of pods which reached phase Succeeded."),
    col("Duration", "string", "Time required to complete the job."),
    AGE,
    CONTAINERS,
    IMAGES,
    wide("Selector", "string", "A label query over pods that should match the pod count."),
];

pub static JOB: Printer = Printer { columns: JOB_COLUMNS, cells: job_cells };

/// Whether the job has a condition of this type, judged by the first such condition as upstream.
fn has_job_condition(job: &Value, type_: &str) -> bool {
    arr_at(job, "/status/conditions")
        .iter()
        .find(|c| str_at(c, "/type") == type_)
        .is_some_and(|c| str_at(c, "/status") == "True")
}

/// STATUS (1.32): Complete, Failed, Terminating, Suspended, FailureTarget, else Running.
fn job_status(job: &Value) -> &'static str {
    if has_job_condition(job, "Complete") {
        "Complete"
    } else if has_job_condition(job, "Failed") {
        "Failed"
    } else if present(job, "/metadata/deletionTimestamp") {
        "Terminating"
    } else if has_job_condition(job, "Suspended") {
        "Suspended"
    } else if has_job_condition(job, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    }
}

/// COMPLETIONS: succeeded/completions, or `n/1 of P` for a work queue with parallelism P > 1.
fn job_completions(job: &Value) -> String {
    let succeeded = int_at(job, "/status/succeeded");
    match opt_int_at(job, "/spec/completions") {
        Some(completions) => format!("{succeeded}/{completions}"),
        None => match opt_int_at(job, "/spec/parallelism").unwrap_or(0) {
            p if p > 1 => format!("{succeeded}/1 of {p}"),
            _ => format!("{succeeded}/1"),
        },
    }
}

/// DURATION: start to completion, or to now while running; "" before the job starts.
fn job_duration(job: &Value, now: DateTime<Utc>) -> String {
    match (time_at(job, "/status/startTime"), time_at(job, "/status/completionTime")) {
        (None, _) => String::new(),
        (Some(start), None) => duration::human(now.signed_duration_since(start)),
        (Some(start), Some(end)) => duration::human(end.signed_duration_since(start)),
    }
}

fn job_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let (containers, images) = container_cells(o, "/spec/template/spec/containers");
    vec![
        name_cell(o),
        s(job_status(o)),
        s(job_completions(o)),
        s(job_duration(o, now)),
        s(age(o, now)),
        containers,
        images,
        s(format_label_selector(o.pointer("/spec/selector"))),
    ]
}

const CRON_JOB_COLUMNS: &[Column] = &[
    NAME,
    col("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    col("Timezone", "string", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
    col("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions."),
    col("Active", "integer", "A list of pointers to currently running jobs."),
    col("Last Schedule", "string", "Information when was the last time the job was successfully scheduled."),
    AGE,
    CONTAINERS,
    IMAGES,
    wide("Selector", "string", "A label query over pods that should match the pod count."),
];

pub static CRON_JOB: Printer = Printer { columns: CRON_JOB_COLUMNS, cells: cron_job_cells };

/// SUSPEND prints `True`/`False` (upstream's printBoolPtr); LAST SCHEDULE `<none>` until the first run.
fn cron_job_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    // An absent suspend is defaulted to false before upstream prints it.
    let suspend = if bool_at(o, "/spec/suspend") { "True" } else { "False" };
    let last_schedule = match o.pointer("/status/lastScheduleTime").filter(|t| !t.is_null()) {
        None => "<none>".to_string(),
        Some(_) => since(time_at(o, "/status/lastScheduleTime"), now),
    };
    let (containers, images) = container_cells(o, "/spec/jobTemplate/spec/template/spec/containers");
    vec![
        name_cell(o),
        s(str_at(o, "/spec/schedule")),
        s(opt_str_at(o, "/spec/timeZone").unwrap_or("<none>")),
        s(suspend),
        n(arr_at(o, "/status/active").len() as i64),
        s(last_schedule),
        s(age(o, now)),
        containers,
        images,
        s(format_label_selector(o.pointer("/spec/jobTemplate/spec/selector"))),
    ]
}

const CONTROLLER_REVISION_COLUMNS: &[Column] = &[
    NAME,
    col("Controller", "string", "Controller of the object"),
    col("Revision", "string", "Revision indicates the revision of the state represented by Data."),
    AGE,
];

pub static CONTROLLER_REVISION: Printer =
    Printer { columns: CONTROLLER_REVISION_COLUMNS, cells: controller_revision_cells };

/// CONTROLLER is the controlling owner as `kind.group/name` lower-cased (`statefulset.apps/web`).
fn controller_revision_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let controller = arr_at(o, "/metadata/ownerReferences")
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .map_or_else(|| "<none>".to_string(), controller_name);
    vec![name_cell(o), s(controller), n(int_at(o, "/revision")), s(age(o, now))]
}

/// Upstream's `formatResourceName(gvk.GroupKind(), name, true)` for an owner reference.
fn controller_name(owner: &Value) -> String {
    let name = str_at(owner, "/name");
    let kind = str_at(owner, "/kind");
    let group = match str_at(owner, "/apiVersion").split_once('/') {
        Some((group, _)) => group,
        None => "",
    };
    let group_kind = match (kind, group) {
        ("", "") => return name.to_string(),
        (kind, "") => kind.to_string(),
        (kind, group) => format!("{kind}.{group}"),
    };
    format!("{}/{name}", group_kind.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ago, now};
    use super::*;
    use serde_json::json;

    fn template(containers: Value) -> Value {
        json!({"metadata": {"labels": {"app": "web"}}, "spec": {"containers": containers}})
    }

    fn two_containers() -> Value {
        template(json!([{"name": "nginx", "image": "nginx:1.27"}, {"name": "sidecar", "image": "busybox"}]))
    }

    #[test]
    fn deployment_row_has_ready_ratio_counts_and_wide_cells() {
        let d = json!({
            "metadata": {"name": "web", "creationTimestamp": ago(125)},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": two_containers()},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2},
        });
        assert_eq!(
            deployment_cells(&d, now()),
            vec![
                json!("web"),
                json!("2/3"),
                json!(3),
                json!(2),
                json!("2m5s"),
                json!("nginx,sidecar"),
                json!("nginx:1.27,busybox"),
                json!("app=web")
            ]
        );
    }

    #[test]
    fn deployment_selector_is_empty_or_invalid_where_others_say_none_or_error() {
        let d = json!({"metadata": {"name": "d"}});
        assert_eq!(deployment_cells(&d, now())[7], json!(""));
        let bad = json!({"spec": {"selector": {"matchExpressions": [{"key": "a", "operator": "Nope"}]}}});
        assert_eq!(deployment_cells(&bad, now())[7], json!("<invalid>"));
        assert_eq!(replica_set_cells(&bad, now())[7], json!("<error>"));
        assert_eq!(replica_set_cells(&d, now())[7], json!("<none>"));
    }

    #[test]
    fn replica_set_and_replication_controller_rows() {
        let rs = json!({
            "metadata": {"name": "web-5d4b", "creationTimestamp": ago(3600)},
            "spec": {"replicas": 2, "selector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]},
                     "template": two_containers()},
            "status": {"replicas": 2, "readyReplicas": 1},
        });
        assert_eq!(
            replica_set_cells(&rs, now()),
            vec![
                json!("web-5d4b"),
                json!(2),
                json!(2),
                json!(1),
                json!("60m"),
                json!("nginx,sidecar"),
                json!("nginx:1.27,busybox"),
                json!("tier in (a,b)")
            ]
        );
        let rc = json!({"metadata": {"name": "rc"}, "spec": {"replicas": 1, "selector": {"b": "2", "a": "1"}}});
        let cells = replication_controller_cells(&rc, now());
        assert_eq!(cells[1..4], [json!(1), json!(0), json!(0)]);
        assert_eq!(cells[4], json!("<unknown>"));
        assert_eq!(cells[5..], [json!(""), json!(""), json!("a=1,b=2")]);
    }

    #[test]
    fn stateful_set_shows_ready_over_desired() {
        let sts = json!({"metadata": {"name": "db"}, "spec": {"replicas": 3, "template": two_containers()}, "status": {"readyReplicas": 1}});
        let cells = stateful_set_cells(&sts, now());
        assert_eq!(cells[1], json!("1/3"));
        assert_eq!(cells.len(), STATEFUL_SET_COLUMNS.len());
    }

    #[test]
    fn absent_replicas_read_as_the_api_default_of_one() {
        assert_eq!(stateful_set_cells(&json!({}), now())[1], json!("0/1"));
        assert_eq!(deployment_cells(&json!({}), now())[1], json!("0/1"));
        assert_eq!(replica_set_cells(&json!({}), now())[1], json!(1));
        assert_eq!(deployment_cells(&json!({"spec": {"replicas": 0}}), now())[1], json!("0/0"));
    }

    #[test]
    fn daemon_set_row_includes_node_selector() {
        let mut t = two_containers();
        t["spec"]["nodeSelector"] = json!({"kubernetes.io/os": "linux"});
        let ds = json!({
            "metadata": {"name": "agent"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": t},
            "status": {"desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2, "updatedNumberScheduled": 3, "numberAvailable": 2},
        });
        let cells = daemon_set_cells(&ds, now());
        assert_eq!(cells[1..7], [json!(3), json!(3), json!(2), json!(3), json!(2), json!("kubernetes.io/os=linux")]);
        assert_eq!(cells[10], json!("app=agent"));
        let empty = daemon_set_cells(&json!({}), now());
        assert_eq!(empty[6], json!("<none>"));
    }

    #[test]
    fn job_status_follows_upstream_precedence() {
        let job = |conditions: Value| json!({"status": {"conditions": conditions}});
        let t = |type_: &str| json!({"type": type_, "status": "True"});
        assert_eq!(job_status(&job(json!([]))), "Running");
        assert_eq!(job_status(&job(json!([t("Complete")]))), "Complete");
        assert_eq!(job_status(&job(json!([t("FailureTarget"), t("Failed")]))), "Failed");
        assert_eq!(job_status(&job(json!([t("Suspended")]))), "Suspended");
        assert_eq!(job_status(&job(json!([t("FailureTarget")]))), "FailureTarget");
        assert_eq!(job_status(&job(json!([{"type": "Complete", "status": "False"}]))), "Running");
        let mut deleting = job(json!([t("Suspended")]));
        deleting["metadata"] = json!({"deletionTimestamp": ago(1)});
        assert_eq!(job_status(&deleting), "Terminating");
    }

    #[test]
    fn job_completions_and_duration() {
        let j = json!({
            "metadata": {"name": "pi", "creationTimestamp": ago(200)},
            "spec": {"completions": 3, "parallelism": 1, "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "abc"}},
                     "template": template(json!([{"name": "pi", "image": "perl"}]))},
            "status": {"succeeded": 3, "startTime": ago(190), "completionTime": ago(145),
                       "conditions": [{"type": "Complete", "status": "True"}]},
        });
        assert_eq!(
            job_cells(&j, now()),
            vec![
                json!("pi"),
                json!("Complete"),
                json!("3/3"),
                json!("45s"),
                json!("3m20s"),
                json!("pi"),
                json!("perl"),
                json!("batch.kubernetes.io/controller-uid=abc")
            ]
        );
        assert_eq!(job_completions(&json!({"spec": {"parallelism": 4}, "status": {"succeeded": 1}})), "1/1 of 4");
        assert_eq!(job_completions(&json!({})), "0/1");
        assert_eq!(job_duration(&json!({}), now()), "");
        assert_eq!(job_duration(&json!({"status": {"startTime": ago(90)}}), now()), "90s");
    }

    #[test]
    fn cron_job_row() {
        let cj = json!({
            "metadata": {"name": "hello", "creationTimestamp": ago(600)},
            "spec": {"schedule": "*/1 * * * *", "suspend": false,
                     "jobTemplate": {"spec": {"template": template(json!([{"name": "hello", "image": "busybox"}]))}}},
            "status": {"active": [{"name": "hello-1"}], "lastScheduleTime": ago(30)},
        });
        assert_eq!(
            cron_job_cells(&cj, now()),
            vec![
                json!("hello"),
                json!("*/1 * * * *"),
                json!("<none>"),
                json!("False"),
                json!(1),
                json!("30s"),
                json!("10m"),
                json!("hello"),
                json!("busybox"),
                json!("<none>")
            ]
        );
        let bare = cron_job_cells(&json!({"spec": {"timeZone": "Etc/UTC"}}), now());
        assert_eq!(bare[2..6], [json!("Etc/UTC"), json!("False"), json!(0), json!("<none>")]);
    }

    #[test]
    fn controller_revision_names_its_controller_with_group() {
        let cr = json!({
            "metadata": {"name": "web-7d9", "ownerReferences": [
                {"apiVersion": "v1", "kind": "Pod", "name": "other"},
                {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "web", "controller": true},
            ]},
            "revision": 2,
        });
        assert_eq!(controller_revision_cells(&cr, now())[1..3], [json!("statefulset.apps/web"), json!(2)]);
        let core = json!({"metadata": {"ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "p", "controller": true}]}});
        assert_eq!(controller_revision_cells(&core, now())[1], json!("pod/p"));
        assert_eq!(controller_revision_cells(&json!({}), now())[1], json!("<none>"));
    }
}
