//! The resource registry: the one place that says what each API resource is — group,
//! version, kind, plural, short names, categories, scope, subresources and its OpenAPI
//! schema — read by the apiserver's routing, discovery, OpenAPI, defaulting, validation
//! and table printing alike.

pub mod custom;
pub mod strategy;
pub mod tables;

pub use custom::CustomResource;

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
     namespaced: $ns:expr, subresources: $sub:expr, schema: $schema:expr) => {
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
            custom: None,
        }
    };
}

/// Every built-in resource kctl serves, in discovery order.
pub static RESOURCES: &[ResourceInfo] = &[
    resource!("", "v1", "Namespace", "namespaces", "namespace", short: &["ns"], categories: NONE,
        namespaced: false, subresources: &["status", "finalize"], schema: "io.k8s.api.core.v1.Namespace"),
    resource!("", "v1", "Pod", "pods", "pod", short: &["po"], categories: ALL,
        namespaced: true, subresources: &["status", "binding", "log", "eviction"], schema: "io.k8s.api.core.v1.Pod"),
    resource!("", "v1", "Node", "nodes", "node", short: &["no"], categories: NONE,
        namespaced: false, subresources: &["status"], schema: "io.k8s.api.core.v1.Node"),
    resource!("", "v1", "Event", "events", "event", short: &["ev"], categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.core.v1.Event"),
    resource!("", "v1", "ConfigMap", "configmaps", "configmap", short: &["cm"], categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.core.v1.ConfigMap"),
    resource!("", "v1", "Secret", "secrets", "secret", short: NONE, categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.core.v1.Secret"),
    resource!("", "v1", "Service", "services", "service", short: &["svc"], categories: ALL,
        namespaced: true, subresources: &["status"], schema: "io.k8s.api.core.v1.Service"),
    resource!("", "v1", "Endpoints", "endpoints", "endpoints", short: &["ep"], categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.core.v1.Endpoints"),
    resource!("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", short: &["sa"], categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.core.v1.ServiceAccount"),
    resource!("", "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller", short: &["rc"],
        categories: ALL, namespaced: true, subresources: &["status", "scale"],
        schema: "io.k8s.api.core.v1.ReplicationController"),
    resource!("apps", "v1", "Deployment", "deployments", "deployment", short: &["deploy"], categories: ALL,
        namespaced: true, subresources: &["status", "scale"], schema: "io.k8s.api.apps.v1.Deployment"),
    resource!("apps", "v1", "ReplicaSet", "replicasets", "replicaset", short: &["rs"], categories: ALL,
        namespaced: true, subresources: &["status", "scale"], schema: "io.k8s.api.apps.v1.ReplicaSet"),
    resource!("apps", "v1", "StatefulSet", "statefulsets", "statefulset", short: &["sts"], categories: ALL,
        namespaced: true, subresources: &["status", "scale"], schema: "io.k8s.api.apps.v1.StatefulSet"),
    resource!("apps", "v1", "DaemonSet", "daemonsets", "daemonset", short: &["ds"], categories: ALL,
        namespaced: true, subresources: &["status"], schema: "io.k8s.api.apps.v1.DaemonSet"),
    resource!("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", short: NONE,
        categories: NONE, namespaced: true, subresources: NONE, schema: "io.k8s.api.apps.v1.ControllerRevision"),
    resource!("batch", "v1", "Job", "jobs", "job", short: NONE, categories: ALL,
        namespaced: true, subresources: &["status"], schema: "io.k8s.api.batch.v1.Job"),
    resource!("batch", "v1", "CronJob", "cronjobs", "cronjob", short: &["cj"], categories: ALL,
        namespaced: true, subresources: &["status"], schema: "io.k8s.api.batch.v1.CronJob"),
    resource!("coordination.k8s.io", "v1", "Lease", "leases", "lease", short: NONE, categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.coordination.v1.Lease"),
    resource!("events.k8s.io", "v1", "Event", "events", "event", short: &["ev"], categories: NONE,
        namespaced: true, subresources: NONE, schema: "io.k8s.api.events.v1.Event"),
    resource!("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
        "customresourcedefinition", short: &["crd", "crds"], categories: &["api-extensions"], namespaced: false,
        subresources: &["status"],
        schema: "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"),
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
