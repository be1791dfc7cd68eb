//! networking.k8s.io, discovery.k8s.io, policy, node.k8s.io, scheduling.k8s.io and autoscaling
//! against a real `kctl server` with the real kubectl: each kind's sample applies and prints
//! upstream's columns, its invalid sample gets upstream's 422, kubectl's generators (`create
//! ingress`, `create pdb`, `create priorityclass`, `autoscale`) work, the system priority
//! classes exist and resolve pods' priorities, and HorizontalPodAutoscalers read back whole in
//! autoscaling/v1 and v2 whichever version wrote them.

mod support;

use serde_json::Value;
use support::{stderr, TestServer};

fn sample(file: &str) -> String {
    let path = format!("{}/testdata/kinds/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"))
}

/// The valid object, the invalid one, and the substring its 422 must carry.
fn split_sample(text: &str) -> (String, String, String) {
    let (valid, invalid) = text.split_once("\n---\n").expect("two documents");
    let expect = valid.lines().find_map(|line| line.strip_prefix("# expect: ")).expect("an expect line").to_string();
    (valid.to_string(), invalid.to_string(), expect)
}

/// The header and first row of a `kubectl get`, as whitespace-separated words per line.
fn table(server: &TestServer, args: &[&str]) -> (String, String) {
    let out = server.kubectl_ok(args);
    let mut lines = out.lines().map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "));
    (lines.next().unwrap_or_default(), lines.next().unwrap_or_default())
}

fn json_of(server: &TestServer, args: &[&str]) -> Value {
    let mut full = args.to_vec();
    full.extend(["-o", "json"]);
    serde_json::from_str(&server.kubectl_ok(&full)).expect("kubectl prints JSON")
}

#[test]
fn samples_apply_print_upstream_columns_and_invalid_ones_are_refused() {
    let server = TestServer::start();
    // (sample file, resource, header, first row without its AGE)
    let cases = [
        (
            "ingresses.networking.k8s.io.yaml",
            "ingresses.networking.k8s.io",
            "NAME CLASS HOSTS ADDRESS PORTS AGE",
            "sample nginx sample.example.com 80, 443",
        ),
        (
            "ingressclasses.networking.k8s.io.yaml",
            "ingressclasses.networking.k8s.io",
            "NAME CONTROLLER PARAMETERS AGE",
            "sample example.com/ingress-controller IngressParameters.k8s.example.com/sample-parameters",
        ),
        (
            "networkpolicies.networking.k8s.io.yaml",
            "networkpolicies.networking.k8s.io",
            "NAME POD-SELECTOR AGE",
            "sample app=db",
        ),
        (
            "endpointslices.discovery.k8s.io.yaml",
            "endpointslices.discovery.k8s.io",
            "NAME ADDRESSTYPE PORTS ENDPOINTS AGE",
            "sample IPv4 80 10.244.0.5",
        ),
        (
            "poddisruptionbudgets.policy.yaml",
            "poddisruptionbudgets.policy",
            "NAME MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE",
            "sample 1 N/A 0",
        ),
        ("runtimeclasses.node.k8s.io.yaml", "runtimeclasses.node.k8s.io", "NAME HANDLER AGE", "sample runc"),
        (
            "priorityclasses.scheduling.k8s.io.yaml",
            "priorityclasses.scheduling.k8s.io",
            "NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY",
            "sample 1000 false",
        ),
        (
            "horizontalpodautoscalers.autoscaling.yaml",
            "horizontalpodautoscalers.autoscaling",
            "NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE",
            "sample Deployment/web cpu: <unknown>/60% 1 5 0",
        ),
        (
            "horizontalpodautoscalers.autoscaling@v1.yaml",
            "horizontalpodautoscalers.autoscaling",
            "NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE",
            "sample Deployment/web cpu: <unknown>/50% 1 3 0",
        ),
    ];
    for (file, resource, header, row) in cases {
        let (valid, invalid, expect) = split_sample(&sample(file));
        let path = server.write(file, &valid);
        server.kubectl_ok(&["apply", "-f", &path.to_string_lossy()]);
        let (got_header, got_row) = table(&server, &["get", resource, "sample"]);
        assert_eq!(got_header, header, "{file}");
        assert!(got_row.starts_with(row), "{file}: {got_row:?} does not start with {row:?}");

        let path = server.write(&format!("invalid-{file}"), &invalid);
        let refused = server.kubectl(&["apply", "-f", &path.to_string_lossy()]);
        assert!(!refused.status.success(), "{file}: invalid object was accepted");
        let message = stderr(&refused);
        assert!(message.contains(" is invalid: "), "{file}: not a 422: {message}");
        assert!(message.contains(&expect), "{file}: {expect:?} not in {message}");

        server.kubectl_ok(&["delete", resource, "sample"]);
    }
}

#[test]
fn strategies_default_and_reset_status_as_upstream() {
    let server = TestServer::start();
    let policy = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: egress}\nspec:\n  podSelector: {}\n  egress:\n  - ports:\n    - port: 53\n";
    server.kubectl_ok(&["apply", "-f", &server.write("netpol.yaml", policy).to_string_lossy()]);
    let created = json_of(&server, &["get", "netpol", "egress"]);
    assert_eq!(created["spec"]["policyTypes"], serde_json::json!(["Ingress", "Egress"]));
    assert_eq!(created["spec"]["egress"][0]["ports"][0]["protocol"], "TCP");
    assert_eq!(created["metadata"]["generation"], 1);

    let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  maxUnavailable: 25%\n  selector: {matchLabels: {app: web}}\nstatus:\n  disruptionsAllowed: 7\n";
    server.kubectl_ok(&["apply", "-f", &server.write("pdb.yaml", pdb).to_string_lossy()]);
    let created = json_of(&server, &["get", "pdb", "web"]);
    assert_eq!(created["status"]["disruptionsAllowed"], 0);
    assert_eq!(created["metadata"]["generation"], 1);
    server.kubectl_ok(&["patch", "pdb", "web", "--type=merge", "-p", r#"{"spec":{"maxUnavailable":"50%"}}"#]);
    assert_eq!(json_of(&server, &["get", "pdb", "web"])["metadata"]["generation"], 2);

    let class = "apiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: {name: gvisor}\nhandler: runsc\n";
    server.kubectl_ok(&["apply", "-f", &server.write("rc.yaml", class).to_string_lossy()]);
    let changed = server.kubectl(&["patch", "runtimeclass", "gvisor", "--type=merge", "-p", r#"{"handler":"runc"}"#]);
    assert!(stderr(&changed).contains("handler: Invalid value: \"runc\": field is immutable"), "{}", stderr(&changed));

    let slice = "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-1}\naddressType: IPv4\nendpoints: []\nports:\n- port: 80\n";
    server.kubectl_ok(&["apply", "-f", &server.write("slice.yaml", slice).to_string_lossy()]);
    let created = json_of(&server, &["get", "endpointslice", "web-1"]);
    assert_eq!(created["ports"][0]["protocol"], "TCP");
    let changed =
        server.kubectl(&["patch", "endpointslice", "web-1", "--type=merge", "-p", r#"{"addressType":"IPv6"}"#]);
    assert!(
        stderr(&changed).contains("addressType: Invalid value: \"IPv6\": field is immutable"),
        "{}",
        stderr(&changed)
    );
}

#[test]
fn kubectl_create_ingress_pdb_and_priorityclass() {
    let server = TestServer::start();
    server.kubectl_ok(&["create", "ingress", "web", "--class=nginx", "--rule=foo.com/bar*=svc:8080,tls=my-cert"]);
    let (_, row) = table(&server, &["get", "ingress", "web"]);
    assert!(row.starts_with("web nginx foo.com 80, 443"), "{row}");
    let ingress = json_of(&server, &["get", "ingress", "web"]);
    assert_eq!(ingress["spec"]["rules"][0]["http"]["paths"][0]["pathType"], "Prefix");
    assert_eq!(ingress["status"], serde_json::json!({"loadBalancer": {}}));

    let bad = server.kubectl(&["create", "ingress", "bad", "--rule=1.2.3.4/=svc:80"]);
    assert!(
        stderr(&bad).contains("spec.rules[0].host: Invalid value: \"1.2.3.4\": must be a DNS name, not an IP address"),
        "{}",
        stderr(&bad)
    );

    server.kubectl_ok(&["create", "pdb", "web", "--selector=app=web", "--min-available=50%"]);
    let (_, row) = table(&server, &["get", "pdb", "web"]);
    assert!(row.starts_with("web 50% N/A 0"), "{row}");

    server.kubectl_ok(&[
        "create",
        "priorityclass",
        "high",
        "--value=1000",
        "--preemption-policy=Never",
        "--description=high",
    ]);
    let (_, row) = table(&server, &["get", "pc", "high"]);
    assert!(row.starts_with("high 1000 false"), "{row}");
    assert!(row.ends_with("Never"), "{row}");
    let changed = server.kubectl(&["patch", "pc", "high", "--type=merge", "-p", r#"{"value":5}"#]);
    assert!(stderr(&changed).contains("value: Forbidden: may not be changed in an update."), "{}", stderr(&changed));
}

#[test]
fn system_priority_classes_resolve_pod_priorities() {
    let server = TestServer::start();
    let classes =
        server.kubectl_ok(&["get", "pc", "-o", "custom-columns=NAME:.metadata.name,VALUE:.value", "--no-headers"]);
    let classes: Vec<String> =
        classes.lines().map(|line| line.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    assert_eq!(classes, ["system-cluster-critical 2000000000", "system-node-critical 2000001000"]);

    let refused = server.kubectl(&["delete", "pc", "system-node-critical"]);
    assert!(
        stderr(&refused).contains("priorityclasses.scheduling.k8s.io \"system-node-critical\" is forbidden: this is a system priority class and cannot be deleted"),
        "{}",
        stderr(&refused)
    );

    server.kubectl_ok(&["create", "priorityclass", "high", "--value=1000"]);
    server.kubectl_ok(&["run", "hi", "--image=nginx", "--overrides", r#"{"spec":{"priorityClassName":"high"}}"#]);
    let pod = json_of(&server, &["get", "pod", "hi"]);
    assert_eq!(pod["spec"]["priority"], 1000);
    assert_eq!(pod["spec"]["preemptionPolicy"], "PreemptLowerPriority");

    server.kubectl_ok(&[
        "run",
        "crit",
        "--image=nginx",
        "--overrides",
        r#"{"spec":{"priorityClassName":"system-cluster-critical"}}"#,
    ]);
    assert_eq!(json_of(&server, &["get", "pod", "crit"])["spec"]["priority"], 2_000_000_000);

    let unknown =
        server.kubectl(&["run", "x", "--image=nginx", "--overrides", r#"{"spec":{"priorityClassName":"foo"}}"#]);
    assert!(
        stderr(&unknown).contains(
            "Error from server (Forbidden): pods \"x\" is forbidden: no PriorityClass with name foo was found"
        ),
        "{}",
        stderr(&unknown)
    );
    let mismatch = server.kubectl(&[
        "run",
        "y",
        "--image=nginx",
        "--overrides",
        r#"{"spec":{"priorityClassName":"high","priority":5}}"#,
    ]);
    assert!(
        stderr(&mismatch).contains("pods \"y\" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name"),
        "{}",
        stderr(&mismatch)
    );

    // Without a class, a pod takes the global default's.
    server.kubectl_ok(&["run", "plain", "--image=nginx"]);
    assert_eq!(json_of(&server, &["get", "pod", "plain"])["spec"]["priority"], 0);
    server.kubectl_ok(&[
        "create",
        "priorityclass",
        "everyone",
        "--value=7",
        "--global-default",
        "--preemption-policy=Never",
    ]);
    let second = server.kubectl(&["create", "priorityclass", "another", "--value=8", "--global-default"]);
    assert!(
        stderr(&second).contains("PriorityClass everyone is already marked as default. Only one default can exist"),
        "{}",
        stderr(&second)
    );
    server.kubectl_ok(&["run", "defaulted", "--image=nginx"]);
    let pod = json_of(&server, &["get", "pod", "defaulted"]);
    assert_eq!(pod["spec"]["priority"], 7);
    assert_eq!(pod["spec"]["priorityClassName"], "everyone");
    assert_eq!(pod["spec"]["preemptionPolicy"], "Never");
}

#[test]
fn autoscalers_read_back_whole_in_both_versions() {
    let server = TestServer::start();
    // Written as v1: read as v2, the CPU target is a Resource metric.
    let v1 = "apiVersion: autoscaling/v1\nkind: HorizontalPodAutoscaler\nmetadata: {name: old}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 4\n  targetCPUUtilizationPercentage: 40\n";
    server.kubectl_ok(&["apply", "-f", &server.write("v1.yaml", v1).to_string_lossy()]);
    let as_v2 = json_of(&server, &["get", "hpa", "old"]);
    assert_eq!(as_v2["apiVersion"], "autoscaling/v2");
    assert_eq!(as_v2["spec"]["minReplicas"], 1);
    assert_eq!(
        as_v2["spec"]["metrics"],
        serde_json::json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 40}}}])
    );
    let yaml = server.kubectl_ok(&["get", "horizontalpodautoscalers.v1.autoscaling", "old", "-o", "yaml"]);
    assert!(yaml.contains("apiVersion: autoscaling/v1"), "{yaml}");
    assert!(yaml.contains("targetCPUUtilizationPercentage: 40"), "{yaml}");

    // Written as v2 with more than v1 can say: v1 carries the rest in annotations, and a
    // v1 update keeps it.
    let v2 = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: new}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 6\n  metrics:\n  - type: Pods\n    pods:\n      metric: {name: qps}\n      target: {type: AverageValue, averageValue: \"10\"}\n  - type: Resource\n    resource:\n      name: cpu\n      target: {type: Utilization, averageUtilization: 70}\n  behavior:\n    scaleDown:\n      stabilizationWindowSeconds: 60\n";
    server.kubectl_ok(&["apply", "-f", &server.write("v2.yaml", v2).to_string_lossy()]);
    let as_v1 = json_of(&server, &["get", "horizontalpodautoscalers.v1.autoscaling", "new"]);
    assert_eq!(as_v1["apiVersion"], "autoscaling/v1");
    assert_eq!(as_v1["spec"]["targetCPUUtilizationPercentage"], 70);
    let annotations = &as_v1["metadata"]["annotations"];
    let metrics: Value =
        serde_json::from_str(annotations["autoscaling.alpha.kubernetes.io/metrics"].as_str().unwrap_or("null"))
            .unwrap_or_default();
    assert_eq!(
        metrics,
        serde_json::json!([{"type": "Pods", "pods": {"metricName": "qps", "targetAverageValue": "10"}}])
    );
    assert!(annotations["autoscaling.alpha.kubernetes.io/behavior"]
        .as_str()
        .is_some_and(|b| b.contains("\"StabilizationWindowSeconds\":60")));
    server.kubectl_ok(&[
        "patch",
        "horizontalpodautoscalers.v1.autoscaling",
        "new",
        "--type=merge",
        "-p",
        r#"{"spec":{"maxReplicas":8}}"#,
    ]);
    let back = json_of(&server, &["get", "hpa", "new"]);
    assert_eq!(back["spec"]["maxReplicas"], 8);
    assert_eq!(back["spec"]["metrics"][0]["pods"]["metric"]["name"], "qps");
    assert_eq!(back["spec"]["metrics"][1]["resource"]["target"]["averageUtilization"], 70);
    assert_eq!(back["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"], 60);
    assert!(back["metadata"]["annotations"].get("autoscaling.alpha.kubernetes.io/metrics").is_none());
    let (_, row) = table(&server, &["get", "hpa", "new"]);
    assert!(row.starts_with("new Deployment/web <unknown>/10, cpu: <unknown>/70% 1 8 0"), "{row}");

    // kubectl 1.32's autoscale writes autoscaling/v1.
    server.kubectl_ok(&["create", "deployment", "web", "--image=nginx"]);
    server.kubectl_ok(&["autoscale", "deployment", "web", "--min=1", "--max=3", "--cpu-percent=50"]);
    let (header, row) = table(&server, &["get", "hpa", "web"]);
    assert_eq!(header, "NAME REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE");
    assert!(row.starts_with("web Deployment/web cpu: <unknown>/50% 1 3 0"), "{row}");
    let managed = json_of(&server, &["get", "hpa", "web", "--show-managed-fields"]);
    assert_eq!(managed["metadata"]["managedFields"][0]["manager"], "kubectl-autoscale");
    assert_eq!(managed["metadata"]["managedFields"][0]["apiVersion"], "autoscaling/v1");
}
