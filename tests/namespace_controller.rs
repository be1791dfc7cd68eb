//! Namespace deletion in upstream's shape against a real `kctl server`: DELETE marks the
//! namespace Terminating, the namespace controller deletes its content, reports what
//! holds it in the deletion conditions, and finalizes it through `/finalize`; creating
//! content in a terminating namespace is refused. Driven by the real kubectl.

mod support;

use std::time::Duration;

use serde_json::Value;
use support::{eventually, stderr, TestServer};

const WAIT: Duration = Duration::from_secs(60);

fn namespace_json(server: &TestServer, name: &str) -> Value {
    serde_json::from_slice(&server.kubectl(&["get", "namespace", name, "-o", "json"]).stdout).unwrap_or_default()
}

fn condition(namespace: &Value, type_: &str) -> Value {
    namespace["status"]["conditions"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["type"] == type_).cloned())
        .unwrap_or_default()
}

#[test]
fn deleting_a_namespace_deletes_its_content_and_waits_for_finalizers() {
    let server = TestServer::start_with(&["--hollow-nodes", "1"]);
    server.kubectl_ok(&["create", "namespace", "team"]);
    assert_eq!(namespace_json(&server, "team")["spec"]["finalizers"], serde_json::json!(["kubernetes"]));
    server.kubectl_ok(&["create", "deployment", "web", "--image=nginx", "--replicas=2", "-n", "team"]);
    server.kubectl_ok(&["create", "configmap", "settings", "--from-literal=a=b", "-n", "team"]);
    // Custom resources are content too (the controller finds them through discovery).
    server.kubectl_ok(&["apply", "-f", "testdata/crd/crontab-crd.yaml"]);
    assert!(eventually(WAIT, || server
        .kubectl(&["apply", "-n", "team", "-f", "testdata/crd/crontab-valid.yaml"])
        .status
        .success()));
    assert!(eventually(WAIT, || server.kubectl_ok(&["get", "pods", "-n", "team", "-o", "name"]).lines().count() == 2));

    // kubectl waits until the namespace is gone.
    let deleted = server.kubectl(&["delete", "namespace", "team", "--timeout=60s"]);
    assert!(deleted.status.success(), "{}", stderr(&deleted));
    let missing = server.kubectl(&["get", "namespace", "team"]);
    assert!(stderr(&missing).contains("namespaces \"team\" not found"), "{}", stderr(&missing));
    for kind in ["pods", "deployments", "replicasets", "configmaps", "crontabs"] {
        let left =
            server.kubectl_ok(&["get", kind, "-A", "-o", "jsonpath={range .items[*]}{.metadata.namespace} {end}"]);
        assert!(!left.contains("team"), "{kind} left in team: {left}");
    }

    // Content with a finalizer holds the namespace in Terminating.
    server.kubectl_ok(&["create", "namespace", "held"]);
    let held = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: held\n  finalizers: [\"example.com/hold\"]\n";
    server.kubectl_stdin(&["apply", "-f", "-"], Some(held));
    server.kubectl_ok(&["delete", "namespace", "held", "--wait=false"]);
    assert!(
        eventually(WAIT, || {
            let remaining = condition(&namespace_json(&server, "held"), "NamespaceFinalizersRemaining");
            remaining["status"] == "True"
        }),
        "{}",
        namespace_json(&server, "held")
    );
    let namespace = namespace_json(&server, "held");
    assert_eq!(namespace["status"]["phase"], "Terminating");
    assert!(namespace["metadata"]["deletionTimestamp"].is_string());
    assert_eq!(namespace["spec"]["finalizers"], serde_json::json!(["kubernetes"]));
    assert_eq!(
        condition(&namespace, "NamespaceFinalizersRemaining")["message"],
        "Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances"
    );
    assert_eq!(condition(&namespace, "NamespaceContentRemaining")["reason"], "SomeResourcesRemain");
    assert_eq!(condition(&namespace, "NamespaceDeletionContentFailure")["reason"], "ContentDeleted");
    assert!(server.kubectl_ok(&["get", "namespace", "held"]).contains("Terminating"));

    let refused = server.kubectl(&["create", "configmap", "late", "-n", "held"]);
    assert!(!refused.status.success());
    // kubectl's `create configmap` words the 403 itself ("error: failed to create configmap: …").
    assert!(
        stderr(&refused).contains(
            "configmaps \"late\" is forbidden: unable to create new content in namespace held because it is being terminated"
        ),
        "{}",
        stderr(&refused)
    );

    // Releasing the last finalizer lets the namespace go.
    server.kubectl_ok(&[
        "patch",
        "configmap",
        "held",
        "-n",
        "held",
        "--type=merge",
        "-p",
        "{\"metadata\":{\"finalizers\":null}}",
    ]);
    assert!(
        eventually(WAIT, || !server.kubectl(&["get", "namespace", "held"]).status.success()),
        "{}",
        namespace_json(&server, "held")
    );
}
