//! Hollow nodes: simulated nodes whose agent marks bound pods Running/Ready without
//! running containers; some image names "fail to pull" so rollouts can be tested.

use kube::Client;

#[derive(Debug, Clone, Default)]
pub struct HollowOptions {
    /// How many nodes to register (`hollow-node-1` …).
    pub nodes: usize,
    /// Images whose pull fails (ErrImagePull, then ImagePullBackOff).
    pub failing_images: Vec<String>,
}

/// Runs the hollow nodes until the task is dropped.
pub async fn run(client: Client, options: HollowOptions) {
    let _ = (client, options);
    std::future::pending::<()>().await
}
