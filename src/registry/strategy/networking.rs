//! The strategies of networking.k8s.io: Ingress, IngressClass, NetworkPolicy
//! (`pkg/apis/networking/v1/defaults.go`, `pkg/apis/networking/validation`,
//! `pkg/registry/networking/*/strategy.go`), and the IP and CIDR checks other families share.

use std::net::IpAddr;

use serde_json::{json, Value};

use super::field::{child, each_obj_mut, ensure_obj, go_json, index, obj_mut, quote, s, set_default, Errs};
use super::meta::path_segment_name;
use super::selector::validate_label_selector;
use super::{InitialStatus, Strategy};
use crate::machinery::validation::{
    is_dns1035_label, is_dns1123_label, is_dns1123_subdomain, is_valid_port_name, is_valid_port_num, max_len_error,
    regex_error,
};
use crate::registry::tables;

pub(crate) static INGRESS: Strategy = Strategy {
    // Upstream's empty IngressStatus serializes its (non-pointer) loadBalancer.
    initial_status: InitialStatus::From(|_| json!({"loadBalancer": {}})),
    tracks_generation: true,
    validator: validate_ingress_create,
    update_validator: Some(validate_ingress_update),
    printer: &tables::more_kinds::INGRESS,
    ..Strategy::DEFAULT
};
pub(crate) static INGRESS_CLASS: Strategy = Strategy {
    defaulter: default_ingress_class,
    tracks_generation: true,
    validator: validate_ingress_class,
    update_validator: Some(validate_ingress_class_update),
    printer: &tables::more_kinds::INGRESS_CLASS,
    ..Strategy::DEFAULT
};
pub(crate) static NETWORK_POLICY: Strategy = Strategy {
    defaulter: default_network_policy,
    tracks_generation: true,
    validator: validate_network_policy,
    printer: &tables::more_kinds::NETWORK_POLICY,
    ..Strategy::DEFAULT
};

// ---- IPs and CIDRs (netutils' sloppy parsers accept leading zeros in IPv4 octets) ----

/// `netutils.ParseIPSloppy`.
pub(crate) fn parse_ip(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    let octets: Vec<&str> = text.split('.').collect();
    if octets.len() != 4 || octets.iter().any(|o| o.is_empty() || o.len() > 3 || !o.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let parsed: Vec<u8> = octets.iter().filter_map(|o| o.parse::<u8>().ok()).collect();
    (parsed.len() == 4).then(|| IpAddr::from([parsed[0], parsed[1], parsed[2], parsed[3]]))
}

/// `netutils.ParseCIDRSloppy`: the address and prefix length.
fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (ip, bits) = text.split_once('/')?;
    let ip = parse_ip(ip)?;
    if bits.is_empty() || bits.len() > 3 || !bits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let bits: u8 = bits.parse().ok()?;
    let max = if ip.is_ipv4() { 32 } else { 128 };
    (bits <= max).then_some((ip, bits))
}

/// The network of `ip/bits`: its family (IPv4?), its address as a number, and its width.
fn network(ip: IpAddr) -> (bool, u128, u8) {
    match ip {
        IpAddr::V4(v4) => (true, u128::from(u32::from(v4)), 32),
        IpAddr::V6(v6) => (false, u128::from(v6), 128),
    }
}

/// `value` with all but its first `bits` of `width` cleared.
fn mask(value: u128, width: u8, bits: u8) -> u128 {
    let host_bits = u32::from(width.saturating_sub(bits));
    if host_bits >= 128 {
        0
    } else {
        value & (!0u128 << host_bits)
    }
}

/// `validation.IsValidCIDR`.
fn validate_cidr(e: &mut Errs, path: &str, value: &str) {
    if parse_cidr(value).is_none() {
        e.invalid(path, &quote(value), "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
    }
}

/// `validation.IsWildcardDNS1123Subdomain`.
fn is_wildcard_dns1123_subdomain(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > 253 {
        errs.push(max_len_error(253));
    }
    let valid = value.strip_prefix("*.").is_some_and(|rest| is_dns1123_subdomain(rest).is_empty());
    if !valid {
        errs.push(regex_error(
            "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
            "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
            &["*.example.com"],
        ));
    }
    errs
}

/// A host: a (wildcard) DNS subdomain, not an IP address.
fn validate_host(e: &mut Errs, path: &str, host: &str) {
    let messages = if host.contains('*') { is_wildcard_dns1123_subdomain(host) } else { is_dns1123_subdomain(host) };
    for msg in messages {
        e.invalid(path, &quote(host), &msg);
    }
}

// ---- Ingress ----

/// `ValidateIngressCreate`: the spec, and the deprecated class annotation agreeing with
/// `ingressClassName`.
fn validate_ingress_create(e: &mut Errs, ingress: &Value) {
    validate_ingress_spec(e, ingress, true);
    let annotation = ingress.pointer("/metadata/annotations/kubernetes.io~1ingress.class").and_then(Value::as_str);
    let class_name = ingress.pointer("/spec/ingressClassName").and_then(Value::as_str);
    if let (Some(annotation), Some(class_name)) = (annotation, class_name) {
        if annotation != class_name {
            e.invalid(
                "annotations.kubernetes.io/ingress.class",
                &quote(annotation),
                "must match `ingressClassName` when both are specified",
            );
        }
    }
}

/// `ValidateIngressUpdate`: secret names that were invalid before may stay so.
fn validate_ingress_update(e: &mut Errs, new: &Value, old: &Value) {
    let old_has_invalid_secret = old.pointer("/spec/tls").and_then(Value::as_array).is_some_and(|tls| {
        tls.iter().any(|t| !is_dns1123_subdomain(s(t, "secretName")).is_empty() && !s(t, "secretName").is_empty())
    });
    validate_ingress_spec(e, new, !old_has_invalid_secret);
}

/// `ValidateIngressSpec`.
fn validate_ingress_spec(e: &mut Errs, ingress: &Value, check_secret_names: bool) {
    let Some(spec) = e.obj(ingress, "spec", "spec").map(|m| Value::Object(m.clone())) else {
        e.invalid("spec", "[]networking.IngressRule(nil)", "either `defaultBackend` or `rules` must be specified");
        return;
    };
    let rules = e.arr(&spec, "rules", "spec.rules").cloned();
    let has_default_backend = spec.get("defaultBackend").is_some_and(|b| !b.is_null());
    if rules.as_ref().is_none_or(Vec::is_empty) && !has_default_backend {
        let shown = if rules.is_some() { "[]networking.IngressRule{}" } else { "[]networking.IngressRule(nil)" };
        e.invalid("spec", shown, "either `defaultBackend` or `rules` must be specified");
    }
    if has_default_backend {
        validate_backend(e, &spec["defaultBackend"], "spec.defaultBackend");
    }
    for (i, rule) in rules.iter().flatten().enumerate() {
        let path = index("spec.rules", i);
        let host = e.str(rule, "host", &child(&path, "host")).unwrap_or("");
        if !host.is_empty() {
            if parse_ip(host).is_some() {
                e.invalid(&child(&path, "host"), &quote(host), "must be a DNS name, not an IP address");
            }
            validate_host(e, &child(&path, "host"), host);
        }
        let http_path = child(&path, "http");
        let Some(http) = e.obj(rule, "http", &http_path).map(|m| Value::Object(m.clone())) else { continue };
        let paths_path = child(&http_path, "paths");
        let paths = e.arr(&http, "paths", &paths_path).cloned().unwrap_or_default();
        if paths.is_empty() {
            e.required(&paths_path, "");
        }
        for (j, http_ingress_path) in paths.iter().enumerate() {
            validate_http_path(e, http_ingress_path, &index(&paths_path, j));
        }
    }
    let tls = e.arr(&spec, "tls", "spec.tls").cloned().unwrap_or_default();
    for (i, entry) in tls.iter().enumerate() {
        let path = index("spec.tls", i);
        let hosts = e.arr(entry, "hosts", &child(&path, "hosts")).cloned().unwrap_or_default();
        for (j, host) in hosts.iter().enumerate() {
            validate_host(e, &index(&child(&path, "hosts"), j), host.as_str().unwrap_or(""));
        }
        let secret = e.str(entry, "secretName", &child(&path, "secretName")).unwrap_or("");
        if check_secret_names && !secret.is_empty() {
            for msg in is_dns1123_subdomain(secret) {
                e.invalid(&child(&path, "secretName"), &quote(secret), &msg);
            }
        }
    }
    if let Some(class_name) = e.str(&spec, "ingressClassName", "spec.ingressClassName") {
        for msg in is_dns1123_subdomain(class_name) {
            e.invalid("spec.ingressClassName", &quote(class_name), &msg);
        }
    }
}

/// `validateHTTPIngressPath`.
fn validate_http_path(e: &mut Errs, http_path: &Value, path: &str) {
    let Some(path_type) = e.str(http_path, "pathType", &child(path, "pathType")) else {
        e.required(&child(path, "pathType"), "pathType must be specified");
        return;
    };
    let text = e.str(http_path, "path", &child(path, "path")).unwrap_or("");
    let path_field = child(path, "path");
    match path_type {
        "Exact" | "Prefix" => {
            if !text.starts_with('/') {
                e.invalid(&path_field, &quote(text), "must be an absolute path");
            }
            if !text.is_empty() {
                for sequence in ["//", "/./", "/../", "%2f", "%2F"] {
                    if text.contains(sequence) {
                        e.invalid(&path_field, &quote(text), &format!("must not contain '{sequence}'"));
                    }
                }
                for suffix in ["/..", "/."] {
                    if text.ends_with(suffix) {
                        e.invalid(&path_field, &quote(text), &format!("cannot end with '{suffix}'"));
                    }
                }
            }
        }
        "ImplementationSpecific" => {
            if !text.is_empty() && !text.starts_with('/') {
                e.invalid(&path_field, &quote(text), "must be an absolute path");
            }
        }
        other => {
            e.not_supported(&child(path, "pathType"), &quote(other), &["Exact", "ImplementationSpecific", "Prefix"])
        }
    }
    let backend = http_path.get("backend").cloned().unwrap_or(json!({}));
    validate_backend(e, &backend, &child(path, "backend"));
}

/// `validateIngressBackend`: a service (name, and a port name or number) or a resource.
fn validate_backend(e: &mut Errs, backend: &Value, path: &str) {
    let has = |key: &str| backend.get(key).is_some_and(|v| !v.is_null());
    match (has("resource"), has("service")) {
        (true, true) => e.invalid(path, "\"\"", "cannot set both resource and service backends"),
        (true, false) => validate_typed_local_object_reference(e, &backend["resource"], &child(path, "resource")),
        (false, true) => {
            let service = &backend["service"];
            let name_path = child(path, "service.name");
            let name = e.str(service, "name", &name_path).unwrap_or("");
            if name.is_empty() {
                e.required(&name_path, "");
            } else {
                for msg in is_dns1035_label(name) {
                    e.invalid(&name_path, &quote(name), &msg);
                }
            }
            let port = service.get("port").cloned().unwrap_or(json!({}));
            let port_name = e.str(&port, "name", &child(path, "service.port.name")).unwrap_or("");
            let number = e.int(&port, "number", &child(path, "service.port.number")).unwrap_or(0);
            if !port_name.is_empty() && number != 0 {
                e.invalid(path, "\"\"", "cannot set both port name & port number");
            } else if !port_name.is_empty() {
                for msg in is_valid_port_name(port_name) {
                    e.invalid(&child(path, "service.port.name"), &quote(port_name), &msg);
                }
            } else if number != 0 {
                for msg in is_valid_port_num(number) {
                    e.invalid(&child(path, "service.port.number"), &number.to_string(), &msg);
                }
            } else {
                e.required(path, "port name or number is required");
            }
        }
        (false, false) => e.invalid(path, "\"\"", "resource or service backend is required"),
    }
}

/// `validateIngressTypedLocalObjectReference`.
fn validate_typed_local_object_reference(e: &mut Errs, reference: &Value, path: &str) {
    if let Some(group) = e.str(reference, "apiGroup", &child(path, "apiGroup")) {
        for msg in is_dns1123_subdomain(group) {
            e.invalid(&child(path, "apiGroup"), &quote(group), &msg);
        }
    }
    for (key, what) in [("kind", "kind is required"), ("name", "name is required")] {
        let value = e.str(reference, key, &child(path, key)).unwrap_or("");
        if value.is_empty() {
            e.required(&child(path, key), what);
        }
        for msg in if value.is_empty() { Vec::new() } else { path_segment_name(value) } {
            e.invalid(&child(path, key), &quote(value), &msg);
        }
    }
}

// ---- IngressClass ----

/// `SetDefaults_IngressClass`: parameters are cluster-scoped unless said otherwise.
fn default_ingress_class(object: &mut Value) {
    let parameters =
        object.as_object_mut().and_then(|o| obj_mut(o, "spec")).and_then(|spec| obj_mut(spec, "parameters"));
    if let Some(parameters) = parameters {
        set_default(parameters, "scope", json!("Cluster"));
    }
}

/// `ValidateIngressClass`.
fn validate_ingress_class(e: &mut Errs, class: &Value) {
    let spec = e.obj(class, "spec", "spec").map(|m| Value::Object(m.clone())).unwrap_or(json!({}));
    let controller = e.str(&spec, "controller", "spec.controller").unwrap_or("");
    if controller.len() > 250 {
        e.too_long("spec.controller", 250);
    }
    validate_domain_prefixed_path(e, "spec.controller", controller);
    let Some(parameters) = e.obj(&spec, "parameters", "spec.parameters").map(|m| Value::Object(m.clone())) else {
        return;
    };
    validate_typed_local_object_reference(e, &parameters, "spec.parameters");
    let Some(scope) = e.str(&parameters, "scope", "spec.parameters.scope") else {
        e.required("spec.parameters.scope", "");
        return;
    };
    let namespace = e.str(&parameters, "namespace", "spec.parameters.namespace");
    match (scope, namespace) {
        ("Namespace", None) => e.required("spec.parameters.namespace", "`parameters.scope` is set to 'Namespace'"),
        ("Namespace", Some(namespace)) => {
            for msg in is_dns1123_label(namespace) {
                e.invalid("spec.parameters.namespace", &quote(namespace), &msg);
            }
        }
        ("Cluster", Some(_)) => e.forbidden("spec.parameters.namespace", "`parameters.scope` is set to 'Cluster'"),
        ("Cluster", None) => {}
        (other, _) => e.not_supported("spec.parameters.scope", &quote(other), &["Cluster", "Namespace"]),
    }
}

/// `validation.IsDomainPrefixedPath`.
fn validate_domain_prefixed_path(e: &mut Errs, path: &str, value: &str) {
    if value.is_empty() {
        e.required(path, "");
        return;
    }
    let Some((host, rest)) = value.split_once('/').filter(|(host, rest)| !host.is_empty() && !rest.is_empty()) else {
        e.invalid(path, &quote(value), "must be a domain-prefixed path (such as \"acme.io/foo\")");
        return;
    };
    for msg in is_dns1123_subdomain(host) {
        e.invalid(path, &quote(host), &msg);
    }
    let http_path_char = |c: char| c.is_ascii_alphanumeric() || "/-._~%!$&'()*+,;=:".contains(c);
    if !rest.chars().all(http_path_char) {
        e.invalid(path, &quote(rest), &regex_error("Invalid path", "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+", &[]));
    }
}

/// `ValidateIngressClassUpdate`: the controller may not change.
fn validate_ingress_class_update(e: &mut Errs, new: &Value, old: &Value) {
    let controller = |class: &Value| class.pointer("/spec/controller").cloned().unwrap_or(json!(""));
    if controller(new) != controller(old) {
        e.invalid("spec.controller", &go_json(&controller(new)), "field is immutable");
    }
    validate_ingress_class(e, new);
}

// ---- NetworkPolicy ----

/// `SetDefaults_NetworkPolicy` and `SetDefaults_NetworkPolicyPort`: policy types from the rules
/// present, ports TCP.
fn default_network_policy(object: &mut Value) {
    let Some(spec) = object.as_object_mut().and_then(|o| ensure_obj(o, "spec")) else { return };
    let has_types = spec.get("policyTypes").and_then(Value::as_array).is_some_and(|t| !t.is_empty());
    if !has_types {
        let has_egress = spec.get("egress").and_then(Value::as_array).is_some_and(|r| !r.is_empty());
        let types = if has_egress { json!(["Ingress", "Egress"]) } else { json!(["Ingress"]) };
        spec.insert("policyTypes".into(), types);
    }
    for rules in ["ingress", "egress"] {
        each_obj_mut(spec, rules, |rule| {
            each_obj_mut(rule, "ports", |port| set_default(port, "protocol", json!("TCP")))
        });
    }
}

/// `ValidateNetworkPolicySpec`.
fn validate_network_policy(e: &mut Errs, policy: &Value) {
    let Some(spec) = e.obj(policy, "spec", "spec").map(|m| Value::Object(m.clone())) else { return };
    validate_label_selector(e, &spec, "podSelector", "spec.podSelector");
    for (rules_key, peers_key) in [("ingress", "from"), ("egress", "to")] {
        let rules_path = child("spec", rules_key);
        for (i, rule) in e.arr(&spec, rules_key, &rules_path).cloned().unwrap_or_default().iter().enumerate() {
            let rule_path = index(&rules_path, i);
            let ports_path = child(&rule_path, "ports");
            for (j, port) in e.arr(rule, "ports", &ports_path).cloned().unwrap_or_default().iter().enumerate() {
                validate_network_policy_port(e, port, &index(&ports_path, j));
            }
            let peers_path = child(&rule_path, peers_key);
            for (j, peer) in e.arr(rule, peers_key, &peers_path).cloned().unwrap_or_default().iter().enumerate() {
                validate_peer(e, peer, &index(&peers_path, j));
            }
        }
    }
    let types = e.arr(&spec, "policyTypes", "spec.policyTypes").cloned().unwrap_or_default();
    if types.len() > 2 {
        let shown: Vec<String> = types.iter().map(|t| quote(t.as_str().unwrap_or(""))).collect();
        e.invalid(
            "spec.policyTypes",
            &format!("[]networking.PolicyType{{{}}}", shown.join(", ")),
            "may not specify more than two policyTypes",
        );
        return;
    }
    for (i, policy_type) in types.iter().enumerate() {
        let text = policy_type.as_str().unwrap_or("");
        if text != "Ingress" && text != "Egress" {
            e.not_supported(&index("spec.policyTypes", i), &quote(text), &["Ingress", "Egress"]);
        }
    }
}

/// `ValidateNetworkPolicyPort`.
fn validate_network_policy_port(e: &mut Errs, port: &Value, path: &str) {
    if let Some(protocol) = e.str(port, "protocol", &child(path, "protocol")) {
        if !["TCP", "UDP", "SCTP"].contains(&protocol) {
            e.not_supported(&child(path, "protocol"), &quote(protocol), &["TCP", "UDP", "SCTP"]);
        }
    }
    let end_port = e.int(port, "endPort", &child(path, "endPort"));
    match port.get("port") {
        Some(Value::Number(number)) => {
            let number = number.as_i64().unwrap_or(0);
            for msg in is_valid_port_num(number) {
                e.invalid(&child(path, "port"), &number.to_string(), &msg);
            }
            if let Some(end_port) = end_port {
                if end_port < number {
                    e.invalid(&child(path, "endPort"), &number.to_string(), "must be greater than or equal to `port`");
                }
                for msg in is_valid_port_num(end_port) {
                    e.invalid(&child(path, "endPort"), &end_port.to_string(), &msg);
                }
            }
        }
        Some(Value::String(name)) => {
            if let Some(end_port) = end_port {
                e.invalid(
                    &child(path, "endPort"),
                    &end_port.to_string(),
                    "may not be specified when `port` is non-numeric",
                );
            }
            for msg in is_valid_port_name(name) {
                e.invalid(&child(path, "port"), &quote(name), &msg);
            }
        }
        None | Some(Value::Null) => {
            if let Some(end_port) = end_port {
                e.invalid(
                    &child(path, "endPort"),
                    &end_port.to_string(),
                    "may not be specified when `port` is not specified",
                );
            }
        }
        Some(other) => e.wrong_type(&child(path, "port"), other, "integer or string"),
    }
}

/// `ValidateNetworkPolicyPeer`: exactly one kind of peer, or selectors together.
fn validate_peer(e: &mut Errs, peer: &Value, path: &str) {
    let has = |key: &str| peer.get(key).is_some_and(|v| !v.is_null());
    let mut peers = 0;
    for key in ["podSelector", "namespaceSelector"] {
        if has(key) {
            peers += 1;
            validate_label_selector(e, peer, key, &child(path, key));
        }
    }
    if has("ipBlock") {
        peers += 1;
        validate_ip_block(e, &peer["ipBlock"], &child(path, "ipBlock"));
    }
    if peers == 0 {
        e.required(path, "must specify a peer");
    } else if peers > 1 && has("ipBlock") {
        e.forbidden(path, "may not specify both ipBlock and another peer");
    }
}

/// `ValidateIPBlock`: a CIDR and its strict subsets.
fn validate_ip_block(e: &mut Errs, block: &Value, path: &str) {
    let cidr = e.str(block, "cidr", &child(path, "cidr")).unwrap_or("");
    if cidr.is_empty() {
        e.required(&child(path, "cidr"), "");
        return;
    }
    validate_cidr(e, &child(path, "cidr"), cidr);
    let Some((ip, bits)) = parse_cidr(cidr) else { return };
    let (family, address, width) = network(ip);
    let base = mask(address, width, bits);
    let except_path = child(path, "except");
    for (i, except) in e.arr(block, "except", &except_path).cloned().unwrap_or_default().iter().enumerate() {
        let text = except.as_str().unwrap_or("");
        let path = index(&except_path, i);
        validate_cidr(e, &path, text);
        let Some((except_ip, except_bits)) = parse_cidr(text) else { continue };
        let (except_family, except_address, except_width) = network(except_ip);
        let except_base = mask(except_address, except_width, except_bits);
        let contained = family == except_family && mask(except_base, width, bits) == base;
        if !contained || bits >= except_bits {
            e.invalid(&path, &quote(text), "must be a strict subset of `cidr`");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::strategy::field::errs;

    fn ingress(spec: Value) -> Value {
        json!({"metadata": {"name": "web", "namespace": "default"}, "spec": spec})
    }

    fn service_backend() -> Value {
        json!({"service": {"name": "web", "port": {"number": 80}}})
    }

    #[test]
    fn a_simple_ingress_is_valid() {
        let ing = ingress(json!({"ingressClassName": "nginx", "rules": [{"host": "foo.example.com",
            "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": service_backend()}]}}],
            "tls": [{"hosts": ["*.example.com"], "secretName": "tls"}]}));
        assert!(errs(|e| validate_ingress_create(e, &ing)).is_empty());
    }

    #[test]
    fn ingress_needs_rules_or_a_default_backend() {
        assert_eq!(
            errs(|e| validate_ingress_create(e, &ingress(json!({})))),
            vec![(
                "spec".to_string(),
                "Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified"
                    .to_string()
            )]
        );
    }

    #[test]
    fn paths_need_a_path_type_and_one_backend() {
        let ing = ingress(json!({"rules": [{"host": "1.2.3.4", "http": {"paths": [
            {"path": "/", "backend": service_backend()},
            {"path": "a//b", "pathType": "Exact", "backend": {"service": {"name": "web", "port": {"number": 80}}, "resource": {"kind": "K", "name": "n"}}},
            {"path": "/", "pathType": "Regex", "backend": {"service": {"name": "web"}}},
        ]}}]}));
        assert_eq!(
            errs(|e| validate_ingress_create(e, &ing)),
            vec![
                (
                    "spec.rules[0].host".to_string(),
                    "Invalid value: \"1.2.3.4\": must be a DNS name, not an IP address".to_string()
                ),
                (
                    "spec.rules[0].http.paths[0].pathType".to_string(),
                    "Required value: pathType must be specified".to_string()
                ),
                (
                    "spec.rules[0].http.paths[1].path".to_string(),
                    "Invalid value: \"a//b\": must be an absolute path".to_string()
                ),
                (
                    "spec.rules[0].http.paths[1].path".to_string(),
                    "Invalid value: \"a//b\": must not contain '//'".to_string()
                ),
                (
                    "spec.rules[0].http.paths[1].backend".to_string(),
                    "Invalid value: \"\": cannot set both resource and service backends".to_string()
                ),
                (
                    "spec.rules[0].http.paths[2].pathType".to_string(),
                    "Unsupported value: \"Regex\": supported values: \"Exact\", \"ImplementationSpecific\", \"Prefix\""
                        .to_string()
                ),
                (
                    "spec.rules[0].http.paths[2].backend".to_string(),
                    "Required value: port name or number is required".to_string()
                ),
            ]
        );
    }

    #[test]
    fn tls_hosts_and_class_names_are_checked() {
        let ing = ingress(
            json!({"defaultBackend": service_backend(), "ingressClassName": "Nginx", "tls": [{"hosts": ["*"]}]}),
        );
        let causes = errs(|e| validate_ingress_create(e, &ing));
        assert_eq!(causes[0].0, "spec.tls[0].hosts[0]");
        assert!(causes[0].1.starts_with("Invalid value: \"*\": a wildcard DNS-1123 subdomain must start with '*.'"));
        assert_eq!(causes[1].0, "spec.ingressClassName");
    }

    #[test]
    fn ingress_class_parameters_default_to_cluster_scope_and_controller_is_immutable() {
        let mut class = json!({"metadata": {"name": "nginx"}, "spec": {"controller": "k8s.io/ingress-nginx",
            "parameters": {"kind": "Params", "name": "p"}}});
        default_ingress_class(&mut class);
        assert_eq!(class["spec"]["parameters"]["scope"], "Cluster");
        assert!(errs(|e| validate_ingress_class(e, &class)).is_empty());
        let mut changed = class.clone();
        changed["spec"]["controller"] = json!("example.com/other");
        assert_eq!(
            errs(|e| validate_ingress_class_update(e, &changed, &class)),
            vec![(
                "spec.controller".to_string(),
                "Invalid value: \"example.com/other\": field is immutable".to_string()
            )]
        );
        let bad = json!({"metadata": {"name": "x"}, "spec": {"controller": "nginx"}});
        assert_eq!(
            errs(|e| validate_ingress_class(e, &bad)),
            vec![(
                "spec.controller".to_string(),
                "Invalid value: \"nginx\": must be a domain-prefixed path (such as \"acme.io/foo\")".to_string()
            )]
        );
    }

    #[test]
    fn network_policy_defaults_types_from_egress_and_ports_to_tcp() {
        let mut policy = json!({"metadata": {"name": "p"}, "spec": {"podSelector": {},
            "egress": [{"ports": [{"port": 53}]}]}});
        default_network_policy(&mut policy);
        assert_eq!(policy["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
        assert_eq!(policy["spec"]["egress"][0]["ports"][0]["protocol"], "TCP");
        let mut ingress_only = json!({"spec": {"podSelector": {}}});
        default_network_policy(&mut ingress_only);
        assert_eq!(ingress_only["spec"]["policyTypes"], json!(["Ingress"]));
    }

    #[test]
    fn network_policy_peers_ports_and_blocks() {
        let policy = json!({"spec": {"podSelector": {}, "ingress": [{"ports": [{"port": 80, "endPort": 70, "protocol": "ICMP"}],
            "from": [{}, {"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.1.0.0/24", "10.0.1.0/24"]}, "podSelector": {}}]}],
            "policyTypes": ["Ingress", "Sideways"]}});
        assert_eq!(
            errs(|e| validate_network_policy(e, &policy)),
            vec![
                (
                    "spec.ingress[0].ports[0].protocol".to_string(),
                    "Unsupported value: \"ICMP\": supported values: \"TCP\", \"UDP\", \"SCTP\"".to_string()
                ),
                (
                    "spec.ingress[0].ports[0].endPort".to_string(),
                    "Invalid value: 80: must be greater than or equal to `port`".to_string()
                ),
                ("spec.ingress[0].from[0]".to_string(), "Required value: must specify a peer".to_string()),
                (
                    "spec.ingress[0].from[1].ipBlock.except[0]".to_string(),
                    "Invalid value: \"10.1.0.0/24\": must be a strict subset of `cidr`".to_string()
                ),
                (
                    "spec.ingress[0].from[1]".to_string(),
                    "Forbidden: may not specify both ipBlock and another peer".to_string()
                ),
                (
                    "spec.policyTypes[1]".to_string(),
                    "Unsupported value: \"Sideways\": supported values: \"Ingress\", \"Egress\"".to_string()
                ),
            ]
        );
    }

    #[test]
    fn sloppy_ips_accept_leading_zeros() {
        assert!(parse_ip("010.001.0.1").is_some());
        assert!(parse_ip("300.1.1.1").is_none());
        assert!(parse_cidr("fd00::/64").is_some());
        assert!(parse_cidr("10.0.0.0/33").is_none());
    }
}
