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

    pub fn has_subresource(&self, name: &str) -> bool {
        self.subresources.contains(&name)
    }

    /// Whether lists and watches may select on `field`: `metadata.name` and
    /// `metadata.namespace` everywhere, then the kind's field set (a custom resource's
    /// `selectableFields`).
    pub fn selects_field(&self, field: &str) -> bool {
        matches!(field, "metadata.name" | "metadata.namespace")
            || match self.custom {
                Some(custom) => custom.selectable(field).is_some(),
                None => self.strategy.selects_field(field),
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
        }
    };
}

/// Every built-in resource kctl serves, in discovery order.
pub static RESOURCES: &[ResourceInfo] = &[
    resource!("", "v1", "Namespace", "namespaces", "namespace", short: &["ns"], categories: NONE,
        namespaced: false, subresources: &["status", "finalize"], schema: "io.k8s.api.core.v1.Namespace",
        strategy: &strategy::core::NAMESPACE),
    resource!("", "v1", "Pod", "pods", "pod", short: &["po"], categories: ALL,
        namespaced: true, subresources: &["status", "binding", "log", "eviction"], schema: "io.k8s.api.core.v1.Pod",
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
        namespaced: true, subresources: NONE, schema: "io.k8s.api.core.v1.ServiceAccount",
        strategy: &strategy::core::SERVICE_ACCOUNT),
    resource!("", "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller", short: &["rc"],
        categories: ALL, namespaced: true, subresources: &["status", "scale"],
        schema: "io.k8s.api.core.v1.ReplicationController",
        strategy: &strategy::workloads::REPLICATION_CONTROLLER),
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
    resource!("batch", "v1", "Job", "jobs", "job", short: NONE, categories: ALL,
        namespaced: true, subresources: &["status"], schema: "io.k8s.api.batch.v1.Job",
        strategy: &strategy::batch::JOB),
    resource!("batch", "v1", "CronJob", "cronjobs", "cronjob", short: &["cj"], categories: ALL,
        namespaced: true, subresources: &["status"], schema: "io.k8s.api.batch.v1.CronJob",
        strategy: &strategy::batch::CRON_JOB),
    resource!("coordination.k8s.io", "v1", "Lease", "leases", "lease", short: NONE, categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.coordination.v1.Lease",
        strategy: &strategy::coordination::LEASE),
    resource!("events.k8s.io", "v1", "Event", "events", "event", short: &["ev"], categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.events.v1.Event",
        strategy: &strategy::core::EVENTS_K8S_IO_EVENT),
    resource!("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
        "customresourcedefinition", short: &["crd", "crds"], categories: &["api-extensions"], namespaced: false,
        subresources: &["status"],
        schema: "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition",
        strategy: &strategy::apiextensions::CUSTOM_RESOURCE_DEFINITION),
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
            assert!(events.selects_field("involvedObject.uid") && events.selects_field("regarding.name"));
            assert!(events.selects_field("type") && !events.selects_field("involvedObjectX"));
        }
        assert!(by_plural("apps", "v1", "replicasets").unwrap().selects_field("status.replicas"));
        assert!(!by_plural("apps", "v1", "deployments").unwrap().selects_field("status.replicas"));
        assert!(by_plural("", "v1", "configmaps").unwrap().selects_field("metadata.namespace"));
    }

    #[test]
    fn plural_and_short_names_are_unique_within_a_group() {
        for a in RESOURCES {
            for b in RESOURCES {
                if a != b && a.group == b.group {
                    assert_ne!(a.plural, b.plural);
                    assert!(a.short_names.iter().all(|s| !b.short_names.contains(s)));
                }
            }
        }
    }
}
