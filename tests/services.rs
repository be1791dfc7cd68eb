//! Services, cluster DNS and traffic into the cluster on a real `kctl cluster create`
//! cluster (Docker), driven by the real kubectl: a client pod reaches a Deployment behind
//! a Service by ClusterIP and by name, load is spread, an unready or deleted backend gets
//! nothing, NodePorts answer on the host through kind's extraPortMappings, and the cluster
//! DNS answers headless, SRV, ExternalName and pod records and forwards other names.
//! The clusters' containers, volumes and networks are removed even when a test fails.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use support::docker::{busybox_image, docker, BUSYBOX};
use support::eventually;
use support::kind::Guard;

const TIMEOUT: Duration = Duration::from_secs(120);

/// Three `busybox httpd` pods answering their pod name on 8080 while /www/index.html
/// exists (also their readiness probe), a client pod, and Services in front of them.
fn manifests() -> String {
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: 3
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web, role: member}}}}
    spec:
      containers:
      - name: httpd
        image: {BUSYBOX}
        imagePullPolicy: Never
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
        ports: [{{containerPort: 8080, name: http}}]
        readinessProbe:
          exec: {{command: ["cat", "/www/index.html"]}}
          periodSeconds: 1
---
apiVersion: v1
kind: Service
metadata: {{name: web}}
spec:
  type: NodePort
  selector: {{app: web}}
  ports: [{{name: http, port: 80, targetPort: http, nodePort: 30080}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: client}}
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: client
    image: {BUSYBOX}
    imagePullPolicy: Never
    command: ["sleep", "3600"]
"#
    )
}

fn wait_ready(cluster: &Guard, selector: &str, want: usize) {
    let mut last = String::new();
    let ready = eventually(TIMEOUT, || {
        last = cluster.kubectl_ok(&[
            "get",
            "pods",
            "-l",
            selector,
            "-o",
            r#"jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}"#,
        ]);
        last.lines().filter(|l| *l == "True").count() == want
    });
    assert!(
        ready,
        "pods {selector} not {want} Ready: {last:?}\n{}",
        cluster.kubectl_ok(&["get", "pods", "-o", "wide"])
    );
}

/// Runs `sh -c SCRIPT` in the client pod: (exit status, stdout + stderr).
fn in_client(cluster: &Guard, script: &str) -> (bool, String) {
    let output = cluster.kubectl(&["exec", "client", "--", "sh", "-c", script]);
    (output.status.success(), format!("{}{}", support::stdout(&output), support::stderr(&output)))
}

/// One HTTP GET of `host:port` from the client (busybox nc): the body's last line.
fn fetch(cluster: &Guard, host: &str, port: u16) -> Option<String> {
    let script = format!("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 {host} {port}");
    let (ok, answer) = in_client(cluster, &script);
    (ok && answer.starts_with("HTTP/1.") && answer.contains(" 200 "))
        .then(|| answer.trim_end().lines().last().unwrap_or_default().to_string())
}

fn web_pods(cluster: &Guard) -> BTreeSet<String> {
    let names = cluster.kubectl_ok(&["get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}"]);
    names.split_whitespace().map(str::to_string).collect()
}

#[test]
fn a_deployment_behind_a_service_answers_by_cluster_ip_name_and_node_port() {
    busybox_image();
    let cluster = Guard::new("svc");
    let config = cluster.write(
        "kind.yaml",
        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n  extraPortMappings:\n  - containerPort: 30080\n    hostPort: 0\n    listenAddress: 127.0.0.1\n  - containerPort: 8081\n    hostPort: 0\n    listenAddress: 127.0.0.1\n",
    );
    cluster.create(Some(&config));
    let host_port = format!(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: on-host-port, labels: {{app: other}}}}\nspec:\n  \
         terminationGracePeriodSeconds: 0\n  containers:\n  - name: httpd\n    image: {BUSYBOX}\n    \
         imagePullPolicy: Never\n    command: [sh, -c, 'mkdir /www && echo by-host-port > /www/index.html && \
         exec httpd -f -p 8080 -h /www']\n    ports: [{{containerPort: 8080, hostPort: 8081}}]\n"
    );
    let file = cluster.write("web.yaml", &format!("{}{host_port}", manifests()));
    cluster.kubectl_ok(&["apply", "-f", &file.display().to_string()]);
    wait_ready(&cluster, "app=web", 3);
    wait_ready(&cluster, "!app", 1);
    wait_ready(&cluster, "app=other", 1);
    let pods = web_pods(&cluster);

    // The pod's resolver is the cluster DNS with the namespace's search path, as kind's.
    let (_, resolv) = in_client(&cluster, "cat /etc/resolv.conf");
    assert_eq!(
        resolv,
        "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n"
    );

    let cluster_ip = cluster.kubectl_ok(&["get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"]);
    for host in [cluster_ip.as_str(), "web", "web.default", "web.default.svc.cluster.local"] {
        let mut answer = None;
        eventually(TIMEOUT, || {
            answer = fetch(&cluster, host, 80);
            answer.is_some()
        });
        let answer = answer.unwrap_or_else(|| panic!("{host}:80 did not answer"));
        assert!(pods.contains(&answer), "{host}:80 answered {answer:?}, not one of {pods:?}");
    }

    // Load reaches every backend.
    let mut seen = BTreeSet::new();
    for _ in 0..30 {
        seen.extend(fetch(&cluster, &cluster_ip, 80));
        if seen == pods {
            break;
        }
    }
    assert_eq!(seen, pods, "not every backend got a request");

    // The NodePort, from the host, through the node's extraPortMappings.
    let published = docker(&["port", &format!("{}-control-plane", cluster.name), "30080/tcp"]);
    let published = published.lines().next().unwrap_or_default().trim().to_string();
    let (ip, port) = published.rsplit_once(':').expect("a published address");
    assert_eq!(ip, "127.0.0.1");
    let port: u16 = port.parse().expect("a port");
    let mut from_host = None;
    eventually(TIMEOUT, || {
        from_host = support::docker::http_get("127.0.0.1", port);
        from_host.is_some()
    });
    let from_host = from_host.expect("the NodePort answers on the host");
    assert!(pods.iter().any(|p| from_host.trim_end().ends_with(p.as_str())), "{from_host:?}");
    // A pod's hostPort is the node's port, so a mapping of it reaches the pod.
    let published = docker(&["port", &format!("{}-control-plane", cluster.name), "8081/tcp"]);
    let port: u16 = published.lines().next().and_then(|l| l.trim().rsplit_once(':')?.1.parse().ok()).expect("a port");
    let mut from_host = None;
    eventually(TIMEOUT, || {
        from_host = support::docker::http_get("127.0.0.1", port);
        from_host.is_some()
    });
    assert!(from_host.is_some_and(|a| a.trim_end().ends_with("by-host-port")), "the hostPort does not answer");

    // A pod turning unready leaves the endpoints and gets no more traffic.
    let unready = pods.iter().next().expect("a pod").clone();
    cluster.kubectl_ok(&["exec", &unready, "--", "rm", "/www/index.html"]);
    wait_ready(&cluster, "app=web", 2);
    let left = eventually(TIMEOUT, || {
        let endpoints = cluster.kubectl_ok(&[
            "get",
            "endpointslices",
            "-l",
            "kubernetes.io/service-name=web",
            "-o",
            r#"jsonpath={range .items[*].endpoints[*]}{.targetRef.name}={.conditions.ready}{"\n"}{end}"#,
        ]);
        endpoints.contains(&format!("{unready}=false"))
    });
    assert!(left, "{unready} still ready in the EndpointSlice");
    // The proxy follows the slice within a moment: a few answers from the others first.
    let settled =
        eventually(TIMEOUT, || (0..3).all(|_| fetch(&cluster, &cluster_ip, 80).is_some_and(|name| name != unready)));
    assert!(settled, "{unready} kept getting traffic");
    let answers: Vec<Option<String>> = (0..8).map(|_| fetch(&cluster, &cluster_ip, 80)).collect();
    assert!(
        answers.iter().all(|a| a.as_ref().is_some_and(|name| name != &unready && pods.contains(name))),
        "the unready {unready} still got traffic (or a request failed): {answers:?}"
    );

    // No ready endpoint: refused at once; a deleted Service: refused and gone from DNS.
    cluster.kubectl_ok(&["scale", "deployment", "web", "--replicas=0"]);
    let refused = eventually(TIMEOUT, || {
        let (ok, answer) = in_client(&cluster, &format!("nc -w 3 {cluster_ip} 80 </dev/null"));
        !ok && answer.contains("refused")
    });
    assert!(refused, "a Service without endpoints is not refused");
    cluster.kubectl_ok(&["delete", "service", "web"]);
    let gone = eventually(TIMEOUT, || {
        let (ok, answer) = in_client(&cluster, "nslookup web.default.svc.cluster.local");
        !ok && answer.contains("NXDOMAIN")
    });
    assert!(gone, "a deleted Service still resolves");
}

#[test]
fn cluster_dns_answers_headless_srv_external_name_pod_names_and_forwards_the_rest() {
    busybox_image();
    let cluster = Guard::new("dns");
    let config = cluster.write(
        "kind.yaml",
        "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n",
    );
    cluster.create(Some(&config));
    let extra = format!(
        r#"---
apiVersion: v1
kind: Service
metadata: {{name: db}}
spec:
  clusterIP: None
  selector: {{role: member}}
  ports: [{{name: http, port: 80, targetPort: 8080}}]
---
apiVersion: v1
kind: Service
metadata: {{name: elsewhere}}
spec:
  type: ExternalName
  externalName: {}-control-plane
---
apiVersion: v1
kind: Pod
metadata: {{name: named, labels: {{role: member}}}}
spec:
  hostname: db-0
  subdomain: db
  terminationGracePeriodSeconds: 0
  containers:
  - name: httpd
    image: {BUSYBOX}
    imagePullPolicy: Never
    command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
    readinessProbe:
      exec: {{command: ["cat", "/www/index.html"]}}
      periodSeconds: 1
---
apiVersion: v1
kind: Pod
metadata: {{name: custom-dns}}
spec:
  dnsPolicy: None
  dnsConfig: {{nameservers: ["10.96.0.10"], searches: ["example.test"], options: [{{name: ndots, value: "2"}}]}}
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: {BUSYBOX}
    imagePullPolicy: Never
    command: ["sleep", "3600"]
"#,
        cluster.name
    );
    let file = cluster.write("web.yaml", &format!("{}{extra}", manifests()));
    cluster.kubectl_ok(&["apply", "-f", &file.display().to_string()]);
    wait_ready(&cluster, "role=member", 4);
    wait_ready(&cluster, "!role", 2);

    // The kube-dns Service kind's clusters have.
    let kube_dns = cluster.kubectl_ok(&["get", "svc", "-n", "kube-system", "kube-dns", "-o",
        r#"jsonpath={.spec.clusterIP} {.metadata.labels.k8s-app} {range .spec.ports[*]}{.name}/{.protocol}:{.port} {end}"#]);
    assert_eq!(kube_dns.trim_end(), "10.96.0.10 kube-dns dns/UDP:53 dns-tcp/TCP:53 metrics/TCP:9153");

    let pod_ips = cluster.kubectl_ok(&["get", "pods", "-l", "role=member", "-o", "jsonpath={.items[*].status.podIP}"]);
    let pod_ips: BTreeSet<&str> = pod_ips.split_whitespace().collect();
    let named_ip = cluster.kubectl_ok(&["get", "pod", "named", "-o", "jsonpath={.status.podIP}"]);
    let addresses = |answer: &str| -> BTreeSet<String> {
        // nslookup prints the server's address first, then the answers.
        answer.lines().filter_map(|l| l.strip_prefix("Address: ")).map(|a| a.trim().to_string()).collect()
    };

    // Headless: the ready pods' addresses (the client, on the worker, asks its node's DNS).
    let mut answer = String::new();
    let listed = eventually(TIMEOUT, || {
        answer = in_client(&cluster, "nslookup -type=a db.default.svc.cluster.local").1;
        addresses(&answer) == pod_ips.iter().map(|s| s.to_string()).collect()
    });
    assert!(listed, "headless db lists {answer:?}, want {pod_ips:?}");
    let (_, answer) = in_client(&cluster, "nslookup -type=a db-0.db.default.svc.cluster.local");
    assert_eq!(addresses(&answer), BTreeSet::from([named_ip.clone()]), "{answer}");
    let dashed = format!("{}.default.pod.cluster.local", named_ip.replace('.', "-"));
    let (_, answer) = in_client(&cluster, &format!("nslookup -type=a {dashed}"));
    assert_eq!(addresses(&answer), BTreeSet::from([named_ip.clone()]), "{answer}");

    // SRV of a named port; ExternalName as a CNAME.
    let (_, answer) = in_client(&cluster, "nslookup -type=srv _http._tcp.web.default.svc.cluster.local");
    assert!(answer.contains("service = 0 100 80 web.default.svc.cluster.local"), "{answer}");
    let (_, answer) = in_client(&cluster, "nslookup -type=cname elsewhere.default.svc.cluster.local");
    assert!(answer.contains(&format!("canonical name = {}-control-plane", cluster.name)), "{answer}");

    // Other names go to the node's resolver (Docker's, which knows the node containers).
    let node_ip = docker(&[
        "inspect",
        "-f",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        &format!("{}-control-plane", cluster.name),
    ]);
    let (_, answer) = in_client(&cluster, &format!("nslookup -type=a {}-control-plane.", cluster.name));
    assert_eq!(addresses(&answer), BTreeSet::from([node_ip.trim().to_string()]), "{answer}");

    // The `kubernetes` Service from a pod on the worker: its endpoint is on the control plane.
    let (ok, answer) = in_client(&cluster, "echo | timeout 5 nc -w 3 kubernetes.default 443 >/dev/null && echo open");
    assert!(ok && answer.contains("open"), "kubernetes.default:443 from the worker: {answer}");

    // dnsPolicy None: only dnsConfig.
    let output = cluster.kubectl(&["exec", "custom-dns", "--", "cat", "/etc/resolv.conf"]);
    assert_eq!(support::stdout(&output), "search example.test\nnameserver 10.96.0.10\noptions ndots:2\n");

    // The worker's node restarts: its route, proxy and DNS come back with it.
    docker(&["restart", &format!("{}-worker", cluster.name)]);
    let mut answer = None;
    let back = eventually(TIMEOUT, || {
        answer = fetch(&cluster, "web.default.svc.cluster.local", 80);
        answer.is_some()
    });
    assert!(back, "web does not answer after the worker restarted");
}
