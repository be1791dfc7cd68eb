//! Pods, and the container and pod-template sections workload describers share.

use std::collections::BTreeMap;

use serde_json::Value;

use super::writer::{go_bool, rfc1123z, since, text, Writer};

pub fn describe(pod: &Value, events: Option<&[Value]>) -> String {
    let mut w = Writer::default();
    let meta = &pod["metadata"];
    let spec = &pod["spec"];
    let status = &pod["status"];
    w.w(0, &format!("Name:\t{}\n", text(&meta["name"])));
    w.w(0, &format!("Namespace:\t{}\n", text(&meta["namespace"])));
    if let Some(priority) = spec["priority"].as_i64() {
        w.w(0, &format!("Priority:\t{priority}\n"));
    }
    if let Some(class) = spec["priorityClassName"].as_str().filter(|s| !s.is_empty()) {
        w.w(0, &format!("Priority Class Name:\t{class}\n"));
    }
    if let Some(class) = spec["runtimeClassName"].as_str().filter(|s| !s.is_empty()) {
        w.w(0, &format!("Runtime Class Name:\t{class}\n"));
    }
    if let Some(account) = spec["serviceAccountName"].as_str().filter(|s| !s.is_empty()) {
        w.w(0, &format!("Service Account:\t{account}\n"));
    }
    match spec["nodeName"].as_str().filter(|s| !s.is_empty()) {
        None => w.w(0, "Node:\t<none>\n"),
        Some(node) => w.w(0, &format!("Node:\t{node}/{}\n", text(&status["hostIP"]))),
    }
    if status["startTime"].is_string() {
        w.w(0, &format!("Start Time:\t{}\n", rfc1123z(&status["startTime"])));
    }
    w.labels("", "Labels", &meta["labels"]);
    w.annotations("Annotations", &meta["annotations"]);
    let phase = text(&status["phase"]);
    if meta["deletionTimestamp"].is_string() && phase != "Failed" && phase != "Succeeded" {
        w.w(0, &format!("Status:\tTerminating (lasts {})\n", since(&meta["deletionTimestamp"])));
        w.w(0, &format!("Termination Grace Period:\t{}s\n", meta["deletionGracePeriodSeconds"].as_i64().unwrap_or(0)));
    } else {
        w.w(0, &format!("Status:\t{phase}\n"));
    }
    if let Some(reason) = status["reason"].as_str().filter(|s| !s.is_empty()) {
        w.w(0, &format!("Reason:\t{reason}\n"));
    }
    if let Some(message) = status["message"].as_str().filter(|s| !s.is_empty()) {
        w.w(0, &format!("Message:\t{message}\n"));
    }
    if let Some(profile) = spec["securityContext"]["seccompProfile"].as_object() {
        w.w(0, &format!("SeccompProfile:\t{}\n", text(&profile["type"])));
    }
    w.w(0, &format!("IP:\t{}\n", text(&status["podIP"])));
    match status["podIPs"].as_array().filter(|ips| !ips.is_empty()) {
        None => w.w(0, "IPs:\t<none>\n"),
        Some(ips) => {
            w.w(0, "IPs:\n");
            for ip in ips {
                w.w(1, &format!("IP:\t{}\n", text(&ip["ip"])));
            }
        }
    }
    if let Some(controller) = controlled_by(meta) {
        w.w(0, &format!("Controlled By:\t{controller}\n"));
    }
    if let Some(nominated) = status["nominatedNodeName"].as_str().filter(|s| !s.is_empty()) {
        w.w(0, &format!("NominatedNodeName:\t{nominated}\n"));
    }
    if spec["initContainers"].as_array().is_some_and(|c| !c.is_empty()) {
        containers(&mut w, "Init Containers", &spec["initContainers"], Some(&status["initContainerStatuses"]), "");
    }
    containers(&mut w, "Containers", &spec["containers"], Some(&status["containerStatuses"]), "");
    if let Some(gates) = spec["readinessGates"].as_array().filter(|g| !g.is_empty()) {
        w.w(0, "Readiness Gates:\n  Type\tStatus\n");
        for gate in gates {
            let kind = text(&gate["conditionType"]);
            let state = status["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|c| text(&c["type"]) == kind)
                .map(|c| text(&c["status"]))
                .unwrap_or_else(|| "<none>".to_string());
            w.w(1, &format!("{kind} \t{state} \n"));
        }
    }
    if let Some(conditions) = status["conditions"].as_array().filter(|c| !c.is_empty()) {
        w.w(0, "Conditions:\n  Type\tStatus\n");
        for condition in conditions {
            w.w(1, &format!("{} \t{} \n", text(&condition["type"]), text(&condition["status"])));
        }
    }
    volumes(&mut w, &spec["volumes"], "");
    w.w(0, &format!("QoS Class:\t{}\n", qos_class(pod)));
    w.labels("", "Node-Selectors", &spec["nodeSelector"]);
    w.tolerations("", "Tolerations", &spec["tolerations"]);
    if let Some(events) = events {
        super::events::write(&mut w, events);
    }
    w.finish()
}

/// `Kind/name` of the controlling owner, if any.
pub fn controlled_by(meta: &Value) -> Option<String> {
    meta["ownerReferences"]
        .as_array()?
        .iter()
        .find(|o| o["controller"].as_bool() == Some(true))
        .map(|o| format!("{}/{}", text(&o["kind"]), text(&o["name"])))
}

/// The QoS class the server reported, else computed from requests and limits.
fn qos_class(pod: &Value) -> String {
    if let Some(class) = pod["status"]["qosClass"].as_str().filter(|s| !s.is_empty()) {
        return class.to_string();
    }
    let containers: Vec<&Value> = pod["spec"]["containers"].as_array().map(|c| c.iter().collect()).unwrap_or_default();
    let has = |c: &Value, kind: &str| c["resources"][kind].as_object().is_some_and(|m| !m.is_empty());
    if containers.iter().all(|c| !has(c, "requests") && !has(c, "limits")) {
        return "BestEffort".to_string();
    }
    let guaranteed = containers.iter().all(|c| {
        ["cpu", "memory"].iter().all(|r| {
            let limit = &c["resources"]["limits"][*r];
            let request = &c["resources"]["requests"][*r];
            limit.is_string() && (request.is_null() || request == limit)
        })
    });
    if guaranteed { "Guaranteed" } else { "Burstable" }.to_string()
}

/// The containers section; `space` is "  " inside a pod template.
pub fn containers(w: &mut Writer, label: &str, containers: &Value, statuses: Option<&Value>, space: &str) {
    let list: Vec<&Value> = containers.as_array().map(|c| c.iter().collect()).unwrap_or_default();
    let none = if list.is_empty() { " <none>" } else { "" };
    w.w(0, &format!("{space}{label}:{none}\n"));
    let by_name: BTreeMap<String, &Value> =
        statuses.and_then(Value::as_array).into_iter().flatten().map(|s| (text(&s["name"]), s)).collect();
    for container in list {
        let status = by_name.get(&text(&container["name"])).copied();
        let name_indent = if space.is_empty() { "" } else { " " };
        w.w(1, &format!("{name_indent}{}:\n", text(&container["name"])));
        if let Some(status) = status {
            w.w(2, &format!("Container ID:\t{}\n", text(&status["containerID"])));
        }
        w.w(2, &format!("Image:\t{}\n", text(&container["image"])));
        if let Some(status) = status {
            w.w(2, &format!("Image ID:\t{}\n", text(&status["imageID"])));
        }
        let ports: Vec<&Value> = container["ports"].as_array().map(|p| p.iter().collect()).unwrap_or_default();
        let port_text = |field: &str| -> String {
            ports
                .iter()
                .map(|p| {
                    let protocol = p["protocol"].as_str().unwrap_or("TCP");
                    format!("{}/{protocol}", p[field].as_i64().unwrap_or(0))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let container_ports = port_text("containerPort");
        if container_ports.contains(',') {
            w.w(2, &format!("Ports:\t{container_ports}\n"));
        } else {
            w.w(2, &format!("Port:\t{}\n", or_none(&container_ports)));
        }
        let host_ports = port_text("hostPort");
        if host_ports.contains(',') {
            w.w(2, &format!("Host Ports:\t{host_ports}\n"));
        } else {
            w.w(2, &format!("Host Port:\t{}\n", or_none(&host_ports)));
        }
        for (field, title) in [("command", "Command"), ("args", "Args")] {
            if let Some(items) = container[field].as_array().filter(|a| !a.is_empty()) {
                w.w(2, &format!("{title}:\n"));
                for item in items {
                    for line in text(item).split('\n') {
                        w.w(3, &format!("{line}\n"));
                    }
                }
            }
        }
        if let Some(status) = status {
            state(w, "State", &status["state"]);
            if status["lastState"]["terminated"].is_object() {
                state(w, "Last State", &status["lastState"]);
            }
            w.w(2, &format!("Ready:\t{}\n", go_bool(&status["ready"])));
            w.w(2, &format!("Restart Count:\t{}\n", status["restartCount"].as_i64().unwrap_or(0)));
        }
        for (kind, title) in [("limits", "Limits"), ("requests", "Requests")] {
            if let Some(map) = container["resources"][kind].as_object().filter(|m| !m.is_empty()) {
                w.w(2, &format!("{title}:\n"));
                for (name, quantity) in map.iter().collect::<BTreeMap<_, _>>() {
                    w.w(3, &format!("{name}:\t{}\n", text(quantity)));
                }
            }
        }
        for (field, title) in
            [("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"), ("startupProbe", "Startup")]
        {
            if container[field].is_object() {
                w.w(2, &format!("{title}:\t{}\n", probe(&container[field])));
            }
        }
        if let Some(sources) = container["envFrom"].as_array().filter(|e| !e.is_empty()) {
            w.w(2, "Environment Variables from:\n");
            for source in sources {
                let (from, reference) = if source["configMapRef"].is_object() {
                    ("ConfigMap", &source["configMapRef"])
                } else {
                    ("Secret", &source["secretRef"])
                };
                let optional = reference["optional"].as_bool().unwrap_or(false);
                match source["prefix"].as_str().filter(|p| !p.is_empty()) {
                    None => w.w(3, &format!("{}\t{from}\tOptional: {optional}\n", text(&reference["name"]))),
                    Some(prefix) => w.w(
                        3,
                        &format!("{}\t{from} with prefix '{prefix}'\tOptional: {optional}\n", text(&reference["name"])),
                    ),
                }
            }
        }
        environment(w, &container["env"]);
        let mounts: Vec<&Value> = container["volumeMounts"].as_array().map(|m| m.iter().collect()).unwrap_or_default();
        if mounts.is_empty() {
            w.w(2, "Mounts:\t<none>\n");
        } else {
            w.w(2, "Mounts:\n");
            let mut sorted = mounts;
            sorted.sort_by_key(|m| text(&m["mountPath"]));
            for mount in sorted {
                let mut flags =
                    vec![if mount["readOnly"].as_bool() == Some(true) { "ro".to_string() } else { "rw".to_string() }];
                if let Some(sub) = mount["subPath"].as_str().filter(|s| !s.is_empty()) {
                    flags.push(format!("path={}", serde_json::to_string(sub).unwrap_or_default()));
                }
                w.w(3, &format!("{} from {} ({})\n", text(&mount["mountPath"]), text(&mount["name"]), flags.join(",")));
            }
        }
    }
}

fn or_none(s: &str) -> &str {
    if s.is_empty() {
        "<none>"
    } else {
        s
    }
}

fn environment(w: &mut Writer, env: &Value) {
    let vars: Vec<&Value> = env.as_array().map(|e| e.iter().collect()).unwrap_or_default();
    if vars.is_empty() {
        w.w(2, "Environment:\t<none>\n");
        return;
    }
    w.w(2, "Environment:\n");
    for var in vars {
        let name = text(&var["name"]);
        let from = &var["valueFrom"];
        if !from.is_object() {
            for (i, line) in text(&var["value"]).split('\n').enumerate() {
                if i == 0 {
                    w.w(3, &format!("{name}:\t{line}\n"));
                } else {
                    w.w(3, &format!("\t{line}\n"));
                }
            }
        } else if from["fieldRef"].is_object() {
            let field = &from["fieldRef"];
            w.w(3, &format!("{name}:\t ({}:{})\n", text(&field["apiVersion"]), text(&field["fieldPath"])));
        } else if from["resourceFieldRef"].is_object() {
            w.w(3, &format!("{name}:\t ({})\n", text(&from["resourceFieldRef"]["resource"])));
        } else if from["secretKeyRef"].is_object() {
            let r = &from["secretKeyRef"];
            let optional = r["optional"].as_bool().unwrap_or(false);
            w.w(
                3,
                &format!(
                    "{name}:\t<set to the key '{}' in secret '{}'>\tOptional: {optional}\n",
                    text(&r["key"]),
                    text(&r["name"])
                ),
            );
        } else if from["configMapKeyRef"].is_object() {
            let r = &from["configMapKeyRef"];
            let optional = r["optional"].as_bool().unwrap_or(false);
            w.w(
                3,
                &format!(
                    "{name}:\t<set to the key '{}' of config map '{}'>\tOptional: {optional}\n",
                    text(&r["key"]),
                    text(&r["name"])
                ),
            );
        }
    }
}

fn state(w: &mut Writer, title: &str, state: &Value) {
    if state["running"].is_object() {
        w.w(2, &format!("{title}:\tRunning\n"));
        w.w(3, &format!("Started:\t{}\n", rfc1123z(&state["running"]["startedAt"])));
    } else if state["waiting"].is_object() {
        w.w(2, &format!("{title}:\tWaiting\n"));
        if let Some(reason) = state["waiting"]["reason"].as_str().filter(|s| !s.is_empty()) {
            w.w(3, &format!("Reason:\t{reason}\n"));
        }
    } else if let Some(terminated) = state["terminated"].as_object() {
        w.w(2, &format!("{title}:\tTerminated\n"));
        if let Some(reason) = terminated.get("reason").and_then(Value::as_str).filter(|s| !s.is_empty()) {
            w.w(3, &format!("Reason:\t{reason}\n"));
        }
        if let Some(message) = terminated.get("message").and_then(Value::as_str).filter(|s| !s.is_empty()) {
            w.w(3, &format!("Message:\t{message}\n"));
        }
        w.w(3, &format!("Exit Code:\t{}\n", terminated.get("exitCode").and_then(Value::as_i64).unwrap_or(0)));
        if let Some(signal) = terminated.get("signal").and_then(Value::as_i64).filter(|s| *s > 0) {
            w.w(3, &format!("Signal:\t{signal}\n"));
        }
        w.w(3, &format!("Started:\t{}\n", rfc1123z(terminated.get("startedAt").unwrap_or(&Value::Null))));
        w.w(3, &format!("Finished:\t{}\n", rfc1123z(terminated.get("finishedAt").unwrap_or(&Value::Null))));
    } else {
        w.w(2, &format!("{title}:\tWaiting\n"));
    }
}

fn probe(probe: &Value) -> String {
    let n = |f: &str| probe[f].as_i64().unwrap_or(0);
    let attrs = format!(
        "delay={}s timeout={}s period={}s #success={} #failure={}",
        n("initialDelaySeconds"),
        n("timeoutSeconds"),
        n("periodSeconds"),
        n("successThreshold"),
        n("failureThreshold")
    );
    if probe["exec"].is_object() {
        let command: Vec<String> = probe["exec"]["command"].as_array().into_iter().flatten().map(text).collect();
        return format!("exec [{}] {attrs}", command.join(" "));
    }
    if let Some(get) = probe["httpGet"].as_object() {
        let scheme = get.get("scheme").map(text).unwrap_or_default().to_lowercase();
        let host = get.get("host").map(text).unwrap_or_default();
        let port = get.get("port").map(text).unwrap_or_default();
        let path = get.get("path").map(text).unwrap_or_default();
        return format!("http-get {scheme}://{host}:{port}{path} {attrs}");
    }
    if probe["tcpSocket"].is_object() {
        return format!(
            "tcp-socket {}:{} {attrs}",
            text(&probe["tcpSocket"]["host"]),
            text(&probe["tcpSocket"]["port"])
        );
    }
    if probe["grpc"].is_object() {
        return format!("grpc <pod>:{} {} {attrs}", text(&probe["grpc"]["port"]), text(&probe["grpc"]["service"]));
    }
    format!("unknown {attrs}")
}

/// The volumes section; `space` is "  " inside a pod template.
pub fn volumes(w: &mut Writer, volumes: &Value, space: &str) {
    let list: Vec<&Value> = volumes.as_array().map(|v| v.iter().collect()).unwrap_or_default();
    if list.is_empty() {
        w.w(0, &format!("{space}Volumes:\t<none>\n"));
        return;
    }
    w.w(0, &format!("{space}Volumes:\n"));
    let name_indent = if space.is_empty() { "" } else { " " };
    for volume in list {
        w.w(1, &format!("{name_indent}{}:\n", text(&volume["name"])));
        if let Some(host) = volume["hostPath"].as_object() {
            let kind = host.get("type").map(text).filter(|t| !t.is_empty()).unwrap_or_else(|| "<none>".into());
            w.w(
                2,
                &format!(
                    "Type:\tHostPath (bare host directory volume)\n    Path:\t{}\n    HostPathType:\t{kind}\n",
                    host.get("path").map(text).unwrap_or_default()
                ),
            );
        } else if let Some(empty) = volume["emptyDir"].as_object() {
            let size = empty.get("sizeLimit").map(text).filter(|s| !s.is_empty() && s != "0");
            w.w(
                2,
                &format!(
                    "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t{}\n    SizeLimit:\t{}\n",
                    empty.get("medium").map(text).unwrap_or_default(),
                    size.unwrap_or_else(|| "<unset>".into())
                ),
            );
        } else if let Some(secret) = volume["secret"].as_object() {
            w.w(
                2,
                &format!(
                    "Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t{}\n    Optional:\t{}\n",
                    secret.get("secretName").map(text).unwrap_or_default(),
                    secret.get("optional").and_then(Value::as_bool).unwrap_or(false)
                ),
            );
        } else if let Some(map) = volume["configMap"].as_object() {
            w.w(
                2,
                &format!(
                    "Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t{}\n    Optional:\t{}\n",
                    map.get("name").map(text).unwrap_or_default(),
                    map.get("optional").and_then(Value::as_bool).unwrap_or(false)
                ),
            );
        } else if let Some(claim) = volume["persistentVolumeClaim"].as_object() {
            w.w(
                2,
                &format!(
                    "Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t{}\n    ReadOnly:\t{}\n",
                    claim.get("claimName").map(text).unwrap_or_default(),
                    claim.get("readOnly").and_then(Value::as_bool).unwrap_or(false)
                ),
            );
        } else if let Some(projected) = volume["projected"].as_object() {
            w.w(2, "Type:\tProjected (a volume that contains injected data from multiple sources)\n");
            for source in projected.get("sources").and_then(Value::as_array).into_iter().flatten() {
                if source["secret"].is_object() {
                    w.w(
                        2,
                        &format!(
                            "SecretName:\t{}\n    SecretOptionalName:\t{}\n",
                            text(&source["secret"]["name"]),
                            go_optional(&source["secret"]["optional"])
                        ),
                    );
                } else if source["downwardAPI"].is_object() {
                    w.w(2, "DownwardAPI:\ttrue\n");
                } else if source["configMap"].is_object() {
                    w.w(
                        2,
                        &format!(
                            "ConfigMapName:\t{}\n    ConfigMapOptional:\t{}\n",
                            text(&source["configMap"]["name"]),
                            go_optional(&source["configMap"]["optional"])
                        ),
                    );
                } else if source["serviceAccountToken"].is_object() {
                    w.w(
                        2,
                        &format!(
                            "TokenExpirationSeconds:\t{}\n",
                            source["serviceAccountToken"]["expirationSeconds"].as_i64().unwrap_or(0)
                        ),
                    );
                }
            }
        } else {
            w.w(1, "<unknown>\n");
        }
    }
}

/// kubectl's `Pod Template:` section.
pub fn template(w: &mut Writer, template: &Value) {
    w.w(0, "Pod Template:\n");
    if !template.is_object() {
        w.w(1, "<unset>");
        return;
    }
    let meta = &template["metadata"];
    let spec = &template["spec"];
    w.labels("", "  Labels", &meta["labels"]);
    if meta["annotations"].as_object().is_some_and(|a| !a.is_empty()) {
        w.annotations("  Annotations", &meta["annotations"]);
    }
    if let Some(account) = spec["serviceAccountName"].as_str().filter(|s| !s.is_empty()) {
        w.w(1, &format!("Service Account:\t{account}\n"));
    }
    if spec["initContainers"].as_array().is_some_and(|c| !c.is_empty()) {
        containers(w, "Init Containers", &spec["initContainers"], None, "  ");
    }
    containers(w, "Containers", &spec["containers"], None, "  ");
    volumes(w, &spec["volumes"], "  ");
    if let Some(class) = spec["priorityClassName"].as_str().filter(|s| !s.is_empty()) {
        w.w(1, &format!("Priority Class Name:\t{class}\n"));
    }
    w.labels("", "  Node-Selectors", &spec["nodeSelector"]);
    w.tolerations("", "  Tolerations", &spec["tolerations"]);
}

/// A `*bool` as Go's `%v` prints it: `<nil>` when unset (kubectl's projected sources).
fn go_optional(value: &Value) -> String {
    value.as_bool().map_or_else(|| "<nil>".to_string(), |b| b.to_string())
}
