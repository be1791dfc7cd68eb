//! The TokenRequest API, `POST .../serviceaccounts/NAME/token` (upstream's
//! `pkg/registry/core/serviceaccount/storage/token.go`): a bound token for the service
//! account, for the asked audiences and lifetime, optionally bound to a pod, secret or node.

use serde_json::{json, Value};

use super::tokens::ISSUER;
use crate::apiserver::objects::now_rfc3339;
use crate::apiserver::status::ApiError;
use crate::apiserver::ApiState;
use crate::registry::strategy::Cause;
use crate::registry::{self, ResourceInfo};

const KIND: &str = "TokenRequest.authentication.k8s.io";
/// Upstream's default and shortest lifetimes.
const DEFAULT_SECONDS: i64 = 3600;
const MIN_SECONDS: i64 = 600;

fn core(plural: &str) -> &'static ResourceInfo {
    registry::by_plural("", "v1", plural).expect("core resources are in the registry")
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

fn invalid(name: &str, field: &str, value: &str, detail: &str) -> ApiError {
    let cause = Cause {
        reason: "FieldValueInvalid".into(),
        message: format!("Invalid value: {value}: {detail}"),
        field: field.into(),
    };
    ApiError::invalid(KIND, name, vec![cause])
}

/// Answers a TokenRequest for service account `name` in `namespace`.
pub async fn create(state: &ApiState, namespace: &str, name: &str, mut request: Value) -> Result<Value, ApiError> {
    let given_name = text(&request, "/metadata/name").to_string();
    if !given_name.is_empty() && given_name != name {
        let quoted = format!("\"{given_name}\"");
        return Err(invalid(name, "metadata.name", &quoted, "must match the service account name if specified"));
    }
    let sa = state.storage.get(core("serviceaccounts"), Some(namespace), name).await?;
    let mut audiences: Vec<String> = request
        .pointer("/spec/audiences")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default();
    if audiences.is_empty() {
        audiences = vec![ISSUER.to_string()];
    }
    let seconds = request.pointer("/spec/expirationSeconds").and_then(Value::as_i64).unwrap_or(DEFAULT_SECONDS);
    if seconds < MIN_SECONDS {
        return Err(invalid(
            "",
            "spec.expirationSeconds",
            &seconds.to_string(),
            "may not specify a duration less than 10 minutes",
        ));
    }
    if seconds > 1 << 32 {
        return Err(invalid(
            "",
            "spec.expirationSeconds",
            &seconds.to_string(),
            "may not specify a duration larger than 2^32 seconds",
        ));
    }
    let now = chrono::Utc::now();
    let mut private = json!({
        "namespace": namespace,
        "serviceaccount": {"name": name, "uid": text(&sa, "/metadata/uid")},
    });
    let bound = request.pointer("/spec/boundObjectRef").filter(|r| r.is_object()).cloned();
    if let Some(reference) = &bound {
        let (kind, object_name) = (text(reference, "/kind"), text(reference, "/name"));
        let api_version = text(reference, "/apiVersion");
        let (plural, key, scope) = match (api_version, kind) {
            ("v1" | "", "Pod") => ("pods", "pod", Some(namespace)),
            ("v1" | "", "Secret") => ("secrets", "secret", Some(namespace)),
            ("v1" | "", "Node") => ("nodes", "node", None),
            _ => {
                let group_version = if api_version.is_empty() { "/".to_string() } else { format!("{api_version}, ") };
                return Err(ApiError::bad_request(format!(
                    "cannot bind token to object of type {group_version}Kind={kind}"
                )));
            }
        };
        let object = state.storage.get(core(plural), scope, object_name).await?;
        let uid = text(&object, "/metadata/uid");
        if key == "pod" && text(&object, "/spec/serviceAccountName") != name {
            return Err(ApiError::bad_request(format!(
                "cannot bind token for serviceaccount \"{name}\" to pod running with different serviceaccount name."
            )));
        }
        let wanted_uid = text(reference, "/uid");
        if !wanted_uid.is_empty() && wanted_uid != uid {
            return Err(ApiError::conflict(
                &kind.to_string(),
                object_name,
                &format!("the UID in the bound object reference ({wanted_uid}) does not match the UID in record. The object might have been deleted and then recreated"),
            ));
        }
        private[key] = json!({"name": object_name, "uid": uid});
        if key == "pod" {
            let node_name = text(&object, "/spec/nodeName");
            if !node_name.is_empty() {
                let node = state.storage.try_get(core("nodes"), None, node_name).await?;
                let node_uid = node.as_ref().map(|n| text(n, "/metadata/uid").to_string()).unwrap_or_default();
                private["node"] = json!({"name": node_name, "uid": node_uid});
            }
        }
    }
    let expires = now + chrono::TimeDelta::seconds(seconds);
    let claims = json!({
        "aud": audiences,
        "exp": expires.timestamp(),
        "iat": now.timestamp(),
        "iss": ISSUER,
        "jti": uuid::Uuid::new_v4().to_string(),
        "kubernetes.io": private,
        "nbf": now.timestamp(),
        "sub": super::username(namespace, name),
    });
    let token = state.tokens.sign(&claims).ok_or_else(|| ApiError::internal("failed to generate token"))?;
    request["apiVersion"] = json!("authentication.k8s.io/v1");
    request["kind"] = json!("TokenRequest");
    request["metadata"] = json!({"name": name, "namespace": namespace, "creationTimestamp": now_rfc3339()});
    request["spec"]["audiences"] = json!(audiences);
    request["spec"]["expirationSeconds"] = json!(seconds);
    request["spec"]["boundObjectRef"] = bound.unwrap_or(Value::Null);
    request["status"] = json!({
        "token": token,
        "expirationTimestamp": expires.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    });
    Ok(request)
}
