//! Table columns per kind, as upstream's printers declare them (what
//! `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` answers and kubectl prints): one
//! [`Printer`] per kind, which the kind's strategy points to. `more_kinds` holds the printers of
//! built-in kinds kctl does not serve yet, for their strategies to take once they are registered.
//!
//! Mirrors k8s.io/kubernetes `pkg/printers/internalversion/printers.go` (1.32). Like upstream's
//! server-side table convertor, rows always carry every column including the wide (priority 1)
//! ones; kubectl drops those unless `-o wide`. Printers read the versioned JSON the store holds,
//! so every field may be missing: a missing field reads as Go's zero value would, except where
//! upstream's defaulting (applied when it decodes from storage) would fill it in first.

pub mod autoscaling;
pub mod certs_storage;
pub mod control_plane;
pub mod core_kinds;
pub mod more_kinds;
pub mod pods;
pub mod quota;
pub mod workloads;

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

/// A kind's printer: its column table and the function producing one row's cells, in the same
/// order. A kind's [`Strategy`](super::Strategy) names its printer.
pub struct Printer {
    pub columns: &'static [Column],
    pub cells: fn(&Value, DateTime<Utc>) -> Vec<Value>,
}

/// What kinds without a printer of their own show: NAME and AGE.
pub static NAME_AND_AGE: Printer = Printer { columns: &[NAME, AGE], cells: name_and_age_cells };

fn name_and_age_cells(object: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name_cell(object), Value::String(age(object, now))]
}

/// The columns of a resource's table: its kind's printer's, or its CRD's.
pub fn columns(resource: &ResourceInfo) -> Vec<Column> {
    if let Some(custom) = resource.custom {
        return custom.columns.iter().map(|c| c.column.clone()).collect();
    }
    resource.strategy.printer().columns.to_vec()
}

/// Sorts a list's table rows as upstream's list printer does where it sorts (FlowSchemas,
/// by precedence); other kinds keep the listed order.
pub fn sort_rows(resource: &ResourceInfo, rows: &mut [Value]) {
    if std::ptr::eq(resource.strategy.printer(), &control_plane::FLOW_SCHEMA) {
        control_plane::sort_flow_schema_rows(rows);
    }
}

/// The cells of one object's row, one per column.
pub fn cells(resource: &ResourceInfo, object: &Value, now: DateTime<Utc>) -> Vec<Value> {
    if let Some(custom) = resource.custom {
        return custom.cells(object, now);
    }
    (resource.strategy.printer().cells)(object, now)
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
            strategy: &crate::registry::Strategy::DEFAULT,
            custom: None,
            rest: crate::registry::Rest::Stored,
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
    fn printers_of_kinds_not_served_yet_have_one_cell_per_column_and_one_name_column() {
        use more_kinds::*;
        let printers = [
            &NAME_AND_AGE,
            &CREATED_AT,
            &BINDING,
            &PERSISTENT_VOLUME,
            &PERSISTENT_VOLUME_CLAIM,
            &INGRESS,
            &INGRESS_CLASS,
            &POD_DISRUPTION_BUDGET,
            &ENDPOINT_SLICE,
            &STORAGE_CLASS,
            &PRIORITY_CLASS,
            &NETWORK_POLICY,
            &POD_TEMPLATE,
            &RUNTIME_CLASS,
            &WEBHOOK_CONFIGURATION,
        ];
        for printer in printers {
            let names: Vec<&str> = printer.columns.iter().map(|c| c.name).collect();
            for object in [json!({}), json!(null), json!({"metadata": {"name": "x"}, "spec": null, "status": 3})] {
                assert_eq!((printer.cells)(&object, now()).len(), printer.columns.len(), "{names:?}");
            }
            assert_eq!(printer.columns.iter().filter(|c| c.format == "name").count(), 1, "{names:?}");
        }
    }
}
