//! The core/v1 kinds beyond pods and workloads against a real `kctl server` and the real
//! kubectl: LimitRanges, ResourceQuotas, PersistentVolumes and claims and PodTemplates are
//! created with upstream's defaults, print upstream's columns and refuse invalid objects with
//! 422; `kubectl get cs` reads ComponentStatuses; a Binding posted to the `bindings` resource
//! binds a pod; field selectors read absent fields as Go's zero values.

mod support;

use support::{stderr, stdout, TestServer};

fn sample(name: &str) -> String {
    format!("{}/testdata/kinds/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The first document of a sample file (the valid object) and the second (the invalid one)
/// with the message upstream answers it with.
fn documents(file: &str) -> (String, String, String) {
    let text = std::fs::read_to_string(sample(file)).expect("sample");
    let (valid, invalid) = text.split_once("\n---\n").expect("two documents");
    let expect = valid.lines().find_map(|line| line.strip_prefix("# expect: ")).expect("an expect line").to_string();
    (valid.to_string(), invalid.to_string(), expect)
}

fn header(table: &str) -> Vec<String> {
    table.lines().next().unwrap_or_default().split_whitespace().map(str::to_string).collect()
}

#[test]
fn core_kinds_apply_print_and_refuse_invalid_objects() {
    let server = TestServer::start();
    let kinds = [
        ("limitranges.yaml", "limitranges", "NAME CREATED AT"),
        ("resourcequotas.yaml", "resourcequotas", "NAME AGE REQUEST LIMIT"),
        (
            "persistentvolumes.yaml",
            "persistentvolumes",
            "NAME CAPACITY ACCESS MODES RECLAIM POLICY STATUS CLAIM STORAGECLASS VOLUMEATTRIBUTESCLASS REASON AGE",
        ),
        (
            "persistentvolumeclaims.yaml",
            "persistentvolumeclaims",
            "NAME STATUS VOLUME CAPACITY ACCESS MODES STORAGECLASS VOLUMEATTRIBUTESCLASS AGE",
        ),
        ("podtemplates.yaml", "podtemplates", "NAME CONTAINERS IMAGES POD LABELS"),
    ];
    for (file, plural, columns) in kinds {
        let (valid, invalid, expect) = documents(file);
        let valid_path = server.write(&format!("valid-{file}"), &valid);
        server.kubectl_ok(&["apply", "-f", valid_path.to_str().unwrap_or_default()]);
        let table = server.kubectl_ok(&["get", plural]);
        assert_eq!(header(&table).join(" "), columns, "{plural}:\n{table}");
        assert!(table.lines().nth(1).is_some_and(|row| row.starts_with("sample")), "{plural}:\n{table}");

        let invalid_path = server.write(&format!("invalid-{file}"), &invalid);
        let refused = server.kubectl(&["create", "-f", invalid_path.to_str().unwrap_or_default(), "-v=6"]);
        assert!(!refused.status.success(), "{plural} accepted an invalid object");
        let said = format!("{}{}", stdout(&refused), stderr(&refused));
        assert!(said.contains("422"), "{plural} not refused with 422: {said}");
        assert!(said.contains(&expect), "{plural}: {expect:?} missing from {said}");
    }

    // Upstream's defaults.
    let limits = server.kubectl_ok(&[
        "get",
        "limitrange",
        "sample",
        "-o",
        "jsonpath={.spec.limits[0].default.cpu} {.spec.limits[0].defaultRequest.cpu}",
    ]);
    assert_eq!(limits, "2 2");
    // Created Pending (the registry's default), then bound to each other by the PV
    // controller, as upstream's: the sample claim fits the sample volume.
    let pv_and_pvc = || {
        let pv = server.kubectl_ok(&[
            "get",
            "pv",
            "sample",
            "-o",
            "jsonpath={.spec.persistentVolumeReclaimPolicy} {.spec.volumeMode} {.status.phase}",
        ]);
        let pvc = server.kubectl_ok(&["get", "pvc", "sample", "-o", "jsonpath={.spec.volumeMode} {.status.phase}"]);
        (pv, pvc)
    };
    let bound = || pv_and_pvc() == ("Retain Filesystem Bound".to_string(), "Filesystem Bound".to_string());
    assert!(support::eventually(std::time::Duration::from_secs(30), bound), "{:?}", pv_and_pvc());
    let template = server.kubectl_ok(&[
        "get",
        "podtemplate",
        "sample",
        "-o",
        "jsonpath={.template.spec.restartPolicy} {.metadata.generation}",
    ]);
    assert_eq!(template, "Always 1");

    // A quota's status is the quota controller's: written through /status, kept by spec updates.
    let status = r#"{"status": {"hard": {"pods": "10", "limits.memory": "8Gi"}, "used": {"pods": "1"}}}"#;
    server.kubectl_ok(&["patch", "quota", "sample", "--subresource=status", "--type=merge", "-p", status]);
    server.kubectl_ok(&["label", "quota", "sample", "team=a"]);
    let quota = server.kubectl_ok(&["get", "quota", "sample", "--no-headers"]);
    assert!(quota.contains("pods: 1/10") && quota.contains("limits.memory: 0/8Gi"), "{quota}");

    // A bound claim may grow its request, and nothing else of its spec may change.
    server.kubectl_ok(&[
        "patch",
        "pvc",
        "sample",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status": {"phase": "Bound"}}"#,
    ]);
    server.kubectl_ok(&[
        "patch",
        "pvc",
        "sample",
        "--type=merge",
        "-p",
        r#"{"spec": {"resources": {"requests": {"storage": "2Gi"}}}}"#,
    ]);
    let changed = server.kubectl(&[
        "patch",
        "pvc",
        "sample",
        "--type=merge",
        "-p",
        r#"{"spec": {"accessModes": ["ReadWriteMany"]}}"#,
    ]);
    assert!(!changed.status.success());
    assert!(
        stderr(&changed).contains("spec is immutable after creation except resources.requests"),
        "{}",
        stderr(&changed)
    );
}

#[test]
fn component_statuses_report_the_control_plane() {
    let server = TestServer::start();
    let output = server.kubectl(&["get", "cs"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("Warning: v1 ComponentStatus is deprecated in v1.19+"), "{}", stderr(&output));
    let table = stdout(&output);
    assert_eq!(header(&table), ["NAME", "STATUS", "MESSAGE", "ERROR"]);
    for name in ["scheduler", "controller-manager", "etcd-0"] {
        let row = table.lines().find(|l| l.starts_with(name)).unwrap_or_default();
        assert_eq!(row.split_whitespace().collect::<Vec<_>>(), [name, "Healthy", "ok"], "{table}");
    }
    let etcd =
        server.kubectl_ok(&["get", "cs", "etcd-0", "-o", "jsonpath={.conditions[0].type}={.conditions[0].status}"]);
    assert_eq!(etcd, "Healthy=True");
    let missing = server.kubectl(&["get", "cs", "nope"]);
    assert!(!missing.status.success());
    assert!(stderr(&missing).contains("Component not found: nope"), "{}", stderr(&missing));
}

#[test]
fn a_binding_binds_its_pod_and_field_selectors_read_zero_values() {
    let server = TestServer::start();
    let node = server.write("node.yaml", "apiVersion: v1\nkind: Node\nmetadata:\n  name: selected-node\nspec: {}\n");
    server.kubectl_ok(&["create", "-f", node.to_str().unwrap_or_default()]);
    let schedulable =
        server.kubectl_ok(&["get", "nodes", "--field-selector", "spec.unschedulable=false", "-o", "name"]);
    assert!(schedulable.lines().any(|l| l == "node/selected-node"), "{schedulable}");
    let unschedulable =
        server.kubectl_ok(&["get", "nodes", "--field-selector", "spec.unschedulable=true", "-o", "name"]);
    assert!(!unschedulable.contains("selected-node"), "{unschedulable}");

    // No scheduler answers to this name: the pod waits for the Binding.
    let pod = server.write(
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: waiting\nspec:\n  schedulerName: nobody\n  containers:\n  - name: c\n    image: busybox:1.36\n",
    );
    server.kubectl_ok(&["create", "-f", pod.to_str().unwrap_or_default()]);
    let unscheduled = server.kubectl_ok(&["get", "pods", "--field-selector", "spec.nodeName=", "-o", "name"]);
    assert_eq!(unscheduled.trim(), "pod/waiting");

    let binding = server.write(
        "binding.json",
        r#"{"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "waiting"}, "target": {"apiVersion": "v1", "kind": "Node", "name": "selected-node"}}"#,
    );
    let answer = server.kubectl_ok(&[
        "create",
        "--raw",
        "/api/v1/namespaces/default/bindings",
        "-f",
        binding.to_str().unwrap_or_default(),
    ]);
    assert!(answer.contains("\"status\":\"Success\""), "{answer}");
    assert_eq!(server.kubectl_ok(&["get", "pod", "waiting", "-o", "jsonpath={.spec.nodeName}"]), "selected-node");
    let on_node = server.kubectl_ok(&["get", "pods", "--field-selector", "spec.nodeName=selected-node", "-o", "name"]);
    assert_eq!(on_node.trim(), "pod/waiting");
    assert_eq!(server.kubectl_ok(&["get", "pods", "--field-selector", "spec.nodeName=", "-o", "name"]).trim(), "");

    let again = server.kubectl(&[
        "create",
        "--raw",
        "/api/v1/namespaces/default/bindings",
        "-f",
        binding.to_str().unwrap_or_default(),
    ]);
    assert!(!again.status.success(), "a bound pod is bound again");

    let refused = server.kubectl(&["get", "pods", "--field-selector", "spec.containers=x"]);
    assert!(stderr(&refused).contains("field label not supported: spec.containers"), "{}", stderr(&refused));
    let refused = server.kubectl(&["get", "jobs", "--field-selector", "spec.x=y"]);
    assert!(stderr(&refused).contains("field label \"spec.x\" not supported for Job"), "{}", stderr(&refused));
}
