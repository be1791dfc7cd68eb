//! `kctl describe` against a real `kctl server`, compared with the real kubectl v1.32
//! byte for byte (ages and times masked) and with golden files in testdata/golden.

mod cli_common;
mod support;

use cli_common::{same_as_kubectl, start_fixture};

#[test]
fn describers_match_kubectl() {
    let server = start_fixture();
    let commands: &[&[&str]] = &[
        &["describe", "pod", "p1"],
        &["describe", "deployment", "web"],
        &["describe", "service", "web"],
        &["describe", "namespace", "default"],
        &["describe", "configmap", "settings"],
        &["describe", "svc"],
        &["describe", "pods", "-l", "app=web"],
        &["describe", "pod", "p"],
    ];
    for args in commands {
        same_as_kubectl(&server, args);
    }
}

#[test]
fn other_kinds_and_the_generic_fallback_match_kubectl() {
    let server = cli_common::start_static();
    let objects = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: once}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, command: [echo, hi]}]\n---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs1}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: rs1}}\n  template:\n    metadata: {labels: {app: rs1}}\n    spec: {containers: [{name: c, image: busybox}]}\n---\napiVersion: v1\nkind: ReplicationController\nmetadata: {name: rc1}\nspec:\n  replicas: 1\n  selector: {app: rc1}\n  template:\n    metadata: {labels: {app: rc1}}\n    spec: {containers: [{name: c, image: busybox}]}\n---\napiVersion: v1\nkind: Node\nmetadata: {name: node1, labels: {kubernetes.io/hostname: node1}}\nspec: {podCIDR: 10.244.0.0/24}\n---\napiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: l1}\nspec: {holderIdentity: me}\n";
    let out = server.kubectl_stdin(&["create", "-f", "-"], Some(objects));
    assert!(out.status.success(), "{}", support::stderr(&out));
    for args in [
        &["describe", "job", "once"][..],
        &["describe", "rs", "rs1"],
        &["describe", "rc", "rc1"],
        &["describe", "node", "node1"],
        &["describe", "lease", "l1"],
    ] {
        let expected = server.kubectl(args);
        let actual = cli_common::kctl(&server, args);
        let mask = |o: &std::process::Output| cli_common::mask(&support::stdout(o));
        assert_eq!(actual.status.code(), expected.status.code(), "{args:?}: {}", support::stderr(&actual));
        assert_eq!(mask(&actual), mask(&expected), "{args:?}");
    }
}

#[test]
fn describe_errors_read_as_kubectl() {
    let server = start_fixture();
    for args in [&["describe", "pod", "nope"][..], &["describe", "widget", "x"], &["describe", "pods", "-n", "empty"]] {
        same_as_kubectl(&server, args);
    }
}
