//! The notes' rollout story end to end on the full pipeline — `kctl server` with its
//! deployment and replicaset controllers, scheduler and two hollow kubelets — driven by the
//! real kubectl: apply, a typo'd image stalls the rollout with the old pods serving, undo,
//! hand-made pods next to a Deployment and next to a bare ReplicaSet, and deletion.
//! Events are checked by reason and source, not only by message.

mod support;

use std::collections::BTreeSet;
use std::process::Output;
use std::time::Duration;

use serde_json::Value;
use support::{eventually, stderr, stdout, TestServer};

const WAIT: Duration = Duration::from_secs(60);
const DEPLOYMENT: &str = "deployment/nginx-deployment";

/// A ReplicaSet of its own with the Deployment's selector. The object itself carries no
/// `app` label, so the Deployment does not adopt it (the notes' own, testdata/notes).
const BARE_REPLICASET: &str = include_str!("../testdata/notes/replicaset.yml");

fn manifest() -> String {
    format!("{}/testdata/notes/deployment.yml", env!("CARGO_MANIFEST_DIR"))
}

fn run(server: &TestServer, args: &[&str]) -> Output {
    server.kubectl(args)
}

fn json(server: &TestServer, args: &[&str]) -> Value {
    let output = run(server, args);
    serde_json::from_slice(&output.stdout).unwrap_or_default()
}

fn items(list: &Value) -> Vec<Value> {
    list["items"].as_array().cloned().unwrap_or_default()
}

fn name(object: &Value) -> String {
    object["metadata"]["name"].as_str().unwrap_or_default().to_string()
}

fn controller(object: &Value) -> Option<String> {
    let refs = object["metadata"]["ownerReferences"].as_array()?;
    let owner = refs.iter().find(|r| r["controller"] == true)?;
    Some(format!("{}/{}", owner["kind"].as_str()?, owner["name"].as_str()?))
}

/// Pods with `app=nginx` that are not being deleted, as (name, controller, state) where
/// state is `Ready` or the first container's waiting reason.
fn pods(server: &TestServer) -> Vec<(String, Option<String>, String)> {
    let list = json(server, &["get", "pods", "-l", "app=nginx", "-o", "json"]);
    items(&list)
        .into_iter()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
        .map(|p| {
            let ready = p["status"]["conditions"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"));
            let waiting = p["status"]["containerStatuses"][0]["state"]["waiting"]["reason"].as_str();
            let state = if ready { "Ready".to_string() } else { waiting.unwrap_or("Pending").to_string() };
            (name(&p), controller(&p), state)
        })
        .collect()
}

/// The Deployment's ReplicaSets by revision: (revision, name, spec replicas, ready replicas).
fn replica_sets(server: &TestServer) -> Vec<(i64, String, i64, i64)> {
    let list = json(server, &["get", "rs", "-o", "json"]);
    let mut found: Vec<_> = items(&list)
        .into_iter()
        .filter(|rs| controller(rs).as_deref() == Some("Deployment/nginx-deployment"))
        .map(|rs| {
            let revision = rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"].as_str();
            (
                revision.and_then(|r| r.parse().ok()).unwrap_or(0),
                name(&rs),
                rs["spec"]["replicas"].as_i64().unwrap_or(0),
                rs["status"]["readyReplicas"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    found.sort();
    found
}

/// Every event as `Kind/name|reason|type|component`.
fn events(server: &TestServer) -> BTreeSet<String> {
    let jsonpath = "jsonpath={range .items[*]}{.involvedObject.kind}/{.involvedObject.name}|{.reason}|{.type}|\
                    {.source.component}{\"\\n\"}{end}";
    stdout(&run(server, &["get", "events", "-o", jsonpath])).lines().map(str::to_string).collect()
}

fn wait_for_events(server: &TestServer, want: &[String]) {
    let mut seen = BTreeSet::new();
    let found = eventually(WAIT, || {
        seen = events(server);
        want.iter().all(|w| seen.contains(w))
    });
    let missing: Vec<_> = want.iter().filter(|w| !seen.contains(*w)).collect();
    assert!(found, "missing events {missing:#?}\nsaw {seen:#?}");
}

/// The reasons of the Events table `kubectl describe` printed, by row.
fn described_reasons(described: &str) -> Vec<(String, String)> {
    let table = described.split("Events:").nth(1).unwrap_or_default();
    table
        .lines()
        .skip(3)
        .filter_map(|line| {
            let mut columns = line.split_whitespace();
            let (_type, reason) = (columns.next()?, columns.next()?);
            let message = line.split_once(" deployment-controller ").map(|(_, m)| m.trim().to_string())?;
            Some((reason.to_string(), message))
        })
        .collect()
}

#[test]
fn the_notes_rollout_story_on_the_full_pipeline() {
    let server = TestServer::start_with(&["--hollow-nodes", "2", "--hollow-failing-images", "nignx:latest"]);

    // Apply: three pods, Running and Ready on the hollow nodes.
    server.kubectl_ok(&["apply", "-f", &manifest()]);
    let status = server.kubectl_ok(&["rollout", "status", DEPLOYMENT, "--timeout=60s"]);
    assert!(status.ends_with("deployment \"nginx-deployment\" successfully rolled out\n"), "{status}");
    let mut seen = Vec::new();
    assert!(
        eventually(WAIT, || {
            seen = pods(&server);
            seen.len() == 3 && seen.iter().all(|(_, _, state)| state == "Ready")
        }),
        "{seen:?}"
    );
    let table = server.kubectl_ok(&["get", "pods", "-l", "app=nginx", "--no-headers"]);
    assert_eq!(table.matches(" Running ").count(), 3, "{table}");
    let first = replica_sets(&server);
    assert_eq!(first.len(), 1, "{first:?}");
    let first_rs = first[0].1.clone();
    let first_pod = seen[0].0.clone();

    // The typo: one surge pod backs off its pull, the three old pods keep serving.
    server.kubectl_ok(&["set", "image", DEPLOYMENT, "nginx=nignx:latest"]);
    let mut rss = Vec::new();
    let stalled = eventually(WAIT, || {
        seen = pods(&server);
        rss = replica_sets(&server);
        let ready = seen.iter().filter(|(_, _, s)| s == "Ready").count();
        let backing_off = seen.iter().filter(|(_, _, s)| s == "ImagePullBackOff").count();
        (seen.len(), ready, backing_off) == (4, 3, 1) && rss.len() == 2
    });
    assert!(stalled, "{seen:?} {rss:?}");
    assert_eq!((rss[0].0, rss[0].2, rss[0].3), (1, 3, 3), "the old ReplicaSet keeps its ready pods: {rss:?}");
    assert_eq!((rss[1].0, rss[1].2, rss[1].3), (2, 1, 0), "{rss:?}");
    let broken_rs = rss[1].1.clone();
    let broken_pod = seen.iter().find(|(_, _, s)| s == "ImagePullBackOff").map(|p| p.0.clone()).unwrap_or_default();

    let output = run(&server, &["rollout", "status", DEPLOYMENT, "--timeout=3s"]);
    assert_eq!(output.status.code(), Some(1), "{}{}", stdout(&output), stderr(&output));
    assert!(
        stdout(&output).starts_with(
            "Waiting for deployment \"nginx-deployment\" rollout to finish: 1 out of 3 new replicas have been updated...\n"
        ),
        "{}",
        stdout(&output)
    );
    assert_eq!(stderr(&output), "error: timed out waiting for the condition\n");
    let history = server.kubectl_ok(&["rollout", "history", DEPLOYMENT]);
    assert_eq!(
        history,
        "deployment.apps/nginx-deployment \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    );

    // Undo: back to nginx, the broken ReplicaSet scaled to zero.
    let undone = server.kubectl_ok(&["rollout", "undo", DEPLOYMENT]);
    assert_eq!(undone, "deployment.apps/nginx-deployment rolled back\n");
    let status = server.kubectl_ok(&["rollout", "status", DEPLOYMENT, "--timeout=60s"]);
    assert!(status.ends_with("deployment \"nginx-deployment\" successfully rolled out\n"), "{status}");
    assert!(
        eventually(WAIT, || {
            seen = pods(&server);
            seen.len() == 3
                && seen
                    .iter()
                    .all(|(_, owner, s)| s == "Ready" && owner.as_deref() == Some(&*format!("ReplicaSet/{first_rs}")))
        }),
        "{seen:?}"
    );
    let history = server.kubectl_ok(&["rollout", "history", DEPLOYMENT]);
    assert_eq!(
        history,
        "deployment.apps/nginx-deployment \nREVISION  CHANGE-CAUSE\n2         <none>\n3         <none>\n\n"
    );
    let image = server.kubectl_ok(&[
        "get",
        "deploy",
        "nginx-deployment",
        "-o",
        "jsonpath={.spec.template.spec.containers[0].image}",
    ]);
    assert_eq!(image, "nginx:latest");

    // describe shows the scaling decisions under their reason.
    let mut described = String::new();
    let want = [
        format!("Scaled up replica set {first_rs} from 0 to 3"),
        format!("Scaled up replica set {broken_rs} from 0 to 1"),
        format!("Scaled down replica set {broken_rs} from 1 to 0"),
    ];
    let shown = eventually(WAIT, || {
        described = server.kubectl_ok(&["describe", "deployment", "nginx-deployment"]);
        let rows = described_reasons(&described);
        want.iter().all(|m| rows.contains(&("ScalingReplicaSet".to_string(), m.clone())))
    });
    assert!(shown, "{described}");

    // Every component's decisions, by reason and source.
    wait_for_events(
        &server,
        &[
            "Deployment/nginx-deployment|ScalingReplicaSet|Normal|deployment-controller".to_string(),
            format!("ReplicaSet/{first_rs}|SuccessfulCreate|Normal|replicaset-controller"),
            format!("ReplicaSet/{broken_rs}|SuccessfulCreate|Normal|replicaset-controller"),
            format!("ReplicaSet/{broken_rs}|SuccessfulDelete|Normal|replicaset-controller"),
            format!("Pod/{first_pod}|Scheduled|Normal|default-scheduler"),
            format!("Pod/{first_pod}|Pulled|Normal|kubelet"),
            format!("Pod/{first_pod}|Created|Normal|kubelet"),
            format!("Pod/{first_pod}|Started|Normal|kubelet"),
            format!("Pod/{broken_pod}|Scheduled|Normal|default-scheduler"),
            format!("Pod/{broken_pod}|Pulling|Normal|kubelet"),
            format!("Pod/{broken_pod}|Failed|Warning|kubelet"),
            format!("Pod/{broken_pod}|BackOff|Normal|kubelet"),
        ],
    );

    // A hand-made pod with the app label: the Deployment's ReplicaSet selects on
    // pod-template-hash too, so the pod stays, unowned.
    server.kubectl_ok(&["run", "nginx-pod", "--image=nginx", "--labels=app=nginx"]);
    assert!(eventually(WAIT, || pods(&server).iter().any(|(n, _, s)| n == "nginx-pod" && s == "Ready")));
    std::thread::sleep(Duration::from_secs(3));
    seen = pods(&server);
    assert!(seen.iter().any(|(n, owner, _)| n == "nginx-pod" && owner.is_none()), "{seen:?}");
    assert_eq!(seen.len(), 4, "{seen:?}");

    // A bare ReplicaSet with that selector adopts the orphan, and deletes the next one
    // as surplus. The nodes are cordoned meanwhile, so that pod is still unscheduled when
    // the ReplicaSet ranks its pods, as it is upstream in the moment after its creation
    // (hollow kubelets start pods at once; a running pod on a less crowded node could be
    // ranked to stay, by upstream's rules).
    let path = server.write("replicaset.yaml", BARE_REPLICASET);
    server.kubectl_ok(&["apply", "-f", path.to_str().unwrap_or_default()]);
    let bare = |seen: &[(String, Option<String>, String)]| {
        seen.iter().filter(|(_, owner, _)| owner.as_deref() == Some("ReplicaSet/nginx-replicaset")).count()
    };
    assert!(
        eventually(WAIT, || {
            seen = pods(&server);
            bare(&seen) == 3 && seen.len() == 6
        }),
        "{seen:?}"
    );
    assert!(seen
        .iter()
        .any(|(n, owner, _)| n == "nginx-pod" && owner.as_deref() == Some("ReplicaSet/nginx-replicaset")));
    server.kubectl_ok(&["cordon", "hollow-node-1", "hollow-node-2"]);
    server.kubectl_ok(&["run", "nginx-pod-2", "--image=nginx", "--labels=app=nginx"]);
    let removed = eventually(WAIT, || !run(&server, &["get", "pod", "nginx-pod-2"]).status.success());
    assert!(removed, "{:?}", pods(&server));
    server.kubectl_ok(&["uncordon", "hollow-node-1", "hollow-node-2"]);
    wait_for_events(
        &server,
        &["ReplicaSet/nginx-replicaset|SuccessfulDelete|Normal|replicaset-controller".to_string()],
    );
    let described = server.kubectl_ok(&["describe", "rs", "nginx-replicaset"]);
    assert!(described.contains("Deleted pod: nginx-pod-2"), "{described}");
    assert_eq!(bare(&pods(&server)), 3);

    // Deleting the Deployment removes its ReplicaSets and their pods; the bare one stays.
    server.kubectl_ok(&["delete", "deployment", "nginx-deployment"]);
    let gone = eventually(WAIT, || {
        seen = pods(&server);
        let listed = json(&server, &["get", "rs", "-o", "json"]);
        let names: Vec<String> = items(&listed).iter().map(name).collect();
        names == ["nginx-replicaset"] && seen.len() == 3 && bare(&seen) == 3
    });
    assert!(gone, "{seen:?} {:?}", replica_sets(&server));
    assert!(server.kubectl_ok(&["get", "pods", "-l", "pod-template-hash", "-o", "name"]).is_empty());
    wait_for_events(&server, &[format!("Pod/{first_pod}|Killing|Normal|kubelet")]);
}
