//! The ServiceAccount admission plugin (upstream's `plugin/pkg/admission/serviceaccount`):
//! a new pod runs as `default` unless it names its service account, which must exist, and,
//! unless `automountServiceAccountToken` says no (the pod's word over the account's), gets
//! the projected `kube-api-access-xxxxx` volume — a bound token, the cluster's CA and the
//! namespace — mounted read-only at [`MOUNT_PATH`] in every container. A Secret of type
//! `kubernetes.io/service-account-token` gets its legacy token (upstream's tokens
//! controller's work, done here when it is created).

use base64::Engine;
use serde_json::{json, Value};

use crate::apiserver::status::ApiError;
use crate::apiserver::ApiState;
use crate::machinery::well_known::{self, DEFAULT_SERVICE_ACCOUNT as DEFAULT};
use crate::registry;

pub const MOUNT_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";
/// Upstream's token lifetime for the projected volume (an hour and a little, so a kubelet
/// can tell it from a user's).
const EXPIRATION_SECONDS: i64 = 3607;
/// The characters of upstream's `utilrand.String`.
const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn name_suffix() -> String {
    uuid::Uuid::new_v4().as_bytes().iter().take(5).map(|b| ALPHANUMS[*b as usize % ALPHANUMS.len()] as char).collect()
}

/// Admits a new pod: its service account defaulted and checked, its token volume added.
pub async fn admit_pod(state: &ApiState, pod: &mut Value) -> Result<(), ApiError> {
    // Mirror pods (of static manifests) have no service account.
    if pod.pointer("/metadata/annotations/kubernetes.io~1config.mirror").is_some() {
        return Ok(());
    }
    let namespace = pod.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or_default().to_string();
    let name = pod.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default().to_string();
    let account = match pod.pointer("/spec/serviceAccountName").and_then(Value::as_str).filter(|s| !s.is_empty()) {
        Some(account) => account.to_string(),
        None => DEFAULT.to_string(),
    };
    pod["spec"]["serviceAccountName"] = json!(account);
    let accounts = registry::by_plural("", "v1", "serviceaccounts").expect("serviceaccounts are in the registry");
    let found = state.storage.try_get(accounts, Some(&namespace), &account).await?;
    let Some(found) = found else {
        // A namespace's `default` account may not be made yet (its controller is a moment
        // behind a new namespace): the pod runs without a token rather than failing.
        if account == DEFAULT {
            return Ok(());
        }
        return Err(ApiError::forbidden_for(
            "pods",
            &name,
            &format!("error looking up service account {namespace}/{account}: serviceaccount \"{account}\" not found"),
        ));
    };
    let automount = pod
        .pointer("/spec/automountServiceAccountToken")
        .and_then(Value::as_bool)
        .or_else(|| found.get("automountServiceAccountToken").and_then(Value::as_bool))
        .unwrap_or(true);
    if !automount {
        return Ok(());
    }
    mount_token_volume(pod);
    Ok(())
}

/// The type of Secrets that hold a legacy token of a service account.
const TOKEN_SECRET_TYPE: &str = "kubernetes.io/service-account-token";

/// A new `kubernetes.io/service-account-token` Secret gets its account's legacy token, the
/// CA and the namespace, as upstream's tokens controller fills it (here at once, so the
/// Secret is complete when its creator reads it back).
pub async fn admit_secret(state: &ApiState, secret: &mut Value) -> Result<(), ApiError> {
    if secret.get("type").and_then(Value::as_str) != Some(TOKEN_SECRET_TYPE) {
        return Ok(());
    }
    let text = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
    let namespace = text(secret, "/metadata/namespace");
    let account = text(secret, "/metadata/annotations/kubernetes.io~1service-account.name");
    let accounts = registry::by_plural("", "v1", "serviceaccounts").expect("serviceaccounts are in the registry");
    let Some(found) = state.storage.try_get(accounts, Some(&namespace), &account).await? else {
        // Upstream's controller leaves (and later removes) a Secret of an unknown account.
        return Ok(());
    };
    let token = state
        .tokens
        .sign(&super::tokens::legacy_claims(&found, secret))
        .ok_or_else(|| ApiError::internal("failed to generate token"))?;
    let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
    secret["metadata"]["annotations"]["kubernetes.io/service-account.uid"] = json!(text(&found, "/metadata/uid"));
    if !secret.get("data").is_some_and(Value::is_object) {
        secret["data"] = json!({});
    }
    secret["data"]["token"] = json!(b64(&token));
    secret["data"]["ca.crt"] = json!(b64(&state.ca_pem));
    secret["data"]["namespace"] = json!(b64(&namespace));
    Ok(())
}

fn containers_mut(pod: &mut Value) -> impl Iterator<Item = &mut Value> {
    let spec = pod.get_mut("spec").and_then(Value::as_object_mut);
    spec.into_iter().flat_map(|spec| {
        spec.iter_mut()
            .filter(|(key, _)| *key == "containers" || *key == "initContainers")
            .filter_map(|(_, list)| list.as_array_mut())
            .flatten()
    })
}

fn mounts_token_path(container: &Value) -> bool {
    container
        .get("volumeMounts")
        .and_then(Value::as_array)
        .is_some_and(|mounts| mounts.iter().any(|m| m.get("mountPath").and_then(Value::as_str) == Some(MOUNT_PATH)))
}

/// Adds the projected volume and mounts it where containers have nothing mounted at
/// [`MOUNT_PATH`] already.
fn mount_token_volume(pod: &mut Value) {
    if containers_mut(pod).all(|c| mounts_token_path(c)) {
        return;
    }
    let volume_name = format!("kube-api-access-{}", name_suffix());
    for container in containers_mut(pod) {
        if mounts_token_path(container) {
            continue;
        }
        let mount = json!({"name": volume_name, "readOnly": true, "mountPath": MOUNT_PATH});
        match container.get_mut("volumeMounts").and_then(Value::as_array_mut) {
            Some(mounts) => mounts.push(mount),
            None => container["volumeMounts"] = json!([mount]),
        }
    }
    let volume = json!({
        "name": volume_name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": EXPIRATION_SECONDS, "path": "token"}},
                {"configMap": {"name": well_known::ROOT_CA_CONFIG_MAP, "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
            ],
        },
    });
    match pod.pointer_mut("/spec/volumes").and_then(Value::as_array_mut) {
        Some(volumes) => volumes.push(volume),
        None => pod["spec"]["volumes"] = json!([volume]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_volume_is_mounted_in_every_container_without_one() {
        let mut pod = json!({"spec": {
            "containers": [{"name": "a"}, {"name": "b", "volumeMounts": [{"name": "own", "mountPath": MOUNT_PATH}]}],
            "initContainers": [{"name": "i"}],
        }});
        mount_token_volume(&mut pod);
        let volume = &pod["spec"]["volumes"][0];
        let name = volume["name"].as_str().unwrap();
        assert!(name.starts_with("kube-api-access-") && name.len() == "kube-api-access-".len() + 5, "{name}");
        assert_eq!(volume["projected"]["sources"].as_array().unwrap().len(), 3);
        assert_eq!(pod["spec"]["containers"][0]["volumeMounts"][0]["name"], name);
        assert_eq!(pod["spec"]["containers"][1]["volumeMounts"].as_array().unwrap().len(), 1);
        assert_eq!(pod["spec"]["initContainers"][0]["volumeMounts"][0]["mountPath"], MOUNT_PATH);
    }
}
