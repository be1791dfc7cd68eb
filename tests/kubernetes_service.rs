//! The `kubernetes` Service in default, its Endpoints and EndpointSlice, as the apiserver
//! keeps them (upstream's lease endpoint reconciler), seen through the real kubectl.

mod support;

use std::time::Duration;

use kctl::store::etcd_server::{EtcdServer, EtcdServerError};
use serde_json::Value;
use support::{eventually, TestServer};

fn json_of(server: &TestServer, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.extend(["-o", "json"]);
    serde_json::from_str(&server.kubectl_ok(&args)).expect("kubectl prints JSON")
}

fn secure_port(server: &TestServer) -> i64 {
    let url = server.server_url();
    url.rsplit(':').next().and_then(|p| p.trim_end_matches('/').parse().ok()).expect("server URL has a port")
}

fn endpoint_ips(server: &TestServer) -> Vec<String> {
    let output = server.kubectl(&["get", "endpoints", "kubernetes", "-n", "default", "-o", "json"]);
    let Ok(endpoints) = serde_json::from_slice::<Value>(&output.stdout) else { return Vec::new() };
    let mut ips: Vec<String> = endpoints
        .pointer("/subsets/0/addresses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("ip").and_then(Value::as_str).map(str::to_string))
        .collect();
    ips.sort();
    ips
}

#[test]
fn the_kubernetes_service_has_the_first_address_of_the_range_and_endpoints_of_the_apiserver() {
    let server = TestServer::start_with(&["--service-cluster-ip-range", "10.100.0.0/16", "--apiserver-only"]);
    let port = secure_port(&server);
    let listed = server.kubectl_ok(&["get", "svc,endpoints,endpointslices", "-n", "default"]);
    assert!(listed.contains("service/kubernetes"), "{listed}");

    let service = json_of(&server, &["get", "svc", "kubernetes", "-n", "default"]);
    assert_eq!(service.pointer("/spec/clusterIP"), Some(&"10.100.0.1".into()), "{service}");
    assert_eq!(
        service.pointer("/spec/ports/0"),
        Some(&serde_json::json!({"name": "https", "port": 443, "protocol": "TCP", "targetPort": port})),
        "{service}"
    );

    assert!(
        eventually(Duration::from_secs(20), || !endpoint_ips(&server).is_empty()),
        "the kubernetes endpoints never listed the apiserver"
    );
    let endpoints = json_of(&server, &["get", "endpoints", "kubernetes", "-n", "default"]);
    assert_eq!(
        endpoints.pointer("/subsets/0/ports"),
        Some(&serde_json::json!([{"name": "https", "port": port, "protocol": "TCP"}])),
        "{endpoints}"
    );
    assert_eq!(
        endpoints.pointer("/metadata/labels/endpointslice.kubernetes.io~1skip-mirror"),
        Some(&"true".into()),
        "{endpoints}"
    );
    let ip = endpoints.pointer("/subsets/0/addresses/0/ip").and_then(Value::as_str).unwrap_or_default().to_string();
    assert!(!ip.starts_with("127."), "a loopback address is advertised: {endpoints}");
    let yaml = server.kubectl_ok(&["get", "endpoints", "kubernetes", "-n", "default", "-o", "yaml"]);
    assert!(yaml.contains(&format!("- ip: {ip}")), "{yaml}");

    assert!(eventually(Duration::from_secs(20), || {
        server.kubectl(&["get", "endpointslice", "kubernetes", "-n", "default"]).status.success()
    }));
    let slice = json_of(&server, &["get", "endpointslice", "kubernetes", "-n", "default"]);
    assert_eq!(slice["addressType"], "IPv4", "{slice}");
    assert_eq!(slice.pointer("/metadata/labels/kubernetes.io~1service-name"), Some(&"kubernetes".into()));
    assert_eq!(slice["ports"], serde_json::json!([{"name": "https", "port": port, "protocol": "TCP"}]));
    assert_eq!(slice["endpoints"], serde_json::json!([{"addresses": [ip], "conditions": {"ready": true}}]));

    let lease = json_of(
        &server,
        &["get", "leases", "-n", "kube-system", "-l", "apiserver.kubernetes.io/identity=kube-apiserver"],
    );
    let name = lease.pointer("/items/0/metadata/name").and_then(Value::as_str).unwrap_or_default();
    assert!(name.starts_with("apiserver-"), "{lease}");

    // Services allocated later come from the same range.
    server.kubectl_ok(&["create", "service", "clusterip", "web", "--tcp=80:8080"]);
    let web = json_of(&server, &["get", "svc", "web"]);
    let cluster_ip = web.pointer("/spec/clusterIP").and_then(Value::as_str).unwrap_or_default();
    assert!(cluster_ip.starts_with("10.100.") && cluster_ip != "10.100.0.1", "{web}");
}

#[test]
fn two_apiservers_on_one_etcd_both_serve_the_kubernetes_service_until_one_stops() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let etcd = match runtime.block_on(EtcdServer::start(&dir.path().join("etcd"))) {
        Ok(etcd) => etcd,
        Err(EtcdServerError::NotInstalled) if std::env::var_os("CI").is_none() => {
            eprintln!("skipped: {}", EtcdServerError::NotInstalled);
            return;
        }
        Err(err) => panic!("etcd: {err}"),
    };
    let endpoint = etcd.endpoint();
    let flags = |address: &'static str| {
        vec!["--apiserver-only", "--etcd-servers", endpoint.as_str(), "--advertise-address", address]
    };
    let first = TestServer::start_with(&flags("10.0.0.11"));
    let second = TestServer::start_with(&flags("10.0.0.12"));
    let both = vec!["10.0.0.11".to_string(), "10.0.0.12".to_string()];
    assert!(
        eventually(Duration::from_secs(30), || endpoint_ips(&first) == both),
        "endpoints: {:?}",
        endpoint_ips(&first)
    );
    drop(second);
    // Its lease expires (15s after its last renewal); the next reconcile drops it.
    assert!(
        eventually(Duration::from_secs(45), || endpoint_ips(&first) == vec!["10.0.0.11".to_string()]),
        "endpoints: {:?}",
        endpoint_ips(&first)
    );
    drop(first);
    drop(etcd);
}
