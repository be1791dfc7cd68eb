//! The Pod's strategy, and the rules of pods and pod templates: the v1 defaulters
//! (`SetDefaults_PodSpec`, `_Container`, `_Probe`, `_Volume`, `_Pod`), the admission plugins
//! that visibly change a Pod (ServiceAccount, Priority, DefaultTolerationSeconds),
//! `PrepareForCreate`'s status, `ValidatePodSpec` and `ValidatePodUpdate` with upstream's field
//! paths and messages.

use serde_json::{json, Map, Value};

use super::field::{
    child, each_obj_mut, ensure_obj, go_json, index, obj_mut, quote, s, set_default, set_default_str, unset, Errs,
};
use super::meta::{validate_annotations, validate_labels};
use super::selectable::{flag, text, text_at};
use super::{FieldSet, InitialStatus, Strategy};
use crate::machinery::validation::{
    is_dns1123_label, is_dns1123_subdomain, is_label_value, is_qualified_name, is_valid_port_name, is_valid_port_num,
};
use crate::registry::tables;

const PROTOCOLS: &[&str] = &["SCTP", "TCP", "UDP"];

/// Upstream's `podStrategy`.
pub(crate) static POD: Strategy = Strategy {
    defaulter: default_pod,
    initial_status: InitialStatus::From(initial_status),
    keep_on_update: keep_admitted_priority,
    validator: validate_pod,
    update_validator: Some(validate_pod_update),
    fields: FieldSet::of(&[
        text("spec.nodeName"),
        text_at("spec.host", "spec.nodeName"),
        text("spec.restartPolicy"),
        text("spec.schedulerName"),
        text("spec.serviceAccountName"),
        flag("spec.hostNetwork"),
        text("status.phase"),
        text("status.podIP"),
        // Accepted by the v1 conversion but not in the field set: always empty.
        text_at("status.podIPs", ""),
        text("status.nominatedNodeName"),
    ]),
    printer: &tables::pods::POD,
    ..Strategy::DEFAULT
};

/// `PrepareForCreate`'s status: phase Pending and the pod's QoS class.
fn initial_status(pod: &Value) -> Value {
    json!({"phase": "Pending", "qosClass": created_qos_class(pod)})
}

/// The QoS class a new pod is created with: BestEffort without requests or limits, Guaranteed
/// when every container limits cpu and memory and requests (if at all) the same text.
fn created_qos_class(pod: &Value) -> &'static str {
    let containers: Vec<&Value> = ["containers", "initContainers"]
        .iter()
        .filter_map(|field| pod.pointer(&format!("/spec/{field}")).and_then(Value::as_array))
        .flatten()
        .collect();
    let resources =
        |c: &Value, kind: &str| c.pointer(&format!("/resources/{kind}")).and_then(Value::as_object).cloned();
    let any = containers.iter().any(|c| {
        resources(c, "requests").is_some_and(|r| !r.is_empty()) || resources(c, "limits").is_some_and(|l| !l.is_empty())
    });
    if !any {
        return "BestEffort";
    }
    let guaranteed = containers.iter().all(|c| {
        let limits = resources(c, "limits").unwrap_or_default();
        let requests = resources(c, "requests").unwrap_or_default();
        ["cpu", "memory"]
            .iter()
            .all(|r| limits.get(*r).is_some_and(|limit| requests.get(*r).is_none_or(|request| request == limit)))
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

// ---------------------------------------------------------------------------------------------
// Defaults

/// Defaults of a pod spec, applied to Pods and every pod template alike.
pub(crate) fn default_pod_spec(spec: &mut Map<String, Value>) {
    set_default_str(spec, "dnsPolicy", "ClusterFirst");
    set_default_str(spec, "restartPolicy", "Always");
    set_default(spec, "terminationGracePeriodSeconds", json!(30));
    set_default(spec, "securityContext", json!({}));
    set_default_str(spec, "schedulerName", "default-scheduler");
    for key in ["initContainers", "containers"] {
        each_obj_mut(spec, key, default_container);
    }
    each_obj_mut(spec, "volumes", default_volume);
    mirror_service_account(spec);
}

/// v1 conversion keeps the deprecated `serviceAccount` equal to `serviceAccountName`.
fn mirror_service_account(spec: &mut Map<String, Value>) {
    let deprecated = spec.get("serviceAccount").and_then(Value::as_str).unwrap_or("").to_string();
    if !deprecated.is_empty() {
        set_default_str(spec, "serviceAccountName", &deprecated);
    }
    if let Some(name) = spec.get("serviceAccountName").and_then(Value::as_str).filter(|n| !n.is_empty()) {
        let name = name.to_string();
        spec.insert("serviceAccount".into(), Value::String(name));
    }
}

/// `Always` when the tag is `latest` or absent (and there is no digest), else `IfNotPresent`.
pub(crate) fn pull_policy_for(image: &str) -> &'static str {
    let parseable = !image.is_empty() && !image.chars().any(|c| c.is_whitespace());
    if !parseable {
        return "IfNotPresent";
    }
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    // Upper case is only valid in the registry host, never in the final path component.
    if name.contains('/') && last.chars().any(|c| c.is_ascii_uppercase())
        || !name.contains('/') && name.chars().any(|c| c.is_ascii_uppercase())
    {
        return "IfNotPresent";
    }
    let tag = last.split_once(':').map(|(_, t)| t);
    match (tag, digest) {
        (Some("latest"), _) => "Always",
        (None, None) => "Always",
        _ => "IfNotPresent",
    }
}

fn default_container(c: &mut Map<String, Value>) {
    if unset(c, "imagePullPolicy") || c.get("imagePullPolicy").and_then(Value::as_str) == Some("") {
        let policy = pull_policy_for(c.get("image").and_then(Value::as_str).unwrap_or(""));
        c.insert("imagePullPolicy".into(), Value::String(policy.into()));
    }
    set_default_str(c, "terminationMessagePath", "/dev/termination-log");
    set_default_str(c, "terminationMessagePolicy", "File");
    set_default(c, "resources", json!({}));
    each_obj_mut(c, "ports", |p| set_default_str(p, "protocol", "TCP"));
    each_obj_mut(c, "env", |env| {
        if let Some(field_ref) = obj_mut(env, "valueFrom").and_then(|vf| obj_mut(vf, "fieldRef")) {
            set_default_str(field_ref, "apiVersion", "v1");
        }
    });
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(p) = obj_mut(c, probe) {
            set_default(p, "timeoutSeconds", json!(1));
            set_default(p, "periodSeconds", json!(10));
            set_default(p, "successThreshold", json!(1));
            set_default(p, "failureThreshold", json!(3));
            default_handler(p);
        }
    }
    if let Some(lifecycle) = obj_mut(c, "lifecycle") {
        for hook in ["postStart", "preStop"] {
            if let Some(h) = obj_mut(lifecycle, hook) {
                default_handler(h);
            }
        }
    }
}

/// `SetDefaults_HTTPGetAction`: path `/`, scheme `HTTP`.
fn default_handler(h: &mut Map<String, Value>) {
    if let Some(get) = obj_mut(h, "httpGet") {
        set_default_str(get, "path", "/");
        set_default_str(get, "scheme", "HTTP");
    }
}

fn default_volume(v: &mut Map<String, Value>) {
    if v.keys().all(|k| k == "name") {
        v.insert("emptyDir".into(), json!({}));
    }
    for source in ["secret", "configMap", "downwardAPI", "projected"] {
        if let Some(src) = obj_mut(v, source) {
            set_default(src, "defaultMode", json!(420));
        }
    }
    if let Some(hp) = obj_mut(v, "hostPath") {
        set_default(hp, "type", json!(""));
    }
    if let Some(items) = obj_mut(v, "downwardAPI") {
        each_obj_mut(items, "items", |item| {
            if let Some(fr) = obj_mut(item, "fieldRef") {
                set_default_str(fr, "apiVersion", "v1");
            }
        });
    }
    if let Some(projected) = obj_mut(v, "projected") {
        each_obj_mut(projected, "sources", |src| {
            if let Some(t) = obj_mut(src, "serviceAccountToken") {
                set_default(t, "expirationSeconds", json!(3600));
            }
        });
    }
}

/// Defaults of a pod template (`spec.template` of workloads): spec defaults only, no admission.
/// Go serializes the template's zero `creationTimestamp` as null, which 1.32 clusters show.
pub(crate) fn default_pod_template(template: &mut Map<String, Value>) {
    if let Some(meta) = ensure_obj(template, "metadata") {
        meta.entry("creationTimestamp").or_insert(Value::Null);
    }
    if let Some(spec) = ensure_obj(template, "spec") {
        default_pod_spec(spec);
    }
}

/// A Pod: spec defaults, `SetDefaults_Pod`, the admission plugins, and the initial status.
pub(crate) fn default_pod(obj: &mut Value) {
    let Some(root) = obj.as_object_mut() else { return };
    let Some(spec) = ensure_obj(root, "spec") else { return };
    default_pod_spec(spec);
    set_default(spec, "enableServiceLinks", json!(true));
    let host_network = spec.get("hostNetwork").and_then(Value::as_bool) == Some(true);
    for key in ["initContainers", "containers"] {
        each_obj_mut(spec, key, |c| {
            default_requests_to_limits(c);
            if host_network {
                each_obj_mut(c, "ports", |p| {
                    if unset(p, "hostPort") {
                        if let Some(cp) = p.get("containerPort").cloned() {
                            p.insert("hostPort".into(), cp);
                        }
                    }
                });
            }
        });
    }
    // ServiceAccount admission.
    set_default_str(spec, "serviceAccountName", "default");
    mirror_service_account(spec);
    // Priority admission: the built-in classes, else the global default of 0. Other classes
    // are the apiserver's Priority admission's to resolve (`apiserver::priority`).
    let priority = match spec.get("priorityClassName").and_then(Value::as_str).unwrap_or("") {
        "system-node-critical" => Some(2_000_001_000),
        "system-cluster-critical" => Some(2_000_000_000),
        "" => Some(0),
        _ => None,
    };
    if let Some(priority) = priority {
        if unset(spec, "priority") {
            spec.insert("priority".into(), json!(priority));
        }
        set_default_str(spec, "preemptionPolicy", "PreemptLowerPriority");
    }
    let qos = qos_class(spec);
    if let Some(status) = ensure_obj(root, "status") {
        set_default_str(status, "phase", "Pending");
        set_default_str(status, "qosClass", qos);
    }
}

/// The Priority admission plugin on update: the priority and preemption policy it resolved on
/// create stay when an update leaves them out.
fn keep_admitted_priority(root: &mut Map<String, Value>, old: &Value) {
    let Some(spec) = obj_mut(root, "spec") else { return };
    for key in ["priority", "preemptionPolicy"] {
        if let Some(kept) = old.pointer(&format!("/spec/{key}")).filter(|v| !v.is_null()) {
            set_default(spec, key, kept.clone());
        }
    }
}

/// `SetDefaults_Pod`: requests default to limits (Pods only, not templates).
fn default_requests_to_limits(c: &mut Map<String, Value>) {
    let Some(resources) = obj_mut(c, "resources") else { return };
    let Some(limits) = resources.get("limits").and_then(Value::as_object).cloned() else { return };
    let Some(requests) = ensure_obj(resources, "requests") else { return };
    for (k, v) in limits {
        requests.entry(k).or_insert(v);
    }
}

/// DefaultTolerationSeconds admission: tolerate not-ready/unreachable for `seconds`
/// (upstream's default: 300) unless a toleration already covers them.
pub(crate) fn default_toleration_seconds(obj: &mut Value, seconds: i64) {
    let Some(spec) = obj.as_object_mut().and_then(|root| ensure_obj(root, "spec")) else { return };
    let existing = match spec.get("tolerations") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => return,
    };
    let tolerates = |key: &str| {
        existing.iter().any(|t| {
            let (k, effect) = (s(t, "key"), s(t, "effect"));
            (k == key || k.is_empty()) && (effect == "NoExecute" || effect.is_empty())
        })
    };
    let mut added = existing.clone();
    for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
        if !tolerates(key) {
            added.push(json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": seconds}));
        }
    }
    if added.len() != existing.len() {
        spec.insert("tolerations".into(), Value::Array(added));
    }
}

/// `qos.GetPodQOS`, comparing quantities textually.
fn qos_class(spec: &Map<String, Value>) -> &'static str {
    let mut any = false;
    let mut guaranteed = true;
    for key in ["initContainers", "containers"] {
        let Some(cs) = spec.get(key).and_then(Value::as_array) else { continue };
        for c in cs {
            let res = c.get("resources");
            let get = |which: &str, r: &str| res.and_then(|x| x.get(which)).and_then(|x| x.get(r)).cloned();
            for r in ["cpu", "memory"] {
                let (req, lim) = (get("requests", r), get("limits", r));
                if req.is_some() || lim.is_some() {
                    any = true;
                }
                let q = |v: &Option<Value>| v.as_ref().and_then(|v| super::resources::parse_quantity(v).ok());
                if lim.is_none() || req.is_some() && q(&req) != q(&lim) {
                    guaranteed = false;
                }
            }
        }
    }
    if !any {
        "BestEffort"
    } else if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

/// `ValidatePodTemplateSpec` at `path` (`spec.template`): labels, annotations and the spec.
pub(crate) fn validate_pod_template(e: &mut Errs, parent: &Value, key: &str, path: &str) {
    let template = match parent.get(key) {
        None | Some(Value::Null) => {
            e.required(path, "");
            return;
        }
        Some(t @ Value::Object(_)) => t,
        Some(other) => {
            e.wrong_type(path, other, "object");
            return;
        }
    };
    if let Some(meta) = e.obj(template, "metadata", &child(path, "metadata")) {
        let meta = Value::Object(meta.clone());
        validate_labels(e, &meta, "labels", &child(path, "metadata.labels"));
        validate_annotations(e, &meta, &child(path, "metadata.annotations"));
    }
    let spec_path = child(path, "spec");
    match template.get("spec") {
        Some(spec @ Value::Object(_)) => validate_pod_spec(e, spec, &spec_path),
        None | Some(Value::Null) => validate_pod_spec(e, &json!({}), &spec_path),
        Some(other) => e.wrong_type(&spec_path, other, "object"),
    }
}

/// `ValidatePodSpec` at `path`.
pub(crate) fn validate_pod_spec(e: &mut Errs, spec: &Value, path: &str) {
    let volumes = validate_volumes(e, spec, &child(path, "volumes"));
    let containers_path = child(path, "containers");
    let mut names: Vec<String> = Vec::new();
    match e.arr(spec, "containers", &containers_path) {
        Some(cs) if !cs.is_empty() => {
            for (i, c) in cs.iter().enumerate() {
                validate_container(e, c, &index(&containers_path, i), &volumes, &mut names);
            }
        }
        _ => e.required(&containers_path, ""),
    }
    let init_path = child(path, "initContainers");
    if let Some(cs) = e.arr(spec, "initContainers", &init_path) {
        for (i, c) in cs.iter().enumerate() {
            validate_container(e, c, &index(&init_path, i), &volumes, &mut names);
        }
    }
    if let Some(policy) = e.str(spec, "restartPolicy", &child(path, "restartPolicy")) {
        match policy {
            "Always" | "OnFailure" | "Never" => {}
            "" => e.required(&child(path, "restartPolicy"), ""),
            other => e.not_supported(&child(path, "restartPolicy"), &quote(other), &["Always", "OnFailure", "Never"]),
        }
    }
    if let Some(policy) = e.str(spec, "dnsPolicy", &child(path, "dnsPolicy")) {
        match policy {
            "ClusterFirst" | "ClusterFirstWithHostNet" | "Default" | "None" => {}
            "" => e.required(&child(path, "dnsPolicy"), ""),
            other => e.not_supported(
                &child(path, "dnsPolicy"),
                &quote(other),
                &["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"],
            ),
        }
    }
    if s(spec, "dnsPolicy") == "None" && spec.get("dnsConfig").is_none_or(Value::is_null) {
        e.required(&child(path, "dnsConfig"), "must provide `dnsConfig` when `dnsPolicy` is None");
    }
    validate_labels(e, spec, "nodeSelector", &child(path, "nodeSelector"));
    for (key, subdomain) in
        [("serviceAccountName", true), ("nodeName", true), ("hostname", false), ("subdomain", false)]
    {
        let p = child(path, key);
        if let Some(v) = e.str(spec, key, &p).filter(|v| !v.is_empty()) {
            let msgs = if subdomain { is_dns1123_subdomain(v) } else { is_dns1123_label(v) };
            for msg in msgs {
                e.invalid(&p, &quote(v), &msg);
            }
        }
    }
    if let Some(v) = e.int(spec, "activeDeadlineSeconds", &child(path, "activeDeadlineSeconds")) {
        if !(1..=i64::from(i32::MAX)).contains(&v) {
            e.invalid(
                &child(path, "activeDeadlineSeconds"),
                &v.to_string(),
                "must be between 1 and 2147483647, inclusive",
            );
        }
    }
    e.int(spec, "terminationGracePeriodSeconds", &child(path, "terminationGracePeriodSeconds"));
    for key in ["hostNetwork", "hostPID", "hostIPC", "enableServiceLinks", "automountServiceAccountToken"] {
        e.bool(spec, key, &child(path, key));
    }
    validate_tolerations(e, spec, &child(path, "tolerations"));
}

/// Volume names: required, DNS-1123 labels, unique. Returns the names for volumeMount checks.
fn validate_volumes(e: &mut Errs, spec: &Value, path: &str) -> Vec<String> {
    let mut names = Vec::new();
    let Some(vols) = e.arr(spec, "volumes", path) else { return names };
    for (i, v) in vols.iter().enumerate() {
        let p = index(path, i);
        if !v.is_object() {
            e.wrong_type(&p, v, "object");
            continue;
        }
        let name = e.str(v, "name", &child(&p, "name")).unwrap_or("");
        if name.is_empty() {
            e.required(&child(&p, "name"), "");
        } else {
            for msg in is_dns1123_label(name) {
                e.invalid(&child(&p, "name"), &quote(name), &msg);
            }
            if names.iter().any(|n| n == name) {
                e.duplicate(&child(&p, "name"), &quote(name));
            }
            names.push(name.to_string());
        }
    }
    names
}

fn validate_container(e: &mut Errs, c: &Value, path: &str, volumes: &[String], names: &mut Vec<String>) {
    if !c.is_object() {
        e.wrong_type(path, c, "object");
        return;
    }
    let name_path = child(path, "name");
    let name = e.str(c, "name", &name_path).unwrap_or("");
    if name.is_empty() {
        e.required(&name_path, "");
    } else {
        for msg in is_dns1123_label(name) {
            e.invalid(&name_path, &quote(name), &msg);
        }
    }
    if e.str(c, "image", &child(path, "image")).unwrap_or("").is_empty() {
        e.required(&child(path, "image"), "");
    }
    if let Some(policy) = e.str(c, "terminationMessagePolicy", &child(path, "terminationMessagePolicy")) {
        match policy {
            "File" | "FallbackToLogsOnError" => {}
            "" => e.required(&child(path, "terminationMessagePolicy"), "must be 'File' or 'FallbackToLogsOnError'"),
            other => e.not_supported(
                &child(path, "terminationMessagePolicy"),
                &quote(other),
                &["File", "FallbackToLogsOnError"],
            ),
        }
    }
    validate_container_ports(e, c, &child(path, "ports"));
    let env_path = child(path, "env");
    if let Some(env) = e.arr(c, "env", &env_path) {
        for (i, var) in env.iter().enumerate() {
            let p = index(&env_path, i);
            if !var.is_object() {
                e.wrong_type(&p, var, "object");
            } else if e.str(var, "name", &child(&p, "name")).unwrap_or("").is_empty() {
                e.required(&child(&p, "name"), "");
            }
        }
    }
    let mounts_path = child(path, "volumeMounts");
    if let Some(mounts) = e.arr(c, "volumeMounts", &mounts_path) {
        let mut paths: Vec<&str> = Vec::new();
        for (i, m) in mounts.iter().enumerate() {
            let p = index(&mounts_path, i);
            if !m.is_object() {
                e.wrong_type(&p, m, "object");
                continue;
            }
            let vname = e.str(m, "name", &child(&p, "name")).unwrap_or("");
            if vname.is_empty() {
                e.required(&child(&p, "name"), "");
            } else if !volumes.iter().any(|v| v == vname) {
                e.not_found(&child(&p, "name"), &quote(vname));
            }
            let mount_path = e.str(m, "mountPath", &child(&p, "mountPath")).unwrap_or("");
            if mount_path.is_empty() {
                e.required(&child(&p, "mountPath"), "");
            } else if paths.contains(&mount_path) {
                e.invalid(&child(&p, "mountPath"), &quote(mount_path), "must be unique");
            }
            paths.push(mount_path);
        }
    }
    if let Some(policy) = e.str(c, "imagePullPolicy", &child(path, "imagePullPolicy")) {
        match policy {
            "Always" | "IfNotPresent" | "Never" => {}
            "" => e.required(&child(path, "imagePullPolicy"), ""),
            other => {
                e.not_supported(&child(path, "imagePullPolicy"), &quote(other), &["Always", "IfNotPresent", "Never"])
            }
        }
    }
    super::resources::validate_resources(e, c, &child(path, "resources"));
    // Names are unique across containers and init containers; reported after the common checks.
    if !name.is_empty() {
        if names.iter().any(|n| n == name) {
            e.duplicate(&name_path, &quote(name));
        } else {
            names.push(name.to_string());
        }
    }
}

/// `validateContainerPorts`.
fn validate_container_ports(e: &mut Errs, c: &Value, path: &str) {
    let Some(ports) = e.arr(c, "ports", path) else { return };
    let mut names: Vec<&str> = Vec::new();
    for (i, port) in ports.iter().enumerate() {
        let p = index(path, i);
        if !port.is_object() {
            e.wrong_type(&p, port, "object");
            continue;
        }
        if let Some(name) = e.str(port, "name", &child(&p, "name")).filter(|n| !n.is_empty()) {
            let msgs = is_valid_port_name(name);
            if !msgs.is_empty() {
                for msg in msgs {
                    e.invalid(&child(&p, "name"), &quote(name), &msg);
                }
            } else if names.contains(&name) {
                e.duplicate(&child(&p, "name"), &quote(name));
            } else {
                names.push(name);
            }
        }
        match e.int(port, "containerPort", &child(&p, "containerPort")) {
            None | Some(0) => e.required(&child(&p, "containerPort"), ""),
            Some(n) => {
                for msg in is_valid_port_num(n) {
                    e.invalid(&child(&p, "containerPort"), &n.to_string(), &msg);
                }
            }
        }
        if let Some(n) = e.int(port, "hostPort", &child(&p, "hostPort")).filter(|n| *n != 0) {
            for msg in is_valid_port_num(n) {
                e.invalid(&child(&p, "hostPort"), &n.to_string(), &msg);
            }
        }
        if let Some(proto) = e.str(port, "protocol", &child(&p, "protocol")) {
            validate_protocol(e, proto, &child(&p, "protocol"));
        }
    }
}

/// A port protocol: TCP, UDP or SCTP.
pub(crate) fn validate_protocol(e: &mut Errs, proto: &str, path: &str) {
    if proto.is_empty() {
        e.required(path, "");
    } else if !PROTOCOLS.contains(&proto) {
        e.not_supported(path, &quote(proto), PROTOCOLS);
    }
}

/// `ValidateTolerations`.
pub(super) fn validate_tolerations(e: &mut Errs, spec: &Value, path: &str) {
    let Some(tolerations) = e.arr(spec, "tolerations", path) else { return };
    for (i, t) in tolerations.iter().enumerate() {
        let p = index(path, i);
        if !t.is_object() {
            e.wrong_type(&p, t, "object");
            continue;
        }
        let key = e.str(t, "key", &child(&p, "key")).unwrap_or("");
        let op = e.str(t, "operator", &child(&p, "operator")).unwrap_or("");
        let value = e.str(t, "value", &child(&p, "value")).unwrap_or("");
        let effect = e.str(t, "effect", &child(&p, "effect")).unwrap_or("");
        let seconds = e.int(t, "tolerationSeconds", &child(&p, "tolerationSeconds"));
        if !key.is_empty() {
            for msg in is_qualified_name(key) {
                e.invalid(&child(&p, "key"), &quote(key), &msg);
            }
        }
        if key.is_empty() && op != "Exists" {
            e.invalid(
                &child(&p, "operator"),
                &quote(op),
                "operator must be Exists when `key` is empty, which means \"match all values and all keys\"",
            );
        }
        if seconds.is_some() && effect != "NoExecute" {
            e.invalid(
                &child(&p, "effect"),
                &quote(effect),
                "effect must be 'NoExecute' when `tolerationSeconds` is set",
            );
        }
        match op {
            "Equal" | "" => {
                let msgs = is_label_value(value);
                if !msgs.is_empty() {
                    e.invalid(&child(&p, "operator"), &quote(value), &msgs.join(";"));
                }
            }
            "Exists" => {
                if !value.is_empty() {
                    e.invalid(&child(&p, "operator"), &go_json(t), "value must be empty when `operator` is 'Exists'");
                }
            }
            other => e.not_supported(&child(&p, "operator"), &quote(other), &["Equal", "Exists"]),
        }
        if !effect.is_empty() && !["NoSchedule", "PreferNoSchedule", "NoExecute"].contains(&effect) {
            e.not_supported(&child(&p, "effect"), &quote(effect), &["NoSchedule", "PreferNoSchedule", "NoExecute"]);
        }
    }
}

/// Validates a Pod (after metadata): the spec at `spec`.
pub(crate) fn validate_pod(e: &mut Errs, obj: &Value) {
    match obj.get("spec") {
        Some(spec @ Value::Object(_)) => validate_pod_spec(e, spec, "spec"),
        None | Some(Value::Null) => validate_pod_spec(e, &json!({}), "spec"),
        Some(other) => e.wrong_type("spec", other, "object"),
    }
}

const UPDATABLE_POD_FIELDS: &str = "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

/// `ValidatePodUpdate`: only images, activeDeadlineSeconds, added tolerations and the
/// negative-to-1 grace period may change; anything else is upstream's Forbidden message.
pub(crate) fn validate_pod_update(e: &mut Errs, new: &Value, old: &Value) {
    validate_pod(e, new);
    let empty = json!({});
    let new_spec = new.get("spec").filter(|v| v.is_object()).unwrap_or(&empty);
    let old_spec = old.get("spec").filter(|v| v.is_object()).unwrap_or(&empty);
    let len = |spec: &Value, k: &str| spec.get(k).and_then(Value::as_array).map_or(0, Vec::len);
    if len(new_spec, "containers") != len(old_spec, "containers") {
        e.forbidden("spec.containers", "pod updates may not add or remove containers");
        return;
    }
    // activeDeadlineSeconds may only be set or lowered.
    let new_ads = new_spec.get("activeDeadlineSeconds").and_then(Value::as_i64);
    let old_ads = old_spec.get("activeDeadlineSeconds").and_then(Value::as_i64);
    match (new_ads, old_ads) {
        (Some(n), _) if !(0..=i64::from(i32::MAX)).contains(&n) => {
            e.invalid("spec.activeDeadlineSeconds", &n.to_string(), "must be between 0 and 2147483647, inclusive");
            return;
        }
        (Some(n), Some(o)) if o < n => {
            e.invalid("spec.activeDeadlineSeconds", &n.to_string(), "must be less than or equal to previous value");
            return;
        }
        (None, Some(_)) => {
            e.invalid("spec.activeDeadlineSeconds", "null", "must not update from a positive integer to nil value")
        }
        _ => {}
    }
    // Tolerations: each old one must still be there (tolerationSeconds may change).
    let new_tols = new_spec.get("tolerations").and_then(Value::as_array).cloned().unwrap_or_default();
    let old_tols = old_spec.get("tolerations").and_then(Value::as_array).cloned().unwrap_or_default();
    for old_t in &old_tols {
        let found = new_tols.iter().any(|n| {
            let mut o = old_t.clone();
            if let (Some(o), Some(nm)) = (o.as_object_mut(), n.as_object()) {
                match nm.get("tolerationSeconds") {
                    Some(v) => o.insert("tolerationSeconds".into(), v.clone()),
                    None => o.remove("tolerationSeconds"),
                };
            }
            &o == n
        });
        if !found {
            e.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds");
            break;
        }
    }
    let mut munged = new_spec.clone();
    if let Some(m) = munged.as_object_mut() {
        for key in ["containers", "initContainers"] {
            if let (Some(Value::Array(cs)), Some(old_cs)) =
                (m.get_mut(key), old_spec.get(key).and_then(Value::as_array))
            {
                for (c, o) in cs.iter_mut().zip(old_cs) {
                    if let Some(c) = c.as_object_mut() {
                        match o.get("image") {
                            Some(img) => c.insert("image".into(), img.clone()),
                            None => c.remove("image"),
                        };
                    }
                }
            }
        }
        for key in ["activeDeadlineSeconds", "tolerations"] {
            match old_spec.get(key) {
                Some(v) => m.insert(key.into(), v.clone()),
                None => m.remove(key),
            };
        }
        let old_grace = old_spec.get("terminationGracePeriodSeconds").and_then(Value::as_i64);
        let new_grace = m.get("terminationGracePeriodSeconds").and_then(Value::as_i64);
        if old_grace.is_some_and(|g| g < 0) && new_grace == Some(1) {
            m.insert("terminationGracePeriodSeconds".into(), json!(old_grace));
        }
    }
    if &munged != old_spec {
        let diff = spec_diff(old_spec, &munged);
        e.forbidden("spec", &format!("pod updates may not change fields other than {UPDATABLE_POD_FIELDS}\n{diff}"));
    }
}

/// A short `cmp.Diff`-like rendering of the top-level spec fields that differ.
fn spec_diff(old: &Value, new: &Value) -> String {
    let empty = Map::new();
    let (o, n) = (old.as_object().unwrap_or(&empty), new.as_object().unwrap_or(&empty));
    let mut keys: Vec<&String> = o.keys().chain(n.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = String::from("  core.PodSpec{\n");
    let mut same = 0;
    for k in keys {
        let go_name = {
            let mut cs = k.chars();
            cs.next().map(|c| c.to_ascii_uppercase().to_string() + cs.as_str()).unwrap_or_default()
        };
        match (o.get(k.as_str()), n.get(k.as_str())) {
            (a, b) if a == b => same += 1,
            (a, b) => {
                if let Some(a) = a {
                    out.push_str(&format!("- \t{go_name}: {},\n", go_json(a)));
                }
                if let Some(b) = b {
                    out.push_str(&format!("+ \t{go_name}: {},\n", go_json(b)));
                }
            }
        }
    }
    if same > 0 {
        out.push_str(&format!("  \t... // {same} identical fields\n"));
    }
    out.push_str("  }\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_pods_start_pending_with_their_qos_class() {
        let class = |pod: Value| initial_status(&pod)["qosClass"].clone();
        assert_eq!(class(json!({"spec": {"containers": [{"name": "a"}]}})), "BestEffort");
        let guaranteed = json!({"spec": {"containers": [{"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}});
        assert_eq!(class(guaranteed), "Guaranteed");
        let burstable = json!({"spec": {"containers": [{"resources": {"requests": {"cpu": "1"}}}]}});
        assert_eq!(class(burstable), "Burstable");
        assert_eq!(initial_status(&json!({}))["phase"], "Pending");
    }

    fn defaulted(obj: Value) -> Value {
        let mut obj = obj;
        default_pod(&mut obj);
        default_toleration_seconds(&mut obj, 300);
        obj
    }

    use crate::registry::strategy::field::errs;

    #[test]
    fn pod_spec_defaults_match_a_real_cluster() {
        let pod =
            defaulted(json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}));
        let spec = &pod["spec"];
        assert_eq!(spec["restartPolicy"], "Always");
        assert_eq!(spec["dnsPolicy"], "ClusterFirst");
        assert_eq!(spec["schedulerName"], "default-scheduler");
        assert_eq!(spec["securityContext"], json!({}));
        assert_eq!(spec["terminationGracePeriodSeconds"], 30);
        assert_eq!(spec["enableServiceLinks"], true);
        assert_eq!(spec["preemptionPolicy"], "PreemptLowerPriority");
        assert_eq!(spec["priority"], 0);
        assert_eq!(spec["serviceAccountName"], "default");
        assert_eq!(spec["serviceAccount"], "default");
        assert_eq!(
            spec["tolerations"],
            json!([
                {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
                {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
            ])
        );
        assert_eq!(pod["status"], json!({"phase": "Pending", "qosClass": "BestEffort"}));
    }

    #[test]
    fn container_defaults() {
        let pod = defaulted(
            json!({"spec": {"containers": [{"name": "c", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}],
            "initContainers": [{"name": "i", "image": "busybox"}]}}),
        );
        let c = &pod["spec"]["containers"][0];
        assert_eq!(c["imagePullPolicy"], "IfNotPresent");
        assert_eq!(c["terminationMessagePath"], "/dev/termination-log");
        assert_eq!(c["terminationMessagePolicy"], "File");
        assert_eq!(c["resources"], json!({}));
        assert_eq!(c["ports"][0]["protocol"], "TCP");
        assert_eq!(pod["spec"]["initContainers"][0]["imagePullPolicy"], "Always");
    }

    #[test]
    fn image_pull_policy_follows_the_tag() {
        assert_eq!(pull_policy_for("nginx"), "Always");
        assert_eq!(pull_policy_for("nginx:latest"), "Always");
        assert_eq!(pull_policy_for("nginx:1.27"), "IfNotPresent");
        assert_eq!(pull_policy_for("localhost:5000/app"), "Always");
        assert_eq!(pull_policy_for("localhost:5000/app:v1"), "IfNotPresent");
        assert_eq!(pull_policy_for("nginx@sha256:abc"), "IfNotPresent");
        assert_eq!(pull_policy_for(""), "IfNotPresent");
    }

    #[test]
    fn user_values_and_covering_tolerations_are_kept() {
        let pod = defaulted(json!({"spec": {"restartPolicy": "Never", "serviceAccountName": "sa", "priority": 5,
            "tolerations": [{"operator": "Exists"}], "containers": [{"name": "c", "image": "x", "imagePullPolicy": "Never"}]}}));
        assert_eq!(pod["spec"]["restartPolicy"], "Never");
        assert_eq!(pod["spec"]["serviceAccount"], "sa");
        assert_eq!(pod["spec"]["priority"], 5);
        assert_eq!(pod["spec"]["tolerations"], json!([{"operator": "Exists"}]));
        assert_eq!(pod["spec"]["containers"][0]["imagePullPolicy"], "Never");
    }

    #[test]
    fn defaults_are_idempotent() {
        let once = defaulted(
            json!({"spec": {"containers": [{"name": "c", "image": "x", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}}),
        );
        assert_eq!(defaulted(once.clone()), once);
        assert_eq!(once["status"]["qosClass"], "Guaranteed");
        assert_eq!(once["spec"]["containers"][0]["resources"]["requests"], json!({"cpu": "1", "memory": "1Gi"}));
    }

    #[test]
    fn probes_and_volumes_defaults() {
        let pod = defaulted(json!({"spec": {"volumes": [{"name": "v"}, {"name": "s", "secret": {"secretName": "x"}}],
            "containers": [{"name": "c", "image": "x", "livenessProbe": {"httpGet": {"port": 80}}}]}}));
        assert_eq!(pod["spec"]["volumes"][0]["emptyDir"], json!({}));
        assert_eq!(pod["spec"]["volumes"][1]["secret"]["defaultMode"], 420);
        let probe = &pod["spec"]["containers"][0]["livenessProbe"];
        assert_eq!(probe["httpGet"], json!({"port": 80, "path": "/", "scheme": "HTTP"}));
        assert_eq!((probe["timeoutSeconds"].clone(), probe["periodSeconds"].clone()), (json!(1), json!(10)));
        assert_eq!((probe["successThreshold"].clone(), probe["failureThreshold"].clone()), (json!(1), json!(3)));
    }

    #[test]
    fn containers_are_required() {
        assert_eq!(
            errs(|e| validate_pod(e, &json!({"spec": {}}))),
            vec![("spec.containers".into(), "Required value".into())]
        );
    }

    #[test]
    fn container_name_image_and_duplicates() {
        let c = errs(|e| {
            validate_pod(
                e,
                &json!({"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "a"}, {"image": "y"}, {"name": "B_", "image": "z"}]}}),
            )
        });
        assert_eq!(c[0], ("spec.containers[1].image".into(), "Required value".into()));
        assert_eq!(c[1], ("spec.containers[1].name".into(), "Duplicate value: \"a\"".into()));
        assert_eq!(c[2], ("spec.containers[2].name".into(), "Required value".into()));
        assert_eq!(c[3].0, "spec.containers[3].name");
        assert!(c[3].1.starts_with("Invalid value: \"B_\": a lowercase RFC 1123 label must consist"));
    }

    #[test]
    fn ports_must_be_in_range() {
        let c = errs(|e| {
            validate_pod(
                e,
                &json!({"spec": {"containers": [{"name": "a", "image": "x",
            "ports": [{"containerPort": 70000, "protocol": "TCP"}, {"containerPort": 80, "protocol": "HTTP"}]}]}}),
            )
        });
        assert_eq!(
            c[0],
            (
                "spec.containers[0].ports[0].containerPort".into(),
                "Invalid value: 70000: must be between 1 and 65535, inclusive".into()
            )
        );
        assert_eq!(
            c[1],
            (
                "spec.containers[0].ports[1].protocol".into(),
                "Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"".into()
            )
        );
    }

    #[test]
    fn restart_and_dns_policy_enums() {
        let c = errs(|e| {
            validate_pod(
                e,
                &json!({"spec": {"restartPolicy": "x", "dnsPolicy": "y", "containers": [{"name": "a", "image": "x"}]}}),
            )
        });
        assert_eq!(
            c[0],
            (
                "spec.restartPolicy".into(),
                "Unsupported value: \"x\": supported values: \"Always\", \"OnFailure\", \"Never\"".into()
            )
        );
        assert_eq!(c[1], ("spec.dnsPolicy".into(), "Unsupported value: \"y\": supported values: \"ClusterFirst\", \"ClusterFirstWithHostNet\", \"Default\", \"None\"".into()));
    }

    #[test]
    fn volume_mounts_must_name_a_volume() {
        let c = errs(|e| {
            validate_pod(
                e,
                &json!({"spec": {"containers": [{"name": "a", "image": "x", "volumeMounts": [{"name": "data", "mountPath": "/d"}]}]}}),
            )
        });
        assert_eq!(c, vec![("spec.containers[0].volumeMounts[0].name".into(), "Not found: \"data\"".into())]);
    }

    #[test]
    fn wrong_types_do_not_panic() {
        let c = errs(|e| validate_pod(e, &json!({"spec": {"containers": "nginx"}})));
        assert_eq!(c[0].0, "spec.containers");
        let c = errs(|e| validate_pod(e, &json!({"spec": {"containers": [7, {"name": 1, "image": []}]}})));
        assert!(!c.is_empty());
        let mut v = json!({"spec": {"containers": "x", "tolerations": 3}});
        default_pod(&mut v);
        default_toleration_seconds(&mut v, 300);
        let mut v = json!("not an object");
        default_pod(&mut v);
    }

    fn pod(image: &str, extra: Value) -> Value {
        let mut p = json!({"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": image}]}});
        if let (Some(spec), Some(extra)) = (p["spec"].as_object_mut(), extra.as_object()) {
            spec.extend(extra.clone());
        }
        default_pod(&mut p);
        default_toleration_seconds(&mut p, 300);
        p
    }

    #[test]
    fn update_without_priority_keeps_the_admitted_one() {
        let pods = crate::registry::by_kind("v1", "Pod").expect("pods");
        let old = json!({"metadata": {"name": "p"}, "spec": {"priorityClassName": "high", "priority": 1000,
            "preemptionPolicy": "Never", "containers": [{"name": "c", "image": "x"}]}});
        let mut new = json!({"metadata": {"name": "p"}, "spec": {"priorityClassName": "high", "containers": [{"name": "c", "image": "x"}]}});
        pods.strategy.prepare_for_update(pods, &mut new, &old);
        assert_eq!(new["spec"]["priority"], 1000);
        assert_eq!(new["spec"]["preemptionPolicy"], "Never");
    }

    #[test]
    fn pod_update_allows_image_and_toleration_additions() {
        let old = pod("nginx:1", json!({}));
        let mut new = pod("nginx:2", json!({}));
        new["spec"]["tolerations"].as_array_mut().unwrap().push(json!({"key": "k", "operator": "Exists"}));
        assert_eq!(errs(|e| validate_pod_update(e, &new, &old)), vec![]);
    }

    #[test]
    fn pod_update_of_other_fields_is_forbidden() {
        let old = pod("nginx", json!({}));
        let new = pod("nginx", json!({"restartPolicy": "Never"}));
        let c = errs(|e| validate_pod_update(e, &new, &old));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].0, "spec");
        assert!(c[0].1.starts_with("Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n"));
        assert!(c[0].1.contains("+ \tRestartPolicy: \"Never\""));
    }

    #[test]
    fn pod_update_may_not_remove_tolerations_or_raise_deadline() {
        let old = pod("nginx", json!({"activeDeadlineSeconds": 10}));
        let mut new = pod("nginx", json!({"activeDeadlineSeconds": 20}));
        assert_eq!(
            errs(|e| validate_pod_update(e, &new, &old)),
            vec![(
                "spec.activeDeadlineSeconds".into(),
                "Invalid value: 20: must be less than or equal to previous value".into()
            )]
        );
        new["spec"]["activeDeadlineSeconds"] = json!(5);
        new["spec"]["tolerations"] = json!([]);
        let c = errs(|e| validate_pod_update(e, &new, &old));
        assert_eq!(
            c[0],
            (
                "spec.tolerations".into(),
                "Forbidden: existing toleration can not be modified except its tolerationSeconds".into()
            )
        );
    }
}
