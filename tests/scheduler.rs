//! The scheduler and hollow nodes against a real `kctl server --hollow-nodes 3`, seen
//! through the real kubectl: pods get bound and run, unschedulable pods say why, node
//! labels and taints are honoured, pods spread, failing images show pull errors, and the
//! hollow kubelet records upstream's container events.

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

/// The events about `pod`, one line each: reason|type|fieldPath|component|host|message.
fn pod_events(server: &TestServer, pod: &str) -> Vec<String> {
    let selector = format!("involvedObject.name={pod}");
    let jsonpath = "jsonpath={range .items[*]}{.reason}|{.type}|{.involvedObject.fieldPath}|{.source.component}|\
                    {.source.host}|{.message}{\"\\n\"}{end}";
    let listed = get(server, &["get", "events", "--field-selector", &selector, "-o", jsonpath]);
    let mut lines: Vec<String> = listed.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

/// Waits until every `want` line is among the pod's events; returns them.
fn wait_for_events(server: &TestServer, pod: &str, want: &[String]) -> Vec<String> {
    let mut seen = Vec::new();
    let found = eventually(DEADLINE, || {
        seen = pod_events(server, pod);
        want.iter().all(|w| seen.contains(w))
    });
    assert!(found, "wanted {want:#?}\nsaw {seen:#?}");
    seen
}

#[test]
fn the_kubelet_records_container_events_on_the_pod() {
    let server = server();
    wait_for_nodes(&server);
    server.kubectl_ok(&["run", "web", "--image=nginx"]);
    server.kubectl_ok(&["run", "typo", "--image=nignx"]);
    let node = wait_for_field(&server, "web", "{.status.phase}", "Running");
    assert_eq!(node, "Running");
    let node = server.kubectl_ok(&["get", "pod", "web", "-o", "jsonpath={.spec.nodeName}"]);
    let kubelet = |reason: &str, type_: &str, container: &str, node: &str, message: &str| {
        format!("{reason}|{type_}|spec.containers{{{container}}}|kubelet|{node}|{message}")
    };
    let started = [
        kubelet("Pulled", "Normal", "web", &node, "Container image \"nginx\" already present on machine"),
        kubelet("Created", "Normal", "web", &node, "Created container: web"),
        kubelet("Started", "Normal", "web", &node, "Started container web"),
    ];
    let seen = wait_for_events(&server, "web", &started);
    let reasons: Vec<&str> = seen.iter().filter_map(|l| l.split('|').next()).collect();
    assert_eq!(reasons, ["Created", "Pulled", "Scheduled", "Started"], "{seen:#?}");

    // The failing image: the pull, its failure, then the back-off.
    let typo_node = server.kubectl_ok(&["get", "pod", "typo", "-o", "jsonpath={.spec.nodeName}"]);
    let pull_error = "Failed to pull image \"nignx\": failed to pull and unpack image \
                      \"docker.io/library/nignx:latest\": failed to resolve reference \
                      \"docker.io/library/nignx:latest\": pull access denied, repository does not exist or may \
                      require authorization: server message: insufficient_scope: authorization failed";
    let failing = [
        kubelet("Pulling", "Normal", "typo", &typo_node, "Pulling image \"nignx\""),
        kubelet("Failed", "Warning", "typo", &typo_node, pull_error),
        kubelet("Failed", "Warning", "typo", &typo_node, "Error: ErrImagePull"),
        kubelet("BackOff", "Normal", "typo", &typo_node, "Back-off pulling image \"nignx\""),
        kubelet("Failed", "Warning", "typo", &typo_node, "Error: ImagePullBackOff"),
    ];
    let seen = wait_for_events(&server, "typo", &failing);
    assert!(!seen.iter().any(|l| l.starts_with("Started|")), "{seen:#?}");
    let described = server.kubectl_ok(&["describe", "pod", "typo"]);
    assert!(described.contains("kubelet") && described.contains("Error: ImagePullBackOff"), "{described}");
    assert!(!described.contains("spec.containers{"), "kubectl prints no fieldPath: {described}");

    // Deleting a running pod stops its container first.
    server.kubectl_ok(&["delete", "pod", "web", "--timeout=30s"]);
    wait_for_events(&server, "web", &[kubelet("Killing", "Normal", "web", &node, "Stopping container web")]);
}

/// Throughput: N pods onto M hollow nodes, timed from the first create to the last
/// binding (and to the last pod Running). With `backlog`, every node is cordoned while
/// the pods are created, then uncordoned: that times binding alone, not pod creation.
/// Run in release: `cargo test --release --test scheduler -- --ignored --nocapture`
/// (KCTL_BENCH_NODES / KCTL_BENCH_PODS change the sizes; defaults 1000 / 10000).
async fn throughput(backlog: bool) {
    use futures::{StreamExt, TryStreamExt};
    use k8s_openapi::api::core::v1::{Node, Pod};
    use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
    use kube::runtime::{watcher, WatchStreamExt};
    use std::collections::HashSet;
    use std::time::Instant;

    let size = |name: &str, default: usize| std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default);
    let (node_count, pod_count) = (size("KCTL_BENCH_NODES", 1000), size("KCTL_BENCH_PODS", 10_000));
    let server = TestServer::start_with(&["--hollow-nodes", &node_count.to_string()]);
    let client = server.client().await;
    let nodes: Api<Node> = Api::all(client.clone());
    let registered = Instant::now();
    while nodes.list_metadata(&ListParams::default()).await.map_or(0, |l| l.items.len()) < node_count {
        assert!(registered.elapsed() < Duration::from_secs(120), "nodes did not register");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!("{node_count} hollow nodes registered in {:.1?}", registered.elapsed());
    let cordon = |unschedulable: bool| {
        let nodes = nodes.clone();
        futures::stream::iter(1..=node_count).for_each_concurrent(64, move |i| {
            let nodes = nodes.clone();
            async move {
                let patch = Patch::Merge(serde_json::json!({"spec": {"unschedulable": unschedulable}}));
                nodes.patch(&format!("hollow-node-{i}"), &PatchParams::default(), &patch).await.expect("cordon");
            }
        })
    };
    if backlog {
        cordon(true).await;
    }

    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let watch = {
        let pods = pods.clone();
        tokio::spawn(async move {
            let (mut bound, mut running) = (HashSet::new(), HashSet::new());
            let (mut first_bound, mut last_bound, mut last_running) = (None, None, None);
            let mut events = std::pin::pin!(watcher::watcher(pods, watcher::Config::default()).applied_objects());
            let deadline = Instant::now() + Duration::from_secs(600);
            while running.len() < pod_count && Instant::now() < deadline {
                let Ok(Some(pod)) = events.try_next().await else { continue };
                let uid = pod.metadata.uid.clone().unwrap_or_default();
                if pod.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some() && bound.insert(uid.clone()) {
                    first_bound.get_or_insert_with(Instant::now);
                    last_bound = Some(Instant::now());
                }
                if pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running") && running.insert(uid) {
                    last_running = Some(Instant::now());
                }
            }
            (bound.len(), running.len(), first_bound, last_bound, last_running)
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let template: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "bench"},
        "spec": {"containers": [{"name": "app", "image": "nginx", "resources": {"requests": {"cpu": "10m", "memory": "10Mi"}}}]}
    }))
    .expect("pod");
    futures::stream::iter(0..pod_count)
        .for_each_concurrent(64, |i| {
            let (pods, mut pod) = (pods.clone(), template.clone());
            pod.metadata.name = Some(format!("bench-{i}"));
            async move {
                pods.create(&PostParams::default(), &pod).await.expect("create pod");
            }
        })
        .await;
    let created = started.elapsed();
    println!("created {pod_count} pods in {created:.2?} ({:.0}/s)", pod_count as f64 / created.as_secs_f64());
    if backlog {
        cordon(false).await;
    }
    let (bound, running, first_bound, last_bound, last_running) = watch.await.expect("watch task");
    let since = |from: Option<Instant>, to: Option<Instant>| match (from, to) {
        (Some(from), Some(to)) => to - from,
        _ => Duration::ZERO,
    };
    let rate = |count: usize, time: Duration| count as f64 / time.as_secs_f64().max(0.001);
    let binding = since(first_bound, last_bound);
    println!("bound {bound} pods: first to last binding {binding:.2?} ({:.0}/s)", rate(bound, binding));
    let running_after = since(Some(started), last_running);
    println!(
        "running {running} pods {running_after:.2?} after the first create ({:.0}/s)",
        rate(running, running_after)
    );
    assert_eq!((bound, running), (pod_count, pod_count));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn throughput_while_pods_are_created() {
    throughput(false).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn throughput_of_a_backlog() {
    throughput(true).await
}
