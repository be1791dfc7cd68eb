//! The scheduler and hollow nodes against a real `kctl server --hollow-nodes 3`, seen
//! through the real kubectl: pods get bound and run, unschedulable pods say why, node
//! labels and taints are honoured, pods spread, failing images show pull errors.

mod support;

use std::time::Duration;

use support::{eventually, stdout, TestServer};

const DEADLINE: Duration = Duration::from_secs(30);

fn server() -> TestServer {
    TestServer::start_with(&["--hollow-nodes", "3", "--hollow-failing-images", "nignx:latest"])
}

fn get(server: &TestServer, args: &[&str]) -> String {
    stdout(&server.kubectl(args))
}

/// Waits until `jsonpath` of `pod` equals `want`; returns what it last saw.
fn wait_for_field(server: &TestServer, pod: &str, jsonpath: &str, want: &str) -> String {
    let mut last = String::new();
    let expression = format!("jsonpath={jsonpath}");
    eventually(DEADLINE, || {
        last = get(server, &["get", "pod", pod, "-o", &expression]);
        last == want
    });
    last
}

fn pod_yaml(name: &str, extra_spec: &str, resources: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n{extra_spec}  containers:\n  - name: app\n    image: nginx\n{resources}"
    )
}

fn wait_for_nodes(server: &TestServer) {
    let ready = eventually(DEADLINE, || {
        get(
            server,
            &[
                "get",
                "nodes",
                "-o",
                "jsonpath={range .items[*]}{.status.conditions[?(@.type==\"Ready\")].status} {end}",
            ],
        ) == "True True True "
    });
    assert!(ready, "hollow nodes never became Ready: {}", get(server, &["get", "nodes"]));
}

#[test]
fn hollow_nodes_register_and_heartbeat_through_leases() {
    let server = server();
    wait_for_nodes(&server);
    let nodes = server.kubectl_ok(&["get", "nodes", "-o", "wide"]);
    for name in ["hollow-node-1", "hollow-node-2", "hollow-node-3"] {
        assert!(nodes.contains(name), "{nodes}");
    }
    assert!(nodes.contains("v1.32.0") && nodes.contains("10.244.0.1"), "{nodes}");
    let labels = server.kubectl_ok(&["get", "node", "hollow-node-2", "-o", "jsonpath={.metadata.labels}"]);
    assert!(
        labels.contains(r#""type":"hollow""#) && labels.contains(r#""kubernetes.io/hostname":"hollow-node-2""#),
        "{labels}"
    );
    let mut holders = String::new();
    let leased = eventually(DEADLINE, || {
        holders =
            get(&server, &["get", "leases", "-n", "kube-node-lease", "-o", "jsonpath={.items[*].spec.holderIdentity}"]);
        holders == "hollow-node-1 hollow-node-2 hollow-node-3"
    });
    assert!(leased, "leases: {holders:?}");
}

#[test]
fn a_pod_is_bound_runs_and_its_deletion_completes() {
    let server = server();
    wait_for_nodes(&server);
    server.kubectl_ok(&["run", "nginx", "--image=nginx"]);
    let phase = wait_for_field(&server, "nginx", "{.status.phase}", "Running");
    assert_eq!(phase, "Running", "{}", get(&server, &["describe", "pod", "nginx"]));
    let ready = wait_for_field(&server, "nginx", "{.status.conditions[?(@.type==\"Ready\")].status}", "True");
    assert_eq!(ready, "True");
    let wide = server.kubectl_ok(&["get", "pods", "-o", "wide"]);
    assert!(wide.contains("1/1") && wide.contains("Running") && wide.contains("hollow-node-"), "{wide}");
    let node = server.kubectl_ok(&["get", "pod", "nginx", "-o", "jsonpath={.spec.nodeName}"]);
    let mut described = String::new();
    let scheduled = eventually(DEADLINE, || {
        described = get(&server, &["describe", "pod", "nginx"]);
        described.contains(&format!("Successfully assigned default/nginx to {node}"))
    });
    assert!(scheduled && described.contains("default-scheduler"), "{described}");
    let ip = server.kubectl_ok(&["get", "pod", "nginx", "-o", "jsonpath={.status.podIP} {.status.hostIP}"]);
    assert!(ip.starts_with("10.64.") && ip.contains(" 10.244.0."), "{ip}");
    // kubectl delete waits until the pod is gone.
    let deleted = server.kubectl(&["delete", "pod", "nginx", "--timeout=30s"]);
    assert!(deleted.status.success(), "{}", support::stderr(&deleted));
    assert!(get(&server, &["get", "pods", "-o", "name"]).is_empty());
}

#[test]
fn a_pod_too_big_for_every_node_fails_scheduling_and_stays_pending() {
    let server = server();
    wait_for_nodes(&server);
    let resources = "    resources:\n      requests:\n        cpu: \"100\"\n";
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&pod_yaml("huge", "", resources)));
    let want = "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: \
                3 Preemption is not helpful for scheduling.";
    let mut events = String::new();
    let failed = eventually(DEADLINE, || {
        events = get(
            &server,
            &["get", "events", "--field-selector", "reason=FailedScheduling", "-o", "jsonpath={.items[*].message}"],
        );
        events.contains(want)
    });
    assert!(failed, "events: {events}");
    let described = server.kubectl_ok(&["describe", "pod", "huge"]);
    assert!(described.contains("FailedScheduling") && described.contains("Insufficient cpu"), "{described}");
    let condition =
        wait_for_field(&server, "huge", "{.status.conditions[?(@.type==\"PodScheduled\")].reason}", "Unschedulable");
    assert_eq!(condition, "Unschedulable");
    let state = server.kubectl_ok(&["get", "pod", "huge", "-o", "jsonpath={.status.phase}/{.spec.nodeName}"]);
    assert_eq!(state, "Pending/");
}

#[test]
fn node_selectors_and_taints_are_respected() {
    let server = server();
    wait_for_nodes(&server);
    server.kubectl_ok(&["label", "node", "hollow-node-2", "disk=ssd"]);
    server.kubectl_ok(&["taint", "node", "hollow-node-1", "k=v:NoSchedule"]);
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&pod_yaml("picky", "  nodeSelector:\n    disk: ssd\n", "")));
    assert_eq!(wait_for_field(&server, "picky", "{.spec.nodeName}", "hollow-node-2"), "hollow-node-2");

    // Only the tainted node matches: the message names both reasons, sorted as upstream.
    server.kubectl_ok(&["label", "node", "hollow-node-1", "only=me"]);
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&pod_yaml("stuck", "  nodeSelector:\n    only: me\n", "")));
    let want = "0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 node(s) didn't match Pod's node \
                affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    let mut events = String::new();
    let failed = eventually(DEADLINE, || {
        events = get(
            &server,
            &["get", "events", "--field-selector", "involvedObject.name=stuck", "-o", "jsonpath={.items[*].message}"],
        );
        events.contains(want)
    });
    assert!(failed, "events: {events}");

    // Tolerating the taint lets it in (the pod is recreated: tolerations are additive only).
    let tolerant = "  nodeSelector:\n    only: me\n  tolerations:\n  - key: k\n    operator: Equal\n    value: v\n    effect: NoSchedule\n";
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&pod_yaml("tolerant", tolerant, "")));
    assert_eq!(wait_for_field(&server, "tolerant", "{.spec.nodeName}", "hollow-node-1"), "hollow-node-1");

    let plain: String = (0..6).map(|i| pod_yaml(&format!("plain-{i}"), "", "") + "\n---\n").collect();
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&plain));
    let mut nodes = String::new();
    let placed = eventually(DEADLINE, || {
        nodes = get(
            &server,
            &["get", "pods", "-l", "", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName} {end}"],
        );
        (0..6).all(|i| nodes.contains(&format!("plain-{i}=hollow-node-")))
    });
    assert!(placed, "{nodes}");
    assert!(!nodes.split(' ').any(|p| p.starts_with("plain-") && p.ends_with("=hollow-node-1")), "{nodes}");
}

#[test]
fn thirty_pods_spread_across_three_nodes_and_run() {
    let server = server();
    wait_for_nodes(&server);
    let pods: String = (0..30).map(|i| pod_yaml(&format!("web-{i}"), "", "") + "\n---\n").collect();
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&pods));
    let mut phases = String::new();
    let running = eventually(Duration::from_secs(60), || {
        phases = get(&server, &["get", "pods", "-o", "jsonpath={range .items[*]}{.status.phase} {end}"]);
        phases.matches("Running").count() == 30
    });
    assert!(running, "{phases}");
    let nodes = server.kubectl_ok(&["get", "pods", "-o", "jsonpath={range .items[*]}{.spec.nodeName} {end}"]);
    for node in ["hollow-node-1", "hollow-node-2", "hollow-node-3"] {
        let count = nodes.split_whitespace().filter(|n| *n == node).count();
        assert!((7..=13).contains(&count), "{node} got {count} pods: {nodes}");
    }
}

#[test]
fn a_failing_image_shows_pull_errors_then_backoff() {
    let server = server();
    wait_for_nodes(&server);
    server.kubectl_ok(&["run", "typo", "--image=nignx"]);
    let mut seen = Vec::new();
    let backoff = eventually(DEADLINE, || {
        let table = get(&server, &["get", "pods", "typo", "--no-headers"]);
        seen.push(table.clone());
        table.contains("ImagePullBackOff")
    });
    assert!(backoff, "{seen:?}");
    // ErrImagePull shows for two seconds first, as upstream's first failed pull.
    assert!(seen.iter().any(|t| t.contains("ErrImagePull")), "{seen:?}");
    let row = seen.last().cloned().unwrap_or_default();
    assert!(row.contains("0/1") && row.contains("ImagePullBackOff"), "{row}");
    let message = server.kubectl_ok(&[
        "get",
        "pod",
        "typo",
        "-o",
        "jsonpath={.status.containerStatuses[0].state.waiting.message}",
    ]);
    assert_eq!(message, "Back-off pulling image \"nignx\"");
    let phase = server.kubectl_ok(&["get", "pod", "typo", "-o", "jsonpath={.status.phase}"]);
    assert_eq!(phase, "Pending");
}
