//! Protobuf request bodies as client-go's typed clients send them (`Content-Type:
//! application/vnd.kubernetes.protobuf`, the `k8s\0` magic and a runtime.Unknown envelope):
//! create, update, delete and deletecollection of kinds in several groups, DeleteOptions with
//! preconditions, dryRun and propagation policies, and namespaces deleted that way.
//!
//! The messages are encoded with prost from structs whose field numbers and types are those of
//! k8s.io/api's generated.proto for 1.32 (k8s-pb is not used: only the fields the tests set are
//! declared; Go would also write its value fields' zeros, which the decoder's unit tests cover
//! with bodies captured from kubectl).

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use prost::Message;
use serde_json::{json, Value};
use support::TestServer;

const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";
/// What client-go asks for when its content type is protobuf.
const CLIENT_GO_ACCEPT: &str = "application/vnd.kubernetes.protobuf, */*";

#[derive(Clone, PartialEq, Message)]
struct TypeMeta {
    #[prost(string, optional, tag = "1")]
    api_version: Option<String>,
    #[prost(string, optional, tag = "2")]
    kind: Option<String>,
}

/// k8s.io/apimachinery/pkg/runtime.Unknown.
#[derive(Clone, PartialEq, Message)]
struct Unknown {
    #[prost(message, optional, tag = "1")]
    type_meta: Option<TypeMeta>,
    #[prost(bytes = "vec", optional, tag = "2")]
    raw: Option<Vec<u8>>,
    #[prost(string, optional, tag = "3")]
    content_encoding: Option<String>,
    #[prost(string, optional, tag = "4")]
    content_type: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct OwnerReference {
    #[prost(string, optional, tag = "1")]
    kind: Option<String>,
    #[prost(string, optional, tag = "3")]
    name: Option<String>,
    #[prost(string, optional, tag = "4")]
    uid: Option<String>,
    #[prost(string, optional, tag = "5")]
    api_version: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct ObjectMeta {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(string, optional, tag = "3")]
    namespace: Option<String>,
    #[prost(string, optional, tag = "6")]
    resource_version: Option<String>,
    #[prost(btree_map = "string, string", tag = "11")]
    labels: BTreeMap<String, String>,
    #[prost(message, repeated, tag = "13")]
    owner_references: Vec<OwnerReference>,
}

#[derive(Clone, PartialEq, Message)]
struct Preconditions {
    #[prost(string, optional, tag = "1")]
    uid: Option<String>,
    #[prost(string, optional, tag = "2")]
    resource_version: Option<String>,
}

/// meta/v1 DeleteOptions.
#[derive(Clone, PartialEq, Message)]
struct DeleteOptions {
    #[prost(int64, optional, tag = "1")]
    grace_period_seconds: Option<i64>,
    #[prost(message, optional, tag = "2")]
    preconditions: Option<Preconditions>,
    #[prost(bool, optional, tag = "3")]
    orphan_dependents: Option<bool>,
    #[prost(string, optional, tag = "4")]
    propagation_policy: Option<String>,
    #[prost(string, repeated, tag = "5")]
    dry_run: Vec<String>,
}

/// core/v1 ConfigMap.
#[derive(Clone, PartialEq, Message)]
struct ConfigMap {
    #[prost(message, optional, tag = "1")]
    metadata: Option<ObjectMeta>,
    #[prost(btree_map = "string, string", tag = "2")]
    data: BTreeMap<String, String>,
    #[prost(btree_map = "string, bytes", tag = "3")]
    binary_data: BTreeMap<String, Vec<u8>>,
}

#[derive(Clone, PartialEq, Message)]
struct LabelSelector {
    #[prost(btree_map = "string, string", tag = "1")]
    match_labels: BTreeMap<String, String>,
}

#[derive(Clone, PartialEq, Message)]
struct Container {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(string, optional, tag = "2")]
    image: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct PodSpec {
    #[prost(message, repeated, tag = "2")]
    containers: Vec<Container>,
}

#[derive(Clone, PartialEq, Message)]
struct PodTemplateSpec {
    #[prost(message, optional, tag = "1")]
    metadata: Option<ObjectMeta>,
    #[prost(message, optional, tag = "2")]
    spec: Option<PodSpec>,
}

#[derive(Clone, PartialEq, Message)]
struct DeploymentSpec {
    #[prost(int32, optional, tag = "1")]
    replicas: Option<i32>,
    #[prost(message, optional, tag = "2")]
    selector: Option<LabelSelector>,
    #[prost(message, optional, tag = "3")]
    template: Option<PodTemplateSpec>,
}

/// apps/v1 Deployment.
#[derive(Clone, PartialEq, Message)]
struct Deployment {
    #[prost(message, optional, tag = "1")]
    metadata: Option<ObjectMeta>,
    #[prost(message, optional, tag = "2")]
    spec: Option<DeploymentSpec>,
}

/// storage.k8s.io/v1 StorageClass.
#[derive(Clone, PartialEq, Message)]
struct StorageClass {
    #[prost(message, optional, tag = "1")]
    metadata: Option<ObjectMeta>,
    #[prost(string, optional, tag = "2")]
    provisioner: Option<String>,
    #[prost(btree_map = "string, string", tag = "3")]
    parameters: BTreeMap<String, String>,
    #[prost(string, optional, tag = "4")]
    reclaim_policy: Option<String>,
    #[prost(bool, optional, tag = "6")]
    allow_volume_expansion: Option<bool>,
    #[prost(string, optional, tag = "7")]
    volume_binding_mode: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct Name {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct FlowDistinguisherMethod {
    #[prost(string, optional, tag = "1")]
    r#type: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct FlowSubject {
    #[prost(string, optional, tag = "1")]
    kind: Option<String>,
    #[prost(message, optional, tag = "3")]
    group: Option<Name>,
}

#[derive(Clone, PartialEq, Message)]
struct NonResourcePolicyRule {
    #[prost(string, repeated, tag = "1")]
    verbs: Vec<String>,
    #[prost(string, repeated, tag = "6")]
    non_resource_urls: Vec<String>,
}

#[derive(Clone, PartialEq, Message)]
struct PolicyRulesWithSubjects {
    #[prost(message, repeated, tag = "1")]
    subjects: Vec<FlowSubject>,
    #[prost(message, repeated, tag = "3")]
    non_resource_rules: Vec<NonResourcePolicyRule>,
}

#[derive(Clone, PartialEq, Message)]
struct FlowSchemaSpec {
    #[prost(message, optional, tag = "1")]
    priority_level_configuration: Option<Name>,
    #[prost(int32, optional, tag = "2")]
    matching_precedence: Option<i32>,
    #[prost(message, optional, tag = "3")]
    distinguisher_method: Option<FlowDistinguisherMethod>,
    #[prost(message, repeated, tag = "4")]
    rules: Vec<PolicyRulesWithSubjects>,
}

/// flowcontrol.apiserver.k8s.io/v1 FlowSchema.
#[derive(Clone, PartialEq, Message)]
struct FlowSchema {
    #[prost(message, optional, tag = "1")]
    metadata: Option<ObjectMeta>,
    #[prost(message, optional, tag = "2")]
    spec: Option<FlowSchemaSpec>,
}

/// apiextensions.k8s.io/v1 JSONSchemaProps (the fields the test's schema uses).
#[derive(Clone, PartialEq, Message)]
struct JsonSchemaProps {
    #[prost(string, optional, tag = "5")]
    r#type: Option<String>,
    #[prost(message, optional, boxed, tag = "24")]
    items: Option<Box<JsonSchemaPropsOrArray>>,
    #[prost(btree_map = "string, message", tag = "29")]
    properties: BTreeMap<String, JsonSchemaProps>,
    #[prost(message, optional, boxed, tag = "30")]
    additional_properties: Option<Box<JsonSchemaPropsOrBool>>,
    #[prost(bool, optional, tag = "38")]
    x_kubernetes_preserve_unknown_fields: Option<bool>,
}

#[derive(Clone, PartialEq, Message)]
struct JsonSchemaPropsOrArray {
    #[prost(message, optional, tag = "1")]
    schema: Option<JsonSchemaProps>,
    #[prost(message, repeated, tag = "2")]
    json_schemas: Vec<JsonSchemaProps>,
}

#[derive(Clone, PartialEq, Message)]
struct JsonSchemaPropsOrBool {
    #[prost(bool, optional, tag = "1")]
    allows: Option<bool>,
    #[prost(message, optional, tag = "2")]
    schema: Option<JsonSchemaProps>,
}

#[derive(Clone, PartialEq, Message)]
struct CustomResourceValidation {
    #[prost(message, optional, tag = "1")]
    open_apiv3_schema: Option<JsonSchemaProps>,
}

#[derive(Clone, PartialEq, Message)]
struct CustomResourceDefinitionVersion {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(bool, optional, tag = "2")]
    served: Option<bool>,
    #[prost(bool, optional, tag = "3")]
    storage: Option<bool>,
    #[prost(message, optional, tag = "4")]
    schema: Option<CustomResourceValidation>,
}

#[derive(Clone, PartialEq, Message)]
struct CustomResourceDefinitionNames {
    #[prost(string, optional, tag = "1")]
    plural: Option<String>,
    #[prost(string, optional, tag = "2")]
    singular: Option<String>,
    #[prost(string, optional, tag = "4")]
    kind: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct CustomResourceDefinitionSpec {
    #[prost(string, optional, tag = "1")]
    group: Option<String>,
    #[prost(message, optional, tag = "3")]
    names: Option<CustomResourceDefinitionNames>,
    #[prost(string, optional, tag = "4")]
    scope: Option<String>,
    #[prost(message, repeated, tag = "7")]
    versions: Vec<CustomResourceDefinitionVersion>,
    #[prost(bool, optional, tag = "10")]
    preserve_unknown_fields: Option<bool>,
}

/// apiextensions.k8s.io/v1 CustomResourceDefinition.
#[derive(Clone, PartialEq, Message)]
struct CustomResourceDefinition {
    #[prost(message, optional, tag = "1")]
    metadata: Option<ObjectMeta>,
    #[prost(message, optional, tag = "2")]
    spec: Option<CustomResourceDefinitionSpec>,
}

fn some(text: &str) -> Option<String> {
    Some(text.to_string())
}

fn meta(name: &str) -> Option<ObjectMeta> {
    Some(ObjectMeta { name: some(name), ..Default::default() })
}

/// The body client-go's protobuf serializer writes: magic, then runtime.Unknown with the
/// object's group version and kind, its message, and empty encoding and content type.
fn envelope(api_version: &str, kind: &str, object: &impl Message) -> Vec<u8> {
    let unknown = Unknown {
        type_meta: Some(TypeMeta { api_version: some(api_version), kind: some(kind) }),
        raw: Some(object.encode_to_vec()),
        content_encoding: some(""),
        content_type: some(""),
    };
    let mut body = b"k8s\0".to_vec();
    body.extend(unknown.encode_to_vec());
    body
}

fn request(method: &str, path: &str, accept: &str, body: Vec<u8>) -> http::Request<Vec<u8>> {
    let builder = http::Request::builder().method(method).uri(path).header("Accept", accept);
    let builder = if body.is_empty() { builder } else { builder.header("Content-Type", PROTOBUF) };
    builder.body(body).expect("request")
}

/// One answer: its status code, Content-Type and body.
struct Answer {
    code: u16,
    content_type: String,
    body: Vec<u8>,
}

impl Answer {
    fn is_protobuf(&self) -> bool {
        self.content_type == PROTOBUF
    }

    /// The body as JSON: protobuf bodies through kctl's decoder (checked against bodies
    /// kubectl wrote), JSON ones as they are.
    fn value(&self) -> Value {
        if self.is_protobuf() {
            kctl::apiserver::protobuf::decode(&self.body).unwrap_or_else(|err| panic!("undecodable protobuf: {err}"))
        } else {
            serde_json::from_slice(&self.body)
                .unwrap_or_else(|err| panic!("non-JSON ({err}): {}", String::from_utf8_lossy(&self.body)))
        }
    }
}

async fn answer(client: &kube::Client, request: http::Request<Vec<u8>>) -> Answer {
    use http_body_util::BodyExt;
    let (method, uri) = (request.method().clone(), request.uri().clone());
    let response = client.send(request.map(Into::into)).await.unwrap_or_else(|err| panic!("{method} {uri}: {err}"));
    let code = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
    Answer { code, content_type, body }
}

/// A successful answer, in whichever format it came.
async fn send(client: &kube::Client, request: http::Request<Vec<u8>>) -> Value {
    let (method, uri) = (request.method().clone(), request.uri().clone());
    let answer = answer(client, request).await;
    let value = answer.value();
    assert!(answer.code < 300, "{method} {uri}: {} {value}", answer.code);
    value
}

/// An error answer's code and message, from its Status in whichever format it came.
async fn refused(client: &kube::Client, request: http::Request<Vec<u8>>) -> (u16, String) {
    let answer = answer(client, request).await;
    let status = answer.value();
    assert!(answer.code >= 400, "expected an API error, got {} {status}", answer.code);
    assert_eq!(status["kind"], "Status", "{status}");
    (answer.code, status["message"].as_str().unwrap_or_default().to_string())
}

async fn get(client: &kube::Client, path: &str) -> Option<Value> {
    match client.request_text(request("GET", path, "application/json", Vec::new())).await {
        Ok(text) => Some(serde_json::from_str(&text).expect("JSON")),
        Err(kube::Error::Api(status)) if status.code == 404 => None,
        Err(err) => panic!("GET {path}: {err}"),
    }
}

async fn until_gone(client: &kube::Client, path: &str) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while tokio::time::Instant::now() < deadline {
        if get(client, path).await.is_none() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    false
}

fn delete_options(options: DeleteOptions) -> Vec<u8> {
    envelope("v1", "DeleteOptions", &options)
}

#[tokio::test]
async fn config_maps_are_created_updated_and_deleted_from_protobuf() {
    let server = TestServer::start();
    let client = server.client().await;
    let maps = "/api/v1/namespaces/default/configmaps";
    let config_map = ConfigMap {
        metadata: meta("settings"),
        data: [("mode".to_string(), "fast".to_string())].into(),
        binary_data: [("blob".to_string(), vec![0, 1, 2])].into(),
    };
    let created =
        send(&client, request("POST", maps, CLIENT_GO_ACCEPT, envelope("v1", "ConfigMap", &config_map))).await;
    assert_eq!(created["kind"], "ConfigMap", "{created}");
    assert_eq!(created["data"], json!({"mode": "fast"}));
    assert_eq!(created["binaryData"], json!({"blob": "AAEC"}));
    let uid = created["metadata"]["uid"].as_str().expect("uid").to_string();

    // An update carries the resourceVersion in the protobuf ObjectMeta.
    let update = ConfigMap {
        metadata: Some(ObjectMeta {
            resource_version: created["metadata"]["resourceVersion"].as_str().map(str::to_string),
            ..meta("settings").expect("meta")
        }),
        data: [("mode".to_string(), "slow".to_string())].into(),
        binary_data: BTreeMap::new(),
    };
    let path = format!("{maps}/settings");
    let updated = send(&client, request("PUT", &path, "application/json", envelope("v1", "ConfigMap", &update))).await;
    assert_eq!(updated["data"], json!({"mode": "slow"}));
    assert!(updated.get("binaryData").is_none(), "{updated}");

    // DeleteOptions in protobuf: a wrong uid precondition is a conflict, dryRun deletes nothing.
    let wrong = DeleteOptions {
        preconditions: Some(Preconditions { uid: some("not-the-uid"), resource_version: None }),
        ..Default::default()
    };
    let (code, message) = refused(&client, request("DELETE", &path, CLIENT_GO_ACCEPT, delete_options(wrong))).await;
    assert_eq!(code, 409, "{message}");
    assert!(message.contains("Precondition failed: UID in precondition: not-the-uid"), "{message}");
    let dry = DeleteOptions { dry_run: vec!["All".into()], ..Default::default() };
    send(&client, request("DELETE", &path, CLIENT_GO_ACCEPT, delete_options(dry))).await;
    assert!(get(&client, &path).await.is_some(), "a dry run deletes nothing");
    let right = DeleteOptions {
        preconditions: Some(Preconditions { uid: Some(uid), resource_version: None }),
        grace_period_seconds: Some(0),
        ..Default::default()
    };
    let deleted = send(&client, request("DELETE", &path, "application/json", delete_options(right))).await;
    assert_eq!(deleted["metadata"]["name"], "settings");
    assert!(get(&client, &path).await.is_none());

    // An unknown propagation policy is refused as upstream refuses it.
    send(&client, request("POST", maps, CLIENT_GO_ACCEPT, envelope("v1", "ConfigMap", &config_map))).await;
    let bad = DeleteOptions { propagation_policy: some("Sometimes"), ..Default::default() };
    let (code, message) = refused(&client, request("DELETE", &path, CLIENT_GO_ACCEPT, delete_options(bad))).await;
    assert_eq!(code, 400, "{message}");
    assert!(message.contains("propagationPolicy: Unsupported value: \"Sometimes\""), "{message}");
}

#[tokio::test]
async fn deletecollection_reads_protobuf_delete_options() {
    let server = TestServer::start();
    let client = server.client().await;
    let maps = "/api/v1/namespaces/default/configmaps";
    for (name, set) in [("a-1", "a"), ("a-2", "a"), ("b-1", "b")] {
        let object = ConfigMap {
            metadata: Some(ObjectMeta {
                labels: [("set".to_string(), set.to_string())].into(),
                ..meta(name).expect("meta")
            }),
            ..Default::default()
        };
        send(&client, request("POST", maps, CLIENT_GO_ACCEPT, envelope("v1", "ConfigMap", &object))).await;
    }
    let dry = DeleteOptions { dry_run: vec!["All".into()], ..Default::default() };
    let listed = send(
        &client,
        request("DELETE", &format!("{maps}?labelSelector=set%3Da"), CLIENT_GO_ACCEPT, delete_options(dry)),
    )
    .await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(2), "{listed}");
    assert!(get(&client, &format!("{maps}/a-1")).await.is_some(), "a dry run deletes nothing");
    let background = DeleteOptions { propagation_policy: some("Background"), ..Default::default() };
    send(
        &client,
        request("DELETE", &format!("{maps}?labelSelector=set%3Da"), CLIENT_GO_ACCEPT, delete_options(background)),
    )
    .await;
    // Every namespace also holds the cluster's kube-root-ca.crt, as upstream's do.
    let mine = format!("{maps}?fieldSelector=metadata.name%21%3Dkube-root-ca.crt");
    let left = send(&client, request("GET", &mine, "application/json", Vec::new())).await;
    let names: Vec<&str> =
        left["items"].as_array().expect("items").iter().filter_map(|i| i["metadata"]["name"].as_str()).collect();
    assert_eq!(names, ["b-1"]);
}

#[tokio::test]
async fn deployments_and_their_dependents_follow_protobuf_propagation_policies() {
    let server = TestServer::start();
    let client = server.client().await;
    let deployments = "/apis/apps/v1/namespaces/default/deployments";
    let labels: BTreeMap<String, String> = [("app".to_string(), "web".to_string())].into();
    let deployment = |name: &str| Deployment {
        metadata: meta(name),
        spec: Some(DeploymentSpec {
            replicas: Some(0),
            selector: Some(LabelSelector { match_labels: labels.clone() }),
            template: Some(PodTemplateSpec {
                metadata: Some(ObjectMeta { labels: labels.clone(), ..Default::default() }),
                spec: Some(PodSpec { containers: vec![Container { name: some("web"), image: some("nginx") }] }),
            }),
        }),
    };
    let mut owners = BTreeMap::new();
    for name in ["kept", "gone"] {
        let created = send(
            &client,
            request("POST", deployments, CLIENT_GO_ACCEPT, envelope("apps/v1", "Deployment", &deployment(name))),
        )
        .await;
        assert_eq!(created["spec"]["template"]["spec"]["containers"][0]["image"], "nginx", "{created}");
        assert_eq!(created["spec"]["strategy"]["type"], "RollingUpdate", "defaulted: {created}");
        let uid = created["metadata"]["uid"].as_str().expect("uid").to_string();
        // A ConfigMap the deployment owns, to see what each policy does with dependents.
        let dependent = ConfigMap {
            metadata: Some(ObjectMeta {
                owner_references: vec![OwnerReference {
                    kind: some("Deployment"),
                    name: some(name),
                    uid: Some(uid.clone()),
                    api_version: some("apps/v1"),
                }],
                ..meta(&format!("{name}-settings")).expect("meta")
            }),
            ..Default::default()
        };
        send(
            &client,
            request(
                "POST",
                "/api/v1/namespaces/default/configmaps",
                CLIENT_GO_ACCEPT,
                envelope("v1", "ConfigMap", &dependent),
            ),
        )
        .await;
        owners.insert(name, uid);
    }
    // client-go's typed apps/v1 client sends DeleteOptions in its own group version.
    let orphan = DeleteOptions { propagation_policy: some("Orphan"), ..Default::default() };
    send(
        &client,
        request(
            "DELETE",
            &format!("{deployments}/kept"),
            CLIENT_GO_ACCEPT,
            envelope("apps/v1", "DeleteOptions", &orphan),
        ),
    )
    .await;
    assert!(until_gone(&client, &format!("{deployments}/kept")).await);
    let kept =
        get(&client, "/api/v1/namespaces/default/configmaps/kept-settings").await.expect("orphaned, not deleted");
    assert!(kept["metadata"].get("ownerReferences").is_none(), "released: {kept}");

    let foreground =
        DeleteOptions { orphan_dependents: Some(false), propagation_policy: some("Foreground"), ..Default::default() };
    send(
        &client,
        request(
            "DELETE",
            &format!("{deployments}/gone"),
            CLIENT_GO_ACCEPT,
            envelope("apps/v1", "DeleteOptions", &foreground),
        ),
    )
    .await;
    assert!(until_gone(&client, "/api/v1/namespaces/default/configmaps/gone-settings").await, "dependent deleted");
    assert!(until_gone(&client, &format!("{deployments}/gone")).await);
}

#[tokio::test]
async fn namespaces_are_deleted_with_protobuf_delete_options() {
    let server = TestServer::start();
    let client = server.client().await;
    let namespace = Namespace { metadata: meta("doomed") };
    send(&client, request("POST", "/api/v1/namespaces", CLIENT_GO_ACCEPT, envelope("v1", "Namespace", &namespace)))
        .await;
    let inside = ConfigMap { metadata: meta("inside"), ..Default::default() };
    send(
        &client,
        request("POST", "/api/v1/namespaces/doomed/configmaps", CLIENT_GO_ACCEPT, envelope("v1", "ConfigMap", &inside)),
    )
    .await;
    let dry =
        DeleteOptions { dry_run: vec!["All".into()], propagation_policy: some("Background"), ..Default::default() };
    send(&client, request("DELETE", "/api/v1/namespaces/doomed", CLIENT_GO_ACCEPT, delete_options(dry))).await;
    let still = get(&client, "/api/v1/namespaces/doomed").await.expect("a dry run deletes nothing");
    assert!(still["metadata"].get("deletionTimestamp").is_none(), "{still}");

    let foreground = DeleteOptions { propagation_policy: some("Foreground"), ..Default::default() };
    let terminating =
        send(&client, request("DELETE", "/api/v1/namespaces/doomed", CLIENT_GO_ACCEPT, delete_options(foreground)))
            .await;
    assert_eq!(terminating["metadata"]["name"], "doomed", "{terminating}");
    assert!(until_gone(&client, "/api/v1/namespaces/doomed").await, "the namespace controller empties and removes it");
    assert!(get(&client, "/api/v1/namespaces/doomed/configmaps/inside").await.is_none());

    // What kubectl itself sends still works beside it.
    server.kubectl_ok(&["create", "namespace", "by-kubectl"]);
    server.kubectl_ok(&["create", "configmap", "plain", "-n", "by-kubectl", "--from-literal=k=v"]);
    server.kubectl_ok(&["delete", "configmap", "plain", "-n", "by-kubectl"]);
    let out = server.kubectl_ok(&["delete", "namespace", "by-kubectl", "--wait=false"]);
    assert!(out.contains("namespace \"by-kubectl\" deleted"), "{out}");
}

#[derive(Clone, PartialEq, Message)]
struct Namespace {
    #[prost(message, optional, tag = "1")]
    metadata: Option<ObjectMeta>,
}

#[tokio::test]
async fn cluster_kinds_of_other_groups_are_created_from_protobuf() {
    let server = TestServer::start();
    let client = server.client().await;

    let class = StorageClass {
        metadata: meta("fast"),
        provisioner: some("example.com/fast"),
        parameters: [("tier".to_string(), "gold".to_string())].into(),
        reclaim_policy: some("Retain"),
        allow_volume_expansion: Some(true),
        volume_binding_mode: some("WaitForFirstConsumer"),
    };
    let classes = "/apis/storage.k8s.io/v1/storageclasses";
    let created = send(
        &client,
        request("POST", classes, CLIENT_GO_ACCEPT, envelope("storage.k8s.io/v1", "StorageClass", &class)),
    )
    .await;
    assert_eq!(created["provisioner"], "example.com/fast", "{created}");
    assert_eq!(created["parameters"], json!({"tier": "gold"}));
    assert_eq!(created["reclaimPolicy"], "Retain");
    assert_eq!(created["allowVolumeExpansion"], true);
    assert_eq!(created["volumeBindingMode"], "WaitForFirstConsumer");
    let storage_delete = envelope("storage.k8s.io/v1", "DeleteOptions", &DeleteOptions::default());
    send(&client, request("DELETE", &format!("{classes}/fast"), CLIENT_GO_ACCEPT, storage_delete)).await;
    assert!(get(&client, &format!("{classes}/fast")).await.is_none());

    let schema = FlowSchema {
        metadata: meta("test-probes"),
        spec: Some(FlowSchemaSpec {
            priority_level_configuration: Some(Name { name: some("global-default") }),
            matching_precedence: Some(500),
            distinguisher_method: Some(FlowDistinguisherMethod { r#type: some("ByUser") }),
            rules: vec![PolicyRulesWithSubjects {
                subjects: vec![FlowSubject {
                    kind: some("Group"),
                    group: Some(Name { name: some("system:unauthenticated") }),
                }],
                non_resource_rules: vec![NonResourcePolicyRule {
                    verbs: vec!["get".into()],
                    non_resource_urls: vec!["/healthz".into()],
                }],
            }],
        }),
    };
    let schemas = "/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas";
    let created = send(
        &client,
        request("POST", schemas, CLIENT_GO_ACCEPT, envelope("flowcontrol.apiserver.k8s.io/v1", "FlowSchema", &schema)),
    )
    .await;
    assert_eq!(created["spec"]["matchingPrecedence"], 500, "{created}");
    assert_eq!(created["spec"]["rules"][0]["subjects"][0]["group"]["name"], "system:unauthenticated");
    assert_eq!(created["spec"]["rules"][0]["nonResourceRules"][0]["nonResourceURLs"], json!(["/healthz"]));
}

#[tokio::test]
async fn custom_resource_definitions_are_created_from_protobuf() {
    let server = TestServer::start();
    let client = server.client().await;
    let string = JsonSchemaProps { r#type: some("string"), ..Default::default() };
    let spec_schema = JsonSchemaProps {
        r#type: some("object"),
        properties: [
            ("size".to_string(), JsonSchemaProps { r#type: some("integer"), ..Default::default() }),
            (
                "tags".to_string(),
                JsonSchemaProps {
                    r#type: some("array"),
                    items: Some(Box::new(JsonSchemaPropsOrArray {
                        schema: Some(string.clone()),
                        json_schemas: Vec::new(),
                    })),
                    ..Default::default()
                },
            ),
            (
                "labels".to_string(),
                JsonSchemaProps {
                    r#type: some("object"),
                    additional_properties: Some(Box::new(JsonSchemaPropsOrBool {
                        allows: Some(true),
                        schema: Some(string.clone()),
                    })),
                    ..Default::default()
                },
            ),
            (
                "extra".to_string(),
                JsonSchemaProps {
                    r#type: some("object"),
                    x_kubernetes_preserve_unknown_fields: Some(true),
                    ..Default::default()
                },
            ),
        ]
        .into(),
        ..Default::default()
    };
    let crd = CustomResourceDefinition {
        metadata: meta("widgets.example.com"),
        spec: Some(CustomResourceDefinitionSpec {
            group: some("example.com"),
            names: Some(CustomResourceDefinitionNames {
                plural: some("widgets"),
                singular: some("widget"),
                kind: some("Widget"),
            }),
            scope: some("Namespaced"),
            versions: vec![CustomResourceDefinitionVersion {
                name: some("v1"),
                served: Some(true),
                storage: Some(true),
                schema: Some(CustomResourceValidation {
                    open_apiv3_schema: Some(JsonSchemaProps {
                        r#type: some("object"),
                        properties: [("spec".to_string(), spec_schema)].into(),
                        ..Default::default()
                    }),
                }),
            }],
            // Written by Go as a value field: false on the wire, dropped from JSON (omitempty).
            preserve_unknown_fields: Some(false),
        }),
    };
    let crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    let created = send(
        &client,
        request("POST", crds, CLIENT_GO_ACCEPT, envelope("apiextensions.k8s.io/v1", "CustomResourceDefinition", &crd)),
    )
    .await;
    let schema = &created["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"];
    assert_eq!(schema["properties"]["size"], json!({"type": "integer"}), "{created}");
    assert_eq!(schema["properties"]["tags"]["items"], json!({"type": "string"}));
    assert_eq!(schema["properties"]["labels"]["additionalProperties"], json!({"type": "string"}));
    assert_eq!(schema["properties"]["extra"]["x-kubernetes-preserve-unknown-fields"], true);
    assert!(created["spec"].get("preserveUnknownFields").is_none_or(|v| v == false), "{created}");

    // The CRD serves its kind; the widget itself is JSON (custom resources have no protobuf).
    let ready = support::eventually(Duration::from_secs(30), || server.kubectl(&["get", "widgets"]).status.success());
    assert!(ready, "widgets are served");
    let widget = server.write(
        "widget.yaml",
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  size: 3\n  tags: [a]\n  labels: {x: blue}\n",
    );
    server.kubectl_ok(&["apply", "-f", &widget.to_string_lossy()]);
    let stored =
        server.kubectl_ok(&["get", "widget", "w", "-o", "jsonpath={.spec.size} {.spec.tags[0]} {.spec.labels.x}"]);
    assert_eq!(stored, "3 a blue");

    let crd_delete = envelope("apiextensions.k8s.io/v1", "DeleteOptions", &DeleteOptions::default());
    send(&client, request("DELETE", &format!("{crds}/widgets.example.com"), CLIENT_GO_ACCEPT, crd_delete)).await;
    assert!(until_gone(&client, &format!("{crds}/widgets.example.com")).await);
}

/// policy/v1 Eviction, as `kubectl drain` sends it.
#[derive(Clone, PartialEq, Message)]
struct Eviction {
    #[prost(message, optional, tag = "1")]
    metadata: Option<ObjectMeta>,
    #[prost(message, optional, tag = "2")]
    delete_options: Option<DeleteOptions>,
}

#[tokio::test]
async fn evictions_read_protobuf_bodies_and_their_dry_run() {
    let server = TestServer::start();
    let client = server.client().await;
    server.kubectl_ok(&["run", "evicted", "--image=nginx"]);
    let pod = "/api/v1/namespaces/default/pods/evicted";
    let eviction = |dry_run: Vec<String>| Eviction {
        metadata: Some(ObjectMeta { namespace: some("default"), ..meta("evicted").expect("meta") }),
        delete_options: Some(DeleteOptions { dry_run, ..Default::default() }),
    };
    let dry = envelope("policy/v1", "Eviction", &eviction(vec!["All".into()]));
    let answered = send(&client, request("POST", &format!("{pod}/eviction"), CLIENT_GO_ACCEPT, dry)).await;
    assert_eq!(answered["status"], "Success", "{answered}");
    assert!(get(&client, pod).await.is_some(), "a dry-run eviction deletes nothing");
    let real = envelope("policy/v1", "Eviction", &eviction(Vec::new()));
    send(&client, request("POST", &format!("{pod}/eviction"), CLIENT_GO_ACCEPT, real)).await;
    assert!(until_gone(&client, pod).await, "the evicted pod is deleted");
}

// ---- Responses: what a client that asks for protobuf is answered ----

/// meta/v1 Status, ListMeta and WatchEvent, declared apart from kctl's table so the answers are
/// read by an independent decoder.
#[derive(Clone, PartialEq, Message)]
struct StatusCause {
    #[prost(string, optional, tag = "1")]
    reason: Option<String>,
    #[prost(string, optional, tag = "2")]
    message: Option<String>,
    #[prost(string, optional, tag = "3")]
    field: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct StatusDetails {
    #[prost(string, optional, tag = "1")]
    name: Option<String>,
    #[prost(string, optional, tag = "2")]
    group: Option<String>,
    #[prost(string, optional, tag = "3")]
    kind: Option<String>,
    #[prost(message, repeated, tag = "4")]
    causes: Vec<StatusCause>,
}

#[derive(Clone, PartialEq, Message)]
struct Status {
    #[prost(string, optional, tag = "2")]
    status: Option<String>,
    #[prost(string, optional, tag = "3")]
    message: Option<String>,
    #[prost(string, optional, tag = "4")]
    reason: Option<String>,
    #[prost(message, optional, tag = "5")]
    details: Option<StatusDetails>,
    #[prost(int32, optional, tag = "6")]
    code: Option<i32>,
}

#[derive(Clone, PartialEq, Message)]
struct ListMeta {
    #[prost(string, optional, tag = "2")]
    resource_version: Option<String>,
    #[prost(string, optional, tag = "3")]
    r#continue: Option<String>,
}

#[derive(Clone, PartialEq, Message)]
struct ConfigMapList {
    #[prost(message, optional, tag = "1")]
    metadata: Option<ListMeta>,
    #[prost(message, repeated, tag = "2")]
    items: Vec<ConfigMap>,
}

#[derive(Clone, PartialEq, Message)]
struct RawExtension {
    #[prost(bytes = "vec", optional, tag = "1")]
    raw: Option<Vec<u8>>,
}

#[derive(Clone, PartialEq, Message)]
struct WatchEvent {
    #[prost(string, optional, tag = "1")]
    r#type: Option<String>,
    #[prost(message, optional, tag = "2")]
    object: Option<RawExtension>,
}

/// The envelope of a protobuf answer, read with prost: (apiVersion, kind, raw message).
fn unwrap_envelope(body: &[u8]) -> (String, String, Vec<u8>) {
    let unknown = Unknown::decode(body.strip_prefix(b"k8s\0").expect("the protobuf magic")).expect("runtime.Unknown");
    let type_meta = unknown.type_meta.unwrap_or_default();
    (type_meta.api_version.unwrap_or_default(), type_meta.kind.unwrap_or_default(), unknown.raw.unwrap_or_default())
}

fn json_request(method: &str, path: &str, accept: &str, content_type: &str, body: &Value) -> http::Request<Vec<u8>> {
    http::Request::builder()
        .method(method)
        .uri(path)
        .header("Accept", accept)
        .header("Content-Type", content_type)
        .body(serde_json::to_vec(body).expect("json"))
        .expect("request")
}

/// JSON without nulls, zero scalars and empty lists: a nil pointer and an absent field are one thing on the
/// wire, and the zero of an `omitempty` value field is dropped from upstream's JSON, so from the
/// decoded protobuf answer, while kctl's JSON keeps some (a Deployment's `status.replicas: 0`,
/// the empty `manager` of a request without a user agent).
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !matches!(v, Value::Null | Value::Bool(false)) && v.as_str() != Some(""))
                .filter(|(_, v)| v.as_f64() != Some(0.0) && v.as_array().is_none_or(|items| !items.is_empty()))
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// The same read asked as protobuf and as JSON gives the same object (retried while a
/// controller writes in between).
async fn same_in_both(client: &kube::Client, path: &str) -> Value {
    for _ in 0..50 {
        let protobuf = answer(client, request("GET", path, PROTOBUF, Vec::new())).await;
        assert_eq!(protobuf.code, 200, "GET {path}");
        assert_eq!(protobuf.content_type, PROTOBUF, "GET {path}");
        let json = answer(client, request("GET", path, "application/json", Vec::new())).await;
        assert_eq!(json.content_type, "application/json");
        let (protobuf, json) = (protobuf.value(), json.value());
        if protobuf["metadata"]["resourceVersion"] == json["metadata"]["resourceVersion"] {
            assert_eq!(without_nulls(&protobuf), without_nulls(&json), "GET {path}");
            return json;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{path} kept changing");
}

/// create, get, list, patch, update and delete of kinds in five groups, each answered in
/// protobuf when asked and the same object as the JSON answer.
#[tokio::test]
async fn objects_of_several_groups_are_answered_in_protobuf_as_in_json() {
    let server = TestServer::start();
    let client = server.client().await;
    let template = json!({"metadata": {"labels": {"app": "pb"}},
        "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}});
    let mut deployment_template = template.clone();
    deployment_template["spec"]["restartPolicy"] = json!("Always");
    let kinds = [
        (
            "/api/v1/namespaces/default/configmaps",
            json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "pb"}, "data": {"a": "b"}, "binaryData": {"bin": "AAE="}}),
        ),
        (
            "/apis/apps/v1/namespaces/default/deployments",
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "pb"}, "spec": {"replicas": 0, "selector": {"matchLabels": {"app": "pb"}},
            "template": deployment_template}}),
        ),
        (
            "/apis/batch/v1/namespaces/default/jobs",
            json!({"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "pb"}, "spec": {"suspend": true, "template": template}}),
        ),
        (
            "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
            json!({"apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role", "metadata": {"name": "pb"},
            "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]}),
        ),
        (
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            json!({"apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition", "metadata": {"name": "gadgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
                "versions": [{"name": "v1", "served": true, "storage": true, "schema": {"openAPIV3Schema": {
                    "type": "object", "properties": {"spec": {"type": "object",
                        "properties": {"size": {"type": "integer", "minimum": 1}, "tags": {"type": "array", "items": {"type": "string"}}},
                        "additionalProperties": false}}}}}]}}),
        ),
    ];
    for (collection, object) in kinds {
        let kind = object["kind"].as_str().expect("kind");
        let path = format!("{collection}/pb");
        let path = if kind == "CustomResourceDefinition" { format!("{collection}/gadgets.example.com") } else { path };

        let created =
            answer(&client, json_request("POST", collection, CLIENT_GO_ACCEPT, "application/json", &object)).await;
        assert_eq!((created.code, created.content_type.as_str()), (201, PROTOBUF), "create {kind}");
        let (api_version, envelope_kind, _) = unwrap_envelope(&created.body);
        assert_eq!((api_version.as_str(), envelope_kind.as_str()), (object["apiVersion"].as_str().unwrap(), kind));
        let created = created.value();
        assert!(created["metadata"]["uid"].is_string(), "{created}");

        same_in_both(&client, &path).await;

        // A list: the XxxList message, items without their type.
        let listed = answer(&client, request("GET", collection, PROTOBUF, Vec::new())).await;
        assert_eq!(listed.content_type, PROTOBUF);
        let listed = listed.value();
        assert_eq!(listed["kind"], format!("{kind}List"));
        assert!(listed["metadata"]["resourceVersion"].is_string(), "{listed}");
        let items = listed["items"].as_array().expect("items");
        let name = object["metadata"]["name"].as_str().unwrap();
        assert!(items.iter().any(|item| item["metadata"]["name"] == name), "{listed}");

        let patch = json!({"metadata": {"labels": {"patched": "yes"}}});
        let patched =
            answer(&client, json_request("PATCH", &path, CLIENT_GO_ACCEPT, "application/merge-patch+json", &patch))
                .await;
        assert_eq!((patched.code, patched.content_type.as_str()), (200, PROTOBUF), "patch {kind}");
        assert_eq!(patched.value()["metadata"]["labels"]["patched"], "yes");

        // An update from a fresh read; a controller writing status in between is a 409 to retry.
        let mut updated = None;
        for _ in 0..20 {
            let mut current = same_in_both(&client, &path).await;
            current["metadata"]["labels"]["updated"] = json!("yes");
            let put = json_request("PUT", &path, CLIENT_GO_ACCEPT, "application/json", &current);
            let answered = answer(&client, put).await;
            if answered.code != 409 {
                updated = Some(answered);
                break;
            }
        }
        let updated = updated.expect("an update without a conflict");
        assert_eq!((updated.code, updated.content_type.as_str()), (200, PROTOBUF), "update {kind}");
        assert_eq!(updated.value()["metadata"]["labels"]["updated"], "yes");

        let deleted = answer(&client, request("DELETE", &path, CLIENT_GO_ACCEPT, Vec::new())).await;
        assert_eq!((deleted.code, deleted.content_type.as_str()), (200, PROTOBUF), "delete {kind}");
        let deleted = deleted.value();
        assert!(deleted["kind"] == kind || deleted["kind"] == "Status", "{deleted}");
        assert!(until_gone(&client, &path).await, "{path}");
    }

    // deletecollection answers the deleted objects as a protobuf ConfigMapList.
    let maps = "/api/v1/namespaces/default/configmaps";
    for name in ["x1", "x2"] {
        let object =
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "labels": {"set": "x"}}});
        send(&client, json_request("POST", maps, PROTOBUF, "application/json", &object)).await;
    }
    let deleted =
        answer(&client, request("DELETE", &format!("{maps}?labelSelector=set%3Dx"), PROTOBUF, Vec::new())).await;
    assert_eq!(deleted.content_type, PROTOBUF);
    let (_, kind, raw) = unwrap_envelope(&deleted.body);
    assert_eq!(kind, "ConfigMapList");
    let list = ConfigMapList::decode(raw.as_slice()).expect("ConfigMapList");
    let mut names: Vec<_> = list.items.iter().filter_map(|m| m.metadata.as_ref()?.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["x1", "x2"]);
}

/// A typed object as prost reads it: the encoder's bytes are protobuf any decoder takes.
#[tokio::test]
async fn protobuf_answers_decode_with_an_independent_decoder() {
    let server = TestServer::start();
    let client = server.client().await;
    let object = ConfigMap {
        metadata: meta("answered"),
        data: [("k".to_string(), "v".to_string())].into(),
        binary_data: [("b".to_string(), vec![0, 255])].into(),
    };
    let created = answer(
        &client,
        request("POST", "/api/v1/namespaces/default/configmaps", PROTOBUF, envelope("v1", "ConfigMap", &object)),
    )
    .await;
    assert_eq!((created.code, created.content_type.as_str()), (201, PROTOBUF));
    let (api_version, kind, raw) = unwrap_envelope(&created.body);
    assert_eq!((api_version.as_str(), kind.as_str()), ("v1", "ConfigMap"));
    let decoded = ConfigMap::decode(raw.as_slice()).expect("ConfigMap");
    assert_eq!(decoded.data, object.data);
    assert_eq!(decoded.binary_data, object.binary_data);
    let metadata = decoded.metadata.expect("metadata");
    assert_eq!((metadata.name.as_deref(), metadata.namespace.as_deref()), (Some("answered"), Some("default")));
    assert!(metadata.resource_version.is_some_and(|rv| !rv.is_empty()));

    let listed =
        answer(&client, request("GET", "/api/v1/namespaces/default/configmaps?limit=1", PROTOBUF, Vec::new())).await;
    let (_, kind, raw) = unwrap_envelope(&listed.body);
    assert_eq!(kind, "ConfigMapList");
    let list = ConfigMapList::decode(raw.as_slice()).expect("ConfigMapList");
    assert_eq!(list.items.len(), 1);
    assert!(list.metadata.and_then(|m| m.resource_version).is_some_and(|rv| !rv.is_empty()));
}

/// Status answers for 404, 409 and 422 are protobuf when protobuf is asked, JSON otherwise.
#[tokio::test]
async fn errors_are_protobuf_status_when_protobuf_is_asked() {
    let server = TestServer::start();
    let client = server.client().await;
    let status_of = |answer: &Answer| {
        assert_eq!(answer.content_type, PROTOBUF);
        let (api_version, kind, raw) = unwrap_envelope(&answer.body);
        assert_eq!((api_version.as_str(), kind.as_str()), ("v1", "Status"));
        Status::decode(raw.as_slice()).expect("Status")
    };
    let missing =
        answer(&client, request("GET", "/api/v1/namespaces/default/configmaps/none", CLIENT_GO_ACCEPT, Vec::new()))
            .await;
    assert_eq!(missing.code, 404);
    let status = status_of(&missing);
    assert_eq!(status.code, Some(404));
    assert_eq!(status.reason.as_deref(), Some("NotFound"));
    assert_eq!(status.status.as_deref(), Some("Failure"));
    assert_eq!(status.message.as_deref(), Some("configmaps \"none\" not found"));
    let details = status.details.expect("details");
    assert_eq!((details.name.as_deref(), details.kind.as_deref()), (Some("none"), Some("configmaps")));
    // JSON when JSON is preferred.
    let json =
        answer(&client, request("GET", "/api/v1/namespaces/default/configmaps/none", "application/json", Vec::new()))
            .await;
    assert_eq!((json.code, json.content_type.as_str()), (404, "application/json"));

    let maps = "/apis/apps/v1/namespaces/default/deployments";
    let object = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "twice"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}});
    send(&client, json_request("POST", maps, PROTOBUF, "application/json", &object)).await;
    let again = answer(&client, json_request("POST", maps, PROTOBUF, "application/json", &object)).await;
    assert_eq!(again.code, 409);
    let status = status_of(&again);
    assert_eq!((status.code, status.reason.as_deref()), (Some(409), Some("AlreadyExists")));

    let mut invalid = object.clone();
    invalid["metadata"]["name"] = json!("invalid");
    invalid["spec"]["template"]["metadata"]["labels"] = json!({"other": "x"});
    let refused = answer(&client, json_request("POST", maps, PROTOBUF, "application/json", &invalid)).await;
    assert_eq!(refused.code, 422);
    let status = status_of(&refused);
    assert_eq!((status.code, status.reason.as_deref()), (Some(422), Some("Invalid")));
    let causes = status.details.expect("details").causes;
    assert!(causes.iter().any(|c| c.field.as_deref() == Some("spec.template.metadata.labels")), "{causes:?}");
}

/// Custom resources are JSON (upstream has no protobuf for them): answered in JSON when JSON is
/// also accepted, refused with 406 before any write when only protobuf is.
#[tokio::test]
async fn custom_resources_are_json_or_not_acceptable() {
    let server = TestServer::start();
    let client = server.client().await;
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced", "names": {"plural": "widgets", "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}});
    send(
        &client,
        json_request(
            "POST",
            "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
            PROTOBUF,
            "application/json",
            &crd,
        ),
    )
    .await;
    let widgets = "/apis/example.com/v1/namespaces/default/widgets";
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while answer(&client, request("GET", widgets, "application/json", Vec::new())).await.code != 200 {
        assert!(tokio::time::Instant::now() < deadline, "the CRD is never served");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let widget = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "size": 3});
    let refused = answer(&client, json_request("POST", widgets, PROTOBUF, "application/json", &widget)).await;
    assert_eq!(refused.code, 406);
    let status = refused.value();
    assert_eq!(status["reason"], "NotAcceptable", "{status}");
    assert_eq!(
        status["message"],
        "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf"
    );
    assert_eq!(
        answer(&client, request("GET", &format!("{widgets}/w"), "application/json", Vec::new())).await.code,
        404
    );

    let created = answer(&client, json_request("POST", widgets, CLIENT_GO_ACCEPT, "application/json", &widget)).await;
    assert_eq!((created.code, created.content_type.as_str()), (201, "application/json"));
    let got = answer(&client, request("GET", &format!("{widgets}/w"), CLIENT_GO_ACCEPT, Vec::new())).await;
    assert_eq!(got.content_type, "application/json");
    assert_eq!(got.value()["size"], 3);
    let watch =
        answer(&client, request("GET", &format!("{widgets}?watch=true&timeoutSeconds=1"), PROTOBUF, Vec::new())).await;
    assert_eq!(watch.code, 406);
    // A missing custom resource's Status may be protobuf: errors are negotiated without the
    // endpoint's restriction, as upstream's.
    let missing = answer(&client, request("GET", &format!("{widgets}/none"), CLIENT_GO_ACCEPT, Vec::new())).await;
    assert_eq!((missing.code, missing.value()["reason"].as_str()), (404, Some("NotFound")));
}

/// Tables stay JSON (upstream converts to Table only in JSON and YAML); metadata-only lists
/// are protobuf when asked.
#[tokio::test]
async fn tables_stay_json_and_metadata_lists_may_be_protobuf() {
    let server = TestServer::start();
    let client = server.client().await;
    let maps = "/api/v1/namespaces/default/configmaps";
    send(
        &client,
        json_request(
            "POST",
            maps,
            "application/json",
            "application/json",
            &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "t"}}),
        ),
    )
    .await;
    let table_accept = "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
    let table = answer(&client, request("GET", maps, table_accept, Vec::new())).await;
    assert_eq!(table.content_type, "application/json");
    assert_eq!(table.value()["kind"], "Table");
    let only = answer(
        &client,
        request("GET", maps, "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io", Vec::new()),
    )
    .await;
    assert_eq!(only.code, 406);

    let metadata_accept = "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
    let listed = answer(&client, request("GET", maps, metadata_accept, Vec::new())).await;
    assert_eq!(listed.content_type, PROTOBUF);
    let listed = listed.value();
    assert_eq!(
        (listed["apiVersion"].as_str(), listed["kind"].as_str()),
        (Some("meta.k8s.io/v1"), Some("PartialObjectMetadataList"))
    );
    let item =
        listed["items"].as_array().and_then(|items| items.iter().find(|i| i["metadata"]["name"] == "t")).cloned();
    assert!(item.is_some_and(|i| i.get("data").is_none()), "{listed}");
}

/// A protobuf watch: `application/vnd.kubernetes.protobuf;stream=watch`, each event a 4-byte
/// big-endian length and a WatchEvent whose object is the object's own protobuf envelope.
#[tokio::test]
async fn watches_stream_length_prefixed_watch_events() {
    use http_body_util::BodyExt;
    let server = TestServer::start();
    let client = server.client().await;
    let maps = "/api/v1/namespaces/default/configmaps";
    let watch =
        request("GET", &format!("{maps}?watch=true&labelSelector=w%3D1&timeoutSeconds=30"), PROTOBUF, Vec::new());
    let response = client.send(watch.map(Into::into)).await.expect("watch");
    assert_eq!(
        response.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/vnd.kubernetes.protobuf;stream=watch")
    );
    let mut body = response.into_body();

    let object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "watched", "labels": {"w": "1"}}, "data": {"n": "1"}});
    send(&client, json_request("POST", maps, "application/json", "application/json", &object)).await;
    send(
        &client,
        json_request(
            "PATCH",
            &format!("{maps}/watched"),
            "application/json",
            "application/merge-patch+json",
            &json!({"data": {"n": "2"}}),
        ),
    )
    .await;
    send(&client, request("DELETE", &format!("{maps}/watched"), "application/json", Vec::new())).await;

    let mut buffer: Vec<u8> = Vec::new();
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while events.len() < 3 {
        // Whole frames first, then more bytes.
        if buffer.len() >= 4 {
            let len = u32::from_be_bytes(buffer[..4].try_into().unwrap()) as usize;
            if buffer.len() >= 4 + len {
                let event = WatchEvent::decode(&buffer[4..4 + len]).expect("WatchEvent");
                buffer.drain(..4 + len);
                let raw = event.object.and_then(|o| o.raw).expect("the event's object");
                let object = kctl::apiserver::protobuf::decode(&raw).expect("the object's envelope");
                events.push((event.r#type.unwrap_or_default(), object));
                continue;
            }
        }
        let frame = tokio::time::timeout_at(deadline, body.frame()).await.expect("events before the deadline");
        let frame = frame.expect("the stream stays open").expect("a frame");
        if let Ok(data) = frame.into_data() {
            buffer.extend_from_slice(&data);
        }
    }
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(types, ["ADDED", "MODIFIED", "DELETED"]);
    for (_, object) in &events {
        assert_eq!(
            (object["kind"].as_str(), object["metadata"]["name"].as_str()),
            (Some("ConfigMap"), Some("watched"))
        );
    }
    assert_eq!(events[0].1["data"]["n"], "1");
    assert_eq!(events[1].1["data"]["n"], "2");
    let revisions: Vec<u64> =
        events.iter().map(|(_, o)| o["metadata"]["resourceVersion"].as_str().unwrap().parse().unwrap()).collect();
    assert!(revisions.windows(2).all(|w| w[0] < w[1]), "{revisions:?}");

    // Without a resourceVersion the objects there come first, as ADDED frames.
    let object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "there", "labels": {"w": "2"}}});
    send(&client, json_request("POST", maps, "application/json", "application/json", &object)).await;
    let watch =
        request("GET", &format!("{maps}?watch=true&labelSelector=w%3D2&timeoutSeconds=30"), PROTOBUF, Vec::new());
    let mut body = client.send(watch.map(Into::into)).await.expect("watch").into_body();
    let mut buffer: Vec<u8> = Vec::new();
    while buffer.len() < 4 || buffer.len() < 4 + u32::from_be_bytes(buffer[..4].try_into().unwrap()) as usize {
        let frame = tokio::time::timeout_at(deadline, body.frame()).await.expect("the initial event");
        if let Ok(data) = frame.expect("open").expect("a frame").into_data() {
            buffer.extend_from_slice(&data);
        }
    }
    let len = u32::from_be_bytes(buffer[..4].try_into().unwrap()) as usize;
    let event = WatchEvent::decode(&buffer[4..4 + len]).expect("WatchEvent");
    assert_eq!(event.r#type.as_deref(), Some("ADDED"));
    let object = kctl::apiserver::protobuf::decode(&event.object.and_then(|o| o.raw).expect("raw")).expect("object");
    assert_eq!(object["metadata"]["name"], "there");
}

/// Real kubectl mixes protobuf (typed clients, describe's events) and JSON; with protobuf
/// answers it keeps working.
#[tokio::test]
async fn real_kubectl_reads_protobuf_answers() {
    let server = TestServer::start();
    server.kubectl_ok(&["create", "configmap", "kc", "--from-literal=a=b"]);
    let got = server.kubectl_ok(&["get", "configmap", "kc", "-o", "jsonpath={.data.a}"]);
    assert_eq!(got, "b");
    server.kubectl_ok(&["create", "deployment", "web", "--image=nginx", "--replicas=0"]);
    let described = server.kubectl_ok(&["describe", "deployment", "web"]);
    assert!(described.contains("Name:") && described.contains("web"), "{described}");
    server.kubectl_ok(&["run", "pod1", "--image=nginx"]);
    let described = server.kubectl_ok(&["describe", "pod", "pod1"]);
    assert!(described.contains("Events:"), "{described}");
    let deleted = server.kubectl_ok(&["delete", "configmap", "kc"]);
    assert!(deleted.contains("deleted"), "{deleted}");

    // drain: typed clients throughout (the node patch, a protobuf PodList by field selector,
    // protobuf evictions, then GETs until each pod answers a protobuf 404 Status).
    let client = server.client().await;
    let node = json!({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "drained"}});
    send(&client, json_request("POST", "/api/v1/nodes", "application/json", "application/json", &node)).await;
    let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "on-drained"},
        "spec": {"nodeName": "drained", "containers": [{"name": "c", "image": "busybox"}]}});
    send(
        &client,
        json_request("POST", "/api/v1/namespaces/default/pods", "application/json", "application/json", &pod),
    )
    .await;
    let drained = server.kubectl_ok(&["drain", "drained", "--force", "--ignore-daemonsets", "--timeout=60s"]);
    assert!(drained.contains("evicting pod default/on-drained") || drained.contains("on-drained"), "{drained}");
    assert!(drained.contains("node/drained drained"), "{drained}");
    assert!(get(&client, "/api/v1/namespaces/default/pods/on-drained").await.is_none());
}

/// A namespace deleted with each propagation policy: the first DELETE answers it Terminating
/// with the garbage collector's finalizer the policy asks for (`orphan`, `foregroundDeletion`,
/// none for Background), its content is emptied whatever the policy, and an object it owns
/// (a ClusterRole naming it in ownerReferences) is released (Orphan) or deleted (Foreground,
/// Background) before or after the namespace goes.
#[tokio::test]
async fn namespaces_follow_their_deletion_propagation_policy() {
    let server = TestServer::start();
    let client = server.client().await;
    for (policy, finalizer) in
        [("Orphan", Some("orphan")), ("Foreground", Some("foregroundDeletion")), ("Background", None)]
    {
        let name = format!("ns-{}", policy.to_lowercase());
        let namespace = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
        let created = send(
            &client,
            json_request("POST", "/api/v1/namespaces", "application/json", "application/json", &namespace),
        )
        .await;
        let uid = created["metadata"]["uid"].as_str().expect("uid").to_string();
        let inside = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "inside"}});
        send(
            &client,
            json_request(
                "POST",
                &format!("/api/v1/namespaces/{name}/configmaps"),
                "application/json",
                "application/json",
                &inside,
            ),
        )
        .await;
        let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": format!("owned-by-{name}"),
                "ownerReferences": [{"apiVersion": "v1", "kind": "Namespace", "name": name, "uid": uid}]},
            "rules": []});
        let roles = "/apis/rbac.authorization.k8s.io/v1/clusterroles";
        send(&client, json_request("POST", roles, "application/json", "application/json", &role)).await;

        let options = DeleteOptions { propagation_policy: some(policy), ..Default::default() };
        let path = format!("/api/v1/namespaces/{name}");
        let answered = send(&client, request("DELETE", &path, CLIENT_GO_ACCEPT, delete_options(options))).await;
        assert_eq!(answered["status"]["phase"], "Terminating", "{policy}: {answered}");
        let finalizers: Vec<&str> = answered["metadata"]["finalizers"]
            .as_array()
            .map(|f| f.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        assert_eq!(finalizers, finalizer.into_iter().collect::<Vec<_>>(), "{policy}: {answered}");

        assert!(until_gone(&client, &path).await, "{policy}: the namespace is removed");
        assert!(get(&client, &format!("{path}/configmaps/inside")).await.is_none(), "{policy}: its content is gone");
        let role_path = format!("{roles}/owned-by-{name}");
        if policy == "Orphan" {
            let kept = get(&client, &role_path).await.expect("an orphaned dependent stays");
            assert!(kept["metadata"].get("ownerReferences").is_none(), "{kept}");
        } else {
            assert!(until_gone(&client, &role_path).await, "{policy}: the owned ClusterRole is deleted");
        }
    }
}
