//! Node heartbeats: one Lease per node in `kube-node-lease`, renewed every 10 s, which is
//! how the node lifecycle controller knows the nodes are alive.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::Client;
use serde_json::{json, Value};

use super::ApiCallError;
use crate::machinery::well_known::NODE_LEASE_NAMESPACE as NAMESPACE;

pub const RENEW_EVERY: Duration = Duration::from_secs(10);
pub const DURATION_SECONDS: i32 = 40;

/// MicroTime, as Leases carry it.
pub fn micro_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn lease_object(node: &str, now: DateTime<Utc>) -> Value {
    json!({
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {"name": node, "namespace": NAMESPACE},
        "spec": {"holderIdentity": node, "leaseDurationSeconds": DURATION_SECONDS, "renewTime": micro_time(now)},
    })
}

/// Renews the node's lease, creating it when missing.
pub async fn renew(client: &Client, node: &str, now: DateTime<Utc>) -> Result<(), ApiCallError> {
    let leases: Api<Lease> = Api::namespaced(client.clone(), NAMESPACE);
    let patch = json!({"spec": lease_object(node, now)["spec"]});
    match leases.patch(node, &PatchParams::default(), &Patch::Merge(patch)).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => {
            let lease: Lease = serde_json::from_value(lease_object(node, now))
                .map_err(|source| ApiCallError::Encode { what: format!("lease {node}"), source })?;
            match leases.create(&PostParams::default(), &lease).await {
                // Someone created it meanwhile: the next renewal patches it.
                Ok(_) | Err(kube::Error::Api(kube::core::ErrorResponse { code: 409, .. })) => Ok(()),
                Err(err) => Err(ApiCallError::api(format!("creating lease {node}"))(err)),
            }
        }
        Err(err) => Err(ApiCallError::api(format!("renewing lease {node}"))(err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lease_is_held_by_the_node_for_forty_seconds() {
        let lease: Lease = serde_json::from_value(lease_object("hollow-node-1", Utc::now())).expect("a typed Lease");
        let spec = lease.spec.unwrap();
        assert_eq!(spec.holder_identity.as_deref(), Some("hollow-node-1"));
        assert_eq!(spec.lease_duration_seconds, Some(40));
        assert!(spec.renew_time.is_some());
        assert_eq!(lease.metadata.namespace.as_deref(), Some(NAMESPACE));
    }
}
