//! The strategy of discovery.k8s.io/v1: EndpointSlice (`pkg/apis/discovery/v1/defaults.go`,
//! `pkg/apis/discovery/validation`, `pkg/registry/discovery/endpointslice/strategy.go`):
//! an address type that may not change, addresses of that type, named TCP/UDP/SCTP ports,
//! and a generation counting every change beyond metadata (other than labels).

use std::collections::HashSet;
use std::net::IpAddr;

use serde_json::{json, Map, Value};

use super::field::{child, each_obj_mut, ensure_obj, go_json, index, quote, set_default, Errs};
use super::meta::validate_labels;
use super::networking::parse_ip;
use super::Strategy;
use crate::machinery::validation::{is_dns1123_label, is_dns1123_subdomain, is_label_value, is_qualified_name};
use crate::registry::tables;

pub(crate) static ENDPOINT_SLICE: Strategy = Strategy {
    defaulter: default_endpoint_slice,
    keep_on_update: count_endpoint_slice_generation,
    validator: validate_endpoint_slice,
    update_validator: Some(validate_endpoint_slice_update),
    printer: &tables::more_kinds::ENDPOINT_SLICE,
    ..Strategy::DEFAULT
};

const ADDRESS_TYPES: &[&str] = &["FQDN", "IPv4", "IPv6"];
const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];

/// `SetDefaults_EndpointPort` (name "", protocol TCP), and generation 1 for a new slice (the
/// create pipeline clears what the client sent).
fn default_endpoint_slice(object: &mut Value) {
    let Some(root) = object.as_object_mut() else { return };
    each_obj_mut(root, "ports", |port| {
        set_default(port, "name", json!(""));
        set_default(port, "protocol", json!("TCP"));
    });
    if let Some(meta) = ensure_obj(root, "metadata") {
        set_default(meta, "generation", json!(1));
    }
}

/// Upstream's `PrepareForUpdate`: the generation moves when anything but metadata changed,
/// or the labels did.
fn count_endpoint_slice_generation(root: &mut Map<String, Value>, old: &Value) {
    let old_root = old.as_object().cloned().unwrap_or_default();
    let labels = |object: &Map<String, Value>| object.get("metadata").and_then(|m| m.get("labels")).cloned();
    let changed = without_meta(root) != without_meta(&old_root) || labels(root) != labels(&old_root);
    let old_generation = old.pointer("/metadata/generation").and_then(Value::as_i64).unwrap_or(1);
    if let Some(meta) = ensure_obj(root, "metadata") {
        meta.insert("generation".into(), json!(if changed { old_generation + 1 } else { old_generation }));
    }
}

/// The object's fields other than its metadata and type.
fn without_meta(object: &Map<String, Value>) -> Vec<(&String, &Value)> {
    object.iter().filter(|(key, _)| !["metadata", "apiVersion", "kind"].contains(&key.as_str())).collect()
}

/// `ValidateEndpointSlice` beyond ObjectMeta.
fn validate_endpoint_slice(e: &mut Errs, slice: &Value) {
    let address_type = e.str(slice, "addressType", "addressType").unwrap_or("");
    if address_type.is_empty() {
        e.required("addressType", "");
    } else if !ADDRESS_TYPES.contains(&address_type) {
        e.not_supported("addressType", &quote(address_type), ADDRESS_TYPES);
    }
    for (i, endpoint) in e.arr(slice, "endpoints", "endpoints").cloned().unwrap_or_default().iter().enumerate() {
        validate_endpoint(e, endpoint, address_type, &index("endpoints", i));
    }
    let mut names = HashSet::new();
    for (i, port) in e.arr(slice, "ports", "ports").cloned().unwrap_or_default().iter().enumerate() {
        let path = index("ports", i);
        let name = e.str(port, "name", &child(&path, "name")).unwrap_or("").to_string();
        if !name.is_empty() {
            for msg in is_dns1123_label(&name) {
                e.invalid(&child(&path, "name"), &quote(&name), &msg);
            }
        }
        if !names.insert(name.clone()) {
            e.duplicate(&child(&path, "name"), &quote(&name));
        }
        match e.str(port, "protocol", &child(&path, "protocol")) {
            None => e.required(&child(&path, "protocol"), ""),
            Some(protocol) if !PROTOCOLS.contains(&protocol) => {
                e.not_supported(&child(&path, "protocol"), &quote(protocol), PROTOCOLS)
            }
            Some(_) => {}
        }
        if let Some(app_protocol) = e.str(port, "appProtocol", &child(&path, "appProtocol")) {
            for msg in is_qualified_name(app_protocol) {
                e.invalid(&child(&path, "appProtocol"), &quote(app_protocol), &msg);
            }
        }
    }
}

/// One endpoint: its addresses per the slice's type, node name, topology, hostname, hints.
fn validate_endpoint(e: &mut Errs, endpoint: &Value, address_type: &str, path: &str) {
    let addresses_path = child(path, "addresses");
    let addresses = e.arr(endpoint, "addresses", &addresses_path).cloned().unwrap_or_default();
    if addresses.is_empty() {
        e.required(&addresses_path, "must contain at least 1 address");
    }
    for (i, address) in addresses.iter().enumerate() {
        let path = index(&addresses_path, i);
        let text = address.as_str().unwrap_or("");
        match address_type {
            "IPv4" => {
                if !parse_ip(text).is_some_and(|ip| ip.is_ipv4()) {
                    e.invalid(&path, &quote(text), "must be a valid IPv4 address");
                }
                validate_non_special_ip(e, &path, text);
            }
            "IPv6" => {
                if !parse_ip(text).is_some_and(|ip| ip.is_ipv6()) {
                    e.invalid(&path, &quote(text), "must be a valid IPv6 address");
                }
                validate_non_special_ip(e, &path, text);
            }
            "FQDN" => validate_fqdn(e, &path, text),
            _ => {}
        }
    }
    if let Some(node_name) = e.str(endpoint, "nodeName", &child(path, "nodeName")) {
        for msg in is_dns1123_subdomain(node_name) {
            e.invalid(&child(path, "nodeName"), &quote(node_name), &msg);
        }
    }
    validate_labels(e, endpoint, "deprecatedTopology", &child(path, "deprecatedTopology"));
    if let Some(hostname) = e.str(endpoint, "hostname", &child(path, "hostname")) {
        for msg in is_dns1123_label(hostname) {
            e.invalid(&child(path, "hostname"), &quote(hostname), &msg);
        }
    }
    if let Some(conditions) =
        e.obj(endpoint, "conditions", &child(path, "conditions")).map(|m| Value::Object(m.clone()))
    {
        for condition in ["ready", "serving", "terminating"] {
            e.bool(&conditions, condition, &child(path, &format!("conditions.{condition}")));
        }
    }
    let hints_path = child(path, "hints");
    if let Some(hints) = e.obj(endpoint, "hints", &hints_path).map(|m| Value::Object(m.clone())) {
        let zones_path = child(&hints_path, "forZones");
        let mut zones = HashSet::new();
        for (i, zone) in e.arr(&hints, "forZones", &zones_path).cloned().unwrap_or_default().iter().enumerate() {
            let path = child(&index(&zones_path, i), "name");
            let name = zone.get("name").and_then(Value::as_str).unwrap_or("").to_string();
            if !zones.insert(name.clone()) {
                e.duplicate(&path, &quote(&name));
            }
            for msg in is_label_value(&name) {
                e.invalid(&path, &quote(&name), &msg);
            }
        }
    }
}

/// `ValidateNonSpecialIP`.
fn validate_non_special_ip(e: &mut Errs, path: &str, text: &str) {
    let Some(ip) = parse_ip(text) else {
        e.invalid(path, &quote(text), "must be a valid IP address");
        return;
    };
    let (unspecified, loopback, link_local, link_local_multicast) = match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            (v4.is_unspecified(), v4.is_loopback(), v4.is_link_local(), o[0] == 224 && o[1] == 0 && o[2] == 0)
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            (v6.is_unspecified(), v6.is_loopback(), s[0] & 0xffc0 == 0xfe80, s[0] & 0xff0f == 0xff02)
        }
    };
    if unspecified {
        e.invalid(path, &quote(text), &format!("may not be unspecified ({text})"));
    }
    if loopback {
        e.invalid(path, &quote(text), "may not be in the loopback range (127.0.0.0/8, ::1/128)");
    }
    if link_local {
        e.invalid(path, &quote(text), "may not be in the link-local range (169.254.0.0/16, fe80::/10)");
    }
    if link_local_multicast {
        e.invalid(path, &quote(text), "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
    }
}

/// `validation.IsFullyQualifiedDomainName`.
fn validate_fqdn(e: &mut Errs, path: &str, name: &str) {
    if name.is_empty() {
        e.required(path, "");
        return;
    }
    let name = name.strip_suffix('.').unwrap_or(name);
    let errs = is_dns1123_subdomain(name);
    if !errs.is_empty() {
        e.invalid(path, &quote(name), &errs.join(","));
        return;
    }
    if name.split('.').count() < 2 {
        e.invalid(path, &quote(name), "should be a domain with at least two segments separated by dots");
        return;
    }
    for label in name.split('.') {
        let errs = is_dns1123_label(label);
        if !errs.is_empty() {
            e.invalid(path, &quote(label), &errs.join(","));
            return;
        }
    }
}

/// `ValidateEndpointSliceUpdate`: the slice as on create, and the address type kept.
fn validate_endpoint_slice_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_endpoint_slice(e, new);
    let address_type = |slice: &Value| slice.get("addressType").cloned().unwrap_or(json!(""));
    if address_type(new) != address_type(old) {
        e.invalid("addressType", &go_json(&address_type(new)), "field is immutable");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::strategy::field::errs;

    fn slice(address_type: &str, addresses: Value) -> Value {
        json!({"metadata": {"name": "web-abc"}, "addressType": address_type,
            "endpoints": [{"addresses": addresses, "conditions": {"ready": true}}], "ports": [{"name": "http", "port": 80}]})
    }

    #[test]
    fn ports_default_to_tcp_and_a_valid_slice_passes() {
        let mut s = slice("IPv4", json!(["10.244.0.5"]));
        default_endpoint_slice(&mut s);
        assert_eq!(s["ports"][0]["protocol"], "TCP");
        assert_eq!(s["metadata"]["generation"], 1);
        assert!(errs(|e| validate_endpoint_slice(e, &s)).is_empty());
    }

    #[test]
    fn address_type_is_required_and_addresses_follow_it() {
        let mut s = slice("", json!([]));
        s.as_object_mut().map(|o| o.remove("addressType"));
        default_endpoint_slice(&mut s);
        assert_eq!(
            errs(|e| validate_endpoint_slice(e, &s)),
            vec![
                ("addressType".to_string(), "Required value".to_string()),
                ("endpoints[0].addresses".to_string(), "Required value: must contain at least 1 address".to_string()),
            ]
        );
        let mut s = slice("IPv4", json!(["fd00::1", "127.0.0.1"]));
        default_endpoint_slice(&mut s);
        assert_eq!(
            errs(|e| validate_endpoint_slice(e, &s)),
            vec![
                (
                    "endpoints[0].addresses[0]".to_string(),
                    "Invalid value: \"fd00::1\": must be a valid IPv4 address".to_string()
                ),
                (
                    "endpoints[0].addresses[1]".to_string(),
                    "Invalid value: \"127.0.0.1\": may not be in the loopback range (127.0.0.0/8, ::1/128)".to_string()
                ),
            ]
        );
        let mut s = slice("FQDN", json!(["localhost"]));
        default_endpoint_slice(&mut s);
        assert_eq!(
            errs(|e| validate_endpoint_slice(e, &s)),
            vec![(
                "endpoints[0].addresses[0]".to_string(),
                "Invalid value: \"localhost\": should be a domain with at least two segments separated by dots"
                    .to_string()
            )]
        );
    }

    #[test]
    fn ports_are_unique_and_of_known_protocols() {
        let s = json!({"addressType": "IPv4", "ports": [{"name": "http", "protocol": "TCP"}, {"name": "http", "protocol": "ICMP"}]});
        assert_eq!(
            errs(|e| validate_endpoint_slice(e, &s)),
            vec![
                ("ports[1].name".to_string(), "Duplicate value: \"http\"".to_string()),
                (
                    "ports[1].protocol".to_string(),
                    "Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"".to_string()
                ),
            ]
        );
    }

    #[test]
    fn address_type_is_immutable_and_changes_count_generations() {
        let old = json!({"metadata": {"name": "s", "generation": 3}, "addressType": "IPv4"});
        let new = json!({"metadata": {"name": "s", "generation": 3}, "addressType": "IPv6"});
        assert_eq!(
            errs(|e| validate_endpoint_slice_update(e, &new, &old)),
            vec![("addressType".to_string(), "Invalid value: \"IPv6\": field is immutable".to_string())]
        );
        let mut root = new.as_object().cloned().unwrap_or_default();
        count_endpoint_slice_generation(&mut root, &old);
        assert_eq!(root["metadata"]["generation"], 4);
        let mut same = old.as_object().cloned().unwrap_or_default();
        count_endpoint_slice_generation(&mut same, &old);
        assert_eq!(same["metadata"]["generation"], 3);
    }
}
