//! kctl: a kubectl-compatible client, kind-compatible local clusters, and the small
//! Kubernetes control plane those clusters run. See DESIGN.md in shared/ for the map.
//!
//! Components are named after their Kubernetes counterparts, and imports point down only
//! (`tests/layers.rs` checks these arrows):
//!
//! ```text
//! cli ──────────────► everything below (it parses flags and calls)
//! cluster ──────────► node (bootstrap constants), kubelet (engine access), client, machinery
//! node ─────────────► apiserver, controllers, scheduler, kubelet, client, machinery
//! controllers, scheduler, kubelet ─► client, machinery   (never store, never apiserver)
//! apiserver ────────► registry, store, machinery
//! describe ─────────► client, printers, machinery
//! client, printers, registry ─► machinery                (client works against any cluster)
//! machinery, store ─► nothing of ours
//! ```
//!
//! `machinery` is kctl's apimachinery and client-go tools: pki/tls, patch, kubeconfig,
//! YAML, JSONPath, quantities, durations, selectors, event recording, leader election — each
//! concept once.

pub mod apiserver;
pub mod cli;
pub mod client;
pub mod cluster;
pub mod controllers;
pub mod describe;
pub mod kubelet;
pub mod machinery;
pub mod node;
pub mod printers;
pub mod registry;
pub mod scheduler;
pub mod store;
