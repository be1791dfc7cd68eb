//! Nodes, with the requests and limits of their pods summed as kubectl sums them (container
//! requests and limits; init containers and pod overhead are not counted).

use std::collections::BTreeMap;

use serde_json::Value;

use super::writer::{rfc1123z, since, string_map, text, Writer};
use crate::machinery::quantity::Quantity;

/// `lease` is the node's Lease, or the error text kubectl shows when it cannot get it.
pub fn describe(node: &Value, pods: &[Value], lease: Result<&Value, String>, events: Option<&[Value]>) -> String {
    let mut w = Writer::default();
    let (meta, spec, status) = (&node["metadata"], &node["spec"], &node["status"]);
    w.w(0, &format!("Name:\t{}\n", text(&meta["name"])));
    let mut roles: Vec<String> = Vec::new();
    for (key, value) in string_map(&meta["labels"]) {
        if let Some(role) = key.strip_prefix("node-role.kubernetes.io/").filter(|r| !r.is_empty()) {
            roles.push(role.to_string());
        } else if key == "kubernetes.io/role" && !value.is_empty() {
            roles.push(value);
        }
    }
    roles.sort();
    roles.dedup();
    w.w(0, &format!("Roles:\t{}\n", if roles.is_empty() { "<none>".to_string() } else { roles.join(",") }));
    w.labels("", "Labels", &meta["labels"]);
    w.annotations("Annotations", &meta["annotations"]);
    w.w(0, &format!("CreationTimestamp:\t{}\n", rfc1123z(&meta["creationTimestamp"])));
    let mut taints: Vec<&Value> = spec["taints"].as_array().map(|t| t.iter().collect()).unwrap_or_default();
    w.w(0, "Taints:\t");
    if taints.is_empty() {
        w.w(0, "<none>\n");
    }
    taints.sort_by_key(|t| format!("{},{}", text(&t["effect"]), text(&t["key"])));
    for (i, taint) in taints.iter().enumerate() {
        if i != 0 {
            w.w(0, "\t");
        }
        let value = text(&taint["value"]);
        let key = text(&taint["key"]);
        let pair = if value.is_empty() { key } else { format!("{key}={value}") };
        w.w(0, &format!("{pair}:{}\n", text(&taint["effect"])));
    }
    w.w(0, &format!("Unschedulable:\t{}\n", spec["unschedulable"].as_bool().unwrap_or(false)));
    match lease {
        Ok(lease) => {
            w.w(0, "Lease:\n");
            let or_unset = |s: String| if s.is_empty() { "<unset>".to_string() } else { s };
            w.w(1, &format!("HolderIdentity:\t{}\n", or_unset(text(&lease["spec"]["holderIdentity"]))));
            let time = |v: &Value| if v.is_string() { rfc1123z(v) } else { "<unset>".to_string() };
            w.w(1, &format!("AcquireTime:\t{}\n", time(&lease["spec"]["acquireTime"])));
            w.w(1, &format!("RenewTime:\t{}\n", time(&lease["spec"]["renewTime"])));
        }
        Err(message) => w.w(0, &format!("Lease:\tFailed to get lease: {message}\n")),
    }
    if let Some(conditions) = status["conditions"].as_array().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n");
        w.w(1, "----\t------\t-----------------\t------------------\t------\t-------\n");
        for c in conditions {
            w.w(
                1,
                &format!(
                    "{} \t{} \t{} \t{} \t{} \t{}\n",
                    text(&c["type"]),
                    text(&c["status"]),
                    rfc1123z(&c["lastHeartbeatTime"]),
                    rfc1123z(&c["lastTransitionTime"]),
                    text(&c["reason"]),
                    text(&c["message"])
                ),
            );
        }
    }
    w.w(0, "Addresses:\n");
    for address in status["addresses"].as_array().into_iter().flatten() {
        w.w(1, &format!("{}:\t{}\n", text(&address["type"]), text(&address["address"])));
    }
    for (field, title) in [("capacity", "Capacity"), ("allocatable", "Allocatable")] {
        let map = string_map(&status[field]);
        if !map.is_empty() {
            w.w(0, &format!("{title}:\n"));
            for (name, value) in map {
                w.w(0, &format!("  {name}:\t{value}\n"));
            }
        }
    }
    let info = &status["nodeInfo"];
    w.w(0, "System Info:\n");
    for (field, title) in [
        ("machineID", "Machine ID"),
        ("systemUUID", "System UUID"),
        ("bootID", "Boot ID"),
        ("kernelVersion", "Kernel Version"),
        ("osImage", "OS Image"),
        ("operatingSystem", "Operating System"),
        ("architecture", "Architecture"),
        ("containerRuntimeVersion", "Container Runtime Version"),
        ("kubeletVersion", "Kubelet Version"),
        ("kubeProxyVersion", "Kube-Proxy Version"),
    ] {
        w.w(0, &format!("  {title}:\t{}\n", text(&info[field])));
    }
    if let Some(cidr) = spec["podCIDR"].as_str().filter(|s| !s.is_empty()) {
        w.w(0, &format!("PodCIDR:\t{cidr}\n"));
    }
    if let Some(cidrs) = spec["podCIDRs"].as_array().filter(|c| !c.is_empty()) {
        w.w(0, &format!("PodCIDRs:\t{}\n", cidrs.iter().map(text).collect::<Vec<_>>().join(",")));
    }
    if let Some(provider) = spec["providerID"].as_str().filter(|s| !s.is_empty()) {
        w.w(0, &format!("ProviderID:\t{provider}\n"));
    }
    resources(&mut w, node, pods);
    if let Some(events) = events {
        super::events::write(&mut w, events);
    }
    w.finish()
}

fn resources(w: &mut Writer, node: &Value, pods: &[Value]) {
    let allocatable = if node["status"]["allocatable"].as_object().is_some_and(|a| !a.is_empty()) {
        &node["status"]["allocatable"]
    } else {
        &node["status"]["capacity"]
    };
    w.w(0, &format!("Non-terminated Pods:\t({} in total)\n", pods.len()));
    w.w(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n");
    w.w(1, "---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n");
    let mut totals: BTreeMap<(&str, &str), Quantity> = BTreeMap::new();
    for pod in pods {
        let mut cells = Vec::new();
        for (kind, resource) in [("requests", "cpu"), ("limits", "cpu"), ("requests", "memory"), ("limits", "memory")] {
            let containers = pod["spec"]["containers"].as_array().into_iter().flatten();
            let value = sum(containers.map(|c| quantity(&c["resources"][kind][resource])));
            let total = totals.entry((kind, resource)).or_default();
            *total = sum([*total, value]);
            cells.push(format!("{value} ({}%)", percent(resource, value, quantity(&allocatable[resource]))));
        }
        w.w(
            1,
            &format!(
                "{}\t{}\t\t{}\t{}\t{}\t{}\t{}\n",
                text(&pod["metadata"]["namespace"]),
                text(&pod["metadata"]["name"]),
                cells[0],
                cells[1],
                cells[2],
                cells[3],
                since(&pod["metadata"]["creationTimestamp"])
            ),
        );
    }
    w.w(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n");
    w.w(1, "Resource\tRequests\tLimits\n");
    w.w(1, "--------\t--------\t------\n");
    for resource in ["cpu", "memory", "ephemeral-storage"] {
        let allocatable = quantity(&allocatable[resource]);
        let requests = totals.get(&("requests", resource)).copied().unwrap_or_default();
        let limits = totals.get(&("limits", resource)).copied().unwrap_or_default();
        w.w(
            1,
            &format!(
                "{resource}\t{requests} ({}%)\t{limits} ({}%)\n",
                percent(resource, requests, allocatable),
                percent(resource, limits, allocatable)
            ),
        );
    }
}

/// A quantity as the API carries it; missing or unreadable is zero.
fn quantity(value: &Value) -> Quantity {
    Quantity::parse(&text(value)).unwrap_or_default()
}

/// Quantities added as upstream's `addResourceList` adds them (the first one's format
/// stands); a sum too large to hold stops growing.
fn sum(values: impl IntoIterator<Item = Quantity>) -> Quantity {
    values.into_iter().fold(Quantity::default(), |total, value| total.checked_add(value).unwrap_or(total))
}

/// The share of `allocatable`, truncated: cpu by milli-values, others by values, as kubectl.
fn percent(resource: &str, value: Quantity, allocatable: Quantity) -> i64 {
    let units = |q: Quantity| if resource == "cpu" { q.milli_value() } else { q.value() };
    match (units(value), units(allocatable)) {
        (Ok(value), Ok(total)) if total != 0 => (value as f64 / total as f64 * 100.0) as i64,
        _ => 0,
    }
}
