//! Node shutdown: when the node is told to stop (`docker stop` of a node container:
//! SIGTERM), its pods' containers are stopped within a short grace period (preStop hooks
//! run), as the pods inside a stopped kind node die with its containerd. The pods stay as
//! they are in the API, as on kind (whose kubelet has no shutdownGracePeriod): a node that
//! comes back restarts them; one that does not is left to the node lifecycle controller.

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;

use super::sync::pod_key;
use super::Kubelet;

/// How long pods get to stop (upstream's shutdownGracePeriod for ordinary pods; Docker
/// gives a container 10 s before killing it).
pub const GRACE_PERIOD: i64 = 5;

/// Resolves once the shutdown is asked for (never when nobody can ask), with the
/// kubelet already marked as shutting down: pod workers then neither start nor remove
/// anything when the pod watch goes.
pub async fn requested(kubelet: &Kubelet, signal: Option<tokio::sync::watch::Receiver<bool>>) {
    let Some(mut signal) = signal else { return std::future::pending().await };
    if signal.wait_for(|asked| *asked).await.is_err() {
        std::future::pending::<()>().await;
    }
    kubelet.shutting_down.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// Stops every pod of the node.
pub async fn shut_down(kubelet: Arc<Kubelet>) {
    let pods: Vec<Pod> = kubelet.pods.read().values().cloned().collect();
    let stops = pods.into_iter().map(|pod| {
        let kubelet = kubelet.clone();
        async move {
            let key = pod_key(&pod);
            let grace = super::sync::grace_period(&pod).min(GRACE_PERIOD);
            if let Err(err) = kubelet.stop_pod_containers(&pod, grace).await {
                tracing::warn!(%err, pod = %key.name, "stopping a pod at node shutdown failed");
            }
        }
    });
    let _ = tokio::time::timeout(Duration::from_secs(GRACE_PERIOD as u64 + 3), futures::future::join_all(stops)).await;
}
