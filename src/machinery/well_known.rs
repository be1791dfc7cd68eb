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

/// The ServiceAccount every namespace has (upstream's ServiceAccount controller).
pub const DEFAULT_SERVICE_ACCOUNT: &str = "default";

/// The ConfigMap with the cluster's CA every namespace has (upstream's root CA publisher).
pub const ROOT_CA_CONFIG_MAP: &str = "kube-root-ca.crt";

/// The description upstream's root CA publisher gives that ConfigMap.
pub const ROOT_CA_DESCRIPTION: &str = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

/// The `kube-root-ca.crt` ConfigMap of `namespace` holding `ca_pem`.
pub fn root_ca_config_map(namespace: &str, ca_pem: &str) -> serde_json::Value {
    serde_json::json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": ROOT_CA_CONFIG_MAP, "namespace": namespace,
            "annotations": {"kubernetes.io/description": ROOT_CA_DESCRIPTION}},
        "data": {"ca.crt": ca_pem},
    })
}
