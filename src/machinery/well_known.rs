//! Well-known names of the API that several components use, as upstream's
//! k8s.io/api/core/v1 well_known_labels.go and well_known_taints.go.

/// The namespace of the nodes' heartbeat Leases.
pub const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";

/// The CN of the apiserver's client certificate for kubelets (upstream's name).
pub const APISERVER_KUBELET_CLIENT: &str = "kube-apiserver-kubelet-client";

/// The built-in signers of certificates.k8s.io/v1 that the cluster CA signs for
/// (upstream's k8s.io/api/certificates/v1 constants).
pub const KUBE_APISERVER_CLIENT: &str = "kubernetes.io/kube-apiserver-client";
pub const KUBE_APISERVER_CLIENT_KUBELET: &str = "kubernetes.io/kube-apiserver-client-kubelet";
pub const KUBELET_SERVING: &str = "kubernetes.io/kubelet-serving";
