//! Node heartbeats: one Lease per node in `kube-node-lease`, renewed every 10 s by a few
//! shard tasks (not one task per node), which is how the node lifecycle controller
//! knows the nodes are alive.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use futures::StreamExt;
use k8s_openapi::api::coordination::v1::Lease;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::Client;
use serde_json::{json, Value};

use super::{HollowError, HollowNode};

pub const NAMESPACE: &str = "kube-node-lease";
pub const RENEW_EVERY: Duration = Duration::from_secs(10);
pub const DURATION_SECONDS: i32 = 40;
const SHARDS: usize = 4;
const CONCURRENCY_PER_SHARD: usize = 8;

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
pub async fn renew(client: &Client, node: &str, now: DateTime<Utc>) -> Result<(), HollowError> {
    let leases: Api<Lease> = Api::namespaced(client.clone(), NAMESPACE);
    let patch = json!({"spec": lease_object(node, now)["spec"]});
    match leases.patch(node, &PatchParams::default(), &Patch::Merge(patch)).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => {
            let lease: Lease = serde_json::from_value(lease_object(node, now))
                .map_err(|source| HollowError::Encode { what: format!("lease {node}"), source })?;
            match leases.create(&PostParams::default(), &lease).await {
                // Someone created it meanwhile: the next renewal patches it.
                Ok(_) | Err(kube::Error::Api(kube::core::ErrorResponse { code: 409, .. })) => Ok(()),
                Err(err) => Err(HollowError::api(format!("creating lease {node}"))(err)),
            }
        }
        Err(err) => Err(HollowError::api(format!("renewing lease {node}"))(err)),
    }
}

/// Renews every node's lease every `every` (the kubelet's RENEW_EVERY unless a short
/// node monitor grace period asks for more), split over SHARDS tasks.
pub async fn renew_forever(client: Client, nodes: Arc<Vec<HollowNode>>, every: Duration) {
    let shards = SHARDS.min(nodes.len()).max(1);
    let tasks = (0..shards).map(|shard| {
        let (client, nodes) = (client.clone(), nodes.clone());
        async move {
            let mut every = tokio::time::interval(every);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                every.tick().await;
                let now = Utc::now();
                let mine = nodes.iter().skip(shard).step_by(shards);
                futures::stream::iter(mine)
                    .for_each_concurrent(CONCURRENCY_PER_SHARD, |node| {
                        let client = &client;
                        async move {
                            if let Err(err) = renew(client, &node.name, now).await {
                                tracing::warn!(%err, "hollow node lease not renewed");
                            }
                        }
                    })
                    .await;
            }
        }
    });
    futures::future::join_all(tasks).await;
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
