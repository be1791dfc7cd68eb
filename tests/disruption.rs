//! PodDisruptionBudgets against a real `kctl server` with hollow nodes: the disruption
//! controller's status (minAvailable as a count, maxUnavailable through the deployment's
//! scale) and the `pods/eviction` subresource honouring it over real HTTP — an eviction
//! takes the allowed disruption, the next one is refused with upstream's 429.

mod support;

use std::time::Duration;

use http_body_util::BodyExt;
use serde_json::{json, Value};
use support::{eventually, TestServer};

const WAIT: Duration = Duration::from_secs(60);

fn object(server: &TestServer, args: &[&str]) -> Value {
    let output = server.kubectl(&[args, &["-o", "json"]].concat());
    serde_json::from_slice(&output.stdout).unwrap_or_default()
}

fn pod_names(server: &TestServer, selector: &str) -> Vec<String> {
    let pods = object(server, &["get", "pods", "-l", selector]);
    let items = pods["items"].as_array().cloned().unwrap_or_default();
    items.iter().filter_map(|p| p.pointer("/metadata/name").and_then(Value::as_str).map(str::to_string)).collect()
}

/// POSTs an Eviction for `pod`; the answer's status code and body.
async fn evict(client: &kube::Client, pod: &str, delete_options: Value) -> (u16, Value) {
    let eviction = json!({"apiVersion": "policy/v1", "kind": "Eviction",
        "metadata": {"name": pod, "namespace": "default"}, "deleteOptions": delete_options});
    let request = http::Request::builder()
        .method("POST")
        .uri(format!("/api/v1/namespaces/default/pods/{pod}/eviction"))
        .header("Content-Type", "application/json")
        .body(kube::client::Body::from(serde_json::to_vec(&eviction).unwrap()))
        .unwrap();
    let response = client.send(request).await.expect("eviction answered");
    let code = response.status().as_u16();
    let body = response.into_body().collect().await.expect("body").to_bytes();
    (code, serde_json::from_slice(&body).unwrap_or_default())
}

#[tokio::test(flavor = "multi_thread")]
async fn budgets_get_status_and_evictions_honour_them() {
    let server = TestServer::start_with(&["--hollow-nodes", "2"]);
    server.kubectl_ok(&["create", "deployment", "web", "--image=busybox", "--replicas=3"]);
    server.kubectl_ok(&["create", "deployment", "api", "--image=busybox", "--replicas=2"]);
    server.kubectl_ok(&["create", "poddisruptionbudget", "web", "--selector=app=web", "--min-available=2"]);
    server.kubectl_ok(&["create", "poddisruptionbudget", "api", "--selector=app=api", "--max-unavailable=50%"]);

    let settled = |name: &str, healthy: i64| {
        let budget = object(&server, &["get", "pdb", name]);
        budget["status"]["currentHealthy"] == healthy && budget["status"]["observedGeneration"] == 1
    };
    assert!(eventually(WAIT, || settled("web", 3)), "{}", object(&server, &["get", "pdb", "web"]));
    let web = object(&server, &["get", "pdb", "web"]);
    let status = &web["status"];
    assert_eq!(
        (&status["desiredHealthy"], &status["expectedPods"], &status["disruptionsAllowed"]),
        (&json!(2), &json!(3), &json!(1))
    );
    let condition = &status["conditions"][0];
    assert_eq!(
        (&condition["type"], &condition["status"], &condition["reason"], &condition["observedGeneration"]),
        (&json!("DisruptionAllowed"), &json!("True"), &json!("SufficientPods"), &json!(1))
    );
    assert!(eventually(WAIT, || settled("api", 2)), "{}", object(&server, &["get", "pdb", "api"]));
    let api = object(&server, &["get", "pdb", "api"]);
    // 50% of the deployment's 2 replicas, rounded up, may be unavailable.
    assert_eq!((&api["status"]["expectedPods"], &api["status"]["desiredHealthy"]), (&json!(2), &json!(1)));

    let client = server.client().await;
    let pods = pod_names(&server, "app=web");
    assert_eq!(pods.len(), 3, "{pods:?}");
    // A budget that needs every pod refuses.
    server.kubectl_ok(&["patch", "pdb", "web", "--type=merge", "-p", r#"{"spec":{"minAvailable":3}}"#]);
    let observed = |generation: i64, allowed: i64| {
        let web = object(&server, &["get", "pdb", "web"]);
        web["status"]["observedGeneration"] == generation && web["status"]["disruptionsAllowed"] == allowed
    };
    assert!(eventually(WAIT, || observed(2, 0)), "{}", object(&server, &["get", "pdb", "web"]));
    let (code, body) = evict(&client, &pods[1], json!({})).await;
    assert_eq!(code, 429, "{body}");
    assert_eq!(body["reason"], "TooManyRequests");
    assert_eq!(body["message"], "Cannot evict pod as it would violate the pod's disruption budget.");
    assert_eq!(
        body["details"]["causes"][0],
        json!({"reason": "DisruptionBudget", "message": "The disruption budget web needs 3 healthy pods and has 3 currently"})
    );
    assert!(pod_names(&server, "app=web").contains(&pods[1]), "the refused pod stays");

    server.kubectl_ok(&["patch", "pdb", "web", "--type=merge", "-p", r#"{"spec":{"minAvailable":2}}"#]);
    assert!(eventually(WAIT, || observed(3, 1)), "{}", object(&server, &["get", "pdb", "web"]));
    // A dry run takes nothing.
    let (code, _) = evict(&client, &pods[0], json!({"dryRun": ["All"]})).await;
    assert_eq!(code, 201);
    assert_eq!(object(&server, &["get", "pdb", "web"])["status"]["disruptionsAllowed"], 1);
    assert!(pod_names(&server, "app=web").contains(&pods[0]));
    let (code, body) = evict(&client, &pods[0], json!({})).await;
    assert_eq!((code, &body["status"]), (201, &json!("Success")), "{body}");
    assert!(!pod_names(&server, "app=web").contains(&pods[0]), "the evicted pod is gone");
    // Its replacement brings the budget back to one allowed disruption, the eviction forgotten.
    assert!(
        eventually(WAIT, || {
            let web = object(&server, &["get", "pdb", "web"]);
            web["status"]["disruptionsAllowed"] == 1
                && web["status"]["currentHealthy"] == 3
                && web["status"]["disruptedPods"].is_null()
        }),
        "{}",
        object(&server, &["get", "pdb", "web"])
    );
}
