//! CustomResourceDefinitions against a real `kctl server`: the real kubectl applies a CRD
//! and custom resources (valid, invalid, with unknown fields), reads them through printer
//! columns, explain, scale, watch and categories, and deleting the CRD deletes its
//! objects; a kube-rs `#[derive(CustomResource)]` type round-trips.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::{CustomResource, CustomResourceExt};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use support::{eventually, stderr, stdout, TestServer};

const CRD: &str = "crontabs.stable.example.com";

fn testdata(name: &str) -> String {
    format!("{}/testdata/crd/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// Applies the CronTab CRD and waits until it is established.
fn install_crontabs(server: &TestServer) {
    server.kubectl_ok(&["apply", "-f", &testdata("crontab-crd.yaml")]);
    server.kubectl_ok(&["wait", "--for=condition=Established", "--timeout=10s", &format!("crd/{CRD}")]);
}

#[test]
fn crd_and_custom_resources_work_with_kubectl() {
    let server = TestServer::start();
    install_crontabs(&server);
    let conditions =
        server.kubectl_ok(&["get", "crd", CRD, "-o", "jsonpath={range .status.conditions[*]}{.type}={.status} {end}"]);
    assert_eq!(conditions.trim(), "NamesAccepted=True Established=True");
    assert_eq!(server.kubectl_ok(&["get", "crd", CRD, "-o", "jsonpath={.metadata.generation}"]), "1");
    let finalizers = server.kubectl_ok(&["get", "crd", CRD, "-o", "jsonpath={.metadata.finalizers}"]);
    assert!(finalizers.contains("customresourcecleanup.apiextensions.k8s.io"), "{finalizers}");

    server.kubectl_ok(&["apply", "-f", &testdata("crontab-valid.yaml")]);
    // The schema's default fills spec.replicas.
    assert_eq!(server.kubectl_ok(&["get", "ct", "my-cron", "-o", "jsonpath={.spec.replicas}"]), "1");

    let invalid = server.kubectl(&["apply", "-f", &testdata("crontab-invalid.yaml")]);
    assert!(!invalid.status.success());
    let message = stderr(&invalid);
    assert!(message.contains("The CronTab \"bad\" is invalid"), "{message}");
    for cause in [
        "spec.cronSpec: Invalid value: \"nope\": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'",
        "spec.image: Too long: may not be more than 20 bytes",
        "spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10",
    ] {
        assert!(message.contains(cause), "missing {cause:?} in {message}");
    }
    let unknown = server.kubectl(&["apply", "-f", &testdata("crontab-unknown-field.yaml")]);
    assert!(!unknown.status.success());
    assert!(
        stderr(&unknown).contains(
            "CronTab in version \"v1\" cannot be handled as a CronTab: strict decoding error: unknown field \"spec.colour\""
        ),
        "{}",
        stderr(&unknown)
    );
    let warned = server.kubectl(&["create", "--validate=warn", "-f", &testdata("crontab-unknown-field.yaml")]);
    assert!(warned.status.success(), "{}", stderr(&warned));
    assert!(stderr(&warned).contains("Warning: unknown field \"spec.colour\""), "{}", stderr(&warned));
    let pruned = server.kubectl_ok(&["get", "crontab", "unknown", "-o", "json"]);
    let pruned: Value = serde_json::from_str(&pruned).unwrap();
    assert!(pruned["spec"].get("colour").is_none(), "{pruned}");

    let table = server.kubectl_ok(&["get", "crontabs"]);
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "SPEC", "REPLICAS", "AGE"]);
    assert!(table.lines().any(|l| l.starts_with("my-cron") && l.contains("* * * * */5")), "{table}");

    let explain = server.kubectl_ok(&["explain", "crontab.spec"]);
    assert!(explain.contains("The desired schedule of the CronTab."), "{explain}");
    assert!(explain.contains("The cron schedule, like"), "{explain}");

    server.kubectl_ok(&["scale", "crontab/my-cron", "--replicas=3"]);
    assert_eq!(server.kubectl_ok(&["get", "ct", "my-cron", "-o", "jsonpath={.spec.replicas}"]), "3");
    let scale =
        server.kubectl_ok(&["get", "--raw", "/apis/stable.example.com/v1/namespaces/default/crontabs/my-cron/scale"]);
    let scale: Value = serde_json::from_str(&scale).unwrap();
    assert_eq!(scale["spec"]["replicas"], 3);
    let too_many = server.kubectl(&["scale", "crontab/my-cron", "--replicas=20"]);
    assert!(!too_many.status.success());
    assert!(stderr(&too_many).contains("should be less than or equal to 10"), "{}", stderr(&too_many));

    let all = server.kubectl_ok(&["get", "all"]);
    assert!(all.contains("crontab.stable.example.com/my-cron"), "{all}");
    let selected = server.kubectl_ok(&["get", "ct", "--field-selector", "spec.image=my-awesome-image", "-o", "name"]);
    assert_eq!(selected.trim(), "crontab.stable.example.com/my-cron");
    let unsupported = server.kubectl(&["get", "ct", "--field-selector", "spec.cronSpec=x"]);
    assert!(stderr(&unsupported).contains("field label not supported: spec.cronSpec"), "{}", stderr(&unsupported));

    let strategic = server.kubectl(&["patch", "ct", "my-cron", "-p", r#"{"spec":{"image":"x"}}"#]);
    assert!(
        stderr(&strategic).contains("application/strategic-merge-patch+json is not supported"),
        "{}",
        stderr(&strategic)
    );
    server.kubectl_ok(&["patch", "ct", "my-cron", "--type=merge", "-p", r#"{"spec":{"image":"merged"}}"#]);
    server.kubectl_ok(&[
        "patch",
        "ct",
        "my-cron",
        "--type=json",
        "-p",
        r#"[{"op":"replace","path":"/spec/image","value":"json"}]"#,
    ]);
    assert_eq!(server.kubectl_ok(&["get", "ct", "my-cron", "-o", "jsonpath={.spec.image}"]), "json");
    // Client-side apply of a custom resource is a JSON merge patch (kubectl has no schema type for it).
    server.kubectl_ok(&["apply", "-f", &testdata("crontab-valid.yaml")]);
    assert_eq!(server.kubectl_ok(&["get", "ct", "my-cron", "-o", "jsonpath={.spec.image}"]), "my-awesome-image");
    server.kubectl_ok(&["patch", "ct", "my-cron", "--type=merge", "-p", r#"{"spec":{"image":"merged"}}"#]);
    server.kubectl_ok(&["apply", "--server-side", "--force-conflicts", "-f", &testdata("crontab-valid.yaml")]);
    assert_eq!(server.kubectl_ok(&["get", "ct", "my-cron", "-o", "jsonpath={.spec.image}"]), "my-awesome-image");

    server.kubectl_ok(&["delete", "crd", CRD]);
    assert!(eventually(Duration::from_secs(10), || !server.kubectl(&["get", "crd", CRD]).status.success()));
    let gone = server.kubectl(&["get", "--raw", "/apis/stable.example.com/v1/namespaces/default/crontabs"]);
    assert!(!gone.status.success(), "{}", stdout(&gone));
    // Recreated, the CRD starts empty: its objects went with it.
    install_crontabs(&server);
    assert!(eventually(Duration::from_secs(10), || {
        server.kubectl(&["get", "crontabs", "-o", "name"]).status.success()
            && server.kubectl_ok(&["get", "crontabs", "-o", "name"]).trim().is_empty()
    }));
}

#[test]
fn get_watch_shows_custom_resource_changes() {
    let server = TestServer::start();
    install_crontabs(&server);
    server.kubectl_ok(&["apply", "-f", &testdata("crontab-valid.yaml")]);
    let mut watch = Command::new("kubectl")
        .args(["get", "crontabs", "-w"])
        .env("KUBECONFIG", &server.kubeconfig)
        .env("HOME", server.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = watch.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next_line = || rx.recv_timeout(Duration::from_secs(10));
    let header = next_line().expect("a header line");
    assert!(header.starts_with("NAME") && header.contains("REPLICAS"), "{header}");
    assert!(next_line().expect("the existing crontab").starts_with("my-cron"));
    server.kubectl_ok(&["scale", "crontab/my-cron", "--replicas=7"]);
    let later = next_line();
    let _ = watch.kill();
    let _ = watch.wait();
    let later = later.expect("the watch shows the change");
    assert!(later.starts_with("my-cron") && later.split_whitespace().any(|c| c == "7"), "{later}");
}

#[test]
fn versions_convert_by_apiversion_and_unserved_versions_leave_discovery() {
    let server = TestServer::start();
    let crd = |v1beta1_served: bool| {
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.io"},
            "spec": {"group": "example.io", "scope": "Cluster", "names": {"plural": "widgets", "kind": "Widget"},
                "versions": [
                    {"name": "v1beta1", "served": v1beta1_served, "storage": false,
                     "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}},
                    {"name": "v1", "served": true, "storage": true,
                     "schema": {"openAPIV3Schema": {"type": "object", "properties": {"size": {"type": "integer", "default": 5}}}}}]}})
        .to_string()
    };
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&crd(true)));
    server.kubectl_ok(&["wait", "--for=condition=Established", "--timeout=10s", "crd/widgets.example.io"]);
    let widget = r#"{"apiVersion": "example.io/v1beta1", "kind": "Widget", "metadata": {"name": "w"}}"#;
    let created = server.kubectl_stdin(&["create", "-f", "-"], Some(widget));
    assert!(created.status.success(), "{}", stderr(&created));
    let v1: Value =
        serde_json::from_str(&server.kubectl_ok(&["get", "--raw", "/apis/example.io/v1/widgets/w"])).unwrap();
    assert_eq!((v1["apiVersion"].as_str(), v1["size"].as_i64()), (Some("example.io/v1"), Some(5)));
    let group: Value = serde_json::from_str(&server.kubectl_ok(&["get", "--raw", "/apis/example.io"])).unwrap();
    assert_eq!(group["preferredVersion"]["version"], "v1");
    assert_eq!(group["versions"].as_array().unwrap().len(), 2);
    let index = server.kubectl_ok(&["get", "--raw", "/openapi/v3"]);
    assert!(index.contains("apis/example.io/v1beta1"), "{index}");

    server.kubectl_stdin(&["apply", "-f", "-"], Some(&crd(false)));
    assert!(eventually(Duration::from_secs(10), || {
        !server.kubectl_ok(&["get", "--raw", "/openapi/v3"]).contains("apis/example.io/v1beta1")
    }));
    let group: Value = serde_json::from_str(&server.kubectl_ok(&["get", "--raw", "/apis/example.io"])).unwrap();
    assert_eq!(group["versions"], json!([{"groupVersion": "example.io/v1", "version": "v1"}]));
    assert!(!server.kubectl(&["get", "--raw", "/apis/example.io/v1beta1/widgets/w"]).status.success());
    assert!(server.kubectl(&["get", "--raw", "/apis/example.io/v1/widgets/w"]).status.success());
}

#[test]
fn name_conflicts_and_bad_definitions_are_reported() {
    let server = TestServer::start();
    install_crontabs(&server);
    let rival = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "cronjobs.stable.example.com"},
        "spec": {"group": "stable.example.com", "scope": "Namespaced",
            "names": {"plural": "cronjobs", "singular": "cronjob", "kind": "CronTab"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object"}}}]}});
    server.kubectl_stdin(&["create", "-f", "-"], Some(&rival.to_string()));
    assert!(eventually(Duration::from_secs(10), || {
        let reason = server.kubectl_ok(&[
            "get",
            "crd",
            "cronjobs.stable.example.com",
            "-o",
            "jsonpath={.status.conditions[?(@.type==\"NamesAccepted\")].reason}",
        ]);
        reason == "KindConflict"
    }));
    assert!(!server
        .kubectl(&["get", "--raw", "/apis/stable.example.com/v1/namespaces/default/cronjobs"])
        .status
        .success());

    let mut two_storage = rival.clone();
    two_storage["metadata"]["name"] = json!("gadgets.stable.example.com");
    two_storage["spec"]["names"] = json!({"plural": "gadgets", "kind": "Gadget"});
    two_storage["spec"]["versions"] =
        json!([{"name": "v1", "served": true, "storage": true}, {"name": "v2", "served": true, "storage": true}]);
    let refused = server.kubectl_stdin(&["create", "-f", "-"], Some(&two_storage.to_string()));
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("must have exactly one version marked as storage version"),
        "{}",
        stderr(&refused)
    );
}

#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "kctl.example.com",
    version = "v1",
    kind = "Gizmo",
    namespaced,
    status = "GizmoStatus",
    shortname = "gz"
)]
pub struct GizmoSpec {
    pub size: i32,
    pub colour: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
pub struct GizmoStatus {
    pub ready: bool,
}

#[tokio::test(flavor = "multi_thread")]
async fn kube_derive_custom_resource_round_trips() {
    let server = TestServer::start();
    let client = server.client().await;
    let crds: Api<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> =
        Api::all(client.clone());
    crds.create(&PostParams::default(), &Gizmo::crd()).await.expect("create the CRD");
    let gizmos: Api<Gizmo> = Api::namespaced(client.clone(), "default");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if gizmos.list(&ListParams::default()).await.is_ok() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "gizmos were not served within 10s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let gizmo = Gizmo::new("g1", GizmoSpec { size: 3, colour: Some("red".into()) });
    let created = gizmos.create(&PostParams::default(), &gizmo).await.expect("create a Gizmo");
    assert_eq!(created.spec, gizmo.spec);
    assert_eq!(created.metadata.generation, Some(1));
    assert!(created.status.is_none());

    let status = Patch::Merge(json!({"status": {"ready": true}}));
    let patched = gizmos.patch_status("g1", &PatchParams::default(), &status).await.expect("patch status");
    assert_eq!(patched.status, Some(GizmoStatus { ready: true }));
    assert_eq!(patched.metadata.generation, Some(1));

    let apply =
        json!({"apiVersion": "kctl.example.com/v1", "kind": "Gizmo", "metadata": {"name": "g1"}, "spec": {"size": 4}});
    let applied =
        gizmos.patch("g1", &PatchParams::apply("gizmo-test").force(), &Patch::Apply(&apply)).await.expect("apply");
    assert_eq!(applied.spec.size, 4);
    assert_eq!(applied.metadata.generation, Some(2));
    assert!(applied
        .metadata
        .managed_fields
        .unwrap_or_default()
        .iter()
        .any(|m| m.manager.as_deref() == Some("gizmo-test")));

    let listed = gizmos.list(&ListParams::default()).await.expect("list");
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].status, Some(GizmoStatus { ready: true }));

    let bad = gizmos
        .patch("g1", &PatchParams::default(), &Patch::Merge(json!({"spec": {"size": "big"}})))
        .await
        .expect_err("a string size is invalid");
    match bad {
        kube::Error::Api(response) => {
            assert_eq!((response.code, response.reason.as_str()), (422, "Invalid"));
            assert!(response.message.contains("spec.size in body must be of type integer"), "{}", response.message);
        }
        other => panic!("unexpected error {other:?}"),
    }

    // Duplicate and unknown fields: refused with Strict, warned about by default.
    let body = r#"{"apiVersion": "kctl.example.com/v1", "kind": "Gizmo", "metadata": {"name": "g2"},
        "spec": {"size": 1, "size": 2, "shape": "round"}}"#;
    let post = |query: &str| {
        http::Request::builder()
            .method("POST")
            .uri(format!("/apis/kctl.example.com/v1/namespaces/default/gizmos{query}"))
            .header("Content-Type", "application/json")
            .body(body.as_bytes().to_vec())
            .unwrap()
    };
    match client.request_text(post("?fieldValidation=Strict")).await.expect_err("strict refuses") {
        kube::Error::Api(response) => {
            assert_eq!(response.code, 400);
            assert!(
                response
                    .message
                    .ends_with("strict decoding error: duplicate field \"spec.size\", unknown field \"spec.shape\""),
                "{}",
                response.message
            );
        }
        other => panic!("unexpected error {other:?}"),
    }
    let created: Value = serde_json::from_str(&client.request_text(post("")).await.expect("warn accepts")).unwrap();
    assert_eq!(created["spec"], json!({"size": 2}));
    gizmos.delete("g2", &DeleteParams::default()).await.expect("delete");

    gizmos.delete("g1", &DeleteParams::default()).await.expect("delete");
    assert!(gizmos.list(&ListParams::default()).await.expect("list").items.is_empty());
}

#[test]
fn server_side_apply_merges_list_map_entries_by_key() {
    let server = TestServer::start();
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "gateways.net.example.com"},
        "spec": {"group": "net.example.com", "scope": "Namespaced", "names": {"plural": "gateways", "kind": "Gateway"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "properties": {
                    "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                        "items": {"type": "object", "required": ["name"], "properties": {
                            "name": {"type": "string"}, "port": {"type": "integer"}}}}}}}}}}]}});
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&crd.to_string()));
    server.kubectl_ok(&["wait", "--for=condition=Established", "--timeout=10s", "crd/gateways.net.example.com"]);
    let gateway = |port: &str, number: u16| {
        format!(
            "apiVersion: net.example.com/v1\nkind: Gateway\nmetadata:\n  name: gw\nspec:\n  ports:\n  - name: {port}\n    port: {number}\n"
        )
    };
    for (manager, port, number) in [("first", "http", 80), ("second", "https", 443)] {
        let applied = server.kubectl_stdin(
            &["apply", "--server-side", &format!("--field-manager={manager}"), "-f", "-"],
            Some(&gateway(port, number)),
        );
        assert!(applied.status.success(), "{}", stderr(&applied));
    }
    let ports = server.kubectl_ok(&["get", "gateway", "gw", "-o", "jsonpath={.spec.ports[*].name}"]);
    assert_eq!(ports, "http https");
    // Each manager owns its own entry: a conflicting change to the other's port is refused.
    let conflict = server.kubectl_stdin(
        &["apply", "--server-side", "--field-manager=second", "-f", "-"],
        Some(&format!("{}  - name: https\n    port: 443\n", gateway("http", 8080))),
    );
    assert!(!conflict.status.success());
    assert!(stderr(&conflict).contains("conflict"), "{}", stderr(&conflict));
    let duplicate = server.kubectl_stdin(
        &["apply", "--server-side", "--field-manager=third", "-f", "-"],
        Some(&format!("{}  - name: http\n    port: 81\n", gateway("http", 80))),
    );
    assert!(!duplicate.status.success(), "duplicate keys in a map list are refused");
}
