//! Tests of the public API, over the real registry.

use serde_json::json;

use super::*;
use crate::registry::by_plural;

fn resource(group: &str, plural: &str) -> &'static ResourceInfo {
    by_plural(group, "v1", plural).unwrap()
}

fn parsed(api: &OpenApi, path: &str) -> Value {
    let (_, bytes) = api.document(path).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[test]
fn every_group_version_is_served_and_the_index_hashes_match() {
    let api = OpenApi::build();
    let index = api.index();
    let paths = index["paths"].as_object().unwrap();
    let mut expected = vec!["api/v1".to_string()];
    for group in [
        "admissionregistration.k8s.io/v1",
        "apiextensions.k8s.io/v1",
        "apiregistration.k8s.io/v1",
        "apps/v1",
        "authentication.k8s.io/v1",
        "authorization.k8s.io/v1",
        "autoscaling/v1",
        "autoscaling/v2",
        "batch/v1",
        "certificates.k8s.io/v1",
        "coordination.k8s.io/v1",
        "discovery.k8s.io/v1",
        "events.k8s.io/v1",
        "flowcontrol.apiserver.k8s.io/v1",
        "networking.k8s.io/v1",
        "node.k8s.io/v1",
        "policy/v1",
        "rbac.authorization.k8s.io/v1",
        "scheduling.k8s.io/v1",
        "storage.k8s.io/v1",
    ] {
        expected.push(format!("apis/{group}"));
    }
    assert_eq!(paths.keys().map(String::as_str).collect::<Vec<_>>().len(), expected.len());
    for path in &expected {
        let path = path.as_str();
        let (hash, bytes) = api.document(path).unwrap();
        let digest = hex::encode_upper(Sha512::digest(&bytes));
        assert_eq!(hash, digest);
        assert_eq!(hash.len(), 128);
        assert_eq!(paths[path]["serverRelativeURL"], format!("/openapi/v3/{path}?hash={digest}"));
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(doc["openapi"], "3.0.0");
    }
    assert!(api.document("/apis/apps/v1").is_some());
    assert!(api.document("apis/apps/v2").is_none());
    assert!(api.document("").is_none());
}

#[test]
fn apps_document_has_deployment_with_gvk_and_patch_metadata() {
    let api = OpenApi::build();
    let doc = parsed(&api, "apis/apps/v1");
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"],
        json!([{"group": "apps", "kind": "Deployment", "version": "v1"}])
    );
    assert_eq!(
        schemas["io.k8s.api.apps.v1.DeploymentList"]["x-kubernetes-group-version-kind"],
        json!([{"group": "apps", "kind": "DeploymentList", "version": "v1"}])
    );
    let containers = &schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"];
    assert_eq!(containers["x-kubernetes-patch-merge-key"], "name");
    assert_eq!(containers["items"]["$ref"], "#/components/schemas/io.k8s.api.core.v1.Container");
    let ports = &schemas["io.k8s.api.core.v1.Container"]["properties"]["ports"];
    assert_eq!(ports["x-kubernetes-list-map-keys"], json!(["containerPort", "protocol"]));
    assert!(schemas.get("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").is_some());
    // Every ref of the document resolves inside it.
    let text = serde_json::to_string(&doc).unwrap();
    for piece in text.split("\"$ref\":\"").skip(1) {
        let reference = piece.split('"').next().unwrap();
        let name = reference.strip_prefix("#/components/schemas/").unwrap();
        assert!(schemas.get(name).is_some(), "dangling {reference}");
    }
    // Core kinds stay out of the apps document.
    assert!(schemas.get("io.k8s.api.core.v1.Node").is_none());
}

#[test]
fn patch_operations_for_deployments_list_field_validation() {
    let api = OpenApi::build();
    let doc = parsed(&api, "apis/apps/v1");
    let gvk = json!({"group": "apps", "kind": "Deployment", "version": "v1"});
    let mut patches = 0;
    // As kubectl's query param verifier: every PATCH carrying the GVK must list it.
    for (_, item) in doc["paths"].as_object().unwrap() {
        let Some(patch) = item.get("patch") else { continue };
        if patch["x-kubernetes-group-version-kind"] != gvk {
            continue;
        }
        patches += 1;
        let params = patch["parameters"].as_array().unwrap();
        assert!(params.iter().any(|p| p["name"] == "fieldValidation" && p["in"] == "query"));
    }
    assert_eq!(patches, 2); // the object and its status
}

#[test]
fn core_document_serves_pods_at_upstream_paths() {
    let api = OpenApi::build();
    let doc = parsed(&api, "api/v1");
    let paths = &doc["paths"];
    let pods = &paths["/api/v1/namespaces/{namespace}/pods"];
    assert_eq!(pods["get"]["x-kubernetes-action"], "list");
    assert_eq!(pods["post"]["x-kubernetes-action"], "post");
    assert_eq!(pods["delete"]["x-kubernetes-action"], "deletecollection");
    assert_eq!(paths["/api/v1/pods"]["get"]["x-kubernetes-group-version-kind"]["kind"], "Pod");
    let pod = &paths["/api/v1/namespaces/{namespace}/pods/{name}"];
    for verb in ["get", "put", "patch", "delete"] {
        assert!(pod[verb]["operationId"].is_string(), "{verb}");
    }
    assert!(paths.get("/api/v1/namespaces/{namespace}/pods/{name}/status").is_some());
    assert!(paths.get("/api/v1/namespaces/{namespace}/replicationcontrollers/{name}/scale").is_some());
    assert_eq!(
        doc["components"]["schemas"]["io.k8s.api.core.v1.Pod"]["x-kubernetes-group-version-kind"][0]["group"],
        ""
    );
}

#[test]
fn patch_schema_walks_deployment_to_container_fields() {
    let api = OpenApi::build();
    let deployment = api.patch_schema(resource("apps", "deployments"));
    let (meta, spec) = deployment.field("spec").unwrap();
    assert_eq!(meta, Default::default());
    let (meta, _) = spec.field("strategy").unwrap();
    assert!(meta.retain_keys && !meta.merge);
    let (_, template) = spec.field("template").unwrap();
    let (_, pod_spec) = template.field("spec").unwrap();
    let (meta, container) = pod_spec.field("containers").unwrap();
    assert!(meta.merge);
    assert_eq!(meta.merge_key.as_deref(), Some("name"));
    assert_eq!(meta.list_type.as_deref(), Some("map"));
    assert_eq!(meta.list_map_keys, ["name"]);
    let (meta, port) = container.field("ports").unwrap();
    assert_eq!(meta.merge_key.as_deref(), Some("containerPort"));
    assert_eq!(meta.list_map_keys, ["containerPort", "protocol"]);
    assert!(port.field("containerPort").is_some());
    assert!(port.field("containerPorts").is_none());
    let (meta, _) = container.field("envFrom").unwrap();
    assert_eq!(meta.list_type.as_deref(), Some("atomic"));
    assert!(!meta.merge);
    let (meta, _) = pod_spec.field("volumes").unwrap();
    assert!(meta.merge && meta.retain_keys);
    assert!(pod_spec.field("nosuchfield").is_none());

    // Maps: any key, values of the map's value schema.
    let (_, metadata) = deployment.field("metadata").unwrap();
    let (meta, _) = metadata.field("finalizers").unwrap();
    assert!(meta.merge);
    assert_eq!(meta.list_type.as_deref(), Some("set"));
    let (_, labels) = metadata.field("labels").unwrap();
    assert!(labels.field("anything").is_some());
    let (meta, selector) = spec.field("selector").unwrap();
    assert_eq!(meta.map_type.as_deref(), Some("atomic"));
    assert!(selector.field("matchLabels").is_some());
    // Untyped content (FieldsV1) knows every field.
    let (_, managed) = metadata.field("managedFields").unwrap();
    let (_, fields_v1) = managed.field("fieldsV1").unwrap();
    assert!(fields_v1.field("f:spec").is_some());
}

#[test]
fn patch_schema_of_status_conditions_and_service_ports() {
    let api = OpenApi::build();
    let pod = api.patch_schema(resource("", "pods"));
    let (_, status) = pod.field("status").unwrap();
    let (meta, _) = status.field("conditions").unwrap();
    assert_eq!(meta.merge_key.as_deref(), Some("type"));
    let (meta, _) = status.field("podIPs").unwrap();
    assert_eq!(meta.merge_key.as_deref(), Some("ip"));
    let service = api.patch_schema(resource("", "services"));
    let (_, spec) = service.field("spec").unwrap();
    let (meta, port) = spec.field("ports").unwrap();
    assert_eq!(meta.merge_key.as_deref(), Some("port"));
    assert_eq!(meta.list_map_keys, ["port", "protocol"]);
    // targetPort is an IntOrString: a scalar with no fields of its own.
    assert!(port.field("targetPort").is_some());
    let node = api.patch_schema(resource("", "nodes"));
    let (_, status) = node.field("status").unwrap();
    assert_eq!(status.field("addresses").unwrap().0.merge_key.as_deref(), Some("type"));
}

fn deployment_manifest() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web", "tier": "frontend"},
                     "annotations": {"example.com/anything": "x"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [{
                        "name": "nginx",
                        "image": "nginx:1.27",
                        "ports": [{"containerPort": 80, "protocol": "TCP"}],
                        "env": [{"name": "A", "value": "1"},
                                {"name": "B", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                        "resources": {"limits": {"cpu": "500m", "memory": "128Mi"}, "requests": {"cpu": 0.1}},
                        "readinessProbe": {"httpGet": {"path": "/", "port": "http"}}
                    }],
                    "volumes": [{"name": "data", "emptyDir": {}}],
                    "nodeSelector": {"kubernetes.io/os": "linux"}
                }
            }
        }
    })
}

#[test]
fn unknown_fields_accepts_a_valid_deployment() {
    let api = OpenApi::build();
    assert_eq!(api.unknown_fields(resource("apps", "deployments"), &deployment_manifest()), Vec::<String>::new());
}

#[test]
fn unknown_fields_names_the_typo_like_upstream() {
    let api = OpenApi::build();
    let mut manifest = deployment_manifest();
    let port = &mut manifest["spec"]["template"]["spec"]["containers"][0]["ports"][0];
    port["containerPorts"] = json!(8080);
    manifest["spec"]["templat"] = json!({});
    manifest["bogus"] = json!(1);
    let mut found = api.unknown_fields(resource("apps", "deployments"), &manifest);
    found.sort();
    assert_eq!(found, ["bogus", "spec.templat", "spec.template.spec.containers[0].ports[0].containerPorts"]);

    let pod = json!({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "a", "image": "i"}, {"name": "b", "image": "i", "imagePullPolicyy": "Always"}]}
    });
    assert_eq!(api.unknown_fields(resource("", "pods"), &pod), ["spec.containers[1].imagePullPolicyy"]);
}

#[test]
fn build_is_quick() {
    let started = std::time::Instant::now();
    let _ = OpenApi::build();
    eprintln!("build took {:?}", started.elapsed());
    // Generous for debug builds; release is well under 200 ms.
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
}

#[test]
fn scale_bodies_and_unknown_definitions() {
    let api = OpenApi::build();
    let scale = json!({"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web"},
                       "spec": {"replicas": 2, "replica": 3}});
    assert_eq!(api.unknown_fields_of("io.k8s.api.autoscaling.v1.Scale", &scale), ["spec.replica"]);
    assert!(api.unknown_fields_of("io.example.v1.Nothing", &scale).is_empty());
    assert!(api.patch_schema_of("io.k8s.api.autoscaling.v1.Scale").field("spec").is_some());
    // No schema: every field known, every list atomic.
    let (meta, _) = api.patch_schema_of("io.example.v1.Nothing").field("items").unwrap();
    assert_eq!(meta, Default::default());
}

#[test]
fn open_and_untyped_content_is_not_flagged() {
    let api = OpenApi::build();
    let pod = json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "labels": {"any.key/x": "y"},
                     "managedFields": [{"manager": "m", "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:x": {}}}}]},
        "spec": {"containers": [{"name": "a", "image": "i", "resources": {"limits": {"cpu": 1, "example.com/gpu": "2"}},
                                 "livenessProbe": {"tcpSocket": {"port": 8080}}, "unknownInContainer": null}],
                 "overhead": {"cpu": "10m"}},
        "status": {"startTime": "2024-01-01T00:00:00Z", "conditions": [{"type": "Ready", "status": "True", "reasn": "x"}]}
    });
    assert_eq!(
        api.unknown_fields(resource("", "pods"), &pod),
        ["spec.containers[0].unknownInContainer", "status.conditions[0].reasn"]
    );
}

/// The HTTP server shares one `OpenApi` between its tasks.
#[test]
fn openapi_is_shareable() {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<OpenApi>();
}
