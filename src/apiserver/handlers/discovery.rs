//! Discovery: the legacy documents (APIVersions, APIGroupList, APIGroup,
//! APIResourceList) and aggregated discovery v2 (`APIGroupDiscoveryList`), which lets
//! kubectl learn every resource in two requests.

use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::{json, Value};

use super::json_response;
use crate::apiserver::request::Request;
use crate::registry::{self, ResourceInfo};

const AGGREGATED: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

fn wants_aggregated(request: &Request) -> bool {
    request.accept().split(',').next().is_some_and(|first| first.contains("as=APIGroupDiscoveryList"))
}

/// The verbs and response kind of a subresource.
fn subresource_shape(resource: &ResourceInfo, sub: &str) -> (Vec<&'static str>, Value) {
    let own = json!({"group": resource.group, "version": resource.version, "kind": resource.kind});
    match sub {
        "status" => (vec!["get", "patch", "update"], own),
        "scale" => (vec!["get", "patch", "update"], json!({"group": "autoscaling", "version": "v1", "kind": "Scale"})),
        "binding" => (vec!["create"], json!({"group": "", "version": "v1", "kind": "Binding"})),
        "eviction" => (vec!["create"], json!({"group": "policy", "version": "v1", "kind": "Eviction"})),
        "log" => (vec!["get"], json!({"group": "", "version": "v1", "kind": "Pod"})),
        "exec" => (vec!["create", "get"], json!({"group": "", "version": "v1", "kind": "PodExecOptions"})),
        "attach" => (vec!["create", "get"], json!({"group": "", "version": "v1", "kind": "PodAttachOptions"})),
        "portforward" => {
            (vec!["create", "get"], json!({"group": "", "version": "v1", "kind": "PodPortForwardOptions"}))
        }
        "finalize" => (vec!["update"], own),
        "token" => (vec!["create"], json!({"group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest"})),
        "approval" => (vec!["get", "patch", "update"], own),
        _ => (vec!["get"], own),
    }
}

fn api_resource(resource: &ResourceInfo) -> Value {
    let mut entry = json!({
        "name": resource.plural,
        "singularName": resource.singular,
        "namespaced": resource.namespaced,
        "kind": resource.kind,
        "verbs": resource.rest.verbs(),
    });
    if !resource.short_names.is_empty() {
        entry["shortNames"] = json!(resource.short_names);
    }
    if !resource.categories.is_empty() {
        entry["categories"] = json!(resource.categories);
    }
    entry
}

/// The resources of one group-version among `all`.
fn in_group_version<'a>(
    all: &'a [&'static ResourceInfo],
    group: &'a str,
    version: &'a str,
) -> impl Iterator<Item = &'static ResourceInfo> + 'a {
    all.iter().copied().filter(move |r| r.group == group && r.version == version)
}

/// Groups in order of first appearance ("" first).
fn groups_of(all: &[&'static ResourceInfo]) -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for resource in all {
        if !groups.contains(&resource.group) {
            groups.push(resource.group);
        }
    }
    groups
}

pub fn resource_list(group: &str, version: &str, all: &[&'static ResourceInfo]) -> Value {
    let mut resources = Vec::new();
    for resource in in_group_version(all, group, version) {
        resources.push(api_resource(resource));
        for sub in resource.subresources {
            let (verbs, kind) = subresource_shape(resource, sub);
            resources.push(json!({
                "name": format!("{}/{sub}", resource.plural),
                "singularName": "",
                "namespaced": resource.namespaced,
                "group": kind["group"], "version": kind["version"], "kind": kind["kind"],
                "verbs": verbs,
            }));
        }
    }
    let group_version = if group.is_empty() { version.to_string() } else { format!("{group}/{version}") };
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources})
}

pub fn resources(group: &str, version: &str, all: &[&'static ResourceInfo]) -> Response {
    json_response(StatusCode::OK, &resource_list(group, version, all))
}

fn versions_of(group: &str, all: &[&'static ResourceInfo]) -> Vec<&'static str> {
    let mut versions = Vec::new();
    for resource in all.iter().filter(|r| r.group == group) {
        if !versions.contains(&resource.version) {
            versions.push(resource.version);
        }
    }
    versions
}

fn api_group(group: &str, all: &[&'static ResourceInfo]) -> Value {
    let versions: Vec<Value> =
        versions_of(group, all).iter().map(|v| json!({"groupVersion": format!("{group}/{v}"), "version": v})).collect();
    json!({"name": group, "versions": versions, "preferredVersion": versions.first().cloned().unwrap_or(json!({}))})
}

pub fn group(group: &str, all: &[&'static ResourceInfo]) -> Response {
    let mut body = api_group(group, all);
    body["kind"] = json!("APIGroup");
    body["apiVersion"] = json!("v1");
    json_response(StatusCode::OK, &body)
}

/// One group's entry in aggregated discovery.
fn discovery_group(group: &str, all: &[&'static ResourceInfo]) -> Value {
    let versions: Vec<Value> = versions_of(group, all)
        .iter()
        .map(|version| {
            let resources: Vec<Value> = in_group_version(all, group, version)
                .map(|r| {
                    let mut entry = json!({
                        "resource": r.plural,
                        "responseKind": {"group": r.group, "version": r.version, "kind": r.kind},
                        "scope": if r.namespaced { "Namespaced" } else { "Cluster" },
                        "singularResource": r.singular,
                        "verbs": r.rest.verbs(),
                    });
                    if !r.short_names.is_empty() {
                        entry["shortNames"] = json!(r.short_names);
                    }
                    if !r.categories.is_empty() {
                        entry["categories"] = json!(r.categories);
                    }
                    if !r.subresources.is_empty() {
                        entry["subresources"] = Value::Array(
                            r.subresources
                                .iter()
                                .map(|sub| {
                                    let (verbs, kind) = subresource_shape(r, sub);
                                    json!({"subresource": sub, "responseKind": kind, "verbs": verbs})
                                })
                                .collect(),
                        );
                    }
                    entry
                })
                .collect();
            json!({"version": version, "resources": resources, "freshness": "Current"})
        })
        .collect();
    json!({"metadata": {"name": group, "creationTimestamp": null}, "versions": versions})
}

fn aggregated(groups: Vec<&str>, all: &[&'static ResourceInfo]) -> Response {
    let body = json!({
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": groups.into_iter().map(|group| discovery_group(group, all)).collect::<Vec<_>>(),
    });
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    (StatusCode::OK, [(http::header::CONTENT_TYPE, AGGREGATED)], bytes).into_response()
}

pub fn core_versions(request: &Request) -> Response {
    if wants_aggregated(request) {
        let builtin: Vec<&'static ResourceInfo> = registry::RESOURCES.iter().collect();
        return aggregated(vec![""], &builtin);
    }
    json_response(
        StatusCode::OK,
        &json!({"kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]}),
    )
}

pub fn groups(request: &Request, all: &[&'static ResourceInfo]) -> Response {
    let named: Vec<&str> = groups_of(all).into_iter().filter(|g| !g.is_empty()).collect();
    if wants_aggregated(request) {
        return aggregated(named, all);
    }
    let groups: Vec<Value> = named.into_iter().map(|group| api_group(group, all)).collect();
    json_response(StatusCode::OK, &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}))
}
