//! Printers for built-in kinds kctl may register later (RBAC, storage, networking, policy,
//! scheduling, admission): ready so the table follows upstream the day a kind is served.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::machinery::labels::{format_label_map, format_label_selector};

use super::{
    age, arr_at, bool_at, col, container_cells, int_at, map_at, n, name_cell, opt_str_at, or_default, present, s,
    str_at, time_at, wide, Column, Printer, AGE, AGE_DOC, NAME,
};

/// Upstream's default table (built-ins without a printer, e.g. Role, ClusterRole, CRDs):
/// NAME and CREATED AT, an RFC3339 timestamp.
const CREATED_AT_COLUMNS: &[Column] = &[NAME, col("Created At", "date", AGE_DOC)];

pub static CREATED_AT: Printer = Printer { columns: CREATED_AT_COLUMNS, cells: created_at_cells };

fn created_at_cells(o: &Value, _now: DateTime<Utc>) -> Vec<Value> {
    let created = time_at(o, "/metadata/creationTimestamp")
        .map_or_else(|| "0001-01-01T00:00:00Z".to_string(), |t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    vec![name_cell(o), s(created)]
}

/// Role and cluster role bindings print alike.
const BINDING_COLUMNS: &[Column] = &[
    NAME,
    col(
        "Role",
        "string",
        "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.",
    ),
    AGE,
    wide("Users", "string", "Users in the roleBinding"),
    wide("Groups", "string", "Groups in the roleBinding"),
    wide("ServiceAccounts", "string", "ServiceAccounts in the roleBinding"),
];

pub static BINDING: Printer = Printer { columns: BINDING_COLUMNS, cells: binding_cells };

/// ROLE is `Kind/name`; subjects split into users, groups and `namespace/name` service accounts.
fn binding_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let (mut users, mut groups, mut service_accounts) = (Vec::new(), Vec::new(), Vec::new());
    for subject in arr_at(o, "/subjects") {
        let name = str_at(subject, "/name");
        match str_at(subject, "/kind") {
            "ServiceAccount" => service_accounts.push(format!("{}/{name}", str_at(subject, "/namespace"))),
            "User" => users.push(name.to_string()),
            "Group" => groups.push(name.to_string()),
            _ => {}
        }
    }
    vec![
        name_cell(o),
        s(format!("{}/{}", str_at(o, "/roleRef/kind"), str_at(o, "/roleRef/name"))),
        s(age(o, now)),
        s(users.join(", ")),
        s(groups.join(", ")),
        s(service_accounts.join(", ")),
    ]
}

/// Upstream's `GetAccessModesAsString`: RWO, ROX, RWX, RWOP in that order, each once.
fn access_modes(modes: &[Value]) -> String {
    let has = |mode: &str| modes.iter().any(|m| m.as_str() == Some(mode));
    [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
        .iter()
        .filter(|(mode, _)| has(mode))
        .map(|(_, short)| *short)
        .collect::<Vec<_>>()
        .join(",")
}

const BETA_STORAGE_CLASS_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";

/// The beta storage-class annotation, if set, wins over spec.storageClassName.
fn storage_class(o: &Value) -> &str {
    map_at(o, "/metadata/annotations")
        .and_then(|a| a.get(BETA_STORAGE_CLASS_ANNOTATION))
        .and_then(Value::as_str)
        .unwrap_or_else(|| str_at(o, "/spec/storageClassName"))
}

const PERSISTENT_VOLUME_COLUMNS: &[Column] = &[
    NAME,
    col("Capacity", "string", "capacity is the description of the persistent volume's resources and capacity."),
    col("Access Modes", "string", "accessModes contains all ways the volume can be mounted."),
    col("Reclaim Policy", "string", "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
    col("Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim."),
    col("Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
    col("StorageClass", "string", "StorageClass of the pv"),
    col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
    col("Reason", "string", "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
    AGE,
    wide("VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state."),
];

pub static PERSISTENT_VOLUME: Printer = Printer { columns: PERSISTENT_VOLUME_COLUMNS, cells: persistent_volume_cells };

fn persistent_volume_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let claim = if present(o, "/spec/claimRef") {
        format!("{}/{}", str_at(o, "/spec/claimRef/namespace"), str_at(o, "/spec/claimRef/name"))
    } else {
        String::new()
    };
    let phase = if present(o, "/metadata/deletionTimestamp") { "Terminating" } else { str_at(o, "/status/phase") };
    vec![
        name_cell(o),
        s(or_default(str_at(o, "/spec/capacity/storage"), "0")),
        s(access_modes(arr_at(o, "/spec/accessModes"))),
        s(str_at(o, "/spec/persistentVolumeReclaimPolicy")),
        s(phase),
        s(claim),
        s(storage_class(o)),
        s(opt_str_at(o, "/spec/volumeAttributesClassName").unwrap_or("<unset>")),
        s(str_at(o, "/status/reason")),
        s(age(o, now)),
        s(opt_str_at(o, "/spec/volumeMode").unwrap_or("<unset>")),
    ]
}

const PERSISTENT_VOLUME_CLAIM_COLUMNS: &[Column] = &[
    NAME,
    col("Status", "string", "phase represents the current phase of PersistentVolumeClaim."),
    col("Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim."),
    col("Capacity", "string", "capacity represents the actual resources of the underlying volume."),
    col("Access Modes", "string", "accessModes contains the actual access modes the volume backing the PVC has."),
    col("StorageClass", "string", "StorageClass of the pvc"),
    col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
    AGE,
    wide("VolumeMode", "string", "volumeMode defines what type of volume is required by the claim."),
];

pub static PERSISTENT_VOLUME_CLAIM: Printer =
    Printer { columns: PERSISTENT_VOLUME_CLAIM_COLUMNS, cells: persistent_volume_claim_cells };

/// CAPACITY and ACCESS MODES come from status, and only once the claim is bound to a volume.
fn persistent_volume_claim_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let phase = if present(o, "/metadata/deletionTimestamp") { "Terminating" } else { str_at(o, "/status/phase") };
    let volume = str_at(o, "/spec/volumeName");
    let (capacity, modes) = if volume.is_empty() {
        (String::new(), String::new())
    } else {
        (
            or_default(str_at(o, "/status/capacity/storage"), "0").to_string(),
            access_modes(arr_at(o, "/status/accessModes")),
        )
    };
    let class = match map_at(o, "/metadata/annotations").and_then(|a| a.get(BETA_STORAGE_CLASS_ANNOTATION)) {
        Some(class) => class.as_str().unwrap_or(""),
        None => str_at(o, "/spec/storageClassName"),
    };
    vec![
        name_cell(o),
        s(phase),
        s(volume),
        s(capacity),
        s(modes),
        s(class),
        s(opt_str_at(o, "/spec/volumeAttributesClassName").unwrap_or("<unset>")),
        s(age(o, now)),
        s(opt_str_at(o, "/spec/volumeMode").unwrap_or("<unset>")),
    ]
}

const INGRESS_COLUMNS: &[Column] = &[
    NAME,
    col("Class", "string", "The name of the IngressClass resource that should be used for additional configuration"),
    col("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
    col("Address", "string", "Address is a list containing ingress points for the load-balancer"),
    col("Ports", "string", "Ports of TLS configurations that open"),
    AGE,
];

pub static INGRESS: Printer = Printer { columns: INGRESS_COLUMNS, cells: ingress_cells };

/// Upstream's `formatHosts`: up to three hosts, `*` when none, then ` + N more...`.
fn ingress_hosts(o: &Value) -> String {
    const MAX: usize = 3;
    let rules = arr_at(o, "/spec/rules");
    let mut list: Vec<&str> = Vec::new();
    let mut more = false;
    for rule in rules {
        if list.len() == MAX {
            more = true;
        }
        let host = str_at(rule, "/host");
        if !more && !host.is_empty() {
            list.push(host);
        }
    }
    if list.is_empty() {
        return "*".into();
    }
    let text = list.join(",");
    if more {
        format!("{text} + {} more...", rules.len().saturating_sub(MAX))
    } else {
        text
    }
}

fn ingress_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let addresses: BTreeSet<&str> = arr_at(o, "/status/loadBalancer/ingress")
        .iter()
        .map(|i| or_default(str_at(i, "/ip"), str_at(i, "/hostname")))
        .filter(|a| !a.is_empty())
        .collect();
    let ports = if arr_at(o, "/spec/tls").is_empty() { "80" } else { "80, 443" };
    vec![
        name_cell(o),
        s(opt_str_at(o, "/spec/ingressClassName").unwrap_or("<none>")),
        s(ingress_hosts(o)),
        s(addresses.into_iter().collect::<Vec<_>>().join(",")),
        s(ports),
        s(age(o, now)),
    ]
}

const INGRESS_CLASS_COLUMNS: &[Column] = &[
    NAME,
    col("Controller", "string", "Controller that is responsible for handling this class"),
    col("Parameters", "string", "A reference to a resource with additional parameters"),
    AGE,
];

pub static INGRESS_CLASS: Printer = Printer { columns: INGRESS_CLASS_COLUMNS, cells: ingress_class_cells };

/// PARAMETERS is `Kind[.apiGroup]/name`.
fn ingress_class_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let parameters = if present(o, "/spec/parameters") {
        let mut text = str_at(o, "/spec/parameters/kind").to_string();
        if let Some(group) = opt_str_at(o, "/spec/parameters/apiGroup") {
            text = format!("{text}.{group}");
        }
        format!("{text}/{}", str_at(o, "/spec/parameters/name"))
    } else {
        "<none>".into()
    };
    vec![name_cell(o), s(str_at(o, "/spec/controller")), s(parameters), s(age(o, now))]
}

const POD_DISRUPTION_BUDGET_COLUMNS: &[Column] = &[
    NAME,
    col("Min Available", "string", "The minimum number of pods that must be available."),
    col("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
    col("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
    AGE,
];

pub static POD_DISRUPTION_BUDGET: Printer =
    Printer { columns: POD_DISRUPTION_BUDGET_COLUMNS, cells: pod_disruption_budget_cells };

/// An int-or-string as upstream's `IntOrString.String()`, `N/A` when unset.
fn int_or_string(o: &Value, pointer: &str) -> String {
    match o.pointer(pointer) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => "N/A".into(),
    }
}

fn pod_disruption_budget_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![
        name_cell(o),
        s(int_or_string(o, "/spec/minAvailable")),
        s(int_or_string(o, "/spec/maxUnavailable")),
        n(int_at(o, "/status/disruptionsAllowed")),
        s(age(o, now)),
    ]
}

const ENDPOINT_SLICE_COLUMNS: &[Column] = &[
    NAME,
    col("AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice."),
    col("Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice."),
    col("Endpoints", "string", "endpoints is a list of unique endpoints in this slice."),
    AGE,
];

pub static ENDPOINT_SLICE: Printer = Printer { columns: ENDPOINT_SLICE_COLUMNS, cells: endpoint_slice_cells };

/// Upstream's `listWithMoreString`: up to three items, ` + N more...`, `<unset>` when empty.
fn list_with_more(items: Vec<String>) -> String {
    const MAX: usize = 3;
    if items.is_empty() {
        return "<unset>".into();
    }
    let text = items.iter().take(MAX).cloned().collect::<Vec<_>>().join(",");
    if items.len() > MAX {
        format!("{text} + {} more...", items.len() - MAX)
    } else {
        text
    }
}

fn endpoint_slice_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let ports = arr_at(o, "/ports")
        .iter()
        .map(|p| match (p.get("port").and_then(Value::as_i64), opt_str_at(p, "/name")) {
            (Some(port), _) => port.to_string(),
            (None, Some(name)) => name.to_string(),
            (None, None) => "*".to_string(),
        })
        .collect();
    let endpoints = arr_at(o, "/endpoints")
        .iter()
        .flat_map(|e| arr_at(e, "/addresses"))
        .map(|a| a.as_str().unwrap_or("").to_string())
        .collect();
    vec![
        name_cell(o),
        s(str_at(o, "/addressType")),
        s(list_with_more(ports)),
        s(list_with_more(endpoints)),
        s(age(o, now)),
    ]
}

const STORAGE_CLASS_COLUMNS: &[Column] = &[
    NAME,
    col("Provisioner", "string", "provisioner indicates the type of the provisioner."),
    col(
        "ReclaimPolicy",
        "string",
        "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.",
    ),
    col(
        "VolumeBindingMode",
        "string",
        "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.",
    ),
    col("AllowVolumeExpansion", "string", "allowVolumeExpansion shows whether the storage class allow volume expand."),
    AGE,
];

pub static STORAGE_CLASS: Printer = Printer { columns: STORAGE_CLASS_COLUMNS, cells: storage_class_cells };

/// The default class's name carries ` (default)`.
fn storage_class_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let annotations = map_at(o, "/metadata/annotations");
    let is_default =
        ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"]
            .iter()
            .any(|key| annotations.and_then(|a| a.get(*key)).and_then(Value::as_str) == Some("true"));
    let name = str_at(o, "/metadata/name");
    vec![
        s(if is_default { format!("{name} (default)") } else { name.to_string() }),
        s(str_at(o, "/provisioner")),
        s(or_default(str_at(o, "/reclaimPolicy"), "Delete")),
        s(or_default(str_at(o, "/volumeBindingMode"), "Immediate")),
        Value::Bool(bool_at(o, "/allowVolumeExpansion")),
        s(age(o, now)),
    ]
}

/// PREEMPTIONPOLICY has no wide marker upstream, so it always shows.
const PRIORITY_CLASS_COLUMNS: &[Column] = &[
    NAME,
    col("Value", "integer", "value represents the integer value of this priority class."),
    col("Global-Default", "boolean", "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class."),
    AGE,
    col("PreemptionPolicy", "string", "preemptionPolicy is the Policy for preempting pods with lower priority."),
];

pub static PRIORITY_CLASS: Printer = Printer { columns: PRIORITY_CLASS_COLUMNS, cells: priority_class_cells };

fn priority_class_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![
        name_cell(o),
        n(int_at(o, "/value")),
        Value::Bool(bool_at(o, "/globalDefault")),
        s(age(o, now)),
        s(opt_str_at(o, "/preemptionPolicy").unwrap_or("PreemptLowerPriority")),
    ]
}

const NETWORK_POLICY_COLUMNS: &[Column] =
    &[NAME, col("Pod-Selector", "string", "Selects the pods to which this NetworkPolicy object applies."), AGE];

pub static NETWORK_POLICY: Printer = Printer { columns: NETWORK_POLICY_COLUMNS, cells: network_policy_cells };

fn network_policy_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name_cell(o), s(format_label_selector(o.pointer("/spec/podSelector"))), s(age(o, now))]
}

const POD_TEMPLATE_COLUMNS: &[Column] = &[
    NAME,
    col("Containers", "string", "Names of each container in the template."),
    col("Images", "string", "Images referenced by each container in the template."),
    col("Pod Labels", "string", "The labels for the pod template."),
];

pub static POD_TEMPLATE: Printer = Printer { columns: POD_TEMPLATE_COLUMNS, cells: pod_template_cells };

fn pod_template_cells(o: &Value, _now: DateTime<Utc>) -> Vec<Value> {
    let (containers, images) = container_cells(o, "/template/spec/containers");
    vec![name_cell(o), containers, images, s(format_label_map(map_at(o, "/template/metadata/labels")))]
}

const RUNTIME_CLASS_COLUMNS: &[Column] =
    &[NAME, col("Handler", "string", "handler specifies the underlying runtime and configuration."), AGE];

pub static RUNTIME_CLASS: Printer = Printer { columns: RUNTIME_CLASS_COLUMNS, cells: runtime_class_cells };

fn runtime_class_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name_cell(o), s(str_at(o, "/handler")), s(age(o, now))]
}

/// Mutating and validating webhook configurations print alike.
const WEBHOOK_COLUMNS: &[Column] = &[
    NAME,
    col("Webhooks", "integer", "Webhooks indicates the number of webhooks registered in this configuration"),
    AGE,
];

pub static WEBHOOK_CONFIGURATION: Printer = Printer { columns: WEBHOOK_COLUMNS, cells: webhook_cells };

fn webhook_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name_cell(o), n(arr_at(o, "/webhooks").len() as i64), s(age(o, now))]
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ago, now};
    use super::*;
    use serde_json::json;

    #[test]
    fn printer_less_builtins_show_created_at() {
        let role = json!({"metadata": {"name": "admin", "creationTimestamp": "2024-01-01T10:00:00Z"}});
        assert_eq!(created_at_cells(&role, now()), vec![json!("admin"), json!("2024-01-01T10:00:00Z")]);
        assert_eq!(created_at_cells(&json!({}), now())[1], json!("0001-01-01T00:00:00Z"));
    }

    #[test]
    fn bindings_show_role_ref_and_subjects_by_kind() {
        let binding = json!({
            "metadata": {"name": "b", "creationTimestamp": ago(30)},
            "roleRef": {"kind": "ClusterRole", "name": "view"},
            "subjects": [{"kind": "User", "name": "alice"}, {"kind": "User", "name": "bob"},
                         {"kind": "Group", "name": "devs"}, {"kind": "ServiceAccount", "namespace": "ci", "name": "runner"}],
        });
        assert_eq!(
            binding_cells(&binding, now()),
            vec![
                json!("b"),
                json!("ClusterRole/view"),
                json!("30s"),
                json!("alice, bob"),
                json!("devs"),
                json!("ci/runner")
            ]
        );
    }

    #[test]
    fn volumes_and_claims() {
        let pv = json!({
            "metadata": {"name": "pv1"},
            "spec": {"capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce"],
                     "claimRef": {"namespace": "default", "name": "data"}, "storageClassName": "standard",
                     "persistentVolumeReclaimPolicy": "Retain", "volumeMode": "Filesystem"},
            "status": {"phase": "Bound"},
        });
        let cells = persistent_volume_cells(&pv, now());
        assert_eq!(
            cells[1..9],
            [
                json!("10Gi"),
                json!("RWO,RWX"),
                json!("Retain"),
                json!("Bound"),
                json!("default/data"),
                json!("standard"),
                json!("<unset>"),
                json!("")
            ]
        );
        assert_eq!(cells[10], json!("Filesystem"));
        // Without the defaults the registry fills in, cells print the Go zero values.
        let bare = persistent_volume_cells(&json!({"metadata": {"name": "pv2"}}), now());
        assert_eq!((&bare[3], &bare[4], &bare[10]), (&json!(""), &json!(""), &json!("<unset>")));

        let pending = json!({"metadata": {"name": "data"}, "spec": {"storageClassName": "standard"}, "status": {"phase": "Pending"}});
        assert_eq!(
            persistent_volume_claim_cells(&pending, now())[1..6],
            [json!("Pending"), json!(""), json!(""), json!(""), json!("standard")]
        );
        let bound = json!({
            "metadata": {"name": "data", "annotations": {"volume.beta.kubernetes.io/storage-class": "old"}},
            "spec": {"volumeName": "pv1", "storageClassName": "standard"},
            "status": {"phase": "Bound", "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"]},
        });
        assert_eq!(
            persistent_volume_claim_cells(&bound, now())[1..6],
            [json!("Bound"), json!("pv1"), json!("10Gi"), json!("RWO"), json!("old")]
        );
    }

    #[test]
    fn ingress_hosts_addresses_and_ports() {
        let ing = json!({
            "metadata": {"name": "web"},
            "spec": {"ingressClassName": "nginx", "tls": [{"hosts": ["a.example.com"]}],
                     "rules": [{"host": "a.example.com"}, {}, {"host": "b"}, {"host": "c"}, {"host": "d"}]},
            "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.2"}, {"hostname": "lb.example.com"}]}},
        });
        assert_eq!(
            ingress_cells(&ing, now())[1..5],
            [
                json!("nginx"),
                json!("a.example.com,b,c + 2 more..."),
                json!("10.0.0.2,lb.example.com"),
                json!("80, 443")
            ]
        );
        assert_eq!(ingress_cells(&json!({}), now())[1..5], [json!("<none>"), json!("*"), json!(""), json!("80")]);
        let class = json!({"spec": {"controller": "k8s.io/ingress-nginx", "parameters": {"apiGroup": "k8s.example.com", "kind": "IngressParameters", "name": "p"}}});
        assert_eq!(ingress_class_cells(&class, now())[2], json!("IngressParameters.k8s.example.com/p"));
    }

    #[test]
    fn disruption_budgets_slices_classes_and_policies() {
        let pdb = json!({"spec": {"minAvailable": "50%"}, "status": {"disruptionsAllowed": 1}});
        assert_eq!(pod_disruption_budget_cells(&pdb, now())[1..4], [json!("50%"), json!("N/A"), json!(1)]);
        let slice = json!({"addressType": "IPv4", "ports": [{"port": 80}, {"name": "http"}, {}, {"port": 9}],
            "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2"]}]});
        assert_eq!(
            endpoint_slice_cells(&slice, now())[1..4],
            [json!("IPv4"), json!("80,http,* + 1 more..."), json!("10.0.0.1,10.0.0.2")]
        );
        assert_eq!(endpoint_slice_cells(&json!({}), now())[2], json!("<unset>"));
        let sc = json!({"metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
            "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer"});
        assert_eq!(
            storage_class_cells(&sc, now())[..5],
            [
                json!("standard (default)"),
                json!("rancher.io/local-path"),
                json!("Delete"),
                json!("WaitForFirstConsumer"),
                json!(false)
            ]
        );
        let pc = json!({"metadata": {"name": "system-cluster-critical"}, "value": 2000000000});
        assert_eq!(priority_class_cells(&pc, now())[1..3], [json!(2000000000), json!(false)]);
        assert_eq!(network_policy_cells(&json!({"spec": {"podSelector": {}}}), now())[1], json!("<none>"));
    }

    #[test]
    fn templates_runtime_classes_and_webhooks() {
        let pt = json!({"metadata": {"name": "t"}, "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}});
        assert_eq!(pod_template_cells(&pt, now()), vec![json!("t"), json!("c"), json!("i"), json!("app=x")]);
        assert_eq!(runtime_class_cells(&json!({"handler": "runc"}), now())[1], json!("runc"));
        assert_eq!(webhook_cells(&json!({"webhooks": [{}, {}]}), now())[1], json!(2));
    }
}
