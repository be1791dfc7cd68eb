//! kctl: a kubectl-compatible client, kind-compatible local clusters, and the small
//! Kubernetes control plane those clusters run. See DESIGN.md in shared/ for the map.

pub mod apiserver;
pub mod cli;
pub mod client;
pub mod describe;
pub mod kubeconfig;
pub mod printers;
pub mod registry;
pub mod store;
