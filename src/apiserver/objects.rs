//! What the apiserver does to every object it admits, whatever its kind: type and scope
//! checks, names (generateName), uid, timestamps, the main resource vs the status
//! subresource, then the kind's strategy from the registry (initial status, defaults,
//! generation, validation).

use chrono::{SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use super::status::ApiError;
use crate::registry::ResourceInfo;

pub fn now_rfc3339() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn metadata_mut(object: &mut Value) -> Result<&mut Map<String, Value>, ApiError> {
    let map = object.as_object_mut().ok_or_else(|| ApiError::bad_request("the object must be a JSON object"))?;
    let metadata = map.entry("metadata").or_insert_with(|| json!({}));
    if metadata.is_null() {
        *metadata = json!({});
    }
    metadata.as_object_mut().ok_or_else(|| ApiError::bad_request("metadata must be an object"))
}

/// The body's apiVersion/kind must name the resource of the URL (filled in when absent).
pub fn check_type(resource: &ResourceInfo, object: &mut Value) -> Result<(), ApiError> {
    let expected_version = resource.api_version();
    let map = object.as_object_mut().ok_or_else(|| ApiError::bad_request("the object must be a JSON object"))?;
    match map.get("apiVersion").and_then(Value::as_str) {
        None | Some("") => {
            map.insert("apiVersion".into(), Value::String(expected_version));
        }
        Some(version) if version == expected_version => {}
        Some(version) => {
            return Err(ApiError::bad_request(format!(
                "the API version in the data ({version}) does not match the expected API version ({expected_version})"
            )))
        }
    }
    match map.get("kind").and_then(Value::as_str) {
        None | Some("") => {
            map.insert("kind".into(), Value::String(resource.kind.to_string()));
        }
        Some(kind) if kind == resource.kind => {}
        Some(kind) => {
            return Err(ApiError::bad_request(format!(
                "the kind in the data ({kind}) does not match the expected kind ({})",
                resource.kind
            )))
        }
    }
    Ok(())
}

/// Scope: namespaced objects take the URL's namespace (a different one in the body is an
/// error); cluster-scoped ones have none.
pub fn check_namespace(resource: &ResourceInfo, object: &mut Value, namespace: Option<&str>) -> Result<(), ApiError> {
    let metadata = metadata_mut(object)?;
    if !resource.namespaced {
        metadata.remove("namespace");
        return Ok(());
    }
    let Some(namespace) = namespace else {
        return Err(ApiError::bad_request("a namespace is required for a namespaced resource"));
    };
    match metadata.get("namespace").and_then(Value::as_str) {
        None | Some("") => {
            metadata.insert("namespace".into(), Value::String(namespace.to_string()));
            Ok(())
        }
        Some(given) if given == namespace => Ok(()),
        Some(_) => Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the request",
        )),
    }
}

/// upstream's generateName suffix: 5 characters from a consonant-and-digit alphabet.
fn random_suffix() -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let bytes = uuid::Uuid::new_v4().into_bytes();
    bytes.iter().take(5).map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

/// Everything a create does before storing: names, identity, timestamps, status,
/// defaults and validation.
pub fn prepare_create(resource: &ResourceInfo, object: &mut Value, namespace: Option<&str>) -> Result<(), ApiError> {
    check_type(resource, object)?;
    check_namespace(resource, object, namespace)?;
    let metadata = metadata_mut(object)?;
    let name = metadata.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    if name.is_empty() {
        if let Some(prefix) = metadata.get("generateName").and_then(Value::as_str).filter(|p| !p.is_empty()) {
            let generated = format!("{prefix}{}", random_suffix());
            metadata.insert("name".into(), Value::String(generated));
        }
    }
    metadata.insert("uid".into(), Value::String(uuid::Uuid::new_v4().to_string()));
    metadata.insert("creationTimestamp".into(), Value::String(now_rfc3339()));
    for field in ["resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generation"] {
        metadata.remove(field);
    }
    resource.strategy.prepare_for_create(resource, object);
    let causes = resource.strategy.validate(resource, object);
    if !causes.is_empty() {
        let name = object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
        return Err(ApiError::invalid(&resource.qualified_kind(), &name, causes));
    }
    Ok(())
}

/// Metadata the server owns: a client cannot change it by an update.
const SERVER_METADATA: &[&str] = &["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"];

/// Everything an update does before storing `new` over `old`: it keeps server-owned
/// metadata, bumps generation on spec changes, and splits main resource and status.
pub fn prepare_update(
    resource: &ResourceInfo,
    new: &mut Value,
    old: &Value,
    subresource: Option<&str>,
) -> Result<(), ApiError> {
    check_type(resource, new)?;
    let name = old.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    let namespace = old.pointer("/metadata/namespace").cloned();
    if subresource == Some("status") {
        // The status subresource changes status only (and nothing of metadata but RV).
        // A patched object is mostly `old` already: only what differs is copied back.
        let Some(old_map) = old.as_object() else { return Ok(()) };
        if !new.is_object() {
            *new = Value::Object(Map::new());
        }
        let Some(new_map) = new.as_object_mut() else { return Ok(()) };
        if new_map.get("status").is_some_and(Value::is_null) {
            new_map.remove("status");
        }
        new_map.retain(|key, _| key == "status" || old_map.contains_key(key));
        for (key, value) in old_map.iter().filter(|(key, _)| *key != "status") {
            if new_map.get(key) != Some(value) {
                new_map.insert(key.clone(), value.clone());
            }
        }
        return Ok(());
    }
    let given_name = new.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    if !given_name.is_empty() && given_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({given_name}) does not match the name on the URL ({name})"
        )));
    }
    {
        let metadata = metadata_mut(new)?;
        metadata.insert("name".into(), Value::String(name.clone()));
        match &namespace {
            Some(namespace) => metadata.insert("namespace".into(), namespace.clone()),
            None => metadata.remove("namespace"),
        };
        for field in SERVER_METADATA {
            match old.pointer(&format!("/metadata/{field}")) {
                Some(value) => metadata.insert(field.to_string(), value.clone()),
                None => metadata.remove(*field),
            };
        }
    }
    // Defaults, keeps status (only the status subresource writes it) and counts spec changes.
    resource.strategy.prepare_for_update(resource, new, old);
    let causes = resource.strategy.validate_update(new, old);
    if !causes.is_empty() {
        return Err(ApiError::invalid(&resource.qualified_kind(), &name, causes));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;

    fn deployment_spec(replicas: i64) -> Value {
        json!({"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}})
    }

    #[test]
    fn create_fills_identity_and_generate_name() {
        let deployments = registry::by_plural("apps", "v1", "deployments").unwrap();
        let mut object =
            json!({"metadata": {"generateName": "web-"}, "spec": deployment_spec(1), "status": {"replicas": 9}});
        prepare_create(deployments, &mut object, Some("default")).unwrap_or_else(|e| panic!("{e:?}"));
        let name = object["metadata"]["name"].as_str().unwrap();
        assert!(name.starts_with("web-") && name.len() == 9);
        assert_eq!(object["apiVersion"], "apps/v1");
        assert_eq!(object["metadata"]["namespace"], "default");
        assert_eq!(object["metadata"]["generation"], 1);
        assert_eq!(object["status"], json!({}));
    }

    #[test]
    fn wrong_kind_is_a_bad_request() {
        let pods = registry::by_plural("", "v1", "pods").unwrap();
        let mut object = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}});
        let err = prepare_create(pods, &mut object, Some("default")).unwrap_err();
        assert_eq!(err.code, http::StatusCode::BAD_REQUEST);
    }

    #[test]
    fn updates_keep_status_and_bump_generation_on_spec_change_only() {
        let deployments = registry::by_plural("apps", "v1", "deployments").unwrap();
        let mut old = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "d", "uid": "u1", "generation": 3},
            "spec": deployment_spec(1), "status": {"replicas": 1}});
        deployments.strategy.default(&mut old);
        let mut same = old.clone();
        same["status"] = json!({"replicas": 5});
        prepare_update(deployments, &mut same, &old, None).unwrap();
        assert_eq!(same["status"]["replicas"], 1);
        assert_eq!(same["metadata"]["generation"], 3);
        let mut scaled = old.clone();
        scaled["spec"]["replicas"] = json!(2);
        scaled["metadata"]["uid"] = json!("forged");
        prepare_update(deployments, &mut scaled, &old, None).unwrap();
        assert_eq!(scaled["metadata"]["generation"], 4);
        assert_eq!(scaled["metadata"]["uid"], "u1");
        let mut status = old.clone();
        status["spec"]["replicas"] = json!(7);
        status["status"] = json!({"replicas": 2});
        prepare_update(deployments, &mut status, &old, Some("status")).unwrap();
        assert_eq!((status["spec"]["replicas"].clone(), status["status"]["replicas"].clone()), (json!(1), json!(2)));
    }
}
