//! cordon, uncordon, taint and drain against a real `kctl server` with two hollow nodes,
//! each step run by kctl on one node and by the real kubectl on the other: their output
//! (node and generated pod names masked), stderr and exit status must be the same. Drain
//! evicts through `pods/eviction`, so a PodDisruptionBudget holds it (429, retried every
//! 5 s, until `--timeout`) and lets it through once the budget allows.

mod cli_common;
mod support;

use std::process::Output;
use std::time::Duration;

use regex::Regex;
use serde_json::Value;
use support::{eventually, TestServer};

const WAIT: Duration = Duration::from_secs(60);

/// One run's result with what differs between the two nodes masked.
#[derive(Debug, PartialEq)]
struct Run {
    stdout: Vec<String>,
    stderr: Vec<String>,
    success: bool,
}

fn masked(output: &Output, node: usize) -> Run {
    let pods = Regex::new(r"web-X-[a-z0-9]+-[a-z0-9]+").expect("regex");
    let lines = |bytes: &[u8]| -> Vec<String> {
        let text = String::from_utf8_lossy(bytes)
            .replace(&format!("hollow-node-{node}"), "NODE")
            .replace(&format!("web-{node}"), "web-X")
            .replace(&format!("bare-{node}"), "bare-X")
            .replace(&format!("scratch-{node}"), "scratch-X");
        let text = pods.replace_all(&text, "web-X-POD");
        text.lines().map(str::to_string).collect()
    };
    Run { stdout: lines(&output.stdout), stderr: lines(&output.stderr), success: output.status.success() }
}

/// Runs `args` (with `NODE` for the node's name) by kctl on node 1 and kubectl on node 2,
/// side by side; both masked.
fn both(server: &TestServer, args: &[&str]) -> (Run, Run) {
    let with_node = |node: usize| -> Vec<String> {
        args.iter()
            .map(|a| a.replace("NODE", &format!("hollow-node-{node}")).replace("web-X", &format!("web-{node}")))
            .collect()
    };
    let (kctl_args, kubectl_args) = (with_node(1), with_node(2));
    std::thread::scope(|scope| {
        let kctl = scope.spawn(|| {
            let args: Vec<&str> = kctl_args.iter().map(String::as_str).collect();
            masked(&cli_common::kctl(server, &args), 1)
        });
        let kubectl = scope.spawn(|| {
            let args: Vec<&str> = kubectl_args.iter().map(String::as_str).collect();
            masked(&server.kubectl(&args), 2)
        });
        (kctl.join().expect("kctl run"), kubectl.join().expect("kubectl run"))
    })
}

/// Both tools answer alike; returns kctl's answer.
fn same(server: &TestServer, args: &[&str]) -> Run {
    let (kctl, kubectl) = both(server, args);
    assert_eq!(kctl, kubectl, "kctl (left) and kubectl (right) differ for {args:?}");
    kctl
}

/// stdout and stderr with their lines sorted.
fn sorted(run: &Run) -> (Vec<String>, Vec<String>) {
    let (mut out, mut err) = (run.stdout.clone(), run.stderr.clone());
    out.sort();
    err.sort();
    (out, err)
}

fn lines(text: &[&str]) -> Vec<String> {
    text.iter().map(|s| s.to_string()).collect()
}

fn node(server: &TestServer, index: usize) -> Value {
    let output = server.kubectl(&["get", "node", &format!("hollow-node-{index}"), "-o", "json"]);
    serde_json::from_slice(&output.stdout).unwrap_or_default()
}

fn hollow_cluster() -> TestServer {
    let server = TestServer::start_with(&["--hollow-nodes", "2"]);
    assert!(eventually(WAIT, || server.kubectl(&["get", "node", "hollow-node-2"]).status.success()));
    server
}

#[test]
fn cordon_uncordon_and_taint_answer_as_kubectl() {
    let server = hollow_cluster();
    assert_eq!(same(&server, &["cordon", "NODE"]).stdout, lines(&["node/NODE cordoned"]));
    assert_eq!(node(&server, 1)["spec"]["unschedulable"], true);
    assert_eq!(same(&server, &["cordon", "NODE"]).stdout, lines(&["node/NODE already cordoned"]));
    assert_eq!(same(&server, &["uncordon", "NODE"]).stdout, lines(&["node/NODE uncordoned"]));
    assert!(node(&server, 1)["spec"]["unschedulable"].is_null());
    assert_eq!(same(&server, &["uncordon", "NODE"]).stdout, lines(&["node/NODE already uncordoned"]));
    assert_eq!(
        same(&server, &["cordon", "NODE", "--dry-run=server"]).stdout,
        lines(&["node/NODE cordoned (server dry run)"])
    );
    assert!(node(&server, 1)["spec"]["unschedulable"].is_null());
    let usage = same(&server, &["cordon"]);
    assert_eq!((usage.success, usage.stderr[0].as_str()), (false, "error: USAGE: cordon NODE [flags]"));

    assert_eq!(
        same(&server, &["taint", "nodes", "NODE", "dedicated=db:NoSchedule"]).stdout,
        lines(&["node/NODE tainted"])
    );
    let exists = same(&server, &["taint", "nodes", "NODE", "dedicated=web:NoSchedule"]);
    assert_eq!(
        (exists.success, exists.stderr),
        (
            false,
            lines(&["error: node NODE already has dedicated taint(s) with same effect(s) and --overwrite is false"])
        )
    );
    assert_eq!(
        same(&server, &["taint", "nodes", "NODE", "dedicated=web:NoSchedule", "--overwrite"]).stdout,
        lines(&["node/NODE modified"])
    );
    assert_eq!(
        same(&server, &["taint", "node", "NODE", "a=b:NoExecute", "c:PreferNoSchedule"]).stdout,
        lines(&["node/NODE tainted"])
    );
    assert_eq!(node(&server, 1)["spec"]["taints"], node(&server, 2)["spec"]["taints"]);
    assert_eq!(node(&server, 1)["spec"]["taints"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        same(&server, &["taint", "nodes", "NODE", "dedicated:NoSchedule-", "a-"]).stdout,
        lines(&["node/NODE untainted"])
    );
    let missing = same(&server, &["taint", "nodes", "NODE", "dedicated-"]);
    assert_eq!((missing.success, missing.stderr), (false, lines(&["error: taint \"dedicated\" not found"])));
    assert_eq!(same(&server, &["taint", "nodes", "NODE", "c-"]).stdout, lines(&["node/NODE untainted"]));
    assert!(node(&server, 1)["spec"]["taints"].is_null(), "{}", node(&server, 1));
    let bad = same(&server, &["taint", "nodes", "NODE", "a=b:Never"]);
    assert_eq!(bad.stderr[0], "error: invalid taint effect: Never, unsupported taint effect");
}

/// On node `index`: a deployment `web-N` of 2 pods pinned there under a budget needing
/// both, a pod of no controller (`bare-N`) and one with an emptyDir (`scratch-N`).
fn workloads(index: usize) -> String {
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata: {{name: web-{index}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: web-{index}}}}}
  template:
    metadata: {{labels: {{app: web-{index}, kind: web}}}}
    spec:
      nodeName: hollow-node-{index}
      containers: [{{name: main, image: busybox}}]
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: web-{index}}}
spec:
  minAvailable: 2
  selector: {{matchLabels: {{app: web-{index}}}}}
---
apiVersion: v1
kind: Pod
metadata: {{name: bare-{index}, labels: {{kind: bare}}}}
spec:
  nodeName: hollow-node-{index}
  containers: [{{name: main, image: busybox}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: scratch-{index}, labels: {{kind: scratch}}}}
spec:
  nodeName: hollow-node-{index}
  volumes: [{{name: tmp, emptyDir: {{}}}}]
  containers: [{{name: main, image: busybox}}]
"#
    )
}

#[test]
fn drain_evicts_as_kubectl_and_honours_disruption_budgets() {
    let server = hollow_cluster();
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&format!("{}---\n{}", workloads(1), workloads(2))));
    let ready = |name: &str| {
        let budget = server.kubectl(&["get", "pdb", name, "-o", "jsonpath={.status.currentHealthy}"]);
        String::from_utf8_lossy(&budget.stdout) == "2"
    };
    assert!(eventually(WAIT, || ready("web-1") && ready("web-2")), "budgets never saw their pods");
    assert!(eventually(WAIT, || {
        let pods = server.kubectl(&["get", "pods", "-o", "jsonpath={.items[*].status.phase}"]);
        String::from_utf8_lossy(&pods.stdout).split(' ').filter(|p| *p == "Running").count() == 8
    }));

    let bare = same(&server, &["drain", "NODE", "--pod-selector=kind=bare"]);
    assert_eq!(bare.stdout, lines(&["node/NODE cordoned"]));
    assert_eq!(
        bare.stderr,
        lines(&[
            "error: unable to drain node \"NODE\" due to error: cannot delete cannot delete Pods that declare no controller (use --force to override): default/bare-X, continuing command...",
            "There are pending nodes to be drained:",
            " NODE",
            "cannot delete cannot delete Pods that declare no controller (use --force to override): default/bare-X",
        ])
    );
    let scratch = same(&server, &["drain", "NODE", "--pod-selector=kind=scratch"]);
    assert!(scratch.stderr[0]
        .contains("cannot delete Pods with local storage (use --delete-emptydir-data to override): default/scratch-X"));
    // Evictions run concurrently, so their lines come in any order.
    let (forced, kubectl) =
        both(&server, &["drain", "NODE", "--pod-selector=kind in (scratch,bare)", "--force", "--delete-emptydir-data"]);
    assert_eq!(sorted(&forced), sorted(&kubectl));
    assert_eq!(
        forced.stderr,
        lines(&["Warning: deleting Pods that declare no controller: default/bare-X, default/scratch-X"])
    );
    assert_eq!(
        sorted(&forced).0,
        lines(&[
            "evicting pod default/bare-X",
            "evicting pod default/scratch-X",
            "node/NODE already cordoned",
            "node/NODE drained",
            "pod/bare-X evicted",
            "pod/scratch-X evicted",
        ])
    );

    // The budget needs both web pods: every eviction is refused until the timeout.
    let (kctl, kubectl) = both(&server, &["drain", "NODE", "--pod-selector=kind=web", "--timeout=7s"]);
    for run in [&kctl, &kubectl] {
        assert!(!run.success);
        let refused = "error when evicting pods/\"web-X-POD\" -n \"default\" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.";
        assert_eq!(run.stderr.iter().filter(|l| *l == refused).count(), 4, "{run:?}");
        assert!(run.stderr.iter().any(|l| l == "There are pending pods in node \"NODE\" when an error occurred: [error when evicting pods/\"web-X-POD\" -n \"default\": global timeout reached: 7s, error when evicting pods/\"web-X-POD\" -n \"default\": global timeout reached: 7s]"), "{run:?}");
        assert_eq!(run.stdout.iter().filter(|l| *l == "evicting pod default/web-X-POD").count(), 6, "{run:?}");
    }
    assert_eq!(sorted(&kctl), sorted(&kubectl));

    // A budget that allows one disruption lets the drain through: the second eviction
    // waits for the first pod's replacement (pinned to the node) to be ready.
    for index in [1, 2] {
        let name = format!("web-{index}");
        server.kubectl_ok(&["patch", "pdb", &name, "--type=merge", "-p", r#"{"spec":{"minAvailable":1}}"#]);
    }
    assert!(eventually(WAIT, || {
        let allowed = |name: &str| {
            let out = server.kubectl(&["get", "pdb", name, "-o", "jsonpath={.status.disruptionsAllowed}"]);
            String::from_utf8_lossy(&out.stdout) == "1"
        };
        allowed("web-1") && allowed("web-2")
    }));
    let (kctl, kubectl) = both(&server, &["drain", "NODE", "--pod-selector=kind=web"]);
    for run in [&kctl, &kubectl] {
        assert!(run.success, "{run:?}");
        let mut out = run.stdout.clone();
        out.dedup();
        out.sort();
        out.dedup();
        assert_eq!(
            out,
            lines(&[
                "evicting pod default/web-X-POD",
                "node/NODE already cordoned",
                "node/NODE drained",
                "pod/web-X-POD evicted"
            ]),
            "{run:?}"
        );
        assert_eq!(run.stdout.iter().filter(|l| l.ends_with(" evicted")).count(), 2, "{run:?}");
        let retry = "error when evicting pods/\"web-X-POD\" -n \"default\" (will retry after 5s): Cannot evict pod as it would violate the pod's disruption budget.";
        assert!(run.stderr.iter().all(|l| l == retry), "{run:?}");
    }
    assert_eq!(same(&server, &["uncordon", "NODE"]).stdout, lines(&["node/NODE uncordoned"]));
}
