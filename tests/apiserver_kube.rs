//! The apiserver driven by kube-rs, typed and dynamic — what programs (controllers,
//! operators) use — including the watcher re-listing after a compaction.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Pod};
use kube::api::{Api, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, GroupVersionKind};
use kube::runtime::watcher;
use serde_json::json;
use support::TestServer;

fn api_error(err: kube::Error) -> (u16, String) {
    match err {
        kube::Error::Api(status) => (status.code, status.message),
        other => panic!("expected an API error, got {other:?}"),
    }
}

fn config_map(name: &str, data: &[(&str, &str)]) -> ConfigMap {
    ConfigMap {
        metadata: kube::api::ObjectMeta { name: Some(name.into()), ..Default::default() },
        data: Some(data.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>()),
        ..Default::default()
    }
}

/// Every namespace holds the cluster's `kube-root-ca.crt` ConfigMap, as upstream's do:
/// lists of the tests' own ConfigMaps leave it out.
fn not_root_ca() -> ListParams {
    ListParams::default().fields("metadata.name!=kube-root-ca.crt")
}

#[tokio::test]
async fn typed_client_crud_conflicts_and_limits() {
    let server = TestServer::start();
    let client = server.client().await;
    let maps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let created = maps.create(&PostParams::default(), &config_map("settings", &[("a", "1")])).await.unwrap();
    let uid = created.metadata.uid.clone().unwrap();
    let fetched = maps.get("settings").await.unwrap();
    assert_eq!(fetched.metadata.uid.as_deref(), Some(uid.as_str()));
    assert_eq!(maps.list(&not_root_ca()).await.unwrap().items.len(), 1);

    // A replace carrying a stale resourceVersion is a 409 Conflict.
    let mut first = fetched.clone();
    first.data = Some([("a".to_string(), "2".to_string())].into());
    maps.replace("settings", &PostParams::default(), &first).await.unwrap();
    let mut stale = fetched.clone();
    stale.data = Some([("a".to_string(), "3".to_string())].into());
    let (code, message) = api_error(maps.replace("settings", &PostParams::default(), &stale).await.unwrap_err());
    assert_eq!(code, 409);
    assert!(message.contains("the object has been modified"), "{message}");

    // Merge and JSON patches.
    maps.patch("settings", &PatchParams::default(), &Patch::Merge(json!({"data": {"b": "x"}}))).await.unwrap();
    let ops: json_patch::Patch = serde_json::from_value(json!([{"op": "remove", "path": "/data/a"}])).unwrap();
    let patched = maps.patch("settings", &PatchParams::default(), &Patch::Json::<()>(ops)).await.unwrap();
    assert_eq!(patched.data.unwrap(), [("b".to_string(), "x".to_string())].into());

    // Bodies over 3 MiB are refused with 413, and nothing is stored.
    let big = "x".repeat(4 * 1024 * 1024);
    let (code, _) =
        api_error(maps.create(&PostParams::default(), &config_map("big", &[("x", &big)])).await.unwrap_err());
    assert_eq!(code, 413);
    assert_eq!(api_error(maps.get("big").await.unwrap_err()).0, 404);

    // Creating twice is AlreadyExists; a missing object is NotFound.
    let (code, message) =
        api_error(maps.create(&PostParams::default(), &config_map("settings", &[])).await.unwrap_err());
    assert_eq!((code, message.as_str()), (409, "configmaps \"settings\" already exists"));
    maps.delete("settings", &DeleteParams::default()).await.unwrap();
    assert_eq!(api_error(maps.get("settings").await.unwrap_err()).0, 404);
}

#[tokio::test]
async fn invalid_objects_get_422_with_field_causes() {
    let server = TestServer::start();
    let pods: Api<Pod> = Api::namespaced(server.client().await, "default");
    let pod: Pod =
        serde_json::from_value(json!({"metadata": {"name": "Bad_Name"}, "spec": {"containers": []}})).unwrap();
    match pods.create(&PostParams::default(), &pod).await.unwrap_err() {
        kube::Error::Api(status) => {
            assert_eq!(status.code, 422);
            assert_eq!(status.reason, "Invalid");
            assert!(status.message.starts_with("Pod \"Bad_Name\" is invalid: ["), "{}", status.message);
            assert!(status.message.contains("metadata.name: Invalid value: \"Bad_Name\""), "{}", status.message);
            assert!(status.message.contains("spec.containers: Required value"), "{}", status.message);
        }
        other => panic!("{other:?}"),
    }
    assert!(pods.list(&ListParams::default()).await.unwrap().items.is_empty());
}

#[tokio::test]
async fn dynamic_client_server_side_apply_and_scale() {
    let server = TestServer::start();
    let client = server.client().await;
    let gvk = GroupVersionKind::gvk("apps", "v1", "Deployment");
    let resource = ApiResource::from_gvk(&gvk);
    let deployments: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
    let manifest = json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}
    });
    let applied = deployments.patch("web", &PatchParams::apply("tester"), &Patch::Apply(&manifest)).await.unwrap();
    let managers: Vec<_> =
        applied.metadata.managed_fields.unwrap_or_default().into_iter().filter_map(|m| m.manager).collect();
    assert_eq!(managers, ["tester"]);
    // Another manager changing a field tester owns conflicts, unless forced.
    let mut other = manifest.clone();
    other["spec"]["replicas"] = json!(5);
    let (code, message) =
        api_error(deployments.patch("web", &PatchParams::apply("other"), &Patch::Apply(&other)).await.unwrap_err());
    assert_eq!(code, 409);
    assert!(message.contains("conflict with \"tester\""), "{message}");
    deployments.patch("web", &PatchParams::apply("other").force(), &Patch::Apply(&other)).await.unwrap();

    let typed: Api<Deployment> = Api::namespaced(client, "default");
    assert_eq!(typed.get_scale("web").await.unwrap().spec.unwrap().replicas, Some(5));
    typed.patch_scale("web", &PatchParams::default(), &Patch::Merge(json!({"spec": {"replicas": 1}}))).await.unwrap();
    let scaled = typed.get("web").await.unwrap();
    assert_eq!(scaled.spec.unwrap().replicas, Some(1));
    assert_eq!(scaled.metadata.generation, Some(3));

    // Status writes change status alone: spec and generation stay, and the writer is not
    // recorded as a field manager (status is not field-tracked).
    let writer = "status-writer";
    let managers = |d: &Deployment| -> Vec<String> {
        d.metadata.managed_fields.iter().flatten().filter_map(|m| m.manager.clone()).collect()
    };
    let status_patch = json!({"status": {"replicas": 1, "readyReplicas": 1}, "spec": {"replicas": 9}});
    let params = PatchParams { field_manager: Some(writer.into()), ..Default::default() };
    let patched = typed.patch_status("web", &params, &Patch::Merge(&status_patch)).await.unwrap();
    assert_eq!(patched.status.as_ref().and_then(|s| s.ready_replicas), Some(1));
    assert_eq!(patched.spec.as_ref().and_then(|s| s.replicas), Some(1));
    assert_eq!(patched.metadata.generation, Some(3));
    assert!(!managers(&patched).contains(&writer.to_string()), "{:?}", managers(&patched));
    let mut replaced = patched.clone();
    replaced.status.as_mut().unwrap().ready_replicas = Some(0);
    // Unconditional: the deployment controller writes this status too.
    replaced.metadata.resource_version = None;
    let params = PostParams { field_manager: Some(writer.into()), ..Default::default() };
    let replaced = typed.replace_status("web", &params, serde_json::to_vec(&replaced).unwrap()).await.unwrap();
    assert_eq!(replaced.status.as_ref().and_then(|s| s.ready_replicas), Some(0));
    assert!(!managers(&replaced).contains(&writer.to_string()), "{:?}", managers(&replaced));
}

#[tokio::test]
async fn unconditional_updates_win_against_concurrent_writers() {
    let server = TestServer::start();
    let client = server.client().await;
    let maps: Api<ConfigMap> = Api::namespaced(client, "default");
    maps.create(&PostParams::default(), &config_map("contended", &[("n", "0")])).await.unwrap();
    // A second writer keeps moving the object on while the first replaces it without a
    // resourceVersion: every replace must land (upstream retries them on a fresh read).
    let writer = {
        let maps = maps.clone();
        tokio::spawn(async move {
            for i in 0..200 {
                let patch = json!({"metadata": {"labels": {"writer": i.to_string()}}});
                let _ = maps.patch("contended", &PatchParams::default(), &Patch::Merge(patch)).await;
            }
        })
    };
    for i in 0..50 {
        let mut replaced = config_map("contended", &[("n", &i.to_string())]);
        replaced.metadata.resource_version = None;
        let written = maps.replace("contended", &PostParams::default(), &replaced).await.unwrap();
        assert_eq!(written.data.unwrap_or_default().get("n"), Some(&i.to_string()));
    }
    writer.abort();
}

#[tokio::test]
async fn watcher_relists_after_compaction_and_carries_on() {
    let server = TestServer::start_with(&["--etcd-compaction-interval", "1s"]);
    let client = server.client().await;
    let watched: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let busy: Api<ConfigMap> = Api::namespaced(client.clone(), "kube-public");
    // Short server-side timeouts make the watcher resume from its last resourceVersion.
    let mut events = watcher(watched.clone(), watcher::Config::default().timeout(1)).boxed();
    let mut inits = 0;
    let mut seen_late = false;
    let writer = tokio::spawn(async move {
        // Writes elsewhere move the revision on, so the watcher's position gets compacted.
        for i in 0..60 {
            let _ = busy.create(&PostParams::default(), &config_map(&format!("noise-{i}"), &[])).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let mut created_late = false;
    while tokio::time::Instant::now() < deadline && !(inits >= 2 && seen_late) {
        match tokio::time::timeout_at(deadline, events.try_next()).await {
            Ok(Ok(Some(watcher::Event::Init))) => {
                inits += 1;
                if inits >= 2 && !created_late {
                    watched.create(&PostParams::default(), &config_map("late", &[])).await.unwrap();
                    created_late = true;
                }
            }
            Ok(Ok(Some(watcher::Event::Apply(cm) | watcher::Event::InitApply(cm)))) => {
                if cm.metadata.name.as_deref() == Some("late") {
                    seen_late = true;
                }
            }
            Ok(Ok(Some(_))) => {}
            Ok(Err(_)) => {} // the 410 surfaces as an error before the re-list
            Ok(Ok(None)) | Err(_) => break,
        }
    }
    writer.abort();
    assert!(inits >= 2, "the watcher re-listed after its resourceVersion was compacted ({inits} lists)");
    assert!(seen_late, "and saw an object created after that");
}

#[tokio::test]
async fn finalizers_hold_deletion_until_removed_and_collections_delete() {
    let server = TestServer::start();
    let client = server.client().await;
    let maps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let mut held = config_map("held", &[]);
    held.metadata.finalizers = Some(vec!["example.com/hold".into()]);
    maps.create(&PostParams::default(), &held).await.unwrap();
    maps.delete("held", &DeleteParams::default()).await.unwrap();
    let marked = maps.get("held").await.unwrap();
    assert!(marked.metadata.deletion_timestamp.is_some(), "marked for deletion, still there");
    maps.patch("held", &PatchParams::default(), &Patch::Merge(json!({"metadata": {"finalizers": null}})))
        .await
        .unwrap();
    assert_eq!(api_error(maps.get("held").await.unwrap_err()).0, 404, "gone once the last finalizer is");

    // dryRun=All validates and answers but stores nothing.
    let dry = PostParams { dry_run: true, ..Default::default() };
    maps.create(&dry, &config_map("dry", &[])).await.unwrap();
    assert_eq!(api_error(maps.get("dry").await.unwrap_err()).0, 404);

    // Pages of 2 with continue tokens cover every object once.
    for i in 0..5 {
        let mut cm = config_map(&format!("page-{i}"), &[]);
        cm.metadata.labels = Some([("set".to_string(), if i < 3 { "a" } else { "b" }.to_string())].into());
        maps.create(&PostParams::default(), &cm).await.unwrap();
    }
    let mut names = Vec::new();
    let mut params = not_root_ca().limit(2);
    loop {
        let page = maps.list(&params).await.unwrap();
        names.extend(page.items.into_iter().filter_map(|cm| cm.metadata.name));
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => params = params.continue_token(&token),
            _ => break,
        }
    }
    assert_eq!(names, ["page-0", "page-1", "page-2", "page-3", "page-4"]);

    maps.delete_collection(&DeleteParams::default(), &ListParams::default().labels("set=a")).await.unwrap();
    let left: Vec<_> =
        maps.list(&not_root_ca()).await.unwrap().items.into_iter().filter_map(|c| c.metadata.name).collect();
    assert_eq!(left, ["page-3", "page-4"]);
}

#[tokio::test]
async fn malformed_bodies_and_unknown_paths_are_refused() {
    let server = TestServer::start();
    let client = server.client().await;
    let request = |method: &str, path: &str, body: &str| {
        http::Request::builder()
            .method(method)
            .uri(path)
            .header("Content-Type", "application/json")
            .body(body.as_bytes().to_vec())
            .unwrap()
    };
    let status = |result: Result<String, kube::Error>| api_error(result.unwrap_err());
    let (code, message) =
        status(client.request_text(request("POST", "/api/v1/namespaces/default/configmaps", "{not json")).await);
    assert_eq!(code, 400);
    assert!(message.contains("error decoding request body as JSON"), "{message}");
    let (code, _) = status(client.request_text(request("GET", "/api/v1/namespaces/default/widgets", "")).await);
    assert_eq!(code, 404);
    let wrong_kind = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"x"}}"#;
    let (code, message) =
        status(client.request_text(request("POST", "/api/v1/namespaces/default/configmaps", wrong_kind)).await);
    assert_eq!(code, 400);
    assert!(message.contains("does not match the expected API version"), "{message}");
    let maps: Api<ConfigMap> = Api::namespaced(client, "default");
    assert!(maps.list(&not_root_ca()).await.unwrap().items.is_empty(), "nothing stored");
}

/// Metadata informers ask for PartialObjectMetadata: get, list and watch answer with
/// metadata only (no data), as upstream does.
#[tokio::test]
async fn metadata_requests_answer_partial_object_metadata() {
    let server = TestServer::start();
    let client = server.client().await;
    let maps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    maps.create(&PostParams::default(), &config_map("first", &[("secret", "value")])).await.unwrap();

    let one = maps.get_metadata("first").await.unwrap();
    assert_eq!(one.types.as_ref().map(|t| t.kind.as_str()), Some("PartialObjectMetadata"));
    assert_eq!(one.metadata.name.as_deref(), Some("first"));
    let list = maps.list_metadata(&not_root_ca()).await.unwrap();
    assert_eq!(list.items.len(), 1);
    // The raw list carries no data: only metadata travels.
    let raw = client
        .request_text(
            http::Request::get("/api/v1/namespaces/default/configmaps")
                .header("Accept", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")
                .body(Vec::new())
                .unwrap(),
        )
        .await
        .unwrap();
    let raw: serde_json::Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(raw["kind"], "PartialObjectMetadataList");
    assert_eq!(raw["items"][0]["metadata"]["name"], "first");
    assert!(raw["items"][0].get("data").is_none(), "{raw}");

    let mut events = kube::runtime::metadata_watcher(maps.clone(), watcher::Config::default()).boxed();
    maps.create(&PostParams::default(), &config_map("second", &[("k", "v")])).await.unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let event = tokio::time::timeout_at(deadline, events.try_next()).await.expect("in time").unwrap();
        if let Some(watcher::Event::Apply(meta) | watcher::Event::InitApply(meta)) = event {
            if meta.metadata.name.as_deref() == Some("second") {
                break;
            }
        }
    }
    // A change after the list comes through the watch, with its resourceVersion.
    let labelled = Patch::Merge(json!({"metadata": {"labels": {"seen": "yes"}}}));
    let patched = maps.patch("second", &PatchParams::default(), &labelled).await.unwrap();
    loop {
        let event = tokio::time::timeout_at(deadline, events.try_next()).await.expect("in time").unwrap();
        if let Some(watcher::Event::Apply(meta)) = event {
            if meta.metadata.labels.as_ref().is_some_and(|l| l.contains_key("seen")) {
                assert_eq!(meta.metadata.resource_version, patched.metadata.resource_version);
                assert_eq!(meta.types.map(|t| t.kind), Some("PartialObjectMetadata".to_string()));
                break;
            }
        }
    }
}

#[tokio::test]
async fn selective_watches_see_objects_move_in_and_out_of_their_selection() {
    use kube::api::{WatchEvent, WatchParams};
    let server = TestServer::start();
    let client = server.client().await;
    let maps: Api<ConfigMap> = Api::namespaced(client.clone(), "default");
    let labelled = |name: &str, app: &str| {
        let mut map = config_map(name, &[]);
        map.metadata.labels = Some([("app".to_string(), app.to_string())].into());
        map
    };
    let start = maps.list(&ListParams::default()).await.unwrap().metadata.resource_version.unwrap();
    let params = WatchParams::default().labels("app=web").fields("metadata.name!=skip").timeout(20);
    let mut events = maps.watch(&params, &start).await.unwrap().boxed();

    maps.create(&PostParams::default(), &labelled("a", "web")).await.unwrap();
    maps.create(&PostParams::default(), &labelled("skip", "web")).await.unwrap();
    maps.create(&PostParams::default(), &labelled("b", "db")).await.unwrap();
    let relabel = |app: &str| Patch::Merge(json!({"metadata": {"labels": {"app": app}}}));
    let moved_out = maps.patch("a", &PatchParams::default(), &relabel("other")).await.unwrap();
    maps.patch("b", &PatchParams::default(), &relabel("web")).await.unwrap();
    maps.delete("b", &DeleteParams::default()).await.unwrap();

    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while seen.len() < 4 {
        let event = tokio::time::timeout_at(deadline, events.try_next()).await.expect("in time").unwrap();
        let (kind, map) = match event.expect("the watch goes on") {
            WatchEvent::Added(map) => ("ADDED", map),
            WatchEvent::Modified(map) => ("MODIFIED", map),
            WatchEvent::Deleted(map) => ("DELETED", map),
            other => panic!("unexpected {other:?}"),
        };
        let labels = map.metadata.labels.clone().unwrap_or_default();
        seen.push((kind, map.metadata.name.clone().unwrap_or_default(), labels["app"].clone(), map));
    }
    let summary: Vec<(&str, &str, &str)> = seen.iter().map(|(k, n, a, _)| (*k, n.as_str(), a.as_str())).collect();
    assert_eq!(
        summary,
        [("ADDED", "a", "web"), ("DELETED", "a", "other"), ("ADDED", "b", "web"), ("DELETED", "b", "web")]
    );
    // Moving out shows the object as it is now; a deletion carries the deletion's version.
    assert_eq!(seen[1].3.metadata.resource_version, moved_out.metadata.resource_version);
    let version = |i: usize| seen[i].3.metadata.resource_version.clone().unwrap().parse::<u64>().unwrap();
    assert!(version(3) > version(2), "the deletion's resourceVersion is newer than the last change");
}
