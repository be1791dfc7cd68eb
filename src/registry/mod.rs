//! The resource registry: the one place that says what each API resource is — group,
//! version, kind, plural, short names, categories, scope, subresources, its OpenAPI schema
//! and its kind's [`Strategy`] (defaults, validation, field set, printer) — read by the
//! apiserver's routing, discovery, OpenAPI, defaulting, validation, selectors and table
//! printing alike. A kind is served by adding its entry to [`RESOURCES`] with its strategy
//! (see [`strategy`] for how to write one).

pub mod custom;
pub mod strategy;
pub mod tables;

pub use custom::CustomResource;
pub use strategy::Strategy;

/// One served resource (one group-version-resource).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceInfo {
    /// API group; "" is the core ("legacy") group served under /api.
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    pub categories: &'static [&'static str],
    pub namespaced: bool,
    /// Subresources served under `.../NAME/SUB`: status, scale, binding, log, eviction.
    pub subresources: &'static [&'static str],
    /// The OpenAPI definition of the kind, e.g. `io.k8s.api.core.v1.Pod`.
    pub schema: &'static str,
    /// The kind's rules: defaults, initial status, validation, field set, printer.
    pub strategy: &'static Strategy,
    /// What a CustomResourceDefinition says of this version (schema, columns, scale);
    /// `None` for built-in resources.
    pub custom: Option<&'static CustomResource>,
    /// How the resource is served: stored objects, or answers computed on request.
    pub rest: Rest,
}

/// How a resource is served, as upstream's REST storage for it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rest {
    /// Objects kept in the store: every verb.
    Stored,
    /// Stored, but a collection is never deleted at once (Namespaces, as upstream's REST has
    /// no DeleteCollection for them).
    StoredOneByOne,
    /// Create-only and never stored: the answer is the request with its `status` filled in
    /// (TokenReview, SubjectAccessReview and the other reviews).
    Review,
    /// Create-only: binds the pod the body names (the top-level `bindings` resource).
    Binding,
    /// Read-only and computed on request: the health of the control plane's components.
    ComponentStatus,
}

impl Rest {
    /// The verbs discovery lists for the resource.
    pub fn verbs(self) -> &'static [&'static str] {
        match self {
            Rest::Stored => &["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
            Rest::StoredOneByOne => &["create", "delete", "get", "list", "patch", "update", "watch"],
            Rest::Review | Rest::Binding => &["create"],
            Rest::ComponentStatus => &["get", "list"],
        }
    }
}

impl ResourceInfo {
    /// `v1` for the core group, `GROUP/VERSION` otherwise: what objects carry as apiVersion.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `pods` or `deployments.apps`: how kubectl names the resource in messages.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.to_string()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `Pod` or `Deployment.apps`: how upstream names the kind in "is invalid" messages.
    pub fn qualified_kind(&self) -> String {
        if self.group.is_empty() {
            self.kind.to_string()
        } else {
            format!("{}.{}", self.kind, self.group)
        }
    }

    /// Whether objects are stored in another version than some served one, so that reading
    /// and writing convert them (custom resources, and built-in kinds served in two versions).
    pub fn converts(&self) -> bool {
        self.custom.is_some() || self.strategy.conversion().is_some()
    }

    pub fn has_subresource(&self, name: &str) -> bool {
        self.subresources.contains(&name)
    }

    /// Whether lists and watches may select on `field`: the kind's field set, or a custom
    /// resource's `metadata.name`, `metadata.namespace` and `selectableFields`.
    pub fn selects_field(&self, field: &str) -> bool {
        match self.custom {
            Some(custom) => {
                matches!(field, "metadata.name" | "metadata.namespace") || custom.selectable(field).is_some()
            }
            None => self.strategy.field_set().field(field).is_ok(),
        }
    }

    /// The store key prefix under which every object of this resource lives.
    pub fn storage_prefix(&self) -> String {
        let group = if self.group.is_empty() { "core" } else { self.group };
        format!("/registry/{group}/{}/", self.plural)
    }

    /// The store key of one object (`namespace` is ignored for cluster-scoped resources).
    pub fn storage_key(&self, namespace: Option<&str>, name: &str) -> String {
        match (self.namespaced, namespace) {
            (true, Some(namespace)) => format!("{}{namespace}/{name}", self.storage_prefix()),
            _ => format!("{}{name}", self.storage_prefix()),
        }
    }
}

const ALL: &[&str] = &["all"];
const NONE: &[&str] = &[];
const API_EXTENSIONS: &[&str] = &["api-extensions"];

macro_rules! resource {
    ($group:expr, $version:expr, $kind:expr, $plural:expr, $singular:expr, short: $short:expr, categories: $cat:expr,
     namespaced: $ns:expr, subresources: $sub:expr, schema: $schema:expr, strategy: $strategy:expr) => {
        ResourceInfo {
            group: $group,
            version: $version,
            kind: $kind,
            plural: $plural,
            singular: $singular,
            short_names: $short,
            categories: $cat,
            namespaced: $ns,
            subresources: $sub,
            schema: $schema,
            strategy: $strategy,
            custom: None,
            rest: Rest::Stored,
        }
    };
}

/// Every built-in resource kctl serves: the core group first, then the groups in the order
/// upstream's discovery lists them (its APIService group priorities), a group's preferred
/// version first.
pub static RESOURCES: &[ResourceInfo] = &[
    ResourceInfo {
        rest: Rest::StoredOneByOne,
        ..resource!("", "v1", "Namespace", "namespaces", "namespace", short: &["ns"], categories: NONE,
            namespaced: false, subresources: &["status", "finalize"], schema: "io.k8s.api.core.v1.Namespace",
            strategy: &strategy::core::NAMESPACE)
    },
    resource!("", "v1", "Pod", "pods", "pod", short: &["po"], categories: ALL,
        namespaced: true, subresources: &["status", "binding", "log", "eviction", "exec", "attach", "portforward"], schema: "io.k8s.api.core.v1.Pod",
        strategy: &strategy::pod::POD),
    resource!("", "v1", "Node", "nodes", "node", short: &["no"], categories: NONE,
        namespaced: false, subresources: &["status"], schema: "io.k8s.api.core.v1.Node",
        strategy: &strategy::core::NODE),
    resource!("", "v1", "Event", "events", "event", short: &["ev"], categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.core.v1.Event",
        strategy: &strategy::core::EVENT),
    resource!("", "v1", "ConfigMap", "configmaps", "configmap", short: &["cm"], categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.core.v1.ConfigMap",
        strategy: &strategy::core::CONFIG_MAP),
    resource!("", "v1", "Secret", "secrets", "secret", short: NONE, categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.core.v1.Secret",
        strategy: &strategy::core::SECRET),
    resource!("", "v1", "Service", "services", "service", short: &["svc"], categories: ALL,
        namespaced: true, subresources: &["status"], schema: "io.k8s.api.core.v1.Service",
        strategy: &strategy::service::SERVICE),
    resource!("", "v1", "Endpoints", "endpoints", "endpoints", short: &["ep"], categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.core.v1.Endpoints",
        strategy: &strategy::core::ENDPOINTS),
    resource!("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", short: &["sa"], categories: NONE,
        namespaced: true, subresources: &["token"], schema: "io.k8s.api.core.v1.ServiceAccount",
        strategy: &strategy::core::SERVICE_ACCOUNT),
    resource!("", "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller", short: &["rc"],
        categories: ALL, namespaced: true, subresources: &["status", "scale"],
        schema: "io.k8s.api.core.v1.ReplicationController",
        strategy: &strategy::workloads::REPLICATION_CONTROLLER),
    ResourceInfo {
        rest: Rest::Binding,
        ..resource!("", "v1", "Binding", "bindings", "binding", short: NONE,
            categories: NONE, namespaced: true, subresources: NONE,
            schema: "io.k8s.api.core.v1.Binding", strategy: &strategy::core::BINDING)
    },
    ResourceInfo {
        rest: Rest::ComponentStatus,
        ..resource!("", "v1", "ComponentStatus", "componentstatuses", "componentstatus", short: &["cs"],
            categories: NONE, namespaced: false, subresources: NONE,
            schema: "io.k8s.api.core.v1.ComponentStatus", strategy: &strategy::core::COMPONENT_STATUS)
    },
    resource!("", "v1", "LimitRange", "limitranges", "limitrange", short: &["limits"],
        categories: NONE, namespaced: true, subresources: NONE,
        schema: "io.k8s.api.core.v1.LimitRange", strategy: &strategy::quota::LIMIT_RANGE),
    resource!("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", short: &["pvc"],
        categories: NONE, namespaced: true, subresources: &["status"],
        schema: "io.k8s.api.core.v1.PersistentVolumeClaim", strategy: &strategy::volumes::PERSISTENT_VOLUME_CLAIM),
    resource!("", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", short: &["pv"],
        categories: NONE, namespaced: false, subresources: &["status"],
        schema: "io.k8s.api.core.v1.PersistentVolume", strategy: &strategy::volumes::PERSISTENT_VOLUME),
    resource!("", "v1", "PodTemplate", "podtemplates", "podtemplate", short: NONE,
        categories: NONE, namespaced: true, subresources: NONE,
        schema: "io.k8s.api.core.v1.PodTemplate", strategy: &strategy::workloads::POD_TEMPLATE),
    resource!("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", short: &["quota"],
        categories: NONE, namespaced: true, subresources: &["status"],
        schema: "io.k8s.api.core.v1.ResourceQuota", strategy: &strategy::quota::RESOURCE_QUOTA),
    resource!("apiregistration.k8s.io", "v1", "APIService", "apiservices", "apiservice", short: NONE,
        categories: API_EXTENSIONS, namespaced: false, subresources: &["status"],
        schema: "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService", strategy: &strategy::apiregistration::API_SERVICE),
    resource!("apps", "v1", "Deployment", "deployments", "deployment", short: &["deploy"], categories: ALL,
        namespaced: true, subresources: &["status", "scale"], schema: "io.k8s.api.apps.v1.Deployment",
        strategy: &strategy::workloads::DEPLOYMENT),
    resource!("apps", "v1", "ReplicaSet", "replicasets", "replicaset", short: &["rs"], categories: ALL,
        namespaced: true, subresources: &["status", "scale"], schema: "io.k8s.api.apps.v1.ReplicaSet",
        strategy: &strategy::workloads::REPLICA_SET),
    resource!("apps", "v1", "StatefulSet", "statefulsets", "statefulset", short: &["sts"], categories: ALL,
        namespaced: true, subresources: &["status", "scale"], schema: "io.k8s.api.apps.v1.StatefulSet",
        strategy: &strategy::workloads::STATEFUL_SET),
    resource!("apps", "v1", "DaemonSet", "daemonsets", "daemonset", short: &["ds"], categories: ALL,
        namespaced: true, subresources: &["status"], schema: "io.k8s.api.apps.v1.DaemonSet",
        strategy: &strategy::workloads::DAEMON_SET),
    resource!("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", short: NONE,
        categories: NONE, namespaced: true, subresources: NONE, schema: "io.k8s.api.apps.v1.ControllerRevision",
        strategy: &strategy::workloads::CONTROLLER_REVISION),
    resource!("events.k8s.io", "v1", "Event", "events", "event", short: &["ev"], categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.events.v1.Event",
        strategy: &strategy::core::EVENTS_K8S_IO_EVENT),
    ResourceInfo {
        rest: Rest::Review,
        ..resource!("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", "selfsubjectreview", short: NONE,
            categories: NONE, namespaced: false, subresources: NONE,
            schema: "io.k8s.api.authentication.v1.SelfSubjectReview", strategy: &strategy::reviews::SELF_SUBJECT_REVIEW)
    },
    ResourceInfo {
        rest: Rest::Review,
        ..resource!("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", "tokenreview", short: NONE,
            categories: NONE, namespaced: false, subresources: NONE,
            schema: "io.k8s.api.authentication.v1.TokenReview", strategy: &strategy::reviews::TOKEN_REVIEW)
    },
    ResourceInfo {
        rest: Rest::Review,
        ..resource!("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews", "localsubjectaccessreview", short: NONE,
            categories: NONE, namespaced: true, subresources: NONE,
            schema: "io.k8s.api.authorization.v1.LocalSubjectAccessReview", strategy: &strategy::reviews::LOCAL_SUBJECT_ACCESS_REVIEW)
    },
    ResourceInfo {
        rest: Rest::Review,
        ..resource!("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", "selfsubjectaccessreview", short: NONE,
            categories: NONE, namespaced: false, subresources: NONE,
            schema: "io.k8s.api.authorization.v1.SelfSubjectAccessReview", strategy: &strategy::reviews::SELF_SUBJECT_ACCESS_REVIEW)
    },
    ResourceInfo {
        rest: Rest::Review,
        ..resource!("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", "selfsubjectrulesreview", short: NONE,
            categories: NONE, namespaced: false, subresources: NONE,
            schema: "io.k8s.api.authorization.v1.SelfSubjectRulesReview", strategy: &strategy::reviews::SELF_SUBJECT_RULES_REVIEW)
    },
    ResourceInfo {
        rest: Rest::Review,
        ..resource!("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", "subjectaccessreview", short: NONE,
            categories: NONE, namespaced: false, subresources: NONE,
            schema: "io.k8s.api.authorization.v1.SubjectAccessReview", strategy: &strategy::reviews::SUBJECT_ACCESS_REVIEW)
    },
    resource!("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", "horizontalpodautoscaler", short: &["hpa"],
        categories: ALL, namespaced: true, subresources: &["status"],
        schema: "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler", strategy: &strategy::autoscaling::HORIZONTAL_POD_AUTOSCALER_V2),
    resource!("autoscaling", "v1", "HorizontalPodAutoscaler", "horizontalpodautoscalers", "horizontalpodautoscaler", short: &["hpa"],
        categories: ALL, namespaced: true, subresources: &["status"],
        schema: "io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler", strategy: &strategy::autoscaling::HORIZONTAL_POD_AUTOSCALER_V1),
    resource!("batch", "v1", "Job", "jobs", "job", short: NONE, categories: ALL,
        namespaced: true, subresources: &["status"], schema: "io.k8s.api.batch.v1.Job",
        strategy: &strategy::batch::JOB),
    resource!("batch", "v1", "CronJob", "cronjobs", "cronjob", short: &["cj"], categories: ALL,
        namespaced: true, subresources: &["status"], schema: "io.k8s.api.batch.v1.CronJob",
        strategy: &strategy::batch::CRON_JOB),
    resource!("certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", "certificatesigningrequest", short: &["csr"],
        categories: NONE, namespaced: false, subresources: &["approval", "status"],
        schema: "io.k8s.api.certificates.v1.CertificateSigningRequest", strategy: &strategy::certificates::CERTIFICATE_SIGNING_REQUEST),
    resource!("networking.k8s.io", "v1", "IngressClass", "ingressclasses", "ingressclass", short: NONE,
        categories: NONE, namespaced: false, subresources: NONE,
        schema: "io.k8s.api.networking.v1.IngressClass", strategy: &strategy::networking::INGRESS_CLASS),
    resource!("networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", short: &["ing"],
        categories: NONE, namespaced: true, subresources: &["status"],
        schema: "io.k8s.api.networking.v1.Ingress", strategy: &strategy::networking::INGRESS),
    resource!("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "networkpolicy", short: &["netpol"],
        categories: NONE, namespaced: true, subresources: NONE,
        schema: "io.k8s.api.networking.v1.NetworkPolicy", strategy: &strategy::networking::NETWORK_POLICY),
    resource!("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", short: &["pdb"],
        categories: NONE, namespaced: true, subresources: &["status"],
        schema: "io.k8s.api.policy.v1.PodDisruptionBudget", strategy: &strategy::policy::POD_DISRUPTION_BUDGET),
    resource!("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", "clusterrolebinding", short: NONE,
        categories: NONE, namespaced: false, subresources: NONE,
        schema: "io.k8s.api.rbac.v1.ClusterRoleBinding", strategy: &strategy::rbac::CLUSTER_ROLE_BINDING),
    resource!("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", short: NONE,
        categories: NONE, namespaced: false, subresources: NONE,
        schema: "io.k8s.api.rbac.v1.ClusterRole", strategy: &strategy::rbac::CLUSTER_ROLE),
    resource!("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", short: NONE,
        categories: NONE, namespaced: true, subresources: NONE,
        schema: "io.k8s.api.rbac.v1.RoleBinding", strategy: &strategy::rbac::ROLE_BINDING),
    resource!("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", short: NONE,
        categories: NONE, namespaced: true, subresources: NONE,
        schema: "io.k8s.api.rbac.v1.Role", strategy: &strategy::rbac::ROLE),
    resource!("storage.k8s.io", "v1", "CSIDriver", "csidrivers", "csidriver", short: NONE,
        categories: NONE, namespaced: false, subresources: NONE,
        schema: "io.k8s.api.storage.v1.CSIDriver", strategy: &strategy::storage::CSI_DRIVER),
    resource!("storage.k8s.io", "v1", "CSINode", "csinodes", "csinode", short: NONE,
        categories: NONE, namespaced: false, subresources: NONE,
        schema: "io.k8s.api.storage.v1.CSINode", strategy: &strategy::storage::CSI_NODE),
    resource!("storage.k8s.io", "v1", "CSIStorageCapacity", "csistoragecapacities", "csistoragecapacity", short: NONE,
        categories: NONE, namespaced: true, subresources: NONE,
        schema: "io.k8s.api.storage.v1.CSIStorageCapacity", strategy: &strategy::storage::CSI_STORAGE_CAPACITY),
    resource!("storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", short: &["sc"],
        categories: NONE, namespaced: false, subresources: NONE,
        schema: "io.k8s.api.storage.v1.StorageClass", strategy: &strategy::storage::STORAGE_CLASS),
    resource!("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", "volumeattachment", short: NONE,
        categories: NONE, namespaced: false, subresources: &["status"],
        schema: "io.k8s.api.storage.v1.VolumeAttachment", strategy: &strategy::storage::VOLUME_ATTACHMENT),
    resource!("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", "mutatingwebhookconfiguration", short: NONE,
        categories: API_EXTENSIONS, namespaced: false, subresources: NONE,
        schema: "io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration", strategy: &strategy::admissionregistration::MUTATING_WEBHOOK_CONFIGURATION),
    resource!("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", "validatingadmissionpolicy", short: NONE,
        categories: API_EXTENSIONS, namespaced: false, subresources: &["status"],
        schema: "io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicy", strategy: &strategy::admissionregistration::VALIDATING_ADMISSION_POLICY),
    resource!("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", "validatingadmissionpolicybinding", short: NONE,
        categories: API_EXTENSIONS, namespaced: false, subresources: NONE,
        schema: "io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBinding", strategy: &strategy::admissionregistration::VALIDATING_ADMISSION_POLICY_BINDING),
    resource!("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", "validatingwebhookconfiguration", short: NONE,
        categories: API_EXTENSIONS, namespaced: false, subresources: NONE,
        schema: "io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration", strategy: &strategy::admissionregistration::VALIDATING_WEBHOOK_CONFIGURATION),
    resource!("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
        "customresourcedefinition", short: &["crd", "crds"], categories: API_EXTENSIONS, namespaced: false,
        subresources: &["status"],
        schema: "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
        strategy: &strategy::apiextensions::CUSTOM_RESOURCE_DEFINITION),
    resource!("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", "priorityclass", short: &["pc"],
        categories: NONE, namespaced: false, subresources: NONE,
        schema: "io.k8s.api.scheduling.v1.PriorityClass", strategy: &strategy::scheduling::PRIORITY_CLASS),
    resource!("coordination.k8s.io", "v1", "Lease", "leases", "lease", short: NONE, categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.coordination.v1.Lease",
        strategy: &strategy::coordination::LEASE),
    resource!("node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", "runtimeclass", short: NONE,
        categories: NONE, namespaced: false, subresources: NONE,
        schema: "io.k8s.api.node.v1.RuntimeClass", strategy: &strategy::node::RUNTIME_CLASS),
    resource!("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", short: NONE,
        categories: NONE, namespaced: true, subresources: NONE,
        schema: "io.k8s.api.discovery.v1.EndpointSlice", strategy: &strategy::discovery::ENDPOINT_SLICE),
    resource!("flowcontrol.apiserver.k8s.io", "v1", "FlowSchema", "flowschemas", "flowschema", short: NONE,
        categories: NONE, namespaced: false, subresources: &["status"],
        schema: "io.k8s.api.flowcontrol.v1.FlowSchema", strategy: &strategy::flowcontrol::FLOW_SCHEMA),
    resource!("flowcontrol.apiserver.k8s.io", "v1", "PriorityLevelConfiguration", "prioritylevelconfigurations", "prioritylevelconfiguration", short: NONE,
        categories: NONE, namespaced: false, subresources: &["status"],
        schema: "io.k8s.api.flowcontrol.v1.PriorityLevelConfiguration", strategy: &strategy::flowcontrol::PRIORITY_LEVEL_CONFIGURATION),
];

/// The API groups in discovery order ("" first), each with its versions.
pub fn groups() -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for resource in RESOURCES {
        if !groups.contains(&resource.group) {
            groups.push(resource.group);
        }
    }
    groups
}

/// The resource served at `/api[s]/GROUP/VERSION/PLURAL`.
pub fn by_plural(group: &str, version: &str, plural: &str) -> Option<&'static ResourceInfo> {
    RESOURCES.iter().find(|r| r.group == group && r.version == version && r.plural == plural)
}

/// The resource for an object's `apiVersion` and `kind`.
pub fn by_kind(api_version: &str, kind: &str) -> Option<&'static ResourceInfo> {
    RESOURCES.iter().find(|r| r.api_version() == api_version && r.kind == kind)
}

/// The resources of one group-version.
pub fn in_group_version<'a>(group: &'a str, version: &'a str) -> impl Iterator<Item = &'static ResourceInfo> + 'a {
    RESOURCES.iter().filter(move |r| r.group == group && r.version == version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_agree() {
        let deployments = by_plural("apps", "v1", "deployments").unwrap();
        assert_eq!(by_kind("apps/v1", "Deployment"), Some(deployments));
        assert_eq!(deployments.storage_key(Some("default"), "web"), "/registry/apps/deployments/default/web");
        assert_eq!(by_plural("", "v1", "nodes").unwrap().storage_key(Some("x"), "n1"), "/registry/core/nodes/n1");
        assert_eq!(groups()[0], "");
    }

    #[test]
    fn field_sets_are_the_kinds() {
        let pods = by_plural("", "v1", "pods").unwrap();
        assert!(pods.selects_field("metadata.name") && pods.selects_field("spec.nodeName"));
        assert!(!pods.selects_field("spec.containers"));
        for events in [by_plural("", "v1", "events").unwrap(), by_plural("events.k8s.io", "v1", "events").unwrap()] {
            assert!(events.selects_field("type") && !events.selects_field("involvedObjectX"));
        }
        let (core_events, events) =
            (by_plural("", "v1", "events").unwrap(), by_plural("events.k8s.io", "v1", "events").unwrap());
        assert!(core_events.selects_field("involvedObject.uid") && core_events.selects_field("source"));
        assert!(events.selects_field("regarding.name") && !events.selects_field("source"));
        // apps/v1 has no field label conversion: metadata only, though the field set has status.replicas.
        assert!(!by_plural("apps", "v1", "replicasets").unwrap().selects_field("status.replicas"));
        assert!(by_plural("", "v1", "replicationcontrollers").unwrap().selects_field("status.replicas"));
        assert!(!by_plural("apps", "v1", "deployments").unwrap().selects_field("status.replicas"));
        assert!(by_plural("", "v1", "configmaps").unwrap().selects_field("metadata.namespace"));
    }

    #[test]
    fn plural_and_short_names_are_unique_within_a_group() {
        for a in RESOURCES {
            for b in RESOURCES {
                if a != b && a.group == b.group && a.version == b.version {
                    assert_ne!(a.plural, b.plural);
                    assert!(a.short_names.iter().all(|s| !b.short_names.contains(s)));
                }
            }
        }
    }
}
