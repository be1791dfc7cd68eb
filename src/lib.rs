//! kctl: a kubectl-compatible client, kind-compatible local clusters, and the small
//! Kubernetes control plane those clusters run. See DESIGN.md in shared/ for the map.

pub mod apiserver;
pub mod cli;
pub mod client;
pub mod cluster;
pub mod controllers;
pub mod describe;
pub mod kubeconfig;
pub mod kubelet;
pub mod printers;
pub mod registry;
pub mod scheduler;
pub mod store;
pub mod watched_pod;

/// Selects rustls's ring provider for the process: the dependency graph carries more than
/// one, and rustls refuses to guess. Safe to call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
