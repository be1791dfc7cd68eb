//! `fieldValidation` of duplicate fields in bodies of built-in kinds, as upstream: Strict
//! refuses them (400), Warn (the default) warns, Ignore lets them be; JSON bodies are
//! worded by sigs.k8s.io/json, YAML bodies by go-yaml's strict unmarshal errors.

mod support;

use http_body_util::BodyExt;
use serde_json::Value;
use support::{stderr, TestServer};

const JSON_BODY: &str = r#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "NAME"},
    "data": {"a": "1", "a": "2"}, "extra": true}"#;

const YAML_BODY: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: NAME
  name: NAME
data:
  a: '1'
  b: '2'
  a: '3'
";

struct Answer {
    status: u16,
    warnings: Vec<String>,
    body: Value,
}

async fn post(client: &kube::Client, content_type: &str, body: &str, query: &str) -> Answer {
    let request = http::Request::builder()
        .method("POST")
        .uri(format!("/api/v1/namespaces/default/configmaps{query}"))
        .header("Content-Type", content_type)
        .header("Accept", "application/json")
        .body(kube::client::Body::from(body.as_bytes().to_vec()))
        .expect("request");
    let response = client.send(request).await.expect("send");
    let status = response.status().as_u16();
    let warnings =
        response.headers().get_all("warning").iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect();
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    Answer { status, warnings, body: serde_json::from_slice(&bytes).unwrap_or(Value::Null) }
}

#[tokio::test]
async fn strict_refuses_duplicate_json_fields_warn_warns_and_ignore_accepts() {
    let server = TestServer::start();
    let client = server.client().await;

    let strict = post(&client, "application/json", &JSON_BODY.replace("NAME", "s"), "?fieldValidation=Strict").await;
    assert_eq!(strict.status, 400, "{}", strict.body);
    assert_eq!(
        strict.body["message"],
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: \
         duplicate field \"data.a\", unknown field \"extra\""
    );
    assert_eq!(strict.body["reason"], "BadRequest");

    let warned = post(&client, "application/json", &JSON_BODY.replace("NAME", "w"), "?fieldValidation=Warn").await;
    assert_eq!(warned.status, 201, "{}", warned.body);
    assert_eq!(
        warned.warnings,
        [r#"299 - "duplicate field \"data.a\"""#, r#"299 - "unknown field \"extra\"""#],
        "{:?}",
        warned.warnings
    );
    assert_eq!(warned.body["data"], serde_json::json!({"a": "2"}));

    // The default is Warn for duplicates.
    let default = post(&client, "application/json", &JSON_BODY.replace("NAME", "d"), "").await;
    assert_eq!(default.status, 201, "{}", default.body);
    assert!(default.warnings.contains(&r#"299 - "duplicate field \"data.a\"""#.to_string()), "{:?}", default.warnings);

    let ignored = post(&client, "application/json", &JSON_BODY.replace("NAME", "i"), "?fieldValidation=Ignore").await;
    assert_eq!(ignored.status, 201, "{}", ignored.body);
    assert!(ignored.warnings.is_empty(), "{:?}", ignored.warnings);
}

#[tokio::test]
async fn duplicate_yaml_keys_are_go_yamls_strict_errors() {
    let server = TestServer::start();
    let client = server.client().await;

    let strict = post(&client, "application/yaml", &YAML_BODY.replace("NAME", "s"), "?fieldValidation=Strict").await;
    assert_eq!(strict.status, 400, "{}", strict.body);
    assert_eq!(
        strict.body["message"],
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: \
         yaml: unmarshal errors:\n  line 5: key \"name\" already set in map\n  line 9: key \"a\" already set in map"
    );

    let warned = post(&client, "application/yaml", &YAML_BODY.replace("NAME", "w"), "?fieldValidation=Warn").await;
    assert_eq!(warned.status, 201, "{}", warned.body);
    assert_eq!(
        warned.warnings,
        [r#"299 - "line 5: key \"name\" already set in map""#, r#"299 - "line 9: key \"a\" already set in map""#],
    );

    let ignored = post(&client, "application/yaml", &YAML_BODY.replace("NAME", "i"), "?fieldValidation=Ignore").await;
    assert_eq!(ignored.status, 201, "{}", ignored.body);
    assert!(ignored.warnings.is_empty(), "{:?}", ignored.warnings);
}

#[test]
fn kubectl_create_raw_reports_the_servers_duplicate_warnings_and_refusals() {
    let server = TestServer::start();
    let file = server.write("dup.json", &JSON_BODY.replace("NAME", "raw").replace(r#", "extra": true"#, ""));
    let path = "/api/v1/namespaces/default/configmaps";
    let warned = server.kubectl(&["create", "--raw", path, "-f", file.to_str().unwrap()]);
    assert!(warned.status.success(), "{}", stderr(&warned));
    assert!(stderr(&warned).contains("Warning: duplicate field \"data.a\""), "{}", stderr(&warned));

    let strict_path = format!("{path}?fieldValidation=Strict");
    let refused = server.kubectl(&["create", "--raw", &strict_path, "-f", file.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("strict decoding error: duplicate field \"data.a\""), "{}", stderr(&refused));
}

#[test]
fn kubectl_create_of_a_manifest_with_a_duplicate_key_sends_the_last_value_only() {
    // kubectl converts YAML to JSON itself (go-yaml, not strict: the last value wins), so
    // the duplicate never reaches the server and there is nothing for it to report.
    let server = TestServer::start();
    let file = server.write("dup.yaml", &YAML_BODY.replace("NAME", "manifest"));
    let output = server.kubectl(&["create", "-f", file.to_str().unwrap()]);
    let message = stderr(&output);
    assert!(output.status.success(), "{message}");
    assert!(!message.contains("Warning"), "{message}");
    let data = server.kubectl_ok(&["get", "configmap", "manifest", "-o", "jsonpath={.data}"]);
    assert_eq!(serde_json::from_str::<Value>(&data).ok(), Some(serde_json::json!({"a": "3", "b": "2"})), "{data}");
}
