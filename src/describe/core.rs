//! Services, namespaces and config maps.

use serde_json::Value;

use super::writer::{text, Writer};
use crate::machinery::labels::format_label_map;

pub fn service(svc: &Value, endpoint_slices: &[Value], events: Option<&[Value]>) -> String {
    let mut w = Writer::default();
    let (meta, spec, status) = (&svc["metadata"], &svc["spec"], &svc["status"]);
    w.w(0, &format!("Name:\t{}\n", text(&meta["name"])));
    w.w(0, &format!("Namespace:\t{}\n", text(&meta["namespace"])));
    w.labels("", "Labels", &meta["labels"]);
    w.annotations("Annotations", &meta["annotations"]);
    w.w(0, &format!("Selector:\t{}\n", format_label_map(spec["selector"].as_object())));
    w.w(0, &format!("Type:\t{}\n", text(&spec["type"])));
    if let Some(policy) = spec["ipFamilyPolicy"].as_str() {
        w.w(0, &format!("IP Family Policy:\t{policy}\n"));
    }
    w.w(0, &format!("IP Families:\t{}\n", joined_or_none(&spec["ipFamilies"])));
    w.w(0, &format!("IP:\t{}\n", text(&spec["clusterIP"])));
    w.w(0, &format!("IPs:\t{}\n", joined_or_none(&spec["clusterIPs"])));
    if spec["externalIPs"].as_array().is_some_and(|a| !a.is_empty()) {
        w.w(0, &format!("External IPs:\t{}\n", joined_or_none(&spec["externalIPs"])));
    }
    if let Some(ip) = spec["loadBalancerIP"].as_str().filter(|s| !s.is_empty()) {
        w.w(0, &format!("Desired LoadBalancer IP:\t{ip}\n"));
    }
    if let Some(name) = spec["externalName"].as_str().filter(|s| !s.is_empty()) {
        w.w(0, &format!("External Name:\t{name}\n"));
    }
    if let Some(ingress) = status["loadBalancer"]["ingress"].as_array().filter(|a| !a.is_empty()) {
        let list: Vec<String> =
            ingress.iter().map(|i| if i["ip"].is_string() { text(&i["ip"]) } else { text(&i["hostname"]) }).collect();
        w.w(0, &format!("LoadBalancer Ingress:\t{}\n", list.join(", ")));
    }
    for port in spec["ports"].as_array().into_iter().flatten() {
        let name = port["name"].as_str().filter(|n| !n.is_empty()).unwrap_or("<unset>");
        let protocol = port["protocol"].as_str().unwrap_or("TCP");
        w.w(0, &format!("Port:\t{name}\t{}/{protocol}\n", text(&port["port"])));
        w.w(0, &format!("TargetPort:\t{}/{protocol}\n", text(&port["targetPort"])));
        if let Some(app) = port["appProtocol"].as_str() {
            w.w(0, &format!("AppProtocol:\t{app}\n"));
        }
        if let Some(node_port) = port["nodePort"].as_i64().filter(|p| *p != 0) {
            w.w(0, &format!("NodePort:\t{name}\t{node_port}/{protocol}\n"));
        }
        let port_name = port["name"].as_str().unwrap_or_default();
        w.w(0, &format!("Endpoints:\t{}\n", endpoints(endpoint_slices, port_name)));
    }
    w.w(0, &format!("Session Affinity:\t{}\n", text(&spec["sessionAffinity"])));
    if let Some(policy) = spec["externalTrafficPolicy"].as_str().filter(|s| !s.is_empty()) {
        w.w(0, &format!("External Traffic Policy:\t{policy}\n"));
    }
    if let Some(policy) = spec["internalTrafficPolicy"].as_str() {
        w.w(0, &format!("Internal Traffic Policy:\t{policy}\n"));
    }
    if let Some(port) = spec["healthCheckNodePort"].as_i64().filter(|p| *p != 0) {
        w.w(0, &format!("HealthCheck NodePort:\t{port}\n"));
    }
    if spec["loadBalancerSourceRanges"].as_array().is_some_and(|a| !a.is_empty()) {
        w.w(0, &format!("LoadBalancer Source Ranges:\t{}\n", joined_or_none(&spec["loadBalancerSourceRanges"])));
    }
    if let Some(distribution) = spec["trafficDistribution"].as_str() {
        w.w(0, &format!("Traffic Distribution:\t{distribution}\n"));
    }
    if let Some(events) = events {
        super::events::write(&mut w, events);
    }
    w.finish()
}

fn joined_or_none(list: &Value) -> String {
    let items: Vec<String> = list.as_array().into_iter().flatten().map(text).collect();
    if items.is_empty() {
        "<none>".to_string()
    } else {
        items.join(",")
    }
}

/// Ready endpoint addresses serving the named port (at most three shown).
fn endpoints(slices: &[Value], port_name: &str) -> String {
    if slices.is_empty() {
        return "<none>".to_string();
    }
    let mut list = Vec::new();
    let mut count = 0;
    let mut more = false;
    for slice in slices {
        let endpoints: Vec<&Value> = slice["endpoints"].as_array().map(|e| e.iter().collect()).unwrap_or_default();
        let ready = |e: &Value| e["conditions"]["ready"].as_bool().unwrap_or(true);
        let ports: Vec<&Value> = slice["ports"].as_array().map(|p| p.iter().collect()).unwrap_or_default();
        if ports.is_empty() {
            for e in endpoints {
                if list.len() == 3 {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more {
                    list.push(text(&e["addresses"][0]));
                }
                count += 1;
            }
            continue;
        }
        for port in ports {
            if port["name"].as_str().unwrap_or_default() != port_name {
                continue;
            }
            for e in &endpoints {
                if list.len() == 3 {
                    more = true;
                }
                if !ready(e) {
                    continue;
                }
                if !more {
                    let address = text(&e["addresses"][0]);
                    let port = text(&port["port"]);
                    list.push(if address.contains(':') {
                        format!("[{address}]:{port}")
                    } else {
                        format!("{address}:{port}")
                    });
                }
                count += 1;
            }
        }
    }
    let joined = list.join(",");
    if more {
        format!("{joined} + {} more...", count - 3)
    } else {
        joined
    }
}

/// `quotas`/`limits` are None when the server does not serve them (404).
pub fn namespace(ns: &Value, quotas: Option<&[Value]>, limits: Option<&[Value]>) -> String {
    let mut w = Writer::default();
    let meta = &ns["metadata"];
    w.w(0, &format!("Name:\t{}\n", text(&meta["name"])));
    w.labels("", "Labels", &meta["labels"]);
    w.annotations("Annotations", &meta["annotations"]);
    w.w(0, &format!("Status:\t{}\n", text(&ns["status"]["phase"])));
    if let Some(conditions) = ns["status"]["conditions"].as_array().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n");
        w.w(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n");
        w.w(1, "----\t------\t------------------\t------\t-------\n");
        for c in conditions {
            w.w(
                1,
                &format!(
                    "{}\t{}\t{}\t{}\t{}\n",
                    text(&c["type"]),
                    text(&c["status"]),
                    super::writer::rfc1123z(&c["lastTransitionTime"]),
                    text(&c["reason"]),
                    text(&c["message"])
                ),
            );
        }
    }
    if let Some(quotas) = quotas {
        w.w(0, "\n");
        if quotas.is_empty() {
            w.w(0, "No resource quota.\n");
        } else {
            w.w(0, "Resource Quotas\n");
            for quota in quotas {
                w.w(1, &format!("Name:\t{}\n", text(&quota["metadata"]["name"])));
                w.w(1, "Resource\tUsed\tHard\n");
                w.w(1, "--------\t---\t---\n");
                let hard = super::writer::string_map(&quota["status"]["hard"]);
                let used = super::writer::string_map(&quota["status"]["used"]);
                for (name, value) in hard {
                    w.w(1, &format!("{name}\t{}\t{value}\n", used.get(&name).cloned().unwrap_or_else(|| "0".into())));
                }
            }
        }
    }
    if let Some(limits) = limits {
        w.w(0, "\n");
        if limits.is_empty() {
            w.w(0, "No LimitRange resource.\n");
        } else {
            w.w(
                0,
                "Resource Limits\n Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n",
            );
            w.w(0, " ----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n");
            for range in limits {
                for item in range["spec"]["limits"].as_array().into_iter().flatten() {
                    let mut names = std::collections::BTreeSet::new();
                    for field in ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] {
                        names.extend(super::writer::string_map(&item[field]).into_keys());
                    }
                    for name in names {
                        let get = |field: &str| {
                            let v = text(&item[field][&name]);
                            if v.is_empty() {
                                "-".to_string()
                            } else {
                                v
                            }
                        };
                        w.w(
                            0,
                            &format!(
                                " {}\t{name}\t{}\t{}\t{}\t{}\t{}\n",
                                text(&item["type"]),
                                get("min"),
                                get("max"),
                                get("defaultRequest"),
                                get("default"),
                                get("maxLimitRequestRatio")
                            ),
                        );
                    }
                }
            }
        }
    }
    w.finish()
}

pub fn config_map(cm: &Value, events: Option<&[Value]>) -> String {
    let mut w = Writer::default();
    let meta = &cm["metadata"];
    w.w(0, &format!("Name:\t{}\n", text(&meta["name"])));
    w.w(0, &format!("Namespace:\t{}\n", text(&meta["namespace"])));
    w.labels("", "Labels", &meta["labels"]);
    w.annotations("Annotations", &meta["annotations"]);
    w.w(0, "\nData\n====\n");
    for (key, value) in super::writer::string_map(&cm["data"]) {
        w.w(0, &format!("{key}:\n----\n"));
        w.w(0, &format!("{value}\n"));
        w.w(0, "\n");
    }
    w.w(0, "\nBinaryData\n====\n");
    for (key, value) in super::writer::string_map(&cm["binaryData"]) {
        // Base64 text: the decoded length is what kubectl shows.
        let bytes = value.len() / 4 * 3 - value.chars().rev().take_while(|c| *c == '=').count();
        w.w(0, &format!("{key}: {bytes} bytes\n"));
    }
    w.w(0, "\n");
    if let Some(events) = events {
        super::events::write(&mut w, events);
    }
    w.finish()
}
