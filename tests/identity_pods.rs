//! A pod's identity on the Docker kubelet: the projected token volume the ServiceAccount
//! admission plugin adds is filled by the kubelet through the TokenRequest API, and the
//! token read from inside the pod works against the API from the host within its account's
//! RBAC, is refused outside it, and ends with the pod.

mod support;

use std::path::Path;

use support::docker::{DockerCluster, BUSYBOX as IMAGE, TIMEOUT};
use support::{eventually, kubectl_with, stderr, stdout, TestServer};

const MOUNT: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

fn kubectl_as(server: &TestServer, kubeconfig: &Path, args: &[&str]) -> std::process::Output {
    let home = server.dir.path().join("token-home");
    std::fs::create_dir_all(&home).expect("home");
    kubectl_with(kubeconfig, &home, args, None)
}

#[test]
fn a_pods_projected_token_works_from_the_host_within_its_rbac() {
    let cluster = DockerCluster::start();
    let server = cluster.server();
    cluster.kubectl_ok(&["create", "serviceaccount", "reader"]);
    cluster.kubectl_ok(&[
        "run",
        "app",
        &format!("--image={IMAGE}"),
        "--overrides",
        r#"{"spec":{"serviceAccountName":"reader"}}"#,
        "--command",
        "--",
        "sleep",
        "3600",
    ]);
    cluster.wait_for_pod("app", "{.status.phase}", |p| p == "Running");

    let files = cluster.kubectl_ok(&["exec", "app", "--", "ls", MOUNT]);
    assert_eq!(files.split_whitespace().collect::<Vec<_>>(), ["ca.crt", "namespace", "token"]);
    assert_eq!(cluster.kubectl_ok(&["exec", "app", "--", "cat", &format!("{MOUNT}/namespace")]), "default");
    let ca = cluster.kubectl_ok(&["exec", "app", "--", "cat", &format!("{MOUNT}/ca.crt")]);
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"), "{ca}");
    let env = cluster.kubectl_ok(&["exec", "app", "--", "env"]);
    assert!(env.contains("KUBERNETES_SERVICE_HOST=10.96.0.1") && env.contains("KUBERNETES_SERVICE_PORT=443"), "{env}");

    let token = cluster.kubectl_ok(&["exec", "app", "--", "cat", &format!("{MOUNT}/token")]);
    let reader = server.token_kubeconfig("reader", Some(token.trim()));
    let out = kubectl_as(server, &reader, &["get", "pods"]);
    assert_eq!(
        stderr(&out).trim(),
        "Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:default:reader\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\""
    );
    cluster.kubectl_ok(&[
        "create",
        "rolebinding",
        "reader-view",
        "--clusterrole=view",
        "--serviceaccount=default:reader",
    ]);
    let out = kubectl_as(server, &reader, &["get", "pods", "-o", "name"]);
    assert_eq!(stdout(&out).trim(), "pod/app", "{}", stderr(&out));
    let out = kubectl_as(server, &reader, &["get", "secrets"]);
    assert!(stderr(&out).contains("cannot list resource \"secrets\""), "{}", stderr(&out));
    let who = kubectl_as(server, &reader, &["auth", "whoami", "-o", "jsonpath={.status.userInfo.extra}"]);
    assert!(stdout(&who).contains("\"authentication.kubernetes.io/pod-name\":[\"app\"]"), "{}", stdout(&who));

    // The token is bound to the pod: it ends when the pod is gone.
    cluster.kubectl_ok(&["delete", "pod", "app", "--grace-period=1"]);
    assert!(
        eventually(TIMEOUT, || {
            let out = kubectl_as(server, &reader, &["get", "--raw", "/api/v1/namespaces/default/pods"]);
            stderr(&out).contains("Unauthorized")
        }),
        "the token of a deleted pod still works"
    );
}

#[test]
fn automount_false_leaves_the_pod_without_a_token() {
    let cluster = DockerCluster::start();
    cluster.kubectl_ok(&[
        "run",
        "quiet",
        &format!("--image={IMAGE}"),
        "--overrides",
        r#"{"spec":{"automountServiceAccountToken":false}}"#,
        "--command",
        "--",
        "sleep",
        "3600",
    ]);
    cluster.wait_for_pod("quiet", "{.status.phase}", |p| p == "Running");
    let out = cluster.server().kubectl(&["exec", "quiet", "--", "ls", MOUNT]);
    assert!(!out.status.success(), "{}", stdout(&out));
}
