//! Volume binding without Docker: the PV controller and the scheduler's volume checks
//! against a real `kctl server --hollow-nodes 3`, seen through the real kubectl.

mod support;

use std::time::Duration;

use support::{eventually, stdout, TestServer};

const DEADLINE: Duration = Duration::from_secs(30);

fn get(server: &TestServer, args: &[&str]) -> String {
    stdout(&server.kubectl(args))
}

fn apply(server: &TestServer, manifest: &str) {
    let out = server.kubectl_stdin(&["apply", "-f", "-"], Some(manifest));
    assert!(out.status.success(), "apply: {}", support::stderr(&out));
}

fn wait_for(server: &TestServer, object: &[&str], path: &str, want: &str) {
    let template = format!("jsonpath={path}");
    let mut last = String::new();
    let ok = eventually(DEADLINE, || {
        let mut args = vec!["get"];
        args.extend_from_slice(object);
        args.extend(["-o", &template]);
        last = get(server, &args);
        last == want
    });
    assert!(ok, "{object:?} {path}: {last:?}, wanted {want:?}");
}

fn events_of(server: &TestServer, name: &str) -> String {
    get(server, &["get", "events", "--field-selector", &format!("involvedObject.name={name}")])
}

const POD: &str =
    "apiVersion: v1\nkind: Pod\nmetadata: {name: app}\nspec:\n  containers: [{name: app, image: nginx}]\n\
                   \x20 volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]\n";

#[test]
fn a_pod_waits_for_its_claim_and_goes_to_the_node_of_its_volume() {
    let server = TestServer::start_with(&["--hollow-nodes", "3"]);
    wait_for(&server, &["nodes"], "{.items[*].metadata.name}", "hollow-node-1 hollow-node-2 hollow-node-3");
    apply(&server, POD);
    let missing = "0/3 nodes are available: persistentvolumeclaim \"data\" not found. preemption: 0/3 nodes are \
                   available: 3 Preemption is not helpful for scheduling.";
    assert!(eventually(DEADLINE, || events_of(&server, "app").contains(missing)), "{}", events_of(&server, "app"));

    // A claim with no class and no volume: the PV controller says so, the pod still waits.
    apply(
        &server,
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\n\
         spec: {storageClassName: '', accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n",
    );
    let no_volume = "no persistent volumes available for this claim and no storage class is set";
    assert!(eventually(DEADLINE, || events_of(&server, "data").contains(no_volume)), "{}", events_of(&server, "data"));
    let unbound = "pod has unbound immediate PersistentVolumeClaims";
    assert!(eventually(DEADLINE, || events_of(&server, "app").contains(unbound)), "{}", events_of(&server, "app"));

    // A local volume on hollow-node-1 appears: the claim binds and the pod follows it.
    apply(
        &server,
        "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: local}\n\
         spec:\n  capacity: {storage: 5Gi}\n  accessModes: [ReadWriteOnce]\n  local: {path: /mnt/disk}\n\
         \x20 nodeAffinity: {required: {nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [hollow-node-1]}]}]}}\n",
    );
    wait_for(&server, &["pvc", "data"], "{.status.phase} {.spec.volumeName}", "Bound local");
    wait_for(&server, &["pv", "local"], "{.status.phase} {.spec.claimRef.name}", "Bound data");
    assert_eq!(
        get(
            &server,
            &["get", "pvc", "data", "-o", "jsonpath={.metadata.annotations.pv\\.kubernetes\\.io/bind-completed}"]
        ),
        "yes"
    );
    wait_for(&server, &["pod", "app"], "{.spec.nodeName}", "hollow-node-1");
}
