//! The controller-manager: controllers that run as API clients of the apiserver (list,
//! watch, patch through it — never the store), like upstream's kube-controller-manager.

pub mod deployment;
pub mod events;

use kube::Client;

/// Options shared by the controllers.
#[derive(Debug, Clone)]
pub struct ControllerOptions {
    /// How long a node may stay silent before it is marked unreachable.
    pub node_monitor_grace_period: std::time::Duration,
    /// How long pods stay on an unreachable node before they are evicted.
    pub pod_eviction_timeout: std::time::Duration,
}

impl Default for ControllerOptions {
    fn default() -> Self {
        ControllerOptions {
            node_monitor_grace_period: std::time::Duration::from_secs(40),
            pod_eviction_timeout: std::time::Duration::from_secs(300),
        }
    }
}

/// Runs every controller until the task is dropped.
pub async fn run(client: Client, options: ControllerOptions) {
    let _ = (client, options);
    std::future::pending::<()>().await
}
