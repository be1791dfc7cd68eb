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

/// Creates a CRD from JSON with kubectl and waits until it is established.
fn install(server: &TestServer, crd: &Value) {
    let created = server.kubectl_stdin(&["create", "-f", "-"], Some(&crd.to_string()));
    assert!(created.status.success(), "{}", stderr(&created));
    let name = crd["metadata"]["name"].as_str().unwrap();
    server.kubectl_ok(&["wait", "--for=condition=Established", "--timeout=10s", &format!("crd/{name}")]);
}

#[test]
fn schema_keywords_are_enforced_with_upstream_wording() {
    let server = TestServer::start();
    install(
        &server,
        &json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "probes.kw.example.com"},
            "spec": {"group": "kw.example.com", "scope": "Namespaced", "names": {"plural": "probes", "kind": "Probe"},
                "versions": [{"name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "properties": {
                        "replicas": {"type": "integer", "minimum": 1},
                        "name": {"type": "string", "minLength": 3},
                        "tags": {"type": "array", "minItems": 1, "items": {"type": "string"}},
                        "note": {"type": "string", "nullable": true},
                        "id": {"type": "string", "format": "uuid"},
                        "small": {"type": "integer", "format": "int32"},
                        "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                            "items": {"type": "object", "required": ["name"], "properties": {
                                "name": {"type": "string"}, "port": {"type": "integer"}}}},
                        "template": {"type": "object", "x-kubernetes-embedded-resource": true,
                            "x-kubernetes-preserve-unknown-fields": true}}}}}}}]}}),
    );
    let probe = |name: &str, spec: Value| {
        json!({"apiVersion": "kw.example.com/v1", "kind": "Probe", "metadata": {"name": name}, "spec": spec})
            .to_string()
    };
    let good = probe(
        "good",
        json!({"replicas": 1, "name": "abc", "tags": ["a"], "note": null, "id": "a987fbc9-4bed-3078-cf07-9141ba07c9f3",
            "small": 1_099_511_627_776u64, "ports": [{"name": "a", "port": 1}, {"name": "b", "port": 1}],
            "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}}),
    );
    let created = server.kubectl_stdin(&["create", "-f", "-"], Some(&good));
    assert!(created.status.success(), "{}", stderr(&created));

    let bad = probe(
        "bad",
        json!({"replicas": 0, "name": "ab", "tags": [], "id": "nope",
            "ports": [{"name": "a", "port": 1}, {"name": "a", "port": 2}],
            "template": {"apiVersion": "v1", "metadata": {"name": "a/b"}}}),
    );
    let refused = server.kubectl_stdin(&["create", "-f", "-"], Some(&bad));
    assert!(!refused.status.success());
    let message = stderr(&refused);
    // kubectl words a 422 Invalid Status with its causes so.
    assert!(message.contains("The Probe \"bad\" is invalid"), "{message}");
    for cause in [
        "spec.id: Invalid value: \"nope\": spec.id in body must be of type uuid: \"nope\"",
        "spec.name: Invalid value: \"ab\": spec.name in body should be at least 3 chars long",
        "spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1",
        "spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items",
        "spec.template.kind: Required value",
        "spec.template.metadata.name: Invalid value: \"a/b\": may not contain '/'",
        "spec.ports[1]: Duplicate value: map[string]interface {}{\"name\":\"a\"}",
    ] {
        assert!(message.contains(cause), "missing {cause:?} in {message}");
    }
}

#[test]
fn field_validation_ignore_drops_unknown_and_duplicate_fields_without_warnings() {
    let server = TestServer::start();
    install_crontabs(&server);
    let body = r#"{"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "NAME"},
        "spec": {"cronSpec": "* * * * */5", "image": "a", "image": "b", "colour": "red"}}"#;
    let post = |name: &str, query: &str| {
        let file = server.write(&format!("{name}.json"), &body.replace("NAME", name));
        let path = format!("/apis/stable.example.com/v1/namespaces/default/crontabs{query}");
        server.kubectl(&["create", "--raw", &path, "-f", file.to_str().unwrap()])
    };
    // The default (Warn) names both problems, so their absence below means something.
    let warned = post("warned", "");
    assert!(warned.status.success(), "{}", stderr(&warned));
    assert!(stderr(&warned).contains("Warning: duplicate field \"spec.image\""), "{}", stderr(&warned));
    assert!(stderr(&warned).contains("Warning: unknown field \"spec.colour\""), "{}", stderr(&warned));

    let ignored = post("ignored", "?fieldValidation=Ignore");
    assert!(ignored.status.success(), "{}", stderr(&ignored));
    assert!(!stderr(&ignored).contains("Warning"), "{}", stderr(&ignored));
    let stored: Value = serde_json::from_str(&server.kubectl_ok(&["get", "crontab", "ignored", "-o", "json"])).unwrap();
    assert_eq!(stored["spec"], json!({"cronSpec": "* * * * */5", "image": "b", "replicas": 1}));

    // kubectl's --validate=false is fieldValidation=Ignore too.
    let file = server.write("unknown.json", &body.replace("NAME", "quiet").replace(r#""image": "a", "#, ""));
    let quiet = server.kubectl(&["create", "--validate=false", "-f", file.to_str().unwrap()]);
    assert!(quiet.status.success(), "{}", stderr(&quiet));
    assert!(!stderr(&quiet).contains("Warning"), "{}", stderr(&quiet));
    let colour = server.kubectl_ok(&["get", "crontab", "quiet", "-o", "jsonpath={.spec.colour}"]);
    assert_eq!(colour, "");
}

#[test]
fn status_is_dropped_on_create_and_scale_reports_the_label_selector() {
    let server = TestServer::start();
    install_crontabs(&server);
    let cron = json!({"apiVersion": "stable.example.com/v1", "kind": "CronTab", "metadata": {"name": "c"},
        "spec": {"cronSpec": "* * * * */5", "replicas": 2},
        "status": {"replicas": 9, "labelSelector": "app=forged"}});
    let created = server.kubectl_stdin(&["create", "-f", "-", "-o", "json"], Some(&cron.to_string()));
    assert!(created.status.success(), "{}", stderr(&created));
    let created: Value = serde_json::from_slice(&created.stdout).unwrap();
    assert!(created.get("status").is_none(), "status is written through /status only: {created}");

    server.kubectl_ok(&[
        "patch",
        "crontab",
        "c",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"replicas":2,"labelSelector":"app=cron"}}"#,
    ]);
    let scale: Value = serde_json::from_str(&server.kubectl_ok(&[
        "get",
        "--raw",
        "/apis/stable.example.com/v1/namespaces/default/crontabs/c/scale",
    ]))
    .unwrap();
    assert_eq!(scale["kind"], "Scale");
    assert_eq!(scale["spec"]["replicas"], 2);
    assert_eq!(scale["status"], json!({"replicas": 2, "selector": "app=cron"}));
}

#[test]
fn crd_definitions_need_schemas_and_a_known_conversion() {
    let server = TestServer::start();
    let crd = |plural: &str, version: Value, conversion: Option<Value>| {
        let mut crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": format!("{plural}.conv.example.com")},
            "spec": {"group": "conv.example.com", "scope": "Namespaced",
                "names": {"plural": plural, "kind": format!("K{plural}")}, "versions": version}});
        if let Some(conversion) = conversion {
            crd["spec"]["conversion"] = conversion;
        }
        crd.to_string()
    };
    let schema = json!({"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}});
    let refused = |text: String| {
        let output = server.kubectl_stdin(&["create", "-f", "-"], Some(&text));
        assert!(!output.status.success(), "{text} was accepted");
        stderr(&output)
    };
    let message = refused(crd("bare", json!([{"name": "v1", "served": true, "storage": true}]), None));
    assert!(
        message.contains("spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required"),
        "{message}"
    );
    let one = json!([{"name": "v1", "served": true, "storage": true, "schema": schema}]);
    let message = refused(crd("magic", one.clone(), Some(json!({"strategy": "Magic"}))));
    assert!(
        message.contains(
            "spec.conversion.strategy: Unsupported value: \"Magic\": supported values: \"None\", \"Webhook\""
        ),
        "{message}"
    );
    let message = refused(crd("hooked", one, Some(json!({"strategy": "Webhook"}))));
    for cause in [
        "spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook",
        "spec.conversion.conversionReviewVersions: Required value",
    ] {
        assert!(message.contains(cause), "missing {cause:?} in {message}");
    }

    // A complete webhook is accepted; kctl serves its storage version and fails the others
    // as upstream does when the webhook cannot be reached.
    let two = json!([{"name": "v1", "served": true, "storage": true, "schema": schema},
        {"name": "v2", "served": true, "storage": false, "schema": schema}]);
    let webhook = json!({"strategy": "Webhook", "webhook": {"conversionReviewVersions": ["v1"],
        "clientConfig": {"service": {"name": "hook", "namespace": "default", "path": "/convert"}}}});
    server.kubectl_stdin(&["create", "-f", "-"], Some(&crd("things", two, Some(webhook))));
    server.kubectl_ok(&["wait", "--for=condition=Established", "--timeout=10s", "crd/things.conv.example.com"]);
    let thing = |version: &str| {
        json!({"apiVersion": format!("conv.example.com/{version}"), "kind": "Kthings", "metadata": {"name": version}})
            .to_string()
    };
    let stored = server.kubectl_stdin(&["create", "-f", "-"], Some(&thing("v1")));
    assert!(stored.status.success(), "{}", stderr(&stored));
    let converted = server.kubectl_stdin(&["create", "-f", "-"], Some(&thing("v2")));
    assert!(!converted.status.success());
    assert!(
        stderr(&converted).contains("conversion webhook for conv.example.com/v1, Kind=Kthings failed"),
        "{}",
        stderr(&converted)
    );
    server.kubectl_ok(&["get", "--raw", "/apis/conv.example.com/v1/namespaces/default/things/v1"]);
    let read = server.kubectl(&["get", "--raw", "/apis/conv.example.com/v2/namespaces/default/things/v1"]);
    assert!(!read.status.success());
    assert!(
        stderr(&read).contains("conversion webhook for conv.example.com/v1, Kind=Kthings failed"),
        "{}",
        stderr(&read)
    );
}

#[test]
fn deleting_a_crd_waits_for_the_finalizers_of_its_objects() {
    let server = TestServer::start();
    install_crontabs(&server);
    let held = json!({"apiVersion": "stable.example.com/v1", "kind": "CronTab",
        "metadata": {"name": "held", "finalizers": ["example.com/hold"]}, "spec": {"cronSpec": "* * * * */5"}});
    server.kubectl_stdin(&["create", "-f", "-"], Some(&held.to_string()));
    server.kubectl_ok(&["apply", "-f", &testdata("crontab-valid.yaml")]);
    server.kubectl_ok(&["delete", "crd", CRD, "--wait=false"]);

    let terminating = || {
        server.kubectl_ok(&[
            "get",
            "crd",
            CRD,
            "-o",
            "jsonpath={range .status.conditions[?(@.type==\"Terminating\")]}{.status}/{.reason}/{.message}{end}",
        ])
    };
    assert!(eventually(Duration::from_secs(10), || {
        terminating() == "True/InstanceDeletionInProgress/CustomResource deletion is in progress"
    }));
    // The CR without a finalizer went; the held one waits with a deletionTimestamp.
    assert!(eventually(Duration::from_secs(10), || {
        !server.kubectl(&["get", "crontab", "my-cron"]).status.success()
    }));
    let held_now: Value = serde_json::from_str(&server.kubectl_ok(&["get", "crontab", "held", "-o", "json"])).unwrap();
    assert!(held_now["metadata"]["deletionTimestamp"].is_string(), "{held_now}");
    // Still there a while later, and nothing new may be created meanwhile.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(server.kubectl(&["get", "crd", CRD]).status.success());
    let conditions = server.kubectl_ok(&["get", "crd", CRD, "-o", "jsonpath={.status.conditions[*].type}"]);
    assert_eq!(conditions, "NamesAccepted Established Terminating");
    let blocked = server.kubectl(&["create", "-f", &testdata("crontab-valid.yaml")]);
    assert!(!blocked.status.success());
    assert!(
        stderr(&blocked).contains("create not allowed while custom resource definition is terminating"),
        "{}",
        stderr(&blocked)
    );

    server.kubectl_ok(&["patch", "crontab", "held", "--type=merge", "-p", r#"{"metadata":{"finalizers":null}}"#]);
    assert!(eventually(Duration::from_secs(10), || !server.kubectl(&["get", "crd", CRD]).status.success()));
    let gone = server.kubectl(&["get", "--raw", "/apis/stable.example.com/v1/namespaces/default/crontabs/held"]);
    assert!(!gone.status.success(), "{}", stdout(&gone));
}
