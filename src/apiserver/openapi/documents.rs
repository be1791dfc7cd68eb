//! One OpenAPI 3.0 document per group-version, shaped like upstream's
//! `/openapi/v3/apis/GROUP/VERSION`: `paths` with the REST operations of every resource
//! (kubectl reads the PATCH operations' query parameters to decide whether to send
//! `fieldValidation`, and explain finds a kind through the GVK of the list GET on
//! `/api[s]/.../PLURAL`) and `components.schemas` with the kinds and what they reference.

use serde_json::{json, Map, Value};

use super::schemas::{self, Definitions, BINDING, DELETE_OPTIONS, EVICTION, PATCH, REF_PREFIX, SCALE, STATUS};
use crate::registry::ResourceInfo;

/// `api/v1` or `apis/GROUP/VERSION`: the key of a group-version in the `/openapi/v3` index.
pub(crate) fn group_version_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// The document of the group-version of `resources` (all of one group-version).
pub(crate) fn document(defs: &Definitions, resources: &[&ResourceInfo]) -> Value {
    let mut paths = Map::new();
    let mut roots: Vec<String> = vec![DELETE_OPTIONS.into(), STATUS.into(), PATCH.into()];
    for resource in resources {
        roots.push(resource.schema.to_string());
        roots.push(schemas::list_name(resource));
        for sub in resource.subresources {
            if let Some(schema) = subresource_schema(resource, sub) {
                roots.push(schema.to_string());
            }
        }
        add_resource_paths(&mut paths, resource);
    }
    let title = "Kubernetes";
    json!({
        "openapi": "3.0.0",
        "info": { "title": title, "version": "v1.32.0" },
        "paths": paths,
        "components": {
            "schemas": schemas::closure(defs, &roots),
            "securitySchemes": {
                "BearerToken": {
                    "type": "apiKey",
                    "description": "Bearer Token authentication",
                    "name": "authorization",
                    "in": "header"
                }
            }
        }
    })
}

/// The body schema of a subresource, for those that have one.
fn subresource_schema(resource: &ResourceInfo, sub: &str) -> Option<&'static str> {
    match sub {
        "status" | "finalize" => Some(resource.schema),
        "scale" => Some(SCALE),
        "binding" => Some(BINDING),
        "eviction" => Some(EVICTION),
        _ => None,
    }
}

/// `Core`, `Apps`, `Coordination`: how upstream's operation ids name a group.
fn group_token(group: &str) -> String {
    let first = group.split('.').next().unwrap_or_default();
    if first.is_empty() {
        return "Core".into();
    }
    capitalize(first)
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Names operation ids upstream's way: `patchAppsV1NamespacedDeploymentStatus`.
struct Names {
    /// `AppsV1`.
    gv: String,
    /// `NamespacedDeployment` or `Node`.
    scoped_kind: String,
    kind: String,
}

impl Names {
    fn new(resource: &ResourceInfo) -> Names {
        let scope = if resource.namespaced { "Namespaced" } else { "" };
        Names {
            gv: format!("{}{}", group_token(resource.group), capitalize(resource.version)),
            scoped_kind: format!("{scope}{}", resource.kind),
            kind: resource.kind.to_string(),
        }
    }

    fn op(&self, verb: &str, suffix: &str) -> String {
        format!("{verb}{}{}{suffix}", self.gv, self.scoped_kind)
    }
}

fn query(name: &str, description: &str, schema: Value) -> Value {
    json!({ "name": name, "in": "query", "description": description, "schema": schema, "uniqueItems": true })
}

fn string_query(name: &str, description: &str) -> Value {
    query(name, description, json!({ "type": "string" }))
}

fn path_param(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "path", "description": description, "required": true, "schema": { "type": "string", "uniqueItems": true } })
}

fn pretty() -> Value {
    string_query("pretty", "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget).")
}

fn dry_run() -> Value {
    string_query("dryRun", "When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed")
}

fn field_manager() -> Value {
    string_query("fieldManager", "fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.")
}

fn field_validation() -> Value {
    string_query("fieldValidation", "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.")
}

fn force() -> Value {
    query("force", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.", json!({ "type": "boolean", "uniqueItems": true }))
}

fn write_params() -> Vec<Value> {
    vec![dry_run(), field_manager(), field_validation()]
}

fn list_params() -> Vec<Value> {
    let boolean = json!({ "type": "boolean", "uniqueItems": true });
    let integer = json!({ "type": "integer", "uniqueItems": true });
    vec![
        query("allowWatchBookmarks", "allowWatchBookmarks requests watch events with type \"BOOKMARK\".", boolean.clone()),
        string_query("continue", "The continue option should be set when retrieving more results from the server."),
        string_query("fieldSelector", "A selector to restrict the list of returned objects by their fields. Defaults to everything."),
        string_query("labelSelector", "A selector to restrict the list of returned objects by their labels. Defaults to everything."),
        query("limit", "limit is a maximum number of responses to return for a list call.", integer.clone()),
        string_query("resourceVersion", "resourceVersion sets a constraint on what resource versions a request may be served from."),
        string_query("resourceVersionMatch", "resourceVersionMatch determines how resourceVersion is applied to list calls."),
        query("sendInitialEvents", "`sendInitialEvents=true` may be set together with `watch=true`.", boolean.clone()),
        query("timeoutSeconds", "Timeout for the list/watch call.", integer),
        query("watch", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.", boolean),
    ]
}

fn delete_params() -> Vec<Value> {
    vec![
        dry_run(),
        query("gracePeriodSeconds", "The duration in seconds before the object should be deleted.", json!({ "type": "integer", "uniqueItems": true })),
        query("ignoreStoreReadErrorWithClusterBreakingPotential", "if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.", json!({ "type": "boolean", "uniqueItems": true })),
        query("orphanDependents", "Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.", json!({ "type": "boolean", "uniqueItems": true })),
        string_query("propagationPolicy", "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'."),
    ]
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("{REF_PREFIX}{name}") })
}

/// The media types kctl answers with (upstream also lists protobuf, which kctl does not
/// speak).
fn content(schema: Value) -> Value {
    json!({
        "application/json": { "schema": schema.clone() },
        "application/yaml": { "schema": schema }
    })
}

fn responses(codes: &[(&str, &str)], schema: &str) -> Value {
    let mut responses = Map::new();
    for (code, description) in codes {
        responses
            .insert(code.to_string(), json!({ "description": description, "content": content(schema_ref(schema)) }));
    }
    responses.insert("401".into(), json!({ "description": "Unauthorized" }));
    Value::Object(responses)
}

fn body(schema: &str) -> Value {
    json!({ "content": { "*/*": { "schema": schema_ref(schema) } }, "required": true })
}

fn patch_body() -> Value {
    let schema = schema_ref(PATCH);
    json!({
        "content": {
            "application/apply-patch+yaml": { "schema": schema.clone() },
            "application/json-patch+json": { "schema": schema.clone() },
            "application/merge-patch+json": { "schema": schema.clone() },
            "application/strategic-merge-patch+json": { "schema": schema }
        },
        "required": true
    })
}

/// One operation. `gvk` is the object form upstream uses on operations.
fn operation(
    id: String,
    action: &str,
    gvk: &Value,
    description: String,
    parameters: Vec<Value>,
    responses: Value,
) -> Value {
    let mut op = json!({
        "tags": [],
        "description": description,
        "operationId": id,
        "responses": responses,
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": gvk,
    });
    if !parameters.is_empty() {
        op["parameters"] = Value::Array(parameters);
    }
    op
}

fn with_body(mut op: Value, body: Value) -> Value {
    op["requestBody"] = body;
    op
}

pub(crate) fn add_resource_paths(paths: &mut Map<String, Value>, resource: &ResourceInfo) {
    let names = Names::new(resource);
    let prefix = format!("/{}", group_version_path(resource.group, resource.version));
    let gvk = schemas::gvk(resource.group, resource.version, resource.kind);
    let kind = resource.schema;
    let list = schemas::list_name(resource);
    let namespace = path_param("namespace", "object name and auth scope, such as for teams and projects");
    let name = path_param("name", &format!("name of the {}", names.kind));
    let (collection, mut common) = if resource.namespaced {
        (format!("{prefix}/namespaces/{{namespace}}/{}", resource.plural), vec![namespace])
    } else {
        (format!("{prefix}/{}", resource.plural), vec![])
    };
    common.push(pretty());

    // The collection: list, create, deletecollection.
    let mut delete_collection_params = delete_params();
    delete_collection_params.extend(list_params());
    let mut item = json!({
        "get": operation(names.op("list", ""), "list", &gvk, format!("list or watch objects of kind {}", names.kind), list_params(), responses(&[("200", "OK")], &list)),
        "post": with_body(operation(names.op("create", ""), "post", &gvk, format!("create a {}", names.kind), write_params(),
            responses(&[("200", "OK"), ("201", "Created"), ("202", "Accepted")], kind)), body(kind)),
        "delete": with_body(operation(names.op("delete", "").replacen(&names.gv, &format!("{}Collection", names.gv), 1), "deletecollection", &gvk,
            format!("delete collection of {}", names.kind), delete_collection_params, responses(&[("200", "OK")], STATUS)), body(DELETE_OPTIONS)),
        "parameters": common.clone(),
    });
    paths.insert(collection.clone(), item);

    // One object: read, replace, patch, delete.
    let mut object_params = vec![name];
    object_params.extend(common.iter().cloned());
    let mut patch_params = write_params();
    patch_params.push(force());
    item = json!({
        "get": operation(names.op("read", ""), "get", &gvk, format!("read the specified {}", names.kind), vec![], responses(&[("200", "OK")], kind)),
        "put": with_body(operation(names.op("replace", ""), "put", &gvk, format!("replace the specified {}", names.kind), write_params(),
            responses(&[("200", "OK"), ("201", "Created")], kind)), body(kind)),
        "patch": with_body(operation(names.op("patch", ""), "patch", &gvk, format!("partially update the specified {}", names.kind), patch_params.clone(),
            responses(&[("200", "OK"), ("201", "Created")], kind)), patch_body()),
        "delete": with_body(operation(names.op("delete", ""), "delete", &gvk, format!("delete a {}", names.kind), delete_params(),
            responses(&[("200", "OK"), ("202", "Accepted")], STATUS)), body(DELETE_OPTIONS)),
        "parameters": object_params.clone(),
    });
    paths.insert(format!("{collection}/{{name}}"), item);

    if resource.namespaced {
        let id = format!("list{}{}ForAllNamespaces", names.gv, names.kind);
        paths.insert(
            format!("{prefix}/{}", resource.plural),
            json!({
                "get": operation(id, "list", &gvk, format!("list or watch objects of kind {}", names.kind), list_params(), responses(&[("200", "OK")], &list)),
                "parameters": [pretty()],
            }),
        );
    }

    for sub in resource.subresources {
        let suffix = capitalize(sub);
        let path = format!("{collection}/{{name}}/{sub}");
        let item = match *sub {
            "status" | "scale" => {
                let (schema, sub_gvk) = if *sub == "scale" {
                    (SCALE, schemas::gvk("autoscaling", "v1", "Scale"))
                } else {
                    (kind, gvk.clone())
                };
                json!({
                    "get": operation(names.op("read", &suffix), "get", &sub_gvk, format!("read {sub} of the specified {}", names.kind), vec![], responses(&[("200", "OK")], schema)),
                    "put": with_body(operation(names.op("replace", &suffix), "put", &sub_gvk, format!("replace {sub} of the specified {}", names.kind), write_params(),
                        responses(&[("200", "OK"), ("201", "Created")], schema)), body(schema)),
                    "patch": with_body(operation(names.op("patch", &suffix), "patch", &sub_gvk, format!("partially update {sub} of the specified {}", names.kind), patch_params.clone(),
                        responses(&[("200", "OK"), ("201", "Created")], schema)), patch_body()),
                    "parameters": object_params.clone(),
                })
            }
            "finalize" => json!({
                "put": with_body(operation(names.op("replace", &suffix), "put", &gvk, format!("replace finalize of the specified {}", names.kind), write_params(),
                    responses(&[("200", "OK"), ("201", "Created")], kind)), body(kind)),
                "parameters": object_params.clone(),
            }),
            "binding" | "eviction" => {
                let (schema, sub_gvk) = if *sub == "binding" {
                    (BINDING, schemas::gvk("", "v1", "Binding"))
                } else {
                    (EVICTION, schemas::gvk("policy", "v1", "Eviction"))
                };
                json!({
                    "post": with_body(operation(names.op("create", &suffix), "post", &sub_gvk, format!("create {sub} of a {}", names.kind), write_params(),
                        responses(&[("200", "OK"), ("201", "Created"), ("202", "Accepted")], schema)), body(schema)),
                    "parameters": object_params.clone(),
                })
            }
            "log" => {
                let boolean = json!({ "type": "boolean", "uniqueItems": true });
                let integer = json!({ "type": "integer", "uniqueItems": true });
                json!({
                    "get": operation(names.op("read", &suffix), "get", &gvk, format!("read log of the specified {}", names.kind), vec![
                        string_query("container", "The container for which to stream logs. Defaults to only container if there is one container in the pod."),
                        query("follow", "Follow the log stream of the pod. Defaults to false.", boolean.clone()),
                        query("insecureSkipTLSVerifyBackend", "insecureSkipTLSVerifyBackend indicates that the apiserver should not confirm the validity of the serving certificate of the backend it is connecting to.", boolean.clone()),
                        query("limitBytes", "If set, the number of bytes to read from the server before terminating the log output.", integer.clone()),
                        query("previous", "Return previous terminated container logs. Defaults to false.", boolean.clone()),
                        query("sinceSeconds", "A relative time in seconds before the current time from which to show logs.", integer.clone()),
                        string_query("stream", "Specify which container log stream to return to the client. Acceptable values are \"All\", \"Stdout\" and \"Stderr\"."),
                        query("tailLines", "If set, the number of lines from the end of the logs to show.", integer),
                        query("timestamps", "If true, add an RFC3339 or RFC3339Nano timestamp at the beginning of every line of log output. Defaults to false.", boolean),
                    ], json!({
                        "200": { "description": "OK", "content": { "text/plain": { "schema": { "type": "string" } } } },
                        "401": { "description": "Unauthorized" }
                    })),
                    "parameters": object_params.clone(),
                })
            }
            _ => continue,
        };
        paths.insert(path, item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{in_group_version, RESOURCES};

    fn apps_v1() -> Value {
        let defs = schemas::definitions(RESOURCES).unwrap();
        let resources: Vec<_> = in_group_version("apps", "v1").collect();
        document(&defs, &resources)
    }

    #[test]
    fn operation_ids_follow_upstream() {
        let doc = apps_v1();
        let paths = &doc["paths"];
        let collection = &paths["/apis/apps/v1/namespaces/{namespace}/deployments"];
        assert_eq!(collection["get"]["operationId"], "listAppsV1NamespacedDeployment");
        assert_eq!(collection["delete"]["operationId"], "deleteAppsV1CollectionNamespacedDeployment");
        assert_eq!(collection["delete"]["x-kubernetes-action"], "deletecollection");
        let status = &paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status"];
        assert_eq!(status["patch"]["operationId"], "patchAppsV1NamespacedDeploymentStatus");
        let scale = &paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"];
        assert_eq!(scale["get"]["x-kubernetes-group-version-kind"]["kind"], "Scale");
        assert!(doc["components"]["schemas"].get(SCALE).is_some());
        let all = &paths["/apis/apps/v1/deployments"];
        assert_eq!(all["get"]["operationId"], "listAppsV1DeploymentForAllNamespaces");
        assert_eq!(
            all["get"]["x-kubernetes-group-version-kind"],
            json!({"group": "apps", "kind": "Deployment", "version": "v1"})
        );
    }

    #[test]
    fn patch_operations_list_field_validation() {
        let doc = apps_v1();
        let patch = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        let names: Vec<&str> =
            patch["parameters"].as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
        assert_eq!(names, ["dryRun", "fieldManager", "fieldValidation", "force"]);
        assert!(patch["parameters"].as_array().unwrap().iter().all(|p| p["in"] == "query"));
        assert!(patch["requestBody"]["content"].get("application/strategic-merge-patch+json").is_some());
        assert!(patch["requestBody"]["content"].get("application/apply-patch+yaml").is_some());
    }

    #[test]
    fn cluster_scoped_paths_have_no_namespace() {
        let defs = schemas::definitions(RESOURCES).unwrap();
        let resources: Vec<_> = in_group_version("", "v1").collect();
        let doc = document(&defs, &resources);
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.contains_key("/api/v1/nodes"));
        assert!(paths.contains_key("/api/v1/nodes/{name}/status"));
        assert!(paths.contains_key("/api/v1/namespaces/{name}/finalize"));
        assert!(paths.contains_key("/api/v1/namespaces/{namespace}/pods/{name}/eviction"));
        assert!(paths.contains_key("/api/v1/pods"));
        assert!(!paths.keys().any(|p| p.contains("{namespace}/nodes")));
        assert_eq!(paths["/api/v1/nodes/{name}"]["get"]["operationId"], "readCoreV1Node");
        assert_eq!(
            paths["/api/v1/namespaces/{namespace}/pods/{name}"]["get"]["operationId"],
            "readCoreV1NamespacedPod"
        );
    }
}
