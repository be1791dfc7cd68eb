//! Table columns per resource, as upstream's printers declare them (what
//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` answers and kubectl prints).
//!
//! Mirrors k8s.io/kubernetes `pkg/printers/internalversion/printers.go` (1.32). Like upstream's
//! server-side table convertor, rows always carry every column including the wide (priority 1)
//! ones; kubectl drops those unless `-o wide`. Printers read the versioned JSON the store holds,
//! so every field may be missing: a missing field reads as Go's zero value would, except where
//! upstream's defaulting (applied when it decodes from storage) would fill it in first.

mod core_kinds;
mod more_kinds;
mod pods;
mod workloads;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::ResourceInfo;
use crate::machinery::duration;

/// One column: name as printed, OpenAPI type (`string`, `integer`, `date`), format (`name`
/// for the NAME column), and priority 0 (always) or 1 (only with `-o wide`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub type_: &'static str,
    pub format: &'static str,
    pub description: &'static str,
    pub priority: i32,
}

/// ObjectMeta's swagger doc for `name`, which upstream puts on every NAME column.
pub(crate) const NAME_DOC: &str =
    "Name must be unique within a namespace. Is required when creating resources, although \
some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily \
intended for creation idempotence and configuration definition. Cannot be updated. More info: \
https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";

/// ObjectMeta's swagger doc for `creationTimestamp`, which upstream puts on every AGE column.
pub(crate) const AGE_DOC: &str = "CreationTimestamp is a timestamp representing the server time when this object was \
created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this \
value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More \
info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// An always-shown column.
pub(crate) const fn col(name: &'static str, type_: &'static str, description: &'static str) -> Column {
    Column { name, type_, format: "", description, priority: 0 }
}

/// A column shown only with `-o wide`.
pub(crate) const fn wide(name: &'static str, type_: &'static str, description: &'static str) -> Column {
    Column { name, type_, format: "", description, priority: 1 }
}

/// The NAME column (format `name`, which kubectl uses to find the object's name).
pub(crate) const NAME: Column =
    Column { name: "Name", type_: "string", format: "name", description: NAME_DOC, priority: 0 };
/// The AGE column.
pub(crate) const AGE: Column = col("Age", "string", AGE_DOC);
/// The wide CONTAINERS and IMAGES columns of every pod-template owner.
pub(crate) const CONTAINERS: Column = wide("Containers", "string", "Names of each container in the template.");
pub(crate) const IMAGES: Column = wide("Images", "string", "Images referenced by each container in the template.");

/// What kinds without a printer of their own show.
const DEFAULT_COLUMNS: &[Column] = &[NAME, AGE];

/// A kind's printer: its column table and the function producing one row's cells, in the same order.
pub(crate) struct Printer {
    pub columns: &'static [Column],
    pub cells: fn(&Value, DateTime<Utc>) -> Vec<Value>,
}

/// Every printer by API group and kind (versions of one kind print alike, as upstream prints the
/// internal version). Kinds not served yet are here so their tables follow upstream once registered.
static PRINTERS: &[(&str, &str, &Printer)] = &[
    ("", "Pod", &pods::POD),
    ("", "Namespace", &core_kinds::NAMESPACE),
    ("", "Node", &core_kinds::NODE),
    ("", "Event", &core_kinds::EVENT),
    ("events.k8s.io", "Event", &core_kinds::EVENTS_K8S_IO_EVENT),
    ("", "ConfigMap", &core_kinds::CONFIG_MAP),
    ("", "Secret", &core_kinds::SECRET),
    ("", "Service", &core_kinds::SERVICE),
    ("", "Endpoints", &core_kinds::ENDPOINTS),
    ("", "ServiceAccount", &core_kinds::SERVICE_ACCOUNT),
    ("coordination.k8s.io", "Lease", &core_kinds::LEASE),
    ("", "ReplicationController", &workloads::REPLICATION_CONTROLLER),
    ("apps", "Deployment", &workloads::DEPLOYMENT),
    ("apps", "ReplicaSet", &workloads::REPLICA_SET),
    ("apps", "StatefulSet", &workloads::STATEFUL_SET),
    ("apps", "DaemonSet", &workloads::DAEMON_SET),
    ("apps", "ControllerRevision", &workloads::CONTROLLER_REVISION),
    ("batch", "Job", &workloads::JOB),
    ("batch", "CronJob", &workloads::CRON_JOB),
    ("", "PersistentVolume", &more_kinds::PERSISTENT_VOLUME),
    ("", "PersistentVolumeClaim", &more_kinds::PERSISTENT_VOLUME_CLAIM),
    ("", "PodTemplate", &more_kinds::POD_TEMPLATE),
    ("", "LimitRange", &more_kinds::CREATED_AT),
    ("rbac.authorization.k8s.io", "Role", &more_kinds::CREATED_AT),
    ("rbac.authorization.k8s.io", "ClusterRole", &more_kinds::CREATED_AT),
    ("rbac.authorization.k8s.io", "RoleBinding", &more_kinds::BINDING),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding", &more_kinds::BINDING),
    ("apiextensions.k8s.io", "CustomResourceDefinition", &more_kinds::CREATED_AT),
    ("networking.k8s.io", "Ingress", &more_kinds::INGRESS),
    ("networking.k8s.io", "IngressClass", &more_kinds::INGRESS_CLASS),
    ("networking.k8s.io", "NetworkPolicy", &more_kinds::NETWORK_POLICY),
    ("policy", "PodDisruptionBudget", &more_kinds::POD_DISRUPTION_BUDGET),
    ("discovery.k8s.io", "EndpointSlice", &more_kinds::ENDPOINT_SLICE),
    ("storage.k8s.io", "StorageClass", &more_kinds::STORAGE_CLASS),
    ("scheduling.k8s.io", "PriorityClass", &more_kinds::PRIORITY_CLASS),
    ("node.k8s.io", "RuntimeClass", &more_kinds::RUNTIME_CLASS),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration", &more_kinds::WEBHOOK_CONFIGURATION),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", &more_kinds::WEBHOOK_CONFIGURATION),
];

/// The printer for a resource, if its kind has one.
fn printer(resource: &ResourceInfo) -> Option<&'static Printer> {
    PRINTERS.iter().find(|(group, kind, _)| *group == resource.group && *kind == resource.kind).map(|(_, _, p)| *p)
}

/// The columns of a resource's table (NAME … AGE by default).
pub fn columns(resource: &ResourceInfo) -> Vec<Column> {
    if let Some(custom) = resource.custom {
        return custom.columns.iter().map(|c| c.column.clone()).collect();
    }
    printer(resource).map_or(DEFAULT_COLUMNS, |p| p.columns).to_vec()
}

/// The cells of one object's row, one per column.
pub fn cells(resource: &ResourceInfo, object: &Value, now: DateTime<Utc>) -> Vec<Value> {
    if let Some(custom) = resource.custom {
        return custom.cells(object, now);
    }
    match printer(resource) {
        Some(p) => (p.cells)(object, now),
        None => vec![name_cell(object), Value::String(age(object, now))],
    }
}

// ---- reading the object: a missing or mistyped field reads as Go's zero value ----

/// The string at a JSON pointer, or "".
pub(crate) fn str_at<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// The string at a JSON pointer, if present (upstream's `*string` fields).
pub(crate) fn opt_str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// The integer at a JSON pointer, or 0.
pub(crate) fn int_at(v: &Value, pointer: &str) -> i64 {
    opt_int_at(v, pointer).unwrap_or(0)
}

/// The integer at a JSON pointer, if present (upstream's `*int32` fields).
pub(crate) fn opt_int_at(v: &Value, pointer: &str) -> Option<i64> {
    v.pointer(pointer).and_then(|n| n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)))
}

/// `spec.replicas` of a scalable workload; absent reads as its API default, 1.
pub(crate) fn desired_replicas(v: &Value) -> i64 {
    opt_int_at(v, "/spec/replicas").unwrap_or(1)
}

/// The string, or a default when it is empty (a field upstream's defaulting would have set).
pub(crate) fn or_default<'a>(text: &'a str, default: &'a str) -> &'a str {
    if text.is_empty() {
        default
    } else {
        text
    }
}

/// The boolean at a JSON pointer, or false.
pub(crate) fn bool_at(v: &Value, pointer: &str) -> bool {
    v.pointer(pointer).and_then(Value::as_bool).unwrap_or(false)
}

/// The array at a JSON pointer, or an empty one.
pub(crate) fn arr_at<'a>(v: &'a Value, pointer: &str) -> &'a [Value] {
    v.pointer(pointer).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The object (map) at a JSON pointer, if present.
pub(crate) fn map_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a Map<String, Value>> {
    v.pointer(pointer).and_then(Value::as_object)
}

/// How many entries the map at a JSON pointer has.
pub(crate) fn map_len(v: &Value, pointer: &str) -> usize {
    map_at(v, pointer).map_or(0, Map::len)
}

/// Whether a non-null value sits at a JSON pointer (upstream's `!= nil` on pointer fields).
pub(crate) fn present(v: &Value, pointer: &str) -> bool {
    v.pointer(pointer).is_some_and(|x| !x.is_null())
}

/// The timestamp (Time or MicroTime) at a JSON pointer; None stands for Go's zero time, which
/// an absent, null, unparseable or explicit `0001-01-01T00:00:00Z` timestamp all read as.
pub(crate) fn time_at(v: &Value, pointer: &str) -> Option<DateTime<Utc>> {
    opt_str_at(v, pointer)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| t.timestamp() != GO_ZERO_TIME_UNIX)
}

/// Go's zero `time.Time` (0001-01-01T00:00:00Z) in Unix seconds.
const GO_ZERO_TIME_UNIX: i64 = -62_135_596_800;

/// Upstream's `translateTimestampSince`: the human age of a timestamp, `<unknown>` when unset.
pub(crate) fn since(t: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    t.map_or_else(|| "<unknown>".into(), |t| duration::human(now.signed_duration_since(t)))
}

/// The AGE cell's text.
pub(crate) fn age(object: &Value, now: DateTime<Utc>) -> String {
    since(time_at(object, "/metadata/creationTimestamp"), now)
}

/// The NAME cell.
pub(crate) fn name_cell(object: &Value) -> Value {
    Value::String(str_at(object, "/metadata/name").to_string())
}

/// A string cell.
pub(crate) fn s(text: impl Into<String>) -> Value {
    Value::String(text.into())
}

/// An integer cell.
pub(crate) fn n(number: i64) -> Value {
    Value::from(number)
}

/// Upstream's `layoutContainerCells`: container names and images, each comma-joined.
pub(crate) fn container_cells(object: &Value, containers_pointer: &str) -> (Value, Value) {
    let containers = arr_at(object, containers_pointer);
    let names: Vec<&str> = containers.iter().map(|c| str_at(c, "/name")).collect();
    let images: Vec<&str> = containers.iter().map(|c| str_at(c, "/image")).collect();
    (s(names.join(",")), s(images.join(",")))
}

#[cfg(test)]
pub(crate) mod test_support {
    use chrono::{DateTime, TimeZone, Utc};

    /// A fixed "now" for row tests: 2024-01-01T12:00:00Z.
    pub fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 12, 0, 0).single().unwrap_or_default()
    }

    /// The RFC3339 timestamp `seconds` before `now()`.
    pub fn ago(seconds: i64) -> String {
        (now() - chrono::TimeDelta::seconds(seconds)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{ago, now};
    use super::*;
    use serde_json::json;

    #[test]
    fn go_zero_timestamps_read_as_unset() {
        let object = json!({"metadata": {"creationTimestamp": "0001-01-01T00:00:00Z"}});
        assert_eq!(age(&object, now()), "<unknown>");
        assert_eq!(age(&json!({"metadata": {"creationTimestamp": "yesterday"}}), now()), "<unknown>");
    }

    #[test]
    fn kinds_without_a_printer_get_name_and_age() {
        let info = ResourceInfo {
            group: "example.com",
            version: "v1",
            kind: "Widget",
            plural: "widgets",
            singular: "widget",
            short_names: &[],
            categories: &[],
            namespaced: true,
            subresources: &[],
            schema: "",
            custom: None,
        };
        let names: Vec<_> = columns(&info).iter().map(|c| c.name).collect();
        assert_eq!(names, ["Name", "Age"]);
        let object = json!({"metadata": {"name": "w", "creationTimestamp": ago(45)}});
        assert_eq!(cells(&info, &object, now()), vec![json!("w"), json!("45s")]);
        assert_eq!(cells(&info, &json!({}), now()), vec![json!(""), json!("<unknown>")]);
    }

    #[test]
    fn every_registered_resource_has_one_cell_per_column_even_for_empty_objects() {
        for resource in crate::registry::RESOURCES {
            let columns = columns(resource);
            for object in [json!({}), json!(null), json!({"metadata": {"name": "x"}, "spec": null, "status": 3})] {
                assert_eq!(cells(resource, &object, now()).len(), columns.len(), "{}", resource.kind);
            }
            assert_eq!(columns.iter().filter(|c| c.format == "name").count(), 1, "{}", resource.kind);
        }
    }

    #[test]
    fn every_printer_has_one_cell_per_column_and_one_name_column() {
        for (group, kind, printer) in PRINTERS {
            for object in [json!({}), json!(null), json!({"metadata": {"name": "x"}, "spec": null, "status": 3})] {
                assert_eq!((printer.cells)(&object, now()).len(), printer.columns.len(), "{group}/{kind}");
            }
            assert_eq!(printer.columns.iter().filter(|c| c.format == "name").count(), 1, "{group}/{kind}");
            assert_eq!(PRINTERS.iter().filter(|(g, k, _)| g == group && k == kind).count(), 1, "{group}/{kind}");
        }
    }
}
