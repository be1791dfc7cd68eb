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

/// The node label with the node's hostname (what local volumes' node affinity names).
pub const LABEL_HOSTNAME: &str = "kubernetes.io/hostname";

/// Volume binding's annotations, as upstream's pkg/controller/volume/persistentvolume/util.
pub mod volume {
    /// On a claim: the node the scheduler chose for its first consumer.
    pub const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
    /// On a claim: the provisioner asked to make its volume (and the beta twin).
    pub const STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
    pub const BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";
    /// On a claim: the controller finished binding it.
    pub const BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
    /// On a claim or volume: the controller (not the user) bound it.
    pub const BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
    /// On a volume: the provisioner that made it.
    pub const PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
    /// On a StorageClass: the class of claims that name none.
    pub const IS_DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";
}

/// Where kind's local-path provisioner keeps its volumes' directories on a node.
pub const LOCAL_PATH_ROOT: &str = "/var/local-path-provisioner";
