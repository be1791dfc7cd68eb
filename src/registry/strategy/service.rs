//! The Service's strategy and its rules: `SetDefaults_Service` plus the IP-family defaults the
//! service REST layer applies on a single-stack IPv4 cluster (cluster IP allocation itself lives
//! elsewhere), and `ValidateService`/`ValidateServiceUpdate`.

use serde_json::{json, Map, Value};

use super::field::{child, go_strings, index, quote, s, set_default, set_default_str, Errs};
use super::meta::validate_labels;
use super::pod::validate_protocol;
use super::selectable::text;
use super::{FieldSet, InitialStatus, Strategy};
use crate::machinery::validation::{is_dns1123_label, is_valid_port_name, is_valid_port_num, NameRule};
use crate::registry::tables;

/// Upstream's `svcStrategy`: DNS-1035 names, and an empty load balancer status to start with.
pub(crate) static SERVICE: Strategy = Strategy {
    defaulter: default_service,
    initial_status: InitialStatus::From(|_| json!({"loadBalancer": {}})),
    name_rule: NameRule::Dns1035,
    validator: validate_service,
    update_validator: Some(validate_service_update),
    keep_on_update: keep_allocated,
    fields: FieldSet::of(&[text("spec.clusterIP"), text("spec.type")]),
    printer: &tables::core_kinds::SERVICE,
    ..Strategy::DEFAULT
};

pub(crate) fn default_service(obj: &mut Value) {
    let Some(spec) = obj.as_object_mut().and_then(|o| super::field::ensure_obj(o, "spec")) else { return };
    set_default_str(spec, "sessionAffinity", "None");
    match spec.get("sessionAffinity").and_then(Value::as_str) {
        Some("None") => {
            spec.remove("sessionAffinityConfig");
        }
        Some("ClientIP") => {
            let has_timeout = spec
                .get("sessionAffinityConfig")
                .and_then(|c| c.pointer("/clientIP/timeoutSeconds"))
                .is_some_and(|t| !t.is_null());
            if !has_timeout {
                spec.insert("sessionAffinityConfig".into(), json!({"clientIP": {"timeoutSeconds": 10800}}));
            }
        }
        _ => {}
    }
    set_default_str(spec, "type", "ClusterIP");
    if let Some(Value::Array(ports)) = spec.get_mut("ports") {
        for port in ports.iter_mut().filter_map(Value::as_object_mut) {
            set_default_str(port, "protocol", "TCP");
            let target_unset = match port.get("targetPort") {
                None | Some(Value::Null) => true,
                Some(Value::Number(n)) => n.as_i64() == Some(0),
                Some(Value::String(st)) => st.is_empty(),
                _ => false,
            };
            if target_unset {
                if let Some(p) = port.get("port").filter(|p| p.is_number()).cloned() {
                    port.insert("targetPort".into(), p);
                }
            }
        }
    }
    let ty = spec.get("type").and_then(Value::as_str).unwrap_or("").to_string();
    let has_external_ips = spec.get("externalIPs").and_then(Value::as_array).is_some_and(|a| !a.is_empty());
    if ty == "LoadBalancer" || ty == "NodePort" || (ty == "ClusterIP" && has_external_ips) {
        set_default_str(spec, "externalTrafficPolicy", "Cluster");
    }
    if matches!(ty.as_str(), "ClusterIP" | "NodePort" | "LoadBalancer") {
        set_default_str(spec, "internalTrafficPolicy", "Cluster");
    }
    if ty == "LoadBalancer" {
        set_default(spec, "allocateLoadBalancerNodePorts", json!(true));
    }
    if ty != "ExternalName" {
        let headless = spec.get("clusterIP").and_then(Value::as_str) == Some("None");
        let selectorless = spec.get("selector").and_then(Value::as_object).is_none_or(|m| m.is_empty());
        if headless && selectorless {
            // Selector-less headless services are dual-stack capable even on single-stack clusters.
            set_default_str(spec, "ipFamilyPolicy", "RequireDualStack");
            set_default(spec, "ipFamilies", json!(["IPv4", "IPv6"]));
        } else {
            set_default_str(spec, "ipFamilyPolicy", "SingleStack");
            set_default(spec, "ipFamilies", json!(["IPv4"]));
        }
    }
}

fn service_type(spec: Option<&Value>) -> &str {
    spec.and_then(|s| s.get("type")).and_then(Value::as_str).unwrap_or("ClusterIP")
}

fn has_node_ports(ty: &str) -> bool {
    ty == "NodePort" || ty == "LoadBalancer"
}

/// Upstream's patchAllocatedValues and dropTypeDependentFields: an update that leaves out
/// the cluster IP or a port's node port keeps what was allocated (an apply of a file
/// without them must not move the Service), and a Service no longer of a node-port type
/// gives up the node ports it had, unless changed by hand.
fn keep_allocated(new: &mut Map<String, Value>, old: &Value) {
    let old_spec = old.get("spec");
    let old_type = service_type(old_spec).to_string();
    let Some(Value::Object(spec)) = new.get_mut("spec") else { return };
    let new_type = service_type(Some(&Value::Object(spec.clone()))).to_string();
    if old_type != "ExternalName" && new_type != "ExternalName" {
        for key in ["clusterIP", "clusterIPs"] {
            let unset = spec.get(key).is_none_or(|v| v.is_null() || v == "" || v.as_array().is_some_and(Vec::is_empty));
            if let (true, Some(kept)) = (unset, old_spec.and_then(|s| s.get(key))) {
                spec.insert(key.into(), kept.clone());
            }
        }
    }
    let old_ports = old_spec.and_then(|s| s.get("ports")).and_then(Value::as_array).cloned().unwrap_or_default();
    let Some(Value::Array(ports)) = spec.get_mut("ports") else { return };
    if !has_node_ports(&old_type) {
        return;
    }
    for port in ports.iter_mut().filter_map(Value::as_object_mut) {
        let same = |o: &&Value| o.get("port") == port.get("port") && o.get("protocol") == port.get("protocol");
        let Some(held) = old_ports.iter().find(same).and_then(|o| o.get("nodePort")).cloned() else { continue };
        let given = port.get("nodePort").and_then(Value::as_i64).unwrap_or(0);
        if has_node_ports(&new_type) && given == 0 {
            port.insert("nodePort".into(), held);
        } else if !has_node_ports(&new_type) && Some(given) == held.as_i64() {
            port.remove("nodePort");
        }
    }
}

pub(crate) fn validate_service(e: &mut Errs, obj: &Value) {
    let spec = match obj.get("spec") {
        Some(spec @ Value::Object(_)) => spec,
        Some(other) if !other.is_null() => return e.wrong_type("spec", other, "object"),
        _ => return e.required("spec", ""),
    };
    let ty = e.str(spec, "type", "spec.type").unwrap_or("");
    let headless = s(spec, "clusterIP") == "None";
    let ports = e.arr(spec, "ports", "spec.ports").cloned().unwrap_or_default();
    if ports.is_empty() && !headless && ty != "ExternalName" {
        e.required("spec.ports", "");
    }
    let mut names: Vec<String> = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        let p = index("spec.ports", i);
        if !port.is_object() {
            e.wrong_type(&p, port, "object");
            continue;
        }
        let name = e.str(port, "name", &child(&p, "name")).unwrap_or("");
        if ports.len() > 1 && name.is_empty() {
            e.required(&child(&p, "name"), "");
        } else if !name.is_empty() {
            for msg in is_dns1123_label(name) {
                e.invalid(&child(&p, "name"), &quote(name), &msg);
            }
            if names.iter().any(|n| n == name) {
                e.duplicate(&child(&p, "name"), &quote(name));
            } else {
                names.push(name.to_string());
            }
        }
        let number = e.int(port, "port", &child(&p, "port")).unwrap_or(0);
        for msg in is_valid_port_num(number) {
            e.invalid(&child(&p, "port"), &number.to_string(), &msg);
        }
        if let Some(proto) = e.str(port, "protocol", &child(&p, "protocol")) {
            validate_protocol(e, proto, &child(&p, "protocol"));
        }
        match port.get("targetPort") {
            None | Some(Value::Null) => {}
            Some(Value::Number(n)) => {
                let n = n.as_i64().unwrap_or(-1);
                for msg in is_valid_port_num(n) {
                    e.invalid(&child(&p, "targetPort"), &n.to_string(), &msg);
                }
            }
            Some(Value::String(name)) => {
                for msg in is_valid_port_name(name) {
                    e.invalid(&child(&p, "targetPort"), &quote(name), &msg);
                }
            }
            Some(other) => e.wrong_type(&child(&p, "targetPort"), other, "integer or string"),
        }
        if let Some(node_port) = e.int(port, "nodePort", &child(&p, "nodePort")).filter(|n| *n != 0) {
            if ty != "NodePort" && ty != "LoadBalancer" {
                e.forbidden(&child(&p, "nodePort"), "may not be used when `type` is 'ClusterIP'");
            }
            for msg in is_valid_port_num(node_port) {
                e.invalid(&child(&p, "nodePort"), &node_port.to_string(), &msg);
            }
        }
    }
    match ty {
        "ClusterIP" | "NodePort" | "LoadBalancer" => {}
        "ExternalName" => {
            if e.str(spec, "externalName", "spec.externalName").unwrap_or("").is_empty() {
                e.required("spec.externalName", "");
            }
        }
        "" => e.required("spec.type", ""),
        other => {
            e.not_supported("spec.type", &quote(other), &["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"])
        }
    }
    if let Some(affinity) = e.str(spec, "sessionAffinity", "spec.sessionAffinity") {
        if affinity != "None" && affinity != "ClientIP" {
            e.not_supported("spec.sessionAffinity", &quote(affinity), &["ClientIP", "None"]);
        }
    }
    for (key, valid) in
        [("internalTrafficPolicy", ["Cluster", "Local"]), ("externalTrafficPolicy", ["Cluster", "Local"])]
    {
        if let Some(v) = e.str(spec, key, &format!("spec.{key}")) {
            if !v.is_empty() && !valid.contains(&v) {
                e.not_supported(&format!("spec.{key}"), &quote(v), &valid);
            }
        }
    }
    if let Some(policy) = e.str(spec, "ipFamilyPolicy", "spec.ipFamilyPolicy") {
        let valid = ["PreferDualStack", "RequireDualStack", "SingleStack"];
        if !valid.contains(&policy) {
            e.not_supported("spec.ipFamilyPolicy", &quote(policy), &valid);
        }
    }
    validate_labels(e, spec, "selector", "spec.selector");
    if ty != "ExternalName" {
        validate_cluster_ips(e, spec, ty);
    }
}

/// Upstream's stand-alone checks of `clusterIPs` (as normalized from `clusterIP`): valid
/// IPs, `None` alone and never for node ports. Range and collisions are the allocator's.
fn validate_cluster_ips(e: &mut Errs, spec: &Value, ty: &str) {
    let ips: Vec<String> = match spec.get("clusterIPs").and_then(Value::as_array) {
        Some(ips) => ips.iter().map(|ip| ip.as_str().unwrap_or_default().to_string()).collect(),
        None => Some(s(spec, "clusterIP")).filter(|ip| !ip.is_empty()).map(str::to_string).into_iter().collect(),
    };
    for (i, ip) in ips.iter().enumerate() {
        let path = format!("spec.clusterIPs[{i}]");
        if ip == "None" && i == 0 {
            if ty == "NodePort" || ty == "LoadBalancer" {
                e.invalid(&path, &quote(ip), &format!("may not be set to 'None' for {ty} services"));
            }
            continue;
        }
        if ip.parse::<std::net::IpAddr>().is_err() {
            e.invalid(&path, &quote(ip), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
        }
    }
}

/// `ValidateServiceUpdate`: the primary cluster IP may not change once set (except to or from
/// ExternalName).
pub(crate) fn validate_service_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_service(e, new);
    let is_external = |v: &Value| v.pointer("/spec/type").and_then(Value::as_str) == Some("ExternalName");
    if is_external(new) || is_external(old) {
        return;
    }
    let first = |v: &Value| {
        v.pointer("/spec/clusterIPs/0")
            .or_else(|| v.pointer("/spec/clusterIP"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    if let (Some(o), Some(n)) = (first(old), first(new)) {
        if !o.is_empty() && !n.is_empty() && o != n {
            let shown = match new.pointer("/spec/clusterIPs").and_then(Value::as_array) {
                Some(ips) => {
                    go_strings(&ips.iter().map(|ip| ip.as_str().unwrap_or_default().to_string()).collect::<Vec<_>>())
                }
                None => quote(&n),
            };
            e.invalid("spec.clusterIPs[0]", &shown, "may not change once set");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::registry::strategy::field::errs;

    #[test]
    fn service_defaults() {
        let mut svc =
            json!({"metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}});
        default_service(&mut svc);
        let spec = &svc["spec"];
        assert_eq!(spec["type"], "ClusterIP");
        assert_eq!(spec["sessionAffinity"], "None");
        assert_eq!(spec["ports"][0], json!({"port": 80, "protocol": "TCP", "targetPort": 80}));
        assert_eq!(spec["ipFamilies"], json!(["IPv4"]));
        assert_eq!(spec["ipFamilyPolicy"], "SingleStack");
        assert_eq!(spec["internalTrafficPolicy"], "Cluster");
        assert!(spec.get("externalTrafficPolicy").is_none());
        let mut again = svc.clone();
        default_service(&mut again);
        assert_eq!(again, svc);
        assert!(errs(|e| validate_service(e, &svc)).is_empty());
    }

    #[test]
    fn an_update_keeps_what_was_allocated_until_the_type_gives_it_up() {
        let old = json!({"spec": {"type": "NodePort", "clusterIP": "10.96.0.5", "clusterIPs": ["10.96.0.5"],
            "ports": [{"port": 80, "protocol": "TCP", "nodePort": 30080}]}});
        let mut new = json!({"spec": {"type": "NodePort", "ports": [{"port": 80, "protocol": "TCP"}]}});
        keep_allocated(new.as_object_mut().unwrap(), &old);
        assert_eq!(new["spec"]["clusterIPs"], json!(["10.96.0.5"]));
        assert_eq!(new["spec"]["ports"][0]["nodePort"], 30080);
        new["spec"]["type"] = json!("ClusterIP");
        keep_allocated(new.as_object_mut().unwrap(), &old);
        assert!(new["spec"]["ports"][0].get("nodePort").is_none());
    }

    #[test]
    fn node_port_and_named_target_port() {
        let mut svc = json!({"spec": {"type": "NodePort", "ports": [{"port": 80, "targetPort": "http"}]}});
        default_service(&mut svc);
        assert_eq!(svc["spec"]["externalTrafficPolicy"], "Cluster");
        assert_eq!(svc["spec"]["ports"][0]["targetPort"], "http");
    }

    #[test]
    fn service_validation_messages() {
        let svc = json!({"spec": {"type": "Fancy", "sessionAffinity": "None", "ports": [{"port": 0, "protocol": "TCP"}, {"name": "b", "port": 81, "protocol": "TCP"}]}});
        let c = errs(|e| validate_service(e, &svc));
        assert_eq!(c[0], ("spec.ports[0].name".into(), "Required value".into()));
        assert_eq!(
            c[1],
            ("spec.ports[0].port".into(), "Invalid value: 0: must be between 1 and 65535, inclusive".into())
        );
        assert_eq!(c[2], ("spec.type".into(), "Unsupported value: \"Fancy\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"".into()));
        assert_eq!(
            errs(|e| validate_service(e, &json!({"spec": {"type": "ClusterIP"}}))),
            vec![("spec.ports".into(), "Required value".into())]
        );
    }

    #[test]
    fn cluster_ip_may_not_change() {
        let old = json!({"spec": {"type": "ClusterIP", "clusterIP": "10.96.0.5", "clusterIPs": ["10.96.0.5"], "ports": [{"port": 80, "protocol": "TCP"}]}});
        let mut new = old.clone();
        new["spec"]["clusterIPs"] = json!(["10.96.0.6"]);
        let c = errs(|e| validate_service_update(e, &new, &old));
        assert_eq!(
            c,
            vec![(
                "spec.clusterIPs[0]".into(),
                "Invalid value: []string{\"10.96.0.6\"}: may not change once set".into()
            )]
        );
    }
}
