//! Well-known names of the API that several components use, as upstream's
//! k8s.io/api/core/v1 well_known_labels.go and well_known_taints.go.

/// The namespace of the nodes' heartbeat Leases.
pub const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";

/// The CN of the apiserver's client certificate for kubelets (upstream's name).
pub const APISERVER_KUBELET_CLIENT: &str = "kube-apiserver-kubelet-client";
