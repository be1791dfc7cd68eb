//! Namespaces, nodes, events (core/v1 and events.k8s.io/v1), config maps, secrets, services,
//! endpoints, service accounts and leases.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::machinery::labels::format_label_map;

use super::{
    age, arr_at, bool_at, col, int_at, map_at, map_len, n, name_cell, opt_int_at, opt_str_at, or_default, present, s,
    since, str_at, time_at, wide, Column, Printer, AGE, NAME, NAME_DOC,
};

const NAMESPACE_COLUMNS: &[Column] = &[NAME, col("Status", "string", "The status of the namespace"), AGE];

pub static NAMESPACE: Printer = Printer { columns: NAMESPACE_COLUMNS, cells: namespace_cells };

fn namespace_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name_cell(o), s(or_default(str_at(o, "/status/phase"), "Active")), s(age(o, now))]
}

const NODE_COLUMNS: &[Column] = &[
    NAME,
    col("Status", "string", "The status of the node"),
    col("Roles", "string", "The roles of the node"),
    AGE,
    col("Version", "string", "Kubelet Version reported by the node."),
    wide("Internal-IP", "string", "List of addresses reachable to the node."),
    wide("External-IP", "string", "List of addresses reachable to the node."),
    wide(
        "OS-Image",
        "string",
        "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
    ),
    wide(
        "Kernel-Version",
        "string",
        "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
    ),
    wide(
        "Container-Runtime",
        "string",
        "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
    ),
];

pub static NODE: Printer = Printer { columns: NODE_COLUMNS, cells: node_cells };

/// STATUS: Ready/NotReady from the Ready condition (the last one listed wins), Unknown without it,
/// plus `,SchedulingDisabled` for a cordoned node.
fn node_status(node: &Value) -> String {
    let ready = arr_at(node, "/status/conditions").iter().rev().find(|c| str_at(c, "/type") == "Ready");
    let mut status = match ready {
        Some(c) if str_at(c, "/status") == "True" => "Ready".to_string(),
        Some(_) => "NotReady".to_string(),
        None => "Unknown".to_string(),
    };
    if bool_at(node, "/spec/unschedulable") {
        status.push_str(",SchedulingDisabled");
    }
    status
}

/// ROLES: from `node-role.kubernetes.io/<role>` label keys and a `kubernetes.io/role` value, sorted.
fn node_roles(node: &Value) -> String {
    let mut roles = BTreeSet::new();
    for (key, value) in map_at(node, "/metadata/labels").into_iter().flatten() {
        if let Some(role) = key.strip_prefix("node-role.kubernetes.io/").filter(|r| !r.is_empty()) {
            roles.insert(role.to_string());
        } else if key == "kubernetes.io/role" {
            if let Some(role) = value.as_str().filter(|r| !r.is_empty()) {
                roles.insert(role.to_string());
            }
        }
    }
    if roles.is_empty() {
        "<none>".into()
    } else {
        roles.into_iter().collect::<Vec<_>>().join(",")
    }
}

/// The first address of a type, `<none>` without one.
fn node_address<'a>(node: &'a Value, type_: &str) -> &'a str {
    arr_at(node, "/status/addresses")
        .iter()
        .find(|a| str_at(a, "/type") == type_)
        .map_or("<none>", |a| str_at(a, "/address"))
}

fn or_unknown(text: &str) -> &str {
    if text.is_empty() {
        "<unknown>"
    } else {
        text
    }
}

fn node_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![
        name_cell(o),
        s(node_status(o)),
        s(node_roles(o)),
        s(age(o, now)),
        s(str_at(o, "/status/nodeInfo/kubeletVersion")),
        s(node_address(o, "InternalIP")),
        s(node_address(o, "ExternalIP")),
        s(or_unknown(str_at(o, "/status/nodeInfo/osImage"))),
        s(or_unknown(str_at(o, "/status/nodeInfo/kernelVersion"))),
        s(or_unknown(str_at(o, "/status/nodeInfo/containerRuntimeVersion"))),
    ]
}

/// Events print alike in both groups (upstream converts events.k8s.io to the core internal type);
/// the wide NAME column comes last and carries the name format.
const EVENT_COLUMNS: &[Column] = &[
    col("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
    col("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
    col("Reason", "string", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    col("Object", "string", "The object that this event is about."),
    wide("Subobject", "string", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]."),
    wide("Source", "string", "The component reporting this event. Should be a short machine understandable string."),
    col("Message", "string", "A human-readable description of the status of this operation."),
    wide("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)"),
    wide("Count", "string", "The number of times this event has occurred."),
    Column { name: "Name", type_: "string", format: "name", description: NAME_DOC, priority: 1 },
];

pub static EVENT: Printer = Printer { columns: EVENT_COLUMNS, cells: core_event_cells };
pub static EVENTS_K8S_IO_EVENT: Printer = Printer { columns: EVENT_COLUMNS, cells: events_k8s_io_event_cells };

/// The JSON pointers of the fields upstream's event printer reads, per API group.
struct EventFields {
    involved_object: &'static str,
    message: &'static str,
    source_component: &'static str,
    source_host: &'static str,
    first_timestamp: &'static str,
    last_timestamp: &'static str,
    count: &'static str,
}

const CORE_EVENT: EventFields = EventFields {
    involved_object: "/involvedObject",
    message: "/message",
    source_component: "/source/component",
    source_host: "/source/host",
    first_timestamp: "/firstTimestamp",
    last_timestamp: "/lastTimestamp",
    count: "/count",
};

/// events.k8s.io/v1 names, as its conversion to the core type maps them.
const EVENTS_K8S_IO: EventFields = EventFields {
    involved_object: "/regarding",
    message: "/note",
    source_component: "/deprecatedSource/component",
    source_host: "/deprecatedSource/host",
    first_timestamp: "/deprecatedFirstTimestamp",
    last_timestamp: "/deprecatedLastTimestamp",
    count: "/deprecatedCount",
};

fn core_event_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    event_cells(o, &CORE_EVENT, now)
}

fn events_k8s_io_event_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    event_cells(o, &EVENTS_K8S_IO, now)
}

/// Upstream's `printEvent`: first seen falls back to eventTime, last seen to first seen (or the
/// series' last observation), and a singleton event without a count counts 1.
fn event_cells(o: &Value, f: &EventFields, now: DateTime<Utc>) -> Vec<Value> {
    let first_seen = match time_at(o, f.first_timestamp) {
        Some(t) => since(Some(t), now),
        None => since(time_at(o, "/eventTime"), now),
    };
    let mut last_seen = match time_at(o, f.last_timestamp) {
        Some(t) => since(Some(t), now),
        None => first_seen.clone(),
    };
    let mut count = int_at(o, f.count);
    if present(o, "/series") {
        last_seen = since(time_at(o, "/series/lastObservedTime"), now);
        count = opt_int_at(o, "/series/count").unwrap_or(0);
    } else if count == 0 {
        count = 1;
    }

    let kind = str_at(o, &format!("{}/kind", f.involved_object)).to_lowercase();
    let target = match str_at(o, &format!("{}/name", f.involved_object)) {
        "" => kind,
        name => format!("{kind}/{name}"),
    };
    let component = first_non_empty(str_at(o, f.source_component), str_at(o, "/reportingController"));
    let instance = first_non_empty(str_at(o, f.source_host), str_at(o, "/reportingInstance"));
    let source = if instance.is_empty() { component.to_string() } else { format!("{component}, {instance}") };

    vec![
        s(last_seen),
        s(str_at(o, "/type")),
        s(str_at(o, "/reason")),
        s(target),
        s(str_at(o, &format!("{}/fieldPath", f.involved_object))),
        s(source),
        s(str_at(o, f.message).trim()),
        s(first_seen),
        n(count),
        name_cell(o),
    ]
}

fn first_non_empty<'a>(a: &'a str, b: &'a str) -> &'a str {
    if a.is_empty() {
        b
    } else {
        a
    }
}

const CONFIG_MAP_COLUMNS: &[Column] = &[
    NAME,
    col("Data", "string", "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process."),
    AGE,
];

pub static CONFIG_MAP: Printer = Printer { columns: CONFIG_MAP_COLUMNS, cells: config_map_cells };

/// DATA counts both data and binaryData keys.
fn config_map_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name_cell(o), n((map_len(o, "/data") + map_len(o, "/binaryData")) as i64), s(age(o, now))]
}

const SECRET_COLUMNS: &[Column] = &[
    NAME,
    col("Type", "string", "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types"),
    col("Data", "string", "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4"),
    AGE,
];

pub static SECRET: Printer = Printer { columns: SECRET_COLUMNS, cells: secret_cells };

/// DATA counts the keys of data and of not yet merged stringData (upstream merges stringData into
/// data when converting, before printing).
fn secret_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    let keys: BTreeSet<&String> =
        [map_at(o, "/data"), map_at(o, "/stringData")].into_iter().flatten().flat_map(|m| m.keys()).collect();
    vec![name_cell(o), s(or_default(str_at(o, "/type"), "Opaque")), n(keys.len() as i64), s(age(o, now))]
}

const SERVICE_COLUMNS: &[Column] = &[
    NAME,
    col("Type", "string", "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer."),
    col("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly."),
    col("External-IP", "string", "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
    col("Port(s)", "string", "The list of ports that are exposed by this service."),
    AGE,
    wide("Selector", "string", "Route service traffic to pods with label keys and values matching this selector."),
];

pub static SERVICE: Printer = Printer { columns: SERVICE_COLUMNS, cells: service_cells };

/// The load balancer's ingress IPs (else hostnames), sorted and deduplicated; never clipped, as
/// the server prints wide.
fn load_balancer_ingress(service: &Value) -> Vec<String> {
    let set: BTreeSet<String> = arr_at(service, "/status/loadBalancer/ingress")
        .iter()
        .map(|i| first_non_empty(str_at(i, "/ip"), str_at(i, "/hostname")).to_string())
        .filter(|a| !a.is_empty())
        .collect();
    set.into_iter().collect()
}

/// EXTERNAL-IP per service type: external IPs, the load balancer's (`<pending>` until it has
/// one), the external name, `<none>`; `<unknown>` for an unknown type.
fn service_external_ip(service: &Value) -> String {
    let external_ips: Vec<&str> =
        arr_at(service, "/spec/externalIPs").iter().map(|ip| ip.as_str().unwrap_or("")).collect();
    match service_type(service) {
        "ClusterIP" | "NodePort" if !external_ips.is_empty() => external_ips.join(","),
        "ClusterIP" | "NodePort" => "<none>".into(),
        "LoadBalancer" => {
            let mut all = load_balancer_ingress(service);
            all.extend(external_ips.iter().map(|ip| ip.to_string()));
            if all.is_empty() {
                "<pending>".into()
            } else {
                all.join(",")
            }
        }
        "ExternalName" => str_at(service, "/spec/externalName").to_string(),
        _ => "<unknown>".into(),
    }
}

/// The service's type, ClusterIP when unset (its API default).
fn service_type(service: &Value) -> &str {
    or_default(str_at(service, "/spec/type"), "ClusterIP")
}

/// PORT(S): `port/PROTO`, or `port:nodePort/PROTO` when a node port is allocated.
fn service_ports(service: &Value) -> String {
    let ports: Vec<String> = arr_at(service, "/spec/ports")
        .iter()
        .map(|p| {
            let (port, protocol) = (int_at(p, "/port"), or_default(str_at(p, "/protocol"), "TCP"));
            match int_at(p, "/nodePort") {
                node_port if node_port > 0 => format!("{port}:{node_port}/{protocol}"),
                _ => format!("{port}/{protocol}"),
            }
        })
        .collect();
    if ports.is_empty() {
        "<none>".into()
    } else {
        ports.join(",")
    }
}

/// CLUSTER-IP: `clusterIP` wins over `clusterIPs[0]` as in upstream's v1 conversion; `<none>` if neither.
fn service_cluster_ip(service: &Value) -> &str {
    match str_at(service, "/spec/clusterIP") {
        "" => arr_at(service, "/spec/clusterIPs")
            .first()
            .and_then(Value::as_str)
            .filter(|ip| !ip.is_empty())
            .unwrap_or("<none>"),
        ip => ip,
    }
}

fn service_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![
        name_cell(o),
        s(service_type(o)),
        s(service_cluster_ip(o)),
        s(service_external_ip(o)),
        s(service_ports(o)),
        s(age(o, now)),
        s(format_label_map(map_at(o, "/spec/selector"))),
    ]
}

const ENDPOINTS_COLUMNS: &[Column] =
    &[NAME, col("Endpoints", "string", "The set of all endpoints is the union of all subsets."), AGE];

pub static ENDPOINTS: Printer = Printer { columns: ENDPOINTS_COLUMNS, cells: endpoints_cells };

/// Upstream's `formatEndpoints`: up to three `ip:port` (bare IPs for port-less subsets), then
/// ` + N more...`; `<none>` without subsets.
fn format_endpoints(endpoints: &Value) -> String {
    const MAX: usize = 3;
    let subsets = arr_at(endpoints, "/subsets");
    if subsets.is_empty() {
        return "<none>".into();
    }
    let mut list: Vec<String> = Vec::new();
    let mut more = false;
    let mut count = 0usize;
    for subset in subsets {
        let addresses = arr_at(subset, "/addresses");
        let ports = arr_at(subset, "/ports");
        if ports.is_empty() {
            // Headless services may have no ports.
            count += addresses.len();
            for address in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(str_at(address, "/ip").to_string());
            }
            continue;
        }
        for port in ports {
            count += addresses.len();
            for address in addresses {
                if list.len() == MAX {
                    more = true;
                    break;
                }
                list.push(join_host_port(str_at(address, "/ip"), int_at(port, "/port")));
            }
        }
    }
    let text = list.join(",");
    if more {
        format!("{text} + {} more...", count.saturating_sub(MAX))
    } else {
        text
    }
}

/// Go's `net.JoinHostPort`: brackets around hosts containing a colon (IPv6).
fn join_host_port(host: &str, port: i64) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

fn endpoints_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name_cell(o), s(format_endpoints(o)), s(age(o, now))]
}

const SERVICE_ACCOUNT_COLUMNS: &[Column] = &[
    NAME,
    col("Secrets", "string", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."),
    AGE,
];

pub static SERVICE_ACCOUNT: Printer = Printer { columns: SERVICE_ACCOUNT_COLUMNS, cells: service_account_cells };

fn service_account_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name_cell(o), n(arr_at(o, "/secrets").len() as i64), s(age(o, now))]
}

const LEASE_COLUMNS: &[Column] =
    &[NAME, col("Holder", "string", "holderIdentity contains the identity of the holder of a current lease."), AGE];

pub static LEASE: Printer = Printer { columns: LEASE_COLUMNS, cells: lease_cells };

fn lease_cells(o: &Value, now: DateTime<Utc>) -> Vec<Value> {
    vec![name_cell(o), s(opt_str_at(o, "/spec/holderIdentity").unwrap_or("")), s(age(o, now))]
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{ago, now};
    use super::*;
    use serde_json::json;

    #[test]
    fn namespace_row_shows_phase() {
        let ns = json!({"metadata": {"name": "default", "creationTimestamp": ago(3 * 86400)}, "status": {"phase": "Active"}});
        assert_eq!(namespace_cells(&ns, now()), vec![json!("default"), json!("Active"), json!("3d")]);
        let terminating = json!({"status": {"phase": "Terminating"}});
        assert_eq!(namespace_cells(&terminating, now())[1], json!("Terminating"));
        assert_eq!(namespace_cells(&json!({}), now())[1], json!("Active"));
    }

    #[test]
    fn node_row_with_roles_status_and_wide_info() {
        let node = json!({
            "metadata": {"name": "kind-control-plane", "creationTimestamp": ago(7200),
                         "labels": {"node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "master", "node-role.kubernetes.io/": ""}},
            "spec": {"unschedulable": true},
            "status": {
                "conditions": [{"type": "MemoryPressure", "status": "False"}, {"type": "Ready", "status": "True"}],
                "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}, {"type": "Hostname", "address": "kind"}],
                "nodeInfo": {"kubeletVersion": "v1.32.0", "osImage": "Debian GNU/Linux 12 (bookworm)",
                             "kernelVersion": "6.8.0", "containerRuntimeVersion": "containerd://1.7.24"},
            },
        });
        assert_eq!(
            node_cells(&node, now()),
            vec![
                json!("kind-control-plane"),
                json!("Ready,SchedulingDisabled"),
                json!("control-plane,master"),
                json!("120m"),
                json!("v1.32.0"),
                json!("172.18.0.2"),
                json!("<none>"),
                json!("Debian GNU/Linux 12 (bookworm)"),
                json!("6.8.0"),
                json!("containerd://1.7.24")
            ]
        );
    }

    #[test]
    fn node_status_is_not_ready_or_unknown_without_a_true_ready_condition() {
        assert_eq!(node_status(&json!({"status": {"conditions": [{"type": "Ready", "status": "False"}]}})), "NotReady");
        assert_eq!(
            node_status(&json!({"status": {"conditions": [{"type": "Ready", "status": "Unknown"}]}})),
            "NotReady"
        );
        assert_eq!(node_status(&json!({})), "Unknown");
        let bare = node_cells(&json!({"metadata": {"name": "n"}}), now());
        assert_eq!(bare[2], json!("<none>"));
        assert_eq!(bare[7..], [json!("<unknown>"), json!("<unknown>"), json!("<unknown>")]);
    }

    #[test]
    fn core_event_row_in_column_order() {
        let ev = json!({
            "metadata": {"name": "nginx.17a8"},
            "involvedObject": {"kind": "Pod", "name": "nginx", "fieldPath": "spec.containers{nginx}"},
            "reason": "Pulled", "type": "Normal", "message": " Successfully pulled image \n",
            "source": {"component": "kubelet", "host": "node1"},
            "firstTimestamp": ago(300), "lastTimestamp": ago(20), "count": 4,
        });
        assert_eq!(
            core_event_cells(&ev, now()),
            vec![
                json!("20s"),
                json!("Normal"),
                json!("Pulled"),
                json!("pod/nginx"),
                json!("spec.containers{nginx}"),
                json!("kubelet, node1"),
                json!("Successfully pulled image"),
                json!("5m"),
                json!(4),
                json!("nginx.17a8")
            ]
        );
    }

    #[test]
    fn new_style_events_fall_back_to_event_time_series_and_reporting_controller() {
        let ev = json!({
            "metadata": {"name": "e"},
            "involvedObject": {"kind": "Node"},
            "eventTime": "2024-01-01T11:59:00.000000Z",
            "reportingController": "scheduler", "reportingInstance": "",
        });
        let cells = core_event_cells(&ev, now());
        assert_eq!(cells[0], json!("60s"));
        assert_eq!(cells[3], json!("node"));
        assert_eq!(cells[5], json!("scheduler"));
        assert_eq!(cells[7], json!("60s"));
        assert_eq!(cells[8], json!(1));

        let series = json!({"eventTime": ago(600), "series": {"count": 7, "lastObservedTime": ago(10)}});
        let cells = core_event_cells(&series, now());
        assert_eq!((cells[0].clone(), cells[7].clone(), cells[8].clone()), (json!("10s"), json!("10m"), json!(7)));
        assert_eq!(core_event_cells(&json!({}), now())[0], json!("<unknown>"));
    }

    #[test]
    fn events_k8s_io_events_read_their_own_field_names() {
        let ev = json!({
            "metadata": {"name": "e2"},
            "regarding": {"kind": "Deployment", "name": "web"},
            "note": "Scaled up", "reason": "ScalingReplicaSet", "type": "Normal",
            "deprecatedSource": {"component": "deployment-controller"},
            "deprecatedFirstTimestamp": ago(120), "deprecatedLastTimestamp": ago(60), "deprecatedCount": 2,
        });
        let cells = events_k8s_io_event_cells(&ev, now());
        assert_eq!(cells[0..4], [json!("60s"), json!("Normal"), json!("ScalingReplicaSet"), json!("deployment/web")]);
        assert_eq!(
            cells[5..],
            [json!("deployment-controller"), json!("Scaled up"), json!("2m"), json!(2), json!("e2")]
        );
    }

    #[test]
    fn config_maps_count_data_and_binary_data_and_secrets_show_type() {
        let cm = json!({"metadata": {"name": "cfg"}, "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}});
        assert_eq!(config_map_cells(&cm, now())[1], json!(3));
        let secret =
            json!({"metadata": {"name": "tls"}, "type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}});
        assert_eq!(secret_cells(&secret, now())[1..3], [json!("kubernetes.io/tls"), json!(2)]);
        let unmerged = json!({"type": "Opaque", "data": {"a": "eA=="}, "stringData": {"a": "x", "b": "y"}});
        assert_eq!(secret_cells(&unmerged, now())[1..3], [json!("Opaque"), json!(2)]);
    }

    #[test]
    fn service_rows_per_type() {
        let svc = |spec: Value, status: Value| json!({"metadata": {"name": "web", "creationTimestamp": ago(10)}, "spec": spec, "status": status});
        let cluster_ip = svc(
            json!({"type": "ClusterIP", "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
                   "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}], "selector": {"k8s-app": "kube-dns"}}),
            json!({}),
        );
        assert_eq!(
            service_cells(&cluster_ip, now()),
            vec![
                json!("web"),
                json!("ClusterIP"),
                json!("10.96.0.10"),
                json!("<none>"),
                json!("53/UDP,53/TCP"),
                json!("10s"),
                json!("k8s-app=kube-dns")
            ]
        );
        let node_port = svc(
            json!({"type": "NodePort", "clusterIPs": ["10.96.1.1"], "externalIPs": ["1.2.3.4"],
                   "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}]}),
            json!({}),
        );
        assert_eq!(
            service_cells(&node_port, now())[2..5],
            [json!("10.96.1.1"), json!("1.2.3.4"), json!("80:30080/TCP")]
        );
        let pending = svc(json!({"type": "LoadBalancer", "clusterIP": "None"}), json!({}));
        assert_eq!(service_cells(&pending, now())[2..5], [json!("None"), json!("<pending>"), json!("<none>")]);
        let lb = svc(
            json!({"type": "LoadBalancer", "externalIPs": ["9.9.9.9"]}),
            json!({"loadBalancer": {"ingress": [{"ip": "5.6.7.8"}, {"hostname": "a.example.com"}, {"ip": "5.6.7.8"}]}}),
        );
        assert_eq!(service_cells(&lb, now())[3], json!("5.6.7.8,a.example.com,9.9.9.9"));
        let external = svc(json!({"type": "ExternalName", "externalName": "db.example.com"}), json!({}));
        assert_eq!(service_cells(&external, now())[2..4], [json!("<none>"), json!("db.example.com")]);
        assert_eq!(
            service_cells(&json!({}), now())[1..5],
            [json!("ClusterIP"), json!("<none>"), json!("<none>"), json!("<none>")]
        );
        assert_eq!(service_cells(&svc(json!({"type": "Weird"}), json!({})), now())[3], json!("<unknown>"));
        assert_eq!(service_ports(&json!({"spec": {"ports": [{"port": 8080}]}})), "8080/TCP");
    }

    #[test]
    fn endpoints_list_three_then_count_the_rest() {
        let ep = json!({"subsets": [
            {"addresses": [{"ip": "10.0.0.1"}, {"ip": "10.0.0.2"}], "ports": [{"port": 80}, {"port": 443}]},
            {"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 8080}]},
        ]});
        assert_eq!(format_endpoints(&ep), "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...");
        let small = json!({"subsets": [{"addresses": [{"ip": "fd00::1"}], "ports": [{"port": 8080}]}, {"addresses": [{"ip": "10.0.0.9"}]}]});
        assert_eq!(format_endpoints(&small), "[fd00::1]:8080,10.0.0.9");
        assert_eq!(format_endpoints(&json!({})), "<none>");
        assert_eq!(format_endpoints(&json!({"subsets": [{}]})), "");
    }

    #[test]
    fn service_accounts_count_secrets_and_leases_show_holder() {
        let sa = json!({"metadata": {"name": "default"}, "secrets": [{"name": "t"}]});
        assert_eq!(service_account_cells(&sa, now())[1], json!(1));
        assert_eq!(service_account_cells(&json!({}), now())[1], json!(0));
        let lease = json!({"metadata": {"name": "kube-scheduler"}, "spec": {"holderIdentity": "node1_abc"}});
        assert_eq!(lease_cells(&lease, now())[1], json!("node1_abc"));
        assert_eq!(lease_cells(&json!({}), now())[1], json!(""));
    }
}
