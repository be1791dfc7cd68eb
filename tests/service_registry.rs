//! Service addresses against a real `kctl server` with a service range of its own,
//! driven by the real kubectl: cluster IPs from the range, node ports from 30000–32767,
//! and upstream's 422 for an address out of range, taken, or not an IP, on create and on
//! update, with nothing else disturbed.

mod support;

use support::{stderr, TestServer};

fn service(name: &str, spec: &str) -> String {
    format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector: {{app: {name}}}\n{spec}")
}

fn refused(server: &TestServer, manifest: &str) -> String {
    let output = server.kubectl_stdin(&["create", "-f", "-"], Some(manifest));
    assert!(!output.status.success(), "accepted: {manifest}");
    stderr(&output).trim().to_string()
}

#[test]
fn cluster_ips_and_node_ports_are_allocated_and_checked_as_upstream() {
    let server = TestServer::start_with(&["--service-cluster-ip-range", "10.0.0.0/24"]);
    let kubernetes = server.kubectl_ok(&["get", "service", "kubernetes", "-o", "jsonpath={.spec.clusterIP}"]);
    assert_eq!(kubernetes, "10.0.0.1", "the range's first address");

    let web = service("web", "  type: NodePort\n  ports:\n  - {name: http, port: 80, nodePort: 30080}\n  - {name: dns, port: 53, protocol: UDP}\n");
    server.kubectl_stdin(&["create", "-f", "-"], Some(&web));
    let ip = server.kubectl_ok(&["get", "service", "web", "-o", "jsonpath={.spec.clusterIP} {.spec.clusterIPs[0]}"]);
    let (ip, first) = ip.split_once(' ').unwrap();
    assert_eq!(ip, first);
    assert!(ip.starts_with("10.0.0.") && ip != "10.0.0.1", "{ip}");
    let node_ports = server.kubectl_ok(&["get", "service", "web", "-o", "jsonpath={.spec.ports[*].nodePort}"]);
    let node_ports: Vec<i64> = node_ports.split(' ').map(|p| p.parse().unwrap()).collect();
    assert_eq!(node_ports[0], 30080);
    assert!((30000..=32767).contains(&node_ports[1]) && node_ports[1] != 30080, "{node_ports:?}");

    assert_eq!(
        refused(&server, &service("taken", "  type: NodePort\n  ports:\n  - {port: 80, nodePort: 30080}\n")),
        "The Service \"taken\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"
    );
    assert_eq!(
        refused(&server, &service("far", "  type: NodePort\n  ports:\n  - {port: 80, nodePort: 8080}\n")),
        "The Service \"far\" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the \
         valid range. The range of valid ports is 30000-32767"
    );
    assert_eq!(
        refused(&server, &service("outside", "  clusterIP: 10.96.0.10\n  ports:\n  - {port: 53}\n")),
        "The Service \"outside\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.96.0.10\"}: failed to \
         allocate IP 10.96.0.10: the provided IP (10.96.0.10) is not in the valid range. The range of valid IPs is \
         10.0.0.0/24"
    );
    assert_eq!(
        refused(&server, &service("twin", &format!("  clusterIP: {ip}\n  ports:\n  - {{port: 80}}\n"))),
        format!(
            "The Service \"twin\" is invalid: spec.clusterIPs: Invalid value: []string{{\"{ip}\"}}: failed to \
             allocate IP {ip}: provided IP is already allocated"
        )
    );
    assert_eq!(
        refused(&server, &service("bad", "  clusterIP: 10.0.0.300\n  ports:\n  - {port: 80}\n")),
        "The Service \"bad\" is invalid: spec.clusterIPs[0]: Invalid value: \"10.0.0.300\": must be a valid IP \
         address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
    );
    for refused_name in ["taken", "far", "outside", "twin", "bad"] {
        assert!(!server.kubectl(&["get", "service", refused_name]).status.success());
    }

    // A requested address in range; headless gets none.
    server.kubectl_stdin(
        &["create", "-f", "-"],
        Some(&service("dns", "  clusterIP: 10.0.0.10\n  ports:\n  - {port: 53}\n")),
    );
    server.kubectl_stdin(&["create", "-f", "-"], Some(&service("db", "  clusterIP: None\n")));
    assert_eq!(server.kubectl_ok(&["get", "service", "dns", "-o", "jsonpath={.spec.clusterIP}"]), "10.0.0.10");
    assert_eq!(server.kubectl_ok(&["get", "service", "db", "-o", "jsonpath={.spec.clusterIPs}"]), "[\"None\"]");

    // Updates: another Service's node port is refused; the Service's own are kept by an
    // apply that leaves them out, and dropped when it stops being a NodePort.
    server
        .kubectl_stdin(&["create", "-f", "-"], Some(&service("other", "  type: NodePort\n  ports:\n  - {port: 80}\n")));
    let output = server.kubectl(&[
        "patch",
        "service",
        "other",
        "--type=json",
        "-p",
        r#"[{"op": "replace", "path": "/spec/ports/0/nodePort", "value": 30080}]"#,
    ]);
    assert_eq!(
        stderr(&output).trim(),
        "The Service \"other\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated"
    );
    let applied = service("kept", "  type: NodePort\n  ports:\n  - {port: 80}\n");
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&applied));
    let first = server.kubectl_ok(&["get", "service", "kept", "-o", "jsonpath={.spec.ports[0].nodePort}"]);
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&applied.replace("app: kept", "app: kept2")));
    let second =
        server.kubectl_ok(&["get", "service", "kept", "-o", "jsonpath={.spec.ports[0].nodePort} {.spec.selector.app}"]);
    assert_eq!(second, format!("{first} kept2"));
    server.kubectl_stdin(&["apply", "-f", "-"], Some(&applied.replace("NodePort", "ClusterIP")));
    assert_eq!(server.kubectl_ok(&["get", "service", "kept", "-o", "jsonpath={.spec.ports[0].nodePort}"]), "");
    // Its port is free again, and web still holds 30080.
    server.kubectl_stdin(
        &["create", "-f", "-"],
        Some(&service("reuse", &format!("  type: NodePort\n  ports:\n  - {{port: 80, nodePort: {first}}}\n"))),
    );
    assert_eq!(server.kubectl_ok(&["get", "service", "reuse", "-o", "jsonpath={.spec.ports[0].nodePort}"]), first);
    assert_eq!(server.kubectl_ok(&["get", "service", "web", "-o", "jsonpath={.spec.ports[0].nodePort}"]), "30080");
}
