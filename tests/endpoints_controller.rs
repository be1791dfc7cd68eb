//! The endpoints and endpointslice controllers against a real `kctl server` with hollow
//! nodes (pods become Running and Ready with an IP, no containers), driven by the real
//! kubectl: named and numeric target ports, multi-port, readiness, publishNotReadyAddresses,
//! headless Services, a Service selecting nothing, the `kubernetes` Service left to the
//! apiserver, and a deleted Service's Endpoints.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::{eventually, TestServer};

const WAIT: Duration = Duration::from_secs(60);

const MANIFESTS: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: busybox
        ports:
        - {name: http, containerPort: 8080}
        - {name: dns, containerPort: 5353, protocol: UDP}
---
apiVersion: v1
kind: Service
metadata:
  name: web
  labels: {tier: front}
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
  - {name: metrics, port: 9090}
  - {name: dns, port: 53, targetPort: dns, protocol: UDP}
---
apiVersion: v1
kind: Service
metadata:
  name: web-all
spec:
  selector: {app: web}
  publishNotReadyAddresses: true
  ports:
  - {port: 80, targetPort: 8080}
---
apiVersion: v1
kind: Service
metadata:
  name: web-headless
spec:
  clusterIP: None
  selector: {app: web}
---
apiVersion: v1
kind: Service
metadata:
  name: nobody
spec:
  selector: {app: nobody}
  ports:
  - {port: 80}
";

fn get(server: &TestServer, args: &[&str]) -> Value {
    let output = server.kubectl(&[args, &["-o", "json"]].concat());
    serde_json::from_slice(&output.stdout).unwrap_or_default()
}

fn slices_of(server: &TestServer, service: &str) -> Vec<Value> {
    let list = get(server, &["get", "endpointslices", "-l", &format!("kubernetes.io/service-name={service}")]);
    list["items"].as_array().cloned().unwrap_or_default()
}

fn ips(addresses: &Value) -> Vec<String> {
    let mut ips: Vec<String> =
        addresses.as_array().into_iter().flatten().filter_map(|a| a["ip"].as_str().map(str::to_string)).collect();
    ips.sort();
    ips
}

/// The ready and not-ready addresses of a Service's Endpoints (one subset expected).
fn endpoint_ips(server: &TestServer, service: &str) -> (Vec<String>, Vec<String>) {
    let endpoints = get(server, &["get", "endpoints", service]);
    (ips(&endpoints["subsets"][0]["addresses"]), ips(&endpoints["subsets"][0]["notReadyAddresses"]))
}

fn pod_ips(server: &TestServer) -> Vec<(String, String)> {
    let pods = get(server, &["get", "pods", "-l", "app=web"]);
    let mut found: Vec<(String, String)> = pods["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["status"]["conditions"].as_array().is_some_and(|c| c.iter().any(|c| c["type"] == "Ready")))
        .filter_map(|p| Some((p["status"]["podIP"].as_str()?.to_string(), p["metadata"]["name"].as_str()?.to_string())))
        .collect();
    found.sort();
    found
}

#[test]
fn endpoints_and_slices_follow_the_selected_pods() {
    let server = TestServer::start_with(&["--hollow-nodes", "2"]);
    server.kubectl_stdin(&["apply", "-f", "-"], Some(MANIFESTS));

    let mut pods = Vec::new();
    assert!(
        eventually(WAIT, || {
            pods = pod_ips(&server);
            pods.len() == 2 && endpoint_ips(&server, "web").0.len() == 2
        }),
        "endpoints of web: {} pods: {pods:?}",
        get(&server, &["get", "endpoints", "web"])
    );
    let pod_ips: Vec<String> = pods.iter().map(|(ip, _)| ip.clone()).collect();

    // Endpoints: one subset, named port resolved per protocol, numeric port as given.
    let endpoints = get(&server, &["get", "endpoints", "web"]);
    assert_eq!(endpoints["metadata"]["labels"], json!({"tier": "front"}), "the service's labels");
    let subsets = endpoints["subsets"].as_array().unwrap();
    assert_eq!(subsets.len(), 1, "{endpoints}");
    assert_eq!(ips(&subsets[0]["addresses"]), pod_ips);
    let address = &subsets[0]["addresses"][0];
    assert_eq!(address["targetRef"]["kind"], "Pod");
    assert!(address["nodeName"].as_str().unwrap().starts_with("hollow-node-"));
    let mut ports: Vec<(String, i64, String)> = subsets[0]["ports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["port"].as_i64().unwrap(),
                p["protocol"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    ports.sort();
    assert_eq!(
        ports,
        [
            ("dns".into(), 5353, "UDP".into()),
            ("http".into(), 8080, "TCP".into()),
            ("metrics".into(), 9090, "TCP".into())
        ]
    );

    // The slice: both pods, ready, serving, not terminating, owned by the Service.
    let slices = slices_of(&server, "web");
    assert_eq!(slices.len(), 1, "{slices:?}");
    let slice = &slices[0];
    assert_eq!(slice["addressType"], "IPv4");
    assert_eq!(
        slice["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"],
        "endpointslice-controller.k8s.io"
    );
    assert_eq!(slice["metadata"]["labels"]["tier"], "front");
    assert_eq!(slice["metadata"]["ownerReferences"][0]["kind"], "Service");
    assert!(slice["metadata"]["name"].as_str().unwrap().starts_with("web-"));
    let endpoints_in_slice = slice["endpoints"].as_array().unwrap();
    assert_eq!(endpoints_in_slice.len(), 2);
    for endpoint in endpoints_in_slice {
        assert_eq!(endpoint["conditions"], json!({"ready": true, "serving": true, "terminating": false}));
    }
    let mut slice_ports: Vec<i64> =
        slice["ports"].as_array().unwrap().iter().map(|p| p["port"].as_i64().unwrap()).collect();
    slice_ports.sort();
    assert_eq!(slice_ports, [5353, 8080, 9090]);

    // kubectl's own columns.
    let table = server.kubectl_ok(&["get", "endpoints", "web"]);
    assert!(table.starts_with("NAME"), "{table}");
    assert!(table.contains(&format!("{}:", pod_ips[0])) && table.contains("+ 3 more..."), "{table}");
    let table = server.kubectl_ok(&["get", "endpointslices", "-l", "kubernetes.io/service-name=web"]);
    assert!(table.contains("IPv4") && table.contains(&pod_ips[0]), "{table}");

    // Headless without ports: port-less addresses, headless label, on both objects.
    assert!(eventually(WAIT, || endpoint_ips(&server, "web-headless").0 == pod_ips));
    let headless = get(&server, &["get", "endpoints", "web-headless"]);
    assert_eq!(headless["metadata"]["labels"], json!({"service.kubernetes.io/headless": ""}));
    assert!(headless["subsets"][0]["ports"].is_null(), "{headless}");
    assert!(slices_of(&server, "web-headless")[0]["metadata"]["labels"]["service.kubernetes.io/headless"] == "");

    // Selecting nothing: an empty Endpoints and one placeholder slice.
    assert!(eventually(WAIT, || !slices_of(&server, "nobody").is_empty()));
    let nobody = get(&server, &["get", "endpoints", "nobody"]);
    assert!(nobody["subsets"].is_null(), "{nobody}");
    assert!(server.kubectl_ok(&["get", "endpoints", "nobody"]).contains("<none>"));
    let placeholder = &slices_of(&server, "nobody")[0];
    assert!(placeholder["endpoints"].as_array().is_none_or(Vec::is_empty), "{placeholder}");

    // A pod turning unready: not ready in Endpoints (and ready anyway where not-ready
    // addresses are published); serving false in the slice.
    let (unready_ip, unready) = pods[0].clone();
    server.kubectl_ok(&[
        "patch",
        "pod",
        &unready,
        "--subresource=status",
        "--type=strategic",
        "-p",
        r#"{"status":{"conditions":[{"type":"Ready","status":"False"}]}}"#,
    ]);
    assert!(
        eventually(WAIT, || endpoint_ips(&server, "web") == (vec![pods[1].0.clone()], vec![unready_ip.clone()])),
        "{}",
        get(&server, &["get", "endpoints", "web"])
    );
    let conditions_of = |service: &str| -> Value {
        let slices = slices_of(&server, service);
        let endpoint =
            slices[0]["endpoints"].as_array().unwrap().iter().find(|e| e["addresses"][0] == unready_ip.as_str());
        endpoint.map(|e| e["conditions"].clone()).unwrap_or_default()
    };
    assert!(
        eventually(WAIT, || conditions_of("web") == json!({"ready": false, "serving": false, "terminating": false}))
    );
    assert_eq!(endpoint_ips(&server, "web-all").0, pod_ips, "publishNotReadyAddresses keeps it ready");
    assert!(
        eventually(WAIT, || conditions_of("web-all") == json!({"ready": true, "serving": false, "terminating": false}))
    );

    // The kubernetes Service stays the apiserver's: one address, no controller slice.
    let kubernetes = slices_of(&server, "kubernetes");
    assert_eq!(kubernetes.len(), 1, "{kubernetes:?}");
    assert_ne!(
        kubernetes[0]["metadata"]["labels"]["endpointslice.kubernetes.io/managed-by"],
        "endpointslice-controller.k8s.io"
    );

    // A deleted Service takes its Endpoints and slices along.
    server.kubectl_ok(&["delete", "service", "web"]);
    assert!(eventually(WAIT, || {
        let gone = server.kubectl(&["get", "endpoints", "web"]);
        !gone.status.success() && slices_of(&server, "web").is_empty()
    }));
    assert!(server.kubectl(&["get", "endpoints", "web-all"]).status.success(), "other services keep theirs");
}
