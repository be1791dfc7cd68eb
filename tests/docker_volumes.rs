//! Persistent and node-local volumes on the Docker kubelet, as on a kind cluster: the
//! default `standard` class provisions a local-path volume on the node of a claim's first
//! consumer, its data outlives the pod, and it goes with the claim; hostPath directories
//! are shared by the node's pods. Driven by the real kubectl; every test removes its
//! cluster's containers and volumes even when it fails.

mod support;

use support::docker::{docker, DockerCluster, BUSYBOX as IMAGE, TIMEOUT};
use support::{eventually, stdout};

fn apply(cluster: &DockerCluster, manifest: &str) {
    let out = cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(manifest));
    assert!(out.status.success(), "apply: {}", support::stderr(&out));
}

fn pod_with_claim(name: &str, claim: &str, script: &str) -> String {
    format!(
        r#"apiVersion: v1
kind: Pod
metadata: {{name: {name}}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: {IMAGE}
    command: ["sh", "-c", "{script}; sleep 3600"]
    volumeMounts: [{{name: data, mountPath: /data}}]
  volumes:
  - name: data
    persistentVolumeClaim: {{claimName: {claim}}}
"#
    )
}

fn wait_for(cluster: &DockerCluster, object: &[&str], path: &str, want: &str) {
    let mut last = String::new();
    let ok = eventually(TIMEOUT, || {
        last = cluster.jsonpath(object, path);
        last == want
    });
    assert!(ok, "{object:?} {path}: {last:?}, wanted {want:?}");
}

fn logs_contain(cluster: &DockerCluster, pod: &str, text: &str) -> bool {
    eventually(TIMEOUT, || stdout(&cluster.server().kubectl(&["logs", pod])).contains(text))
}

#[test]
fn a_claim_of_the_default_class_gets_a_local_volume_whose_data_outlives_pods_and_goes_with_the_claim() {
    let cluster = DockerCluster::start();
    let class = cluster.kubectl_ok(&["get", "storageclass"]);
    assert!(
        class.contains("standard (default)   rancher.io/local-path   Delete          WaitForFirstConsumer"),
        "{class}"
    );
    apply(
        &cluster,
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\n\
         spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 64Mi}}}\n",
    );
    assert_eq!(cluster.jsonpath(&["pvc", "data"], "{.spec.storageClassName}"), "standard", "DefaultStorageClass");
    wait_for(&cluster, &["pvc", "data"], "{.status.phase}", "Pending");
    assert!(
        eventually(TIMEOUT, || cluster
            .kubectl_ok(&["describe", "pvc", "data"])
            .contains("waiting for first consumer to be created before binding")),
        "a delayed claim says why it waits"
    );

    apply(&cluster, &pod_with_claim("writer", "data", "echo kept > /data/file && echo written"));
    cluster.wait_for_pod("writer", "{.status.phase}", |p| p == "Running");
    assert!(logs_contain(&cluster, "writer", "written"));
    wait_for(&cluster, &["pvc", "data"], "{.status.phase}", "Bound");
    let uid = cluster.jsonpath(&["pvc", "data"], "{.metadata.uid}");
    let volume = format!("pvc-{uid}");
    assert_eq!(cluster.jsonpath(&["pvc", "data"], "{.spec.volumeName}"), volume);
    assert_eq!(
        cluster.jsonpath(&["pvc", "data"], "{.metadata.annotations.volume\\.kubernetes\\.io/selected-node}"),
        "n1"
    );
    assert_eq!(
        cluster.jsonpath(&["pv", &volume], "{.spec.hostPath.path}"),
        format!("/var/local-path-provisioner/{volume}_default_data")
    );
    assert_eq!(
        cluster.jsonpath(
            &["pv", &volume],
            "{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}"
        ),
        "n1"
    );
    wait_for(&cluster, &["pv", &volume], "{.status.phase}", "Bound");
    let table = cluster.kubectl_ok(&["get", "pv"]);
    let row: Vec<&str> = table.lines().nth(1).unwrap_or_default().split_whitespace().collect();
    assert_eq!(row[..7], [volume.as_str(), "64Mi", "RWO", "Delete", "Bound", "default/data", "standard"], "{table}");
    let table = cluster.kubectl_ok(&["get", "pvc"]);
    let row: Vec<&str> = table.lines().nth(1).unwrap_or_default().split_whitespace().collect();
    assert_eq!(row[..6], ["data", "Bound", volume.as_str(), "64Mi", "RWO", "standard"], "{table}");
    let events = cluster.kubectl_ok(&["describe", "pvc", "data"]);
    assert!(events.contains(&format!("Successfully provisioned volume {volume}")), "{events}");

    cluster.kubectl_ok(&["delete", "pod", "writer", "--grace-period=1"]);
    apply(&cluster, &pod_with_claim("reader", "data", "cat /data/file"));
    cluster.wait_for_pod("reader", "{.status.phase}", |p| p == "Running");
    assert!(logs_contain(&cluster, "reader", "kept"), "the data outlives the pod that wrote it");

    cluster.kubectl_ok(&["delete", "pod", "reader", "--grace-period=1"]);
    cluster.kubectl_ok(&["delete", "pvc", "data"]);
    assert!(
        eventually(TIMEOUT, || !stdout(&cluster.server().kubectl(&["get", "pv", "-o", "name"])).contains(&volume)),
        "a released volume of a Delete class goes"
    );
    let label = format!("label=kctl.io/cluster={}", cluster.cluster);
    assert!(
        eventually(TIMEOUT, || !docker(&[
            "volume",
            "ls",
            "-q",
            "--filter",
            &label,
            "--filter",
            "label=kctl.io/host-path"
        ])
        .contains("k8s_host_")),
        "the node removes the deleted volume's data"
    );
}

#[test]
fn a_static_volume_binds_its_claim_and_host_paths_are_shared_by_the_nodes_pods() {
    let cluster = DockerCluster::start();
    apply(
        &cluster,
        "apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: manual}\n\
         spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], storageClassName: manual,\n\
         \x20 persistentVolumeReclaimPolicy: Retain, hostPath: {path: /srv/manual}}\n---\n\
         apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: claim}\n\
         spec: {storageClassName: manual, accessModes: [ReadWriteOnce], resources: {requests: {storage: 100Mi}}}\n",
    );
    wait_for(&cluster, &["pvc", "claim"], "{.status.phase}", "Bound");
    wait_for(&cluster, &["pv", "manual"], "{.status.phase}", "Bound");
    assert_eq!(cluster.jsonpath(&["pvc", "claim"], "{.status.capacity.storage}"), "1Gi");
    assert_eq!(cluster.jsonpath(&["pv", "manual"], "{.spec.claimRef.name}"), "claim");

    // The claim's volume is the node's /srv/manual: a hostPath pod sees what it wrote.
    apply(&cluster, &pod_with_claim("writer", "claim", "echo shared > /data/note && echo written"));
    cluster.wait_for_pod("writer", "{.status.phase}", |p| p == "Running");
    assert!(logs_contain(&cluster, "writer", "written"));
    apply(
        &cluster,
        &format!(
            r#"apiVersion: v1
kind: Pod
metadata: {{name: host}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: {IMAGE}
    command: ["sh", "-c", "cat /host/note; sleep 3600"]
    volumeMounts: [{{name: dir, mountPath: /host, readOnly: true}}]
  volumes:
  - name: dir
    hostPath: {{path: /srv/manual, type: Directory}}
"#
        ),
    );
    cluster.wait_for_pod("host", "{.status.phase}", |p| p == "Running");
    assert!(logs_contain(&cluster, "host", "shared"), "hostPath and the claim's volume are one node directory");

    // Retain: the claim's deletion releases the volume and keeps it.
    cluster.kubectl_ok(&["delete", "pod", "writer", "--grace-period=1"]);
    cluster.kubectl_ok(&["delete", "pvc", "claim"]);
    wait_for(&cluster, &["pv", "manual"], "{.status.phase}", "Released");

    // A Directory that is not there keeps the pod creating, with upstream's reason.
    apply(
        &cluster,
        &format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: missing}}\nspec:\n  containers:\n  - name: main\n    image: {IMAGE}\n\
             \x20   command: [sleep, '3600']\n    volumeMounts: [{{name: dir, mountPath: /dir}}]\n  volumes:\n  - name: dir\n\
             \x20   hostPath: {{path: /nowhere, type: Directory}}\n"
        ),
    );
    assert!(
        eventually(TIMEOUT, || cluster
            .kubectl_ok(&["describe", "pod", "missing"])
            .contains("hostPath type check failed: /nowhere is not a directory")),
        "FailedMount says the directory is missing"
    );
    assert_eq!(cluster.pod("missing", "{.status.containerStatuses[0].state.waiting.reason}"), "ContainerCreating");
}

#[test]
fn sub_paths_mount_one_file_or_directory_of_a_volume() {
    let cluster = DockerCluster::start();
    apply(
        &cluster,
        &format!(
            r#"apiVersion: v1
kind: ConfigMap
metadata: {{name: conf}}
data: {{app.conf: "setting=1", other.conf: "unused"}}
---
apiVersion: v1
kind: Pod
metadata: {{name: sub}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: writer
    image: {IMAGE}
    command: ["sh", "-c", "echo from-writer > /out/note; sleep 3600"]
    volumeMounts: [{{name: scratch, mountPath: /out, subPath: one/two}}]
  - name: main
    image: {IMAGE}
    env: [{{name: DIR, value: one}}]
    command: ["sh", "-c", "ls /etc/app; cat /etc/app/app.conf; echo; while [ ! -f /seen/two/note ]; do sleep 0.1; done; cat /seen/two/note; sleep 3600"]
    volumeMounts:
    - {{name: config, mountPath: /etc/app/app.conf, subPath: app.conf}}
    - {{name: scratch, mountPath: /seen, subPathExpr: $(DIR)}}
  volumes:
  - {{name: config, configMap: {{name: conf}}}}
  - {{name: scratch, emptyDir: {{}}}}
"#
        ),
    );
    cluster.wait_for_pod("sub", "{.status.phase}", |p| p == "Running");
    let logs = || stdout(&cluster.server().kubectl(&["logs", "sub", "-c", "main"]));
    assert!(eventually(TIMEOUT, || logs().contains("from-writer")), "{}", logs());
    let logs = logs();
    assert!(logs.contains("app.conf\nsetting=1"), "only the one key is at the mount path: {logs}");
    assert!(!logs.contains("other.conf"), "{logs}");
}
