//! Custom resources: what one served version of a CustomResourceDefinition says beyond
//! [`ResourceInfo`] — its structural schema, printer columns, scale paths and selectable
//! fields — and how a CRD object becomes those registry entries.
//!
//! Handlers and routes hold `&'static ResourceInfo`; a custom resource's entry is built
//! once per distinct CRD spec and version and then kept for the life of the process
//! (interned by the spec's hash, so status-only changes and restarts of the watch reuse
//! it). A CRD whose spec keeps changing leaks one entry per change, which is bounded by
//! how often people edit CRDs.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::tables::{Column, AGE_DOC, NAME_DOC};
use super::{ResourceInfo, Strategy};

/// The strategy of every custom resource: no built-in rules. Their CRD's schema prunes, defaults
/// and validates them (in the apiserver's `crd` module), and their printer columns and
/// selectable fields are the [`CustomResource`]'s, which tables and selectors read first.
static STRATEGY: Strategy = Strategy::DEFAULT;
use crate::machinery::jsonpath::JsonPath;

/// A printer column with the path its cells read (`None` for NAME).
#[derive(Debug)]
pub struct PrinterColumn {
    pub column: Column,
    pub path: Option<JsonPath>,
}

/// The scale subresource's paths into the object.
#[derive(Debug)]
pub struct ScalePaths {
    pub spec_replicas: JsonPath,
    pub status_replicas: JsonPath,
    pub label_selector: Option<JsonPath>,
}

/// What a CRD says of one of its versions.
pub struct CustomResource {
    /// The CRD's name, `crontabs.stable.example.com`.
    pub definition: String,
    /// `GROUP/VERSION` of the storage version: what stored objects carry.
    pub storage_api_version: String,
    /// The version's `openAPIV3Schema`, if it has one.
    pub schema: Option<Value>,
    /// Whether the schema declares any `default` (reads skip defaulting when not).
    pub has_defaults: bool,
    /// `spec.conversion.strategy: Webhook`: only the storage version can be served, as kctl
    /// calls no webhooks.
    pub webhook_conversion: bool,
    pub columns: Vec<PrinterColumn>,
    pub scale: Option<ScalePaths>,
    /// Field selectors the version supports beyond metadata.name/namespace, as written
    /// in selectors (`spec.color`), with their paths.
    pub selectable_fields: Vec<(String, JsonPath)>,
}

impl std::fmt::Debug for CustomResource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CustomResource({})", self.definition)
    }
}

/// Entries are interned: the same entry is the same definition.
impl PartialEq for CustomResource {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for CustomResource {}

impl CustomResource {
    pub fn selectable(&self, field: &str) -> Option<&JsonPath> {
        self.selectable_fields.iter().find(|(name, _)| name == field).map(|(_, path)| path)
    }

    /// The cells of one row, one per column: NAME, then each column's value typed as
    /// upstream's CRD table convertor types it (missing values are null).
    pub fn cells(&self, object: &Value, now: chrono::DateTime<chrono::Utc>) -> Vec<Value> {
        self.columns
            .iter()
            .map(|col| match &col.path {
                None => object.pointer("/metadata/name").cloned().unwrap_or(Value::String(String::new())),
                Some(path) => match path.first(object).as_deref() {
                    None | Some(Value::Null) => Value::Null,
                    Some(value) => typed_cell(col.column.type_, value, now),
                },
            })
            .collect()
    }
}

fn typed_cell(type_: &str, value: &Value, now: chrono::DateTime<chrono::Utc>) -> Value {
    match (type_, value) {
        ("integer", Value::Number(n)) => {
            n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)).map_or(Value::Null, Value::from)
        }
        ("number", Value::Number(_)) | ("boolean", Value::Bool(_)) => value.clone(),
        ("date", Value::String(text)) => match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(time) => Value::String(crate::machinery::duration::human(now - time.with_timezone(&chrono::Utc))),
            Err(_) => Value::String("<invalid>".into()),
        },
        ("string", Value::String(_)) => value.clone(),
        ("string", other) => Value::String(other.to_string()),
        _ => Value::Null,
    }
}

fn leak(text: impl Into<String>) -> &'static str {
    Box::leak(text.into().into_boxed_str())
}

fn leak_list(items: Vec<String>) -> &'static [&'static str] {
    Box::leak(items.into_iter().map(leak).collect::<Vec<_>>().into_boxed_slice())
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect()
}

/// Kubernetes' version priority: GA before beta before alpha, higher numbers first, then
/// anything else alphabetically (what discovery and preferred versions use).
pub fn version_priority(a: &str, b: &str) -> Ordering {
    fn parse(v: &str) -> Option<(u64, u8, u64)> {
        let rest = v.strip_prefix('v')?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let major = digits.parse().ok()?;
        let tail = &rest[digits.len()..];
        let (stage, number) = if tail.is_empty() {
            return Some((major, 3, 0));
        } else if let Some(n) = tail.strip_prefix("beta") {
            (2, n)
        } else if let Some(n) = tail.strip_prefix("alpha") {
            (1, n)
        } else {
            return None;
        };
        Some((major, stage, number.parse().ok()?))
    }
    match (parse(a), parse(b)) {
        (Some((ma, sa, na)), Some((mb, sb, nb))) => sb.cmp(&sa).then(mb.cmp(&ma)).then(nb.cmp(&na)),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// `com.example.stable.v1.CronTab`: upstream's OpenAPI definition name of a custom kind.
fn definition_name(group: &str, version: &str, kind: &str) -> String {
    let reversed: Vec<&str> = group.split('.').rev().collect();
    format!("{}.{version}.{kind}", reversed.join("."))
}

fn interned() -> &'static Mutex<HashMap<String, &'static ResourceInfo>> {
    static INTERNED: OnceLock<Mutex<HashMap<String, &'static ResourceInfo>>> = OnceLock::new();
    INTERNED.get_or_init(Default::default)
}

/// The served versions of a CRD object as registry entries, preferred version first
/// (version priority order). Versions with `served: false` are left out.
pub fn served_versions(crd: &Value) -> Vec<&'static ResourceInfo> {
    let spec = crd.get("spec").cloned().unwrap_or(Value::Null);
    let key = hex::encode(Sha256::digest(spec.to_string().as_bytes()));
    let mut versions: Vec<&Value> = spec
        .get("versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|v| v.get("served").and_then(Value::as_bool).unwrap_or(false))
        .collect();
    versions.sort_by(|a, b| {
        version_priority(a["name"].as_str().unwrap_or_default(), b["name"].as_str().unwrap_or_default())
    });
    let mut cache = interned().lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    versions
        .into_iter()
        .filter_map(|version| {
            let name = version.get("name").and_then(Value::as_str)?;
            let key = format!("{key}/{name}");
            if let Some(info) = cache.get(&key) {
                return Some(*info);
            }
            let info: &'static ResourceInfo = Box::leak(Box::new(resource_info(crd, &spec, version)?));
            cache.insert(key, info);
            Some(info)
        })
        .collect()
}

fn resource_info(crd: &Value, spec: &Value, version: &Value) -> Option<ResourceInfo> {
    let group = spec.get("group")?.as_str()?;
    let names = spec.get("names")?;
    let kind = names.get("kind")?.as_str()?;
    let plural = names.get("plural")?.as_str()?;
    let version_name = version.get("name")?.as_str()?;
    let singular = names.get("singular").and_then(Value::as_str).filter(|s| !s.is_empty());
    let storage_version = spec
        .get("versions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|v| v.get("storage").and_then(Value::as_bool) == Some(true))
        .and_then(|v| v.get("name").and_then(Value::as_str))
        .unwrap_or(version_name);
    let mut subresources = Vec::new();
    let scale = version.pointer("/subresources/scale").and_then(|scale| {
        Some(ScalePaths {
            spec_replicas: field_path(scale.get("specReplicasPath")?.as_str()?)?,
            status_replicas: field_path(scale.get("statusReplicasPath")?.as_str()?)?,
            label_selector: scale.get("labelSelectorPath").and_then(Value::as_str).and_then(field_path),
        })
    });
    if version.pointer("/subresources/status").is_some() {
        subresources.push("status".to_string());
    }
    if scale.is_some() {
        subresources.push("scale".to_string());
    }
    let custom = CustomResource {
        definition: crd.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string(),
        storage_api_version: format!("{group}/{storage_version}"),
        schema: version.pointer("/schema/openAPIV3Schema").cloned(),
        has_defaults: version.pointer("/schema/openAPIV3Schema").is_some_and(declares_default),
        webhook_conversion: spec.pointer("/conversion/strategy").and_then(Value::as_str) == Some("Webhook"),
        columns: columns(version),
        scale,
        selectable_fields: version
            .get("selectableFields")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|f| {
                let path = f.get("jsonPath")?.as_str()?;
                Some((path.trim_start_matches('.').to_string(), field_path(path)?))
            })
            .collect(),
    };
    Some(ResourceInfo {
        group: leak(group),
        version: leak(version_name),
        kind: leak(kind),
        plural: leak(plural),
        singular: leak(singular.map_or_else(|| kind.to_lowercase(), str::to_string)),
        short_names: leak_list(strings(names.get("shortNames"))),
        categories: leak_list(strings(names.get("categories"))),
        namespaced: spec.get("scope").and_then(Value::as_str) != Some("Cluster"),
        subresources: leak_list(subresources),
        schema: leak(definition_name(group, version_name, kind)),
        strategy: &STRATEGY,
        custom: Some(Box::leak(Box::new(custom))),
        rest: super::Rest::Stored,
    })
}

/// A CRD's JSONPath (printer column, scale path, selectable field) as upstream parses it:
/// one action, missing fields finding nothing.
fn field_path(path: &str) -> Option<JsonPath> {
    JsonPath::parse(&format!("{{{path}}}")).ok().map(|parsed| parsed.allow_missing_keys(true))
}

fn declares_default(schema: &Value) -> bool {
    match schema {
        Value::Object(map) => map.contains_key("default") || map.values().any(declares_default),
        Value::Array(items) => items.iter().any(declares_default),
        _ => false,
    }
}

/// NAME, then the version's additionalPrinterColumns (AGE when it declares none).
fn columns(version: &Value) -> Vec<PrinterColumn> {
    let name = PrinterColumn {
        column: Column { name: "Name", type_: "string", format: "name", description: NAME_DOC, priority: 0 },
        path: None,
    };
    let declared: Vec<&Value> =
        version.get("additionalPrinterColumns").and_then(Value::as_array).into_iter().flatten().collect();
    if declared.is_empty() {
        let age = PrinterColumn {
            column: Column { name: "Age", type_: "date", format: "", description: AGE_DOC, priority: 0 },
            path: field_path(".metadata.creationTimestamp"),
        };
        return vec![name, age];
    }
    let text = |c: &Value, key: &str| c.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
    std::iter::once(name)
        .chain(declared.into_iter().filter_map(|c| {
            let path = field_path(c.get("jsonPath")?.as_str()?)?;
            Some(PrinterColumn {
                column: Column {
                    name: leak(text(c, "name")),
                    type_: leak(text(c, "type")),
                    format: leak(text(c, "format")),
                    description: leak(text(c, "description")),
                    priority: c.get("priority").and_then(Value::as_i64).unwrap_or(0) as i32,
                },
                path: Some(path),
            })
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crd() -> Value {
        json!({"metadata": {"name": "crontabs.stable.example.com"}, "spec": {
            "group": "stable.example.com", "scope": "Namespaced",
            "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"]},
            "versions": [
                {"name": "v1beta1", "served": true, "storage": false},
                {"name": "v1", "served": true, "storage": true,
                 "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas"}},
                 "additionalPrinterColumns": [{"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
                    {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"}],
                 "selectableFields": [{"jsonPath": ".spec.color"}]},
                {"name": "v2", "served": false, "storage": false}]}})
    }

    #[test]
    fn served_versions_come_in_priority_order_and_are_interned() {
        let versions = served_versions(&crd());
        let names: Vec<&str> = versions.iter().map(|v| v.version).collect();
        assert_eq!(names, ["v1", "v1beta1"]);
        let v1 = versions[0];
        assert_eq!(
            (v1.kind, v1.plural, v1.short_names, v1.subresources),
            ("CronTab", "crontabs", &["ct"][..], &["status", "scale"][..])
        );
        assert_eq!(v1.schema, "com.example.stable.v1.CronTab");
        let custom = v1.custom.unwrap();
        assert_eq!(custom.storage_api_version, "stable.example.com/v1");
        assert!(custom.selectable("spec.color").is_some());
        assert!(std::ptr::eq(served_versions(&crd())[0], v1));
        let cells = custom
            .cells(&json!({"metadata": {"name": "a"}, "spec": {"cronSpec": "* *", "replicas": 2}}), chrono::Utc::now());
        assert_eq!(cells, vec![json!("a"), json!("* *"), json!(2)]);
    }

    #[test]
    fn versions_sort_like_kubernetes() {
        let mut versions = vec!["v1alpha1", "foo", "v2", "v1beta2", "v1", "v10beta1"];
        versions.sort_by(|a, b| version_priority(a, b));
        assert_eq!(versions, ["v2", "v1", "v10beta1", "v1beta2", "v1alpha1", "foo"]);
    }
}
