//! The patch metadata upstream derives from Go struct tags and `+listType` / `+mapType`
//! markers in `k8s.io/api` (`patchStrategy`, `patchMergeKey`, `listType`, `listMapKey`,
//! `structType`, `mapType`). k8s-openapi's schemas do not carry them, so this table puts
//! them back as upstream's OpenAPI extensions; kubectl's client-side apply reads
//! `x-kubernetes-patch-strategy` / `-merge-key` from the property that holds the list.

use std::collections::BTreeMap;

use serde_json::{json, Value};

/// One field's tags. `strategy` is the `patchStrategy` tag ("" for none), `merge_key`
/// `patchMergeKey` ("" for none), `list_type` the `+listType` marker ("" for none).
pub(crate) struct FieldTags {
    pub definition: &'static str,
    pub field: &'static str,
    pub strategy: &'static str,
    pub merge_key: &'static str,
    pub list_type: &'static str,
    pub list_map_keys: &'static [&'static str],
}

const fn tags(
    definition: &'static str,
    field: &'static str,
    strategy: &'static str,
    merge_key: &'static str,
    list_type: &'static str,
    list_map_keys: &'static [&'static str],
) -> FieldTags {
    FieldTags { definition, field, strategy, merge_key, list_type, list_map_keys }
}

/// `patchStrategy:"merge" patchMergeKey:KEY` + `+listType=map +listMapKey=KEY`.
const fn merge_map(
    definition: &'static str,
    field: &'static str,
    key: &'static str,
    keys: &'static [&'static str],
) -> FieldTags {
    tags(definition, field, "merge", key, "map", keys)
}

/// `+listType=atomic`: the list is replaced as a whole.
const fn atomic(definition: &'static str, field: &'static str) -> FieldTags {
    tags(definition, field, "", "", "atomic", &[])
}

/// `+listType=map` without a patch strategy (server-side apply only).
const fn map(definition: &'static str, field: &'static str, keys: &'static [&'static str]) -> FieldTags {
    tags(definition, field, "", "", "map", keys)
}

/// Conditions of every status we serve: merged by `type`.
const fn conditions(definition: &'static str) -> FieldTags {
    merge_map(definition, "conditions", "type", &["type"])
}

const NAME: &[&str] = &["name"];
const TYPE: &[&str] = &["type"];

macro_rules! core {
    ($name:literal) => {
        concat!("io.k8s.api.core.v1.", $name)
    };
}
macro_rules! apps {
    ($name:literal) => {
        concat!("io.k8s.api.apps.v1.", $name)
    };
}
macro_rules! meta {
    ($name:literal) => {
        concat!("io.k8s.apimachinery.pkg.apis.meta.v1.", $name)
    };
}

/// Field tags of the types we serve, as in upstream's `types.go` (v1.32).
pub(crate) static FIELDS: &[FieldTags] = &[
    // meta/v1
    tags(meta!("ObjectMeta"), "finalizers", "merge", "", "set", &[]),
    merge_map(meta!("ObjectMeta"), "ownerReferences", "uid", &["uid"]),
    atomic(meta!("ObjectMeta"), "managedFields"),
    atomic(meta!("LabelSelector"), "matchExpressions"),
    atomic(meta!("LabelSelectorRequirement"), "values"),
    atomic(meta!("StatusDetails"), "causes"),
    atomic(meta!("DeleteOptions"), "dryRun"),
    // core/v1 PodSpec
    tags(core!("PodSpec"), "volumes", "merge,retainKeys", "name", "map", NAME),
    merge_map(core!("PodSpec"), "initContainers", "name", NAME),
    merge_map(core!("PodSpec"), "containers", "name", NAME),
    merge_map(core!("PodSpec"), "ephemeralContainers", "name", NAME),
    merge_map(core!("PodSpec"), "imagePullSecrets", "name", NAME),
    merge_map(core!("PodSpec"), "hostAliases", "ip", &["ip"]),
    merge_map(core!("PodSpec"), "topologySpreadConstraints", "topologyKey", &["topologyKey", "whenUnsatisfiable"]),
    merge_map(core!("PodSpec"), "schedulingGates", "name", NAME),
    tags(core!("PodSpec"), "resourceClaims", "merge,retainKeys", "name", "map", NAME),
    atomic(core!("PodSpec"), "tolerations"),
    atomic(core!("PodSpec"), "readinessGates"),
    atomic(core!("PodSecurityContext"), "supplementalGroups"),
    atomic(core!("PodSecurityContext"), "sysctls"),
    atomic(core!("PodDNSConfig"), "nameservers"),
    atomic(core!("PodDNSConfig"), "searches"),
    atomic(core!("PodDNSConfig"), "options"),
    atomic(core!("HostAlias"), "hostnames"),
    // Containers
    atomic(core!("Container"), "command"),
    atomic(core!("Container"), "args"),
    merge_map(core!("Container"), "ports", "containerPort", &["containerPort", "protocol"]),
    atomic(core!("Container"), "envFrom"),
    merge_map(core!("Container"), "env", "name", NAME),
    atomic(core!("Container"), "resizePolicy"),
    merge_map(core!("Container"), "volumeMounts", "mountPath", &["mountPath"]),
    merge_map(core!("Container"), "volumeDevices", "devicePath", &["devicePath"]),
    atomic(core!("EphemeralContainer"), "command"),
    atomic(core!("EphemeralContainer"), "args"),
    merge_map(core!("EphemeralContainer"), "ports", "containerPort", &["containerPort", "protocol"]),
    atomic(core!("EphemeralContainer"), "envFrom"),
    merge_map(core!("EphemeralContainer"), "env", "name", NAME),
    atomic(core!("EphemeralContainer"), "resizePolicy"),
    merge_map(core!("EphemeralContainer"), "volumeMounts", "mountPath", &["mountPath"]),
    merge_map(core!("EphemeralContainer"), "volumeDevices", "devicePath", &["devicePath"]),
    map(core!("ResourceRequirements"), "claims", NAME),
    atomic(core!("Capabilities"), "add"),
    atomic(core!("Capabilities"), "drop"),
    atomic(core!("ExecAction"), "command"),
    atomic(core!("HTTPGetAction"), "httpHeaders"),
    // Volumes
    atomic(core!("ConfigMapVolumeSource"), "items"),
    atomic(core!("SecretVolumeSource"), "items"),
    atomic(core!("ProjectedVolumeSource"), "sources"),
    atomic(core!("ConfigMapProjection"), "items"),
    atomic(core!("SecretProjection"), "items"),
    atomic(core!("DownwardAPIVolumeSource"), "items"),
    atomic(core!("DownwardAPIProjection"), "items"),
    atomic(core!("PersistentVolumeClaimSpec"), "accessModes"),
    // Affinity
    atomic(core!("NodeSelector"), "nodeSelectorTerms"),
    atomic(core!("NodeSelectorTerm"), "matchExpressions"),
    atomic(core!("NodeSelectorTerm"), "matchFields"),
    atomic(core!("NodeSelectorRequirement"), "values"),
    atomic(core!("NodeAffinity"), "preferredDuringSchedulingIgnoredDuringExecution"),
    atomic(core!("PodAffinity"), "requiredDuringSchedulingIgnoredDuringExecution"),
    atomic(core!("PodAffinity"), "preferredDuringSchedulingIgnoredDuringExecution"),
    atomic(core!("PodAntiAffinity"), "requiredDuringSchedulingIgnoredDuringExecution"),
    atomic(core!("PodAntiAffinity"), "preferredDuringSchedulingIgnoredDuringExecution"),
    atomic(core!("PodAffinityTerm"), "namespaces"),
    atomic(core!("PodAffinityTerm"), "matchLabelKeys"),
    atomic(core!("PodAffinityTerm"), "mismatchLabelKeys"),
    atomic(core!("TopologySpreadConstraint"), "matchLabelKeys"),
    // Pod status
    conditions(core!("PodStatus")),
    merge_map(core!("PodStatus"), "podIPs", "ip", &["ip"]),
    tags(core!("PodStatus"), "hostIPs", "merge", "ip", "atomic", &[]),
    atomic(core!("PodStatus"), "initContainerStatuses"),
    atomic(core!("PodStatus"), "containerStatuses"),
    atomic(core!("PodStatus"), "ephemeralContainerStatuses"),
    tags(core!("PodStatus"), "resourceClaimStatuses", "merge,retainKeys", "name", "map", NAME),
    atomic(core!("ContainerStatus"), "volumeMounts"),
    // Nodes
    tags(core!("NodeSpec"), "podCIDRs", "merge", "", "set", &[]),
    atomic(core!("NodeSpec"), "taints"),
    conditions(core!("NodeStatus")),
    merge_map(core!("NodeStatus"), "addresses", "type", TYPE),
    atomic(core!("NodeStatus"), "volumesInUse"),
    atomic(core!("NodeStatus"), "volumesAttached"),
    atomic(core!("NodeStatus"), "images"),
    atomic(core!("ContainerImage"), "names"),
    // Namespaces, services, endpoints, service accounts
    atomic(core!("NamespaceSpec"), "finalizers"),
    conditions(core!("NamespaceStatus")),
    merge_map(core!("ServiceSpec"), "ports", "port", &["port", "protocol"]),
    atomic(core!("ServiceSpec"), "clusterIPs"),
    atomic(core!("ServiceSpec"), "externalIPs"),
    atomic(core!("ServiceSpec"), "loadBalancerSourceRanges"),
    atomic(core!("ServiceSpec"), "ipFamilies"),
    conditions(core!("ServiceStatus")),
    atomic(core!("LoadBalancerStatus"), "ingress"),
    atomic(core!("LoadBalancerIngress"), "ports"),
    atomic(core!("Endpoints"), "subsets"),
    atomic(core!("EndpointSubset"), "addresses"),
    atomic(core!("EndpointSubset"), "notReadyAddresses"),
    atomic(core!("EndpointSubset"), "ports"),
    merge_map(core!("ServiceAccount"), "secrets", "name", NAME),
    atomic(core!("ServiceAccount"), "imagePullSecrets"),
    conditions(core!("ReplicationControllerStatus")),
    // apps/v1
    tags(apps!("DeploymentSpec"), "strategy", "retainKeys", "", "", &[]),
    conditions(apps!("DeploymentStatus")),
    conditions(apps!("ReplicaSetStatus")),
    atomic(apps!("StatefulSetSpec"), "volumeClaimTemplates"),
    conditions(apps!("StatefulSetStatus")),
    conditions(apps!("DaemonSetStatus")),
    // batch/v1
    tags("io.k8s.api.batch.v1.JobStatus", "conditions", "merge", "type", "atomic", &[]),
    atomic("io.k8s.api.batch.v1.CronJobStatus", "active"),
    atomic("io.k8s.api.batch.v1.PodFailurePolicy", "rules"),
    atomic("io.k8s.api.batch.v1.PodFailurePolicyRule", "onPodConditions"),
    tags("io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement", "values", "", "", "set", &[]),
    tags("io.k8s.api.batch.v1.UncountedTerminatedPods", "failed", "", "", "set", &[]),
    tags("io.k8s.api.batch.v1.UncountedTerminatedPods", "succeeded", "", "", "set", &[]),
    atomic("io.k8s.api.batch.v1.SuccessPolicy", "rules"),
    // core/v1 LimitRange, ResourceQuota, PersistentVolume(Claim), PodTemplate
    atomic(core!("LimitRangeSpec"), "limits"),
    atomic(core!("ResourceQuotaSpec"), "scopes"),
    atomic(core!("ScopeSelector"), "matchExpressions"),
    atomic(core!("ScopedResourceSelectorRequirement"), "values"),
    atomic(core!("PersistentVolumeSpec"), "accessModes"),
    atomic(core!("PersistentVolumeSpec"), "mountOptions"),
    atomic(core!("PersistentVolumeClaimSpec"), "accessModes"),
    atomic(core!("PersistentVolumeClaimStatus"), "accessModes"),
    conditions(core!("PersistentVolumeClaimStatus")),
    atomic(core!("RBDPersistentVolumeSource"), "monitors"),
    atomic(core!("CephFSPersistentVolumeSource"), "monitors"),
    atomic(core!("ISCSIPersistentVolumeSource"), "portals"),
    atomic(core!("FCVolumeSource"), "targetWWNs"),
    atomic(core!("FCVolumeSource"), "wwids"),
    conditions(core!("ComponentStatus")),
    // autoscaling, networking.k8s.io, discovery.k8s.io, policy, node.k8s.io, scheduling.k8s.io
    atomic("io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec", "metrics"),
    atomic("io.k8s.api.autoscaling.v2.HPAScalingRules", "policies"),
    atomic("io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus", "currentMetrics"),
    conditions("io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus"),
    atomic("io.k8s.api.networking.v1.NetworkPolicySpec", "ingress"),
    atomic("io.k8s.api.networking.v1.NetworkPolicySpec", "egress"),
    atomic("io.k8s.api.networking.v1.NetworkPolicySpec", "policyTypes"),
    atomic("io.k8s.api.networking.v1.NetworkPolicyIngressRule", "ports"),
    atomic("io.k8s.api.networking.v1.NetworkPolicyIngressRule", "from"),
    atomic("io.k8s.api.networking.v1.NetworkPolicyEgressRule", "ports"),
    atomic("io.k8s.api.networking.v1.NetworkPolicyEgressRule", "to"),
    atomic("io.k8s.api.networking.v1.IPBlock", "except"),
    atomic("io.k8s.api.networking.v1.IngressSpec", "tls"),
    atomic("io.k8s.api.networking.v1.IngressSpec", "rules"),
    atomic("io.k8s.api.networking.v1.IngressTLS", "hosts"),
    atomic("io.k8s.api.networking.v1.IngressLoadBalancerStatus", "ingress"),
    atomic("io.k8s.api.networking.v1.IngressLoadBalancerIngress", "ports"),
    atomic("io.k8s.api.networking.v1.HTTPIngressRuleValue", "paths"),
    atomic("io.k8s.api.discovery.v1.EndpointSlice", "endpoints"),
    atomic("io.k8s.api.discovery.v1.EndpointSlice", "ports"),
    tags("io.k8s.api.discovery.v1.Endpoint", "addresses", "", "", "set", &[]),
    atomic("io.k8s.api.discovery.v1.EndpointHints", "forZones"),
    tags("io.k8s.api.policy.v1.PodDisruptionBudgetSpec", "selector", "replace", "", "", &[]),
    conditions("io.k8s.api.policy.v1.PodDisruptionBudgetStatus"),
    atomic("io.k8s.api.node.v1.Scheduling", "tolerations"),
    // rbac.authorization.k8s.io, admissionregistration.k8s.io, apiregistration.k8s.io, flowcontrol
    atomic("io.k8s.api.rbac.v1.PolicyRule", "verbs"),
    atomic("io.k8s.api.rbac.v1.PolicyRule", "apiGroups"),
    atomic("io.k8s.api.rbac.v1.PolicyRule", "resources"),
    atomic("io.k8s.api.rbac.v1.PolicyRule", "resourceNames"),
    atomic("io.k8s.api.rbac.v1.PolicyRule", "nonResourceURLs"),
    atomic("io.k8s.api.rbac.v1.Role", "rules"),
    atomic("io.k8s.api.rbac.v1.ClusterRole", "rules"),
    atomic("io.k8s.api.rbac.v1.AggregationRule", "clusterRoleSelectors"),
    atomic("io.k8s.api.rbac.v1.RoleBinding", "subjects"),
    atomic("io.k8s.api.rbac.v1.ClusterRoleBinding", "subjects"),
    merge_map("io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration", "webhooks", "name", NAME),
    merge_map("io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration", "webhooks", "name", NAME),
    atomic("io.k8s.api.admissionregistration.v1.MutatingWebhook", "rules"),
    atomic("io.k8s.api.admissionregistration.v1.MutatingWebhook", "admissionReviewVersions"),
    merge_map("io.k8s.api.admissionregistration.v1.MutatingWebhook", "matchConditions", "name", NAME),
    atomic("io.k8s.api.admissionregistration.v1.ValidatingWebhook", "rules"),
    atomic("io.k8s.api.admissionregistration.v1.ValidatingWebhook", "admissionReviewVersions"),
    merge_map("io.k8s.api.admissionregistration.v1.ValidatingWebhook", "matchConditions", "name", NAME),
    atomic("io.k8s.api.admissionregistration.v1.RuleWithOperations", "operations"),
    atomic("io.k8s.api.admissionregistration.v1.RuleWithOperations", "apiGroups"),
    atomic("io.k8s.api.admissionregistration.v1.RuleWithOperations", "apiVersions"),
    atomic("io.k8s.api.admissionregistration.v1.RuleWithOperations", "resources"),
    atomic("io.k8s.api.admissionregistration.v1.NamedRuleWithOperations", "operations"),
    atomic("io.k8s.api.admissionregistration.v1.NamedRuleWithOperations", "apiGroups"),
    atomic("io.k8s.api.admissionregistration.v1.NamedRuleWithOperations", "apiVersions"),
    atomic("io.k8s.api.admissionregistration.v1.NamedRuleWithOperations", "resources"),
    atomic("io.k8s.api.admissionregistration.v1.NamedRuleWithOperations", "resourceNames"),
    atomic("io.k8s.api.admissionregistration.v1.MatchResources", "resourceRules"),
    atomic("io.k8s.api.admissionregistration.v1.MatchResources", "excludeResourceRules"),
    atomic("io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec", "validations"),
    atomic("io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec", "auditAnnotations"),
    merge_map("io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec", "matchConditions", "name", NAME),
    merge_map("io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec", "variables", "name", NAME),
    map("io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyStatus", "conditions", TYPE),
    atomic("io.k8s.api.admissionregistration.v1.TypeChecking", "expressionWarnings"),
    tags(
        "io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec",
        "validationActions",
        "",
        "",
        "set",
        &[],
    ),
    atomic("io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIServiceSpec", "caBundle"),
    conditions("io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIServiceStatus"),
    atomic("io.k8s.api.flowcontrol.v1.FlowSchemaSpec", "rules"),
    atomic("io.k8s.api.flowcontrol.v1.PolicyRulesWithSubjects", "subjects"),
    atomic("io.k8s.api.flowcontrol.v1.PolicyRulesWithSubjects", "resourceRules"),
    atomic("io.k8s.api.flowcontrol.v1.PolicyRulesWithSubjects", "nonResourceRules"),
    tags("io.k8s.api.flowcontrol.v1.ResourcePolicyRule", "verbs", "", "", "set", &[]),
    tags("io.k8s.api.flowcontrol.v1.ResourcePolicyRule", "apiGroups", "", "", "set", &[]),
    tags("io.k8s.api.flowcontrol.v1.ResourcePolicyRule", "resources", "", "", "set", &[]),
    tags("io.k8s.api.flowcontrol.v1.ResourcePolicyRule", "namespaces", "", "", "set", &[]),
    tags("io.k8s.api.flowcontrol.v1.NonResourcePolicyRule", "verbs", "", "", "set", &[]),
    tags("io.k8s.api.flowcontrol.v1.NonResourcePolicyRule", "nonResourceURLs", "", "", "set", &[]),
    conditions("io.k8s.api.flowcontrol.v1.FlowSchemaStatus"),
    conditions("io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationStatus"),
    // certificates.k8s.io, storage.k8s.io, authentication.k8s.io, authorization.k8s.io
    atomic("io.k8s.api.certificates.v1.CertificateSigningRequestSpec", "usages"),
    atomic("io.k8s.api.certificates.v1.CertificateSigningRequestSpec", "groups"),
    map("io.k8s.api.certificates.v1.CertificateSigningRequestStatus", "conditions", TYPE),
    atomic("io.k8s.api.storage.v1.StorageClass", "mountOptions"),
    atomic("io.k8s.api.storage.v1.StorageClass", "allowedTopologies"),
    tags("io.k8s.api.storage.v1.CSIDriverSpec", "volumeLifecycleModes", "", "", "set", &[]),
    atomic("io.k8s.api.storage.v1.CSIDriverSpec", "tokenRequests"),
    merge_map("io.k8s.api.storage.v1.CSINodeSpec", "drivers", "name", NAME),
    atomic("io.k8s.api.storage.v1.CSINodeDriver", "topologyKeys"),
    atomic("io.k8s.api.authentication.v1.TokenReviewSpec", "audiences"),
    atomic("io.k8s.api.authentication.v1.TokenReviewStatus", "audiences"),
    atomic("io.k8s.api.authentication.v1.UserInfo", "groups"),
    atomic("io.k8s.api.authorization.v1.LabelSelectorAttributes", "requirements"),
    atomic("io.k8s.api.authorization.v1.FieldSelectorAttributes", "requirements"),
    atomic("io.k8s.api.authorization.v1.SubjectAccessReviewSpec", "groups"),
    atomic("io.k8s.api.authorization.v1.SubjectRulesReviewStatus", "resourceRules"),
    atomic("io.k8s.api.authorization.v1.SubjectRulesReviewStatus", "nonResourceRules"),
    atomic("io.k8s.api.authorization.v1.ResourceRule", "verbs"),
    atomic("io.k8s.api.authorization.v1.ResourceRule", "apiGroups"),
    atomic("io.k8s.api.authorization.v1.ResourceRule", "resources"),
    atomic("io.k8s.api.authorization.v1.ResourceRule", "resourceNames"),
    atomic("io.k8s.api.authorization.v1.NonResourceRule", "verbs"),
    atomic("io.k8s.api.authorization.v1.NonResourceRule", "nonResourceURLs"),
];

/// `+structType=atomic` / `+mapType=atomic` types and map fields: replaced as a whole by
/// server-side apply (`x-kubernetes-map-type: atomic`). `None` field = the type itself.
pub(crate) static ATOMIC_MAPS: &[(&str, Option<&str>)] = &[
    (meta!("LabelSelector"), None),
    (meta!("OwnerReference"), None),
    (core!("LocalObjectReference"), None),
    (core!("ObjectReference"), None),
    (core!("ConfigMapKeySelector"), None),
    (core!("SecretKeySelector"), None),
    (core!("ObjectFieldSelector"), None),
    (core!("ResourceFieldSelector"), None),
    (core!("NodeSelector"), None),
    (core!("NodeSelectorTerm"), None),
    (core!("TypedLocalObjectReference"), None),
    (core!("ReplicationControllerSpec"), Some("selector")),
    ("io.k8s.api.autoscaling.v1.CrossVersionObjectReference", None),
    ("io.k8s.api.networking.v1.ServiceBackendPort", None),
    ("io.k8s.api.discovery.v1.EndpointPort", None),
    ("io.k8s.api.node.v1.Scheduling", Some("nodeSelector")),
    ("io.k8s.api.rbac.v1.Subject", None),
    ("io.k8s.api.rbac.v1.RoleRef", None),
    ("io.k8s.api.admissionregistration.v1.ParamKind", None),
    ("io.k8s.api.admissionregistration.v1.Variable", None),
    ("io.k8s.api.admissionregistration.v1.ParamRef", None),
    ("io.k8s.api.admissionregistration.v1.MatchResources", None),
    ("io.k8s.api.admissionregistration.v1.NamedRuleWithOperations", None),
];

/// Writes the table's extensions into the generated definitions.
pub(crate) fn apply(defs: &mut BTreeMap<String, Value>) {
    for tags in FIELDS {
        let Some(property) = property_mut(defs, tags.definition, tags.field) else { continue };
        if !tags.strategy.is_empty() {
            property.insert("x-kubernetes-patch-strategy".into(), json!(tags.strategy));
        }
        if !tags.merge_key.is_empty() {
            property.insert("x-kubernetes-patch-merge-key".into(), json!(tags.merge_key));
        }
        if !tags.list_type.is_empty() {
            property.insert("x-kubernetes-list-type".into(), json!(tags.list_type));
        }
        if !tags.list_map_keys.is_empty() {
            property.insert("x-kubernetes-list-map-keys".into(), json!(tags.list_map_keys));
        }
    }
    for (definition, field) in ATOMIC_MAPS {
        let target = match field {
            Some(field) => property_mut(defs, definition, field),
            None => defs.get_mut(*definition).and_then(Value::as_object_mut),
        };
        if let Some(target) = target {
            target.insert("x-kubernetes-map-type".into(), json!("atomic"));
        }
    }
}

fn property_mut<'a>(
    defs: &'a mut BTreeMap<String, Value>,
    definition: &str,
    field: &str,
) -> Option<&'a mut serde_json::Map<String, Value>> {
    defs.get_mut(definition)?.get_mut("properties")?.get_mut(field)?.as_object_mut()
}

#[cfg(test)]
mod tests {
    use super::super::schemas;
    use super::*;
    use crate::registry::RESOURCES;

    /// A typo in the table would silently lose a merge key: every entry must name a
    /// generated definition and one of its properties.
    #[test]
    fn every_entry_names_an_existing_property() {
        let defs = schemas::definitions(RESOURCES).unwrap();
        for tags in FIELDS {
            let definition = defs.get(tags.definition).unwrap_or_else(|| panic!("no definition {}", tags.definition));
            assert!(
                definition["properties"].get(tags.field).is_some(),
                "{} has no property {}",
                tags.definition,
                tags.field
            );
        }
        for (definition, field) in ATOMIC_MAPS {
            let definition_schema = defs.get(*definition).unwrap_or_else(|| panic!("no definition {definition}"));
            if let Some(field) = field {
                assert!(definition_schema["properties"].get(*field).is_some(), "{definition}.{field}");
            }
        }
    }

    #[test]
    fn pod_spec_containers_merge_by_name() {
        let defs = schemas::definitions(RESOURCES).unwrap();
        let containers = &defs["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
        assert_eq!(containers["x-kubernetes-patch-merge-key"], "name");
        assert_eq!(containers["x-kubernetes-patch-strategy"], "merge");
        assert_eq!(containers["x-kubernetes-list-type"], "map");
        assert_eq!(containers["x-kubernetes-list-map-keys"], json!(["name"]));
        let strategy = &defs["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["strategy"];
        assert_eq!(strategy["x-kubernetes-patch-strategy"], "retainKeys");
        assert_eq!(defs["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"]["x-kubernetes-map-type"], "atomic");
    }
}
