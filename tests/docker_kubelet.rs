//! The Docker kubelet end to end: `kctl server --docker-node n1` runs pods as containers
//! of a locally built FROM-scratch busybox image, driven by the real kubectl. Every test
//! removes its cluster's containers (by label) even when it fails, and polls with
//! deadlines.

mod support;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{eventually, stdout};

use support::docker::{docker, http_get, DockerCluster, BUSYBOX as IMAGE, TIMEOUT};

#[test]
fn a_pod_runs_as_containers_with_its_own_ip_and_is_deleted_with_them() {
    let cluster = DockerCluster::start();
    cluster.kubectl_ok(&[
        "run",
        "web",
        &format!("--image={IMAGE}"),
        "--command",
        "--",
        "busybox",
        "httpd",
        "-f",
        "-p",
        "8080",
    ]);
    cluster.wait_for_pod("web", "{.status.phase}", |p| p == "Running");
    let ip = cluster.pod("web", "{.status.podIP}");
    assert!(ip.parse::<std::net::Ipv4Addr>().is_ok(), "pod IP {ip:?}");
    assert_eq!(cluster.pod("web", "{.status.hostIP}"), "127.0.0.1");
    assert_eq!(cluster.pod("web", "{.status.conditions[?(@.type==\"Ready\")].status}"), "True");
    assert!(cluster.pod("web", "{.status.containerStatuses[0].containerID}").starts_with("docker://"));
    assert_eq!(cluster.pod("web", "{.status.containerStatuses[0].state.running.startedAt}").is_empty(), false);
    let mut answer = None;
    assert!(
        eventually(TIMEOUT, || {
            answer = http_get(&ip, 8080);
            answer.is_some()
        }),
        "nothing answers on {ip}:8080"
    );
    assert!(answer.unwrap_or_default().starts_with("HTTP/1."), "httpd answers HTTP");
    assert_eq!(cluster.containers(Some("web")).len(), 2, "a sandbox and the container");
    let events = cluster.kubectl_ok(&["get", "events", "--field-selector", "involvedObject.name=web"]);
    assert!(events.contains("Created container: web") && events.contains("Started container web"), "{events}");

    cluster.kubectl_ok(&["delete", "pod", "web", "--grace-period=1"]);
    assert!(cluster.containers(Some("web")).is_empty(), "the pod's containers are removed before the pod");
    let events = cluster.kubectl_ok(&["get", "events", "--field-selector", "involvedObject.name=web"]);
    assert!(events.contains("Stopping container web"), "{events}");
}

#[test]
fn logs_are_the_containers_output() {
    let cluster = DockerCluster::start();
    cluster.kubectl_ok(&[
        "run",
        "hello",
        &format!("--image={IMAGE}"),
        "--restart=Never",
        "--env=GREETING=hi",
        "--command",
        "--",
        "sh",
        "-c",
        "echo $GREETING; echo two",
    ]);
    cluster.wait_for_pod("hello", "{.status.phase}", |p| p == "Succeeded");
    assert_eq!(cluster.pod("hello", "{.status.containerStatuses[0].state.terminated.reason}"), "Completed");
    assert_eq!(cluster.kubectl_ok(&["logs", "hello"]), "hi\ntwo\n");
    assert_eq!(cluster.kubectl_ok(&["logs", "hello", "--tail=1"]), "two\n");
    assert_eq!(cluster.kubectl_ok(&["logs", "hello", "--limit-bytes=2"]), "hi");
    let stamped = cluster.kubectl_ok(&["logs", "hello", "--timestamps"]);
    let lines: Vec<&str> = stamped.lines().collect();
    assert_eq!(lines.len(), 2, "{stamped}");
    for (line, text) in lines.iter().zip(["hi", "two"]) {
        let (stamp, rest) = line.split_once(' ').expect("timestamp, space, line");
        assert_eq!(rest, text);
        assert!(chrono::DateTime::parse_from_rfc3339(stamp).is_ok(), "an RFC 3339 timestamp: {stamp}");
    }
}

#[test]
fn following_the_logs_of_a_pod_that_exits_ends() {
    let cluster = DockerCluster::start();
    let script = "echo one; sleep 2; echo two";
    cluster.kubectl_ok(&[
        "run",
        "counter",
        &format!("--image={IMAGE}"),
        "--restart=Never",
        "--command",
        "--",
        "sh",
        "-c",
        script,
    ]);
    cluster.wait_for_pod("counter", "{.status.containerStatuses[0].containerID}", |id| !id.is_empty());
    let server = cluster.server();
    let mut follow = Command::new("kubectl")
        .args(["logs", "-f", "counter"])
        .env("KUBECONFIG", &server.kubeconfig)
        .env("HOME", server.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl logs -f");
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = follow.try_wait().expect("kubectl logs -f") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = follow.kill();
            panic!("kubectl logs -f did not end when the container exited");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut output = String::new();
    follow.stdout.take().expect("stdout").read_to_string(&mut output).expect("read logs");
    assert!(status.success(), "kubectl logs -f failed");
    assert_eq!(output, "one\ntwo\n");
}

#[test]
fn a_missing_image_backs_off() {
    let cluster = DockerCluster::start();
    cluster.kubectl_ok(&["run", "missing", "--image=kctl-test/does-not-exist:1"]);
    cluster.wait_for_pod("missing", "{.status.containerStatuses[0].state.waiting.reason}", |r| r == "ImagePullBackOff");
    assert_eq!(cluster.pod("missing", "{.status.phase}"), "Pending");
    let events = cluster.kubectl_ok(&["get", "events", "--field-selector", "involvedObject.name=missing"]);
    assert!(events.contains("Error: ErrImagePull") && events.contains("Back-off pulling image"), "{events}");
    let logs = cluster.server().kubectl(&["logs", "missing"]);
    assert!(
        support::stderr(&logs).contains("is waiting to start: trying and failing to pull image"),
        "{}",
        support::stderr(&logs)
    );
}

#[test]
fn an_image_the_engine_has_runs_when_its_pull_fails() {
    let cluster = DockerCluster::start();
    // `:latest` is pulled at every start (policy Always); this repository is on no
    // registry, so the pull fails whether or not the machine is online.
    let local = "kctl-test/busybox:latest";
    docker(&["tag", IMAGE, local]);
    cluster.kubectl_ok(&["run", "local", &format!("--image={local}"), "--command", "--", "sleep", "3600"]);
    cluster.wait_for_pod("local", "{.status.phase}", |phase| phase == "Running");
    let policy = cluster.pod("local", "{.spec.containers[0].imagePullPolicy}");
    assert_eq!(policy, "Always");
    let events = cluster.kubectl_ok(&["get", "events", "--field-selector", "involvedObject.name=local"]);
    assert!(
        events.contains("PulledLocally") && events.contains("using the image present on the node instead"),
        "{events}"
    );
    docker(&["rmi", local]);
}

#[test]
fn containers_of_a_pod_share_localhost_so_a_second_bind_fails_and_restarts() {
    let cluster = DockerCluster::start();
    let manifest = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: twoport}}\nspec:\n  containers:\n  \
         - {{name: a, image: \"{IMAGE}\", command: [busybox, httpd, -f, -p, \"8080\"]}}\n  \
         - {{name: b, image: \"{IMAGE}\", command: [busybox, httpd, -f, -p, \"8080\"]}}\n"
    );
    cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    cluster.wait_for_pod("twoport", "{.status.containerStatuses[1].restartCount}", |n| {
        n.parse::<u32>().is_ok_and(|n| n >= 1)
    });
    assert_eq!(cluster.pod("twoport", "{.status.containerStatuses[0].state.running.startedAt}").is_empty(), false);
    assert_eq!(cluster.pod("twoport", "{.status.containerStatuses[1].lastState.terminated.exitCode}"), "1");
    let previous = cluster.kubectl_ok(&["logs", "twoport", "-c", "b", "--previous"]);
    assert!(previous.contains("Address already in use"), "{previous}");
    assert_eq!(cluster.pod("twoport", "{.status.conditions[?(@.type==\"Ready\")].status}"), "False");
    cluster.wait_for_pod("twoport", "{.status.containerStatuses[1].state.waiting.reason}", |r| r == "CrashLoopBackOff");
}

#[test]
fn containers_share_empty_dirs_and_see_their_pod_in_env() {
    let cluster = DockerCluster::start();
    let manifest = format!(
        r#"apiVersion: v1
kind: Pod
metadata: {{name: shared}}
spec:
  restartPolicy: Never
  volumes: [{{name: data, emptyDir: {{}}}}]
  containers:
  - name: writer
    image: "{IMAGE}"
    command: [sh, -c, "echo written > /data/file"]
    volumeMounts: [{{name: data, mountPath: /data}}]
  - name: reader
    image: "{IMAGE}"
    workingDir: /data
    command: [sh, -c, "until [ -f file ]; do sleep 0.1; done; cat file; echo $(POD) $NS $IP"]
    env:
    - {{name: POD, valueFrom: {{fieldRef: {{fieldPath: metadata.name}}}}}}
    - {{name: NS, valueFrom: {{fieldRef: {{fieldPath: metadata.namespace}}}}}}
    - {{name: IP, valueFrom: {{fieldRef: {{fieldPath: status.podIP}}}}}}
    volumeMounts: [{{name: data, mountPath: /data}}]
"#
    );
    cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    cluster.wait_for_pod("shared", "{.status.phase}", |p| p == "Succeeded");
    let ip = cluster.pod("shared", "{.status.podIP}");
    assert_eq!(cluster.kubectl_ok(&["logs", "shared", "-c", "reader"]), format!("written\nshared default {ip}\n"));
}

/// `kctl logs` beside `kubectl logs` on the same containers: same bytes, same stderr
/// (kubectl's "Defaulted container" notes), same exit codes.
#[test]
fn kctl_logs_print_what_kubectl_logs_prints() {
    let cluster = DockerCluster::start();
    let server = cluster.server();
    let manifest = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: multi, labels: {{app: multi}}}}\nspec:\n  restartPolicy: Never\n  containers:\n  - {{name: first, image: {IMAGE}, command: [sh, -c, 'echo a1; echo a2']}}\n  - {{name: second, image: {IMAGE}, command: [sh, -c, 'echo b1']}}\n---\napiVersion: v1\nkind: Pod\nmetadata: {{name: crashing, labels: {{app: crashing}}}}\nspec:\n  containers:\n  - {{name: app, image: {IMAGE}, command: [sh, -c, 'echo ran; exit 1']}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: talker}}\nspec:\n  selector: {{matchLabels: {{app: talker}}}}\n  template:\n    metadata: {{labels: {{app: talker}}}}\n    spec:\n      containers:\n      - {{name: app, image: {IMAGE}, command: [sh, -c, 'echo hello; echo again; sleep 3600']}}\n"
    );
    let out = server.kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    assert!(out.status.success(), "{}", support::stderr(&out));
    cluster.wait_for_pod("multi", "{.status.phase}", |p| p == "Succeeded");
    cluster.wait_for_pod("crashing", "{.status.containerStatuses[0].restartCount}", |n| n.parse().unwrap_or(0) >= 1);
    let talking = eventually(TIMEOUT, || stdout(&server.kubectl(&["logs", "deployment/talker"])) == "hello\nagain\n");
    assert!(talking, "the deployment's pod runs and has said both lines");
    let run = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .env("KUBECONFIG", &server.kubeconfig)
            .env("HOME", server.dir.path())
            .output()
            .expect("run")
    };
    let cases: &[&[&str]] = &[
        &["logs", "multi"],
        &["logs", "multi", "-c", "second"],
        &["logs", "multi", "--all-containers"],
        &["logs", "multi", "--all-containers", "--prefix"],
        &["logs", "multi", "-c", "first", "--tail=1", "--timestamps"],
        &["logs", "-l", "app=multi", "--all-containers"],
        &["logs", "pod/multi", "-f", "-c", "first"],
        &["logs", "crashing", "-p"],
        &["logs", "multi", "-c", "nope"],
        &["logs", "deployment/talker"],
        &["logs", "deploy/talker", "--tail=1"],
    ];
    for args in cases {
        let (expected, actual) = (run("kubectl", args), run(env!("CARGO_BIN_EXE_kctl"), args));
        assert_eq!(actual.status.code(), expected.status.code(), "exit code of {args:?}: {}", support::stderr(&actual));
        // kubectl reads several containers' logs in Go map order (at random): compare the
        // lines as sets there; kctl keeps the pod's container order.
        let lines = |o: &std::process::Output| {
            let mut lines: Vec<String> = stdout(o).lines().map(str::to_string).collect();
            if args.contains(&"--all-containers") {
                lines.sort();
            }
            lines
        };
        assert_eq!(lines(&actual), lines(&expected), "stdout of {args:?}");
        assert_eq!(support::stderr(&actual), support::stderr(&expected), "stderr of {args:?}");
    }
    let all = run(env!("CARGO_BIN_EXE_kctl"), &["logs", "multi", "--all-containers", "--prefix"]);
    assert_eq!(stdout(&all), "[pod/multi/first] a1\n[pod/multi/first] a2\n[pod/multi/second] b1\n");
}

impl DockerCluster {
    /// Runs `command` in the running engine container of the pod's `container` (the
    /// test's own hand in the container, independent of the kubelet).
    fn engine_exec(&self, pod: &str, container: &str, command: &[&str]) {
        let filters = [
            format!("label=kctl.io/cluster={}", self.cluster),
            format!("label=kctl.io/pod={pod}"),
            format!("label=kctl.io/container={container}"),
        ];
        let id = docker(&["ps", "-q", "--filter", &filters[0], "--filter", &filters[1], "--filter", &filters[2]]);
        let id = id.split_whitespace().next().unwrap_or_else(|| panic!("no running container {container} of {pod}"));
        docker(&[&["exec", id], command].concat());
    }

    fn events_of(&self, object: &str) -> String {
        self.kubectl_ok(&["get", "events", "--field-selector", &format!("involvedObject.name={object}")])
    }
}

#[test]
fn readiness_probes_gate_ready_and_deployment_availability() {
    let cluster = DockerCluster::start();
    let manifest = format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata: {{name: gated}}
spec:
  selector: {{matchLabels: {{app: gated}}}}
  template:
    metadata: {{labels: {{app: gated}}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: "{IMAGE}"
        command: [sh, -c, "mkdir -p /www && exec httpd -f -p 8080 -h /www"]
        ports: [{{name: http, containerPort: 8080}}]
        readinessProbe:
          httpGet: {{path: /ready, port: http, httpHeaders: [{{name: X-Probe, value: "yes"}}]}}
          periodSeconds: 1
      - name: side
        image: "{IMAGE}"
        command: [sleep, "3600"]
        readinessProbe:
          tcpSocket: {{port: 8080}}
          periodSeconds: 1
"#
    );
    cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    let pod = eventually(TIMEOUT, || {
        !cluster
            .jsonpath(&["pods", "-l", "app=gated"], "{.items[0].status.containerStatuses[0].state.running}")
            .is_empty()
    });
    assert!(pod, "the deployment's pod runs");
    let name = cluster.jsonpath(&["pods", "-l", "app=gated"], "{.items[0].metadata.name}");
    // httpd answers 404 until /www/ready exists; the tcp probe of `side` succeeds.
    cluster.wait_for_pod(&name, "{.status.containerStatuses[?(@.name==\"side\")].ready}", |r| r == "true");
    let events = cluster.events_of(&name);
    assert!(events.contains("Readiness probe failed: HTTP probe failed with statuscode: 404"), "{events}");
    assert_eq!(cluster.pod(&name, "{.status.containerStatuses[?(@.name==\"web\")].ready}"), "false");
    assert_eq!(cluster.pod(&name, "{.status.containerStatuses[?(@.name==\"web\")].started}"), "true");
    assert_eq!(cluster.pod(&name, "{.status.conditions[?(@.type==\"Ready\")].status}"), "False");
    let message = cluster.pod(&name, "{.status.conditions[?(@.type==\"ContainersReady\")].message}");
    assert_eq!(message, "containers with unready status: [web]");
    let table = cluster.kubectl_ok(&["get", "pod", &name, "--no-headers"]);
    assert!(table.contains(" 1/2 ") && table.contains("Running"), "{table}");
    let available = cluster.jsonpath(&["deployment", "gated"], "{.status.availableReplicas}");
    assert!(available.is_empty() || available == "0", "no replica is available yet: {available}");

    cluster.engine_exec(&name, "web", &["touch", "/www/ready"]);
    cluster.wait_for_pod(&name, "{.status.conditions[?(@.type==\"Ready\")].status}", |s| s == "True");
    let available =
        eventually(TIMEOUT, || cluster.jsonpath(&["deployment", "gated"], "{.status.availableReplicas}") == "1");
    assert!(available, "the deployment becomes available once its pod is ready");
    let table = cluster.kubectl_ok(&["get", "pod", &name, "--no-headers"]);
    assert!(table.contains(" 2/2 "), "{table}");
}

#[test]
fn a_failing_liveness_probe_restarts_the_container() {
    let cluster = DockerCluster::start();
    let manifest = format!(
        r#"apiVersion: v1
kind: Pod
metadata: {{name: lively}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: "{IMAGE}"
    command: [sh, -c, "mkdir -p /tmp && touch /tmp/healthy && exec sleep 3600"]
    livenessProbe:
      exec: {{command: [cat, /tmp/healthy]}}
      periodSeconds: 1
      failureThreshold: 2
"#
    );
    cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    cluster.wait_for_pod("lively", "{.status.containerStatuses[0].ready}", |r| r == "true");
    assert_eq!(cluster.pod("lively", "{.status.containerStatuses[0].restartCount}"), "0");
    cluster.engine_exec("lively", "app", &["rm", "/tmp/healthy"]);
    cluster.wait_for_pod("lively", "{.status.containerStatuses[0].restartCount}", |n| n == "1");
    cluster.wait_for_pod("lively", "{.status.containerStatuses[0].state.running.startedAt}", |s| !s.is_empty());
    let events = cluster.events_of("lively");
    assert!(events.contains("Liveness probe failed: cat: can't open '/tmp/healthy'"), "{events}");
    assert!(events.contains("Container app failed liveness probe, will be restarted"), "{events}");
    let described = cluster.kubectl_ok(&["describe", "pod", "lively"]);
    assert!(described.contains("Liveness:") && described.contains("exec [cat /tmp/healthy]"), "{described}");
    assert!(described.contains("Restart Count:  1"), "{described}");
    // The new container made /tmp/healthy again: no further restart.
    let later = cluster.pod("lively", "{.status.containerStatuses[0].restartCount}");
    assert_eq!(later, "1");
}

#[test]
fn a_startup_probe_holds_back_readiness_and_kills_a_container_that_never_starts() {
    let cluster = DockerCluster::start();
    let manifest = format!(
        r#"apiVersion: v1
kind: Pod
metadata: {{name: slow}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: "{IMAGE}"
    command: [sh, -c, "mkdir -p /tmp && exec sleep 3600"]
    startupProbe:
      exec: {{command: [test, -f, /tmp/started]}}
      periodSeconds: 1
      failureThreshold: 600
    readinessProbe:
      exec: {{command: ["true"]}}
      periodSeconds: 1
  - name: never
    image: "{IMAGE}"
    command: [sleep, "3600"]
    startupProbe:
      exec: {{command: [test, -f, /tmp/started]}}
      periodSeconds: 1
      failureThreshold: 2
"#
    );
    cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    cluster.wait_for_pod("slow", "{.status.containerStatuses[?(@.name==\"never\")].restartCount}", |n| {
        n.parse::<u32>().is_ok_and(|n| n >= 1)
    });
    let events = cluster.events_of("slow");
    assert!(events.contains("Container never failed startup probe, will be restarted"), "{events}");
    assert!(events.contains("Startup probe failed"), "{events}");
    assert_eq!(cluster.pod("slow", "{.status.containerStatuses[?(@.name==\"app\")].restartCount}"), "0");
    assert_eq!(cluster.pod("slow", "{.status.containerStatuses[?(@.name==\"app\")].started}"), "false");
    assert_eq!(cluster.pod("slow", "{.status.containerStatuses[?(@.name==\"app\")].ready}"), "false");
    cluster.engine_exec("slow", "app", &["touch", "/tmp/started"]);
    cluster.wait_for_pod("slow", "{.status.containerStatuses[?(@.name==\"app\")].ready}", |r| r == "true");
    assert_eq!(cluster.pod("slow", "{.status.containerStatuses[?(@.name==\"app\")].started}"), "true");
}

#[test]
fn init_containers_run_in_order_before_the_app_containers() {
    let cluster = DockerCluster::start();
    let manifest = format!(
        r#"apiVersion: v1
kind: Pod
metadata: {{name: ordered}}
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{{name: data, emptyDir: {{}}}}]
  initContainers:
  - name: first
    image: "{IMAGE}"
    command: [sh, -c, "echo one >> /data/log; sleep 3"]
    volumeMounts: [{{name: data, mountPath: /data}}]
  - name: second
    image: "{IMAGE}"
    command: [sh, -c, "echo two >> /data/log"]
    volumeMounts: [{{name: data, mountPath: /data}}]
  containers:
  - name: main
    image: "{IMAGE}"
    command: [sh, -c, "cat /data/log; exec sleep 3600"]
    volumeMounts: [{{name: data, mountPath: /data}}]
"#
    );
    cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    cluster.wait_for_pod("ordered", "{.status.initContainerStatuses[0].state.running.startedAt}", |s| !s.is_empty());
    let table = cluster.kubectl_ok(&["get", "pod", "ordered", "--no-headers"]);
    assert!(table.contains("Init:0/2"), "{table}");
    assert_eq!(cluster.pod("ordered", "{.status.containerStatuses[0].state.waiting.reason}"), "PodInitializing");
    assert_eq!(cluster.pod("ordered", "{.status.initContainerStatuses[1].state.waiting.reason}"), "PodInitializing");
    let initialized = cluster.pod("ordered", "{.status.conditions[?(@.type==\"Initialized\")].message}");
    assert_eq!(initialized, "containers with incomplete status: [first second]");

    cluster.wait_for_pod("ordered", "{.status.phase}", |p| p == "Running");
    let log = eventually(TIMEOUT, || stdout(&cluster.server().kubectl(&["logs", "ordered"])) == "one\ntwo\n");
    assert!(log, "the init containers ran one after the other before main");
    assert_eq!(
        cluster.pod("ordered", "{.status.initContainerStatuses[*].state.terminated.reason}"),
        "Completed Completed"
    );
    assert_eq!(cluster.pod("ordered", "{.status.initContainerStatuses[*].ready}"), "true true");
    assert_eq!(cluster.pod("ordered", "{.status.conditions[?(@.type==\"Initialized\")].status}"), "True");
    let events = cluster.events_of("ordered");
    assert!(events.contains("Started container first") && events.contains("Started container second"), "{events}");
    let described = cluster.kubectl_ok(&["describe", "pod", "ordered"]);
    assert!(described.contains("Init Containers:") && described.contains("Reason:       Completed"), "{described}");
}

#[test]
fn a_failing_init_container_fails_the_pod_or_backs_off() {
    let cluster = DockerCluster::start();
    let manifest = |name: &str, policy: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  restartPolicy: {policy}\n  \
             initContainers:\n  - {{name: setup, image: \"{IMAGE}\", command: [sh, -c, 'exit 3']}}\n  \
             containers:\n  - {{name: main, image: \"{IMAGE}\", command: [sleep, '3600']}}\n"
        )
    };
    let both = format!("{}---\n{}", manifest("once", "Never"), manifest("again", "Always"));
    cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(&both));
    cluster.wait_for_pod("once", "{.status.phase}", |p| p == "Failed");
    let table = cluster.kubectl_ok(&["get", "pod", "once", "--no-headers"]);
    assert!(table.contains("Init:Error"), "{table}");
    assert_eq!(cluster.pod("once", "{.status.initContainerStatuses[0].state.terminated.exitCode}"), "3");
    assert_eq!(cluster.pod("once", "{.status.containerStatuses[0].state.waiting.reason}"), "PodInitializing");
    assert!(cluster.containers(Some("once")).iter().all(|id| !docker(&["inspect", id]).contains("\"main\"")));

    cluster
        .wait_for_pod("again", "{.status.initContainerStatuses[0].state.waiting.reason}", |r| r == "CrashLoopBackOff");
    let table = cluster.kubectl_ok(&["get", "pod", "again", "--no-headers"]);
    assert!(table.contains("Init:CrashLoopBackOff"), "{table}");
    assert_eq!(cluster.pod("again", "{.status.phase}"), "Pending");
}

#[test]
fn a_sidecar_runs_beside_the_app_and_stops_when_it_is_done() {
    let cluster = DockerCluster::start();
    let manifest = format!(
        r#"apiVersion: v1
kind: Pod
metadata: {{name: sided}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  initContainers:
  - name: proxy
    image: "{IMAGE}"
    restartPolicy: Always
    command: [busybox, httpd, -f, -p, "8080"]
    startupProbe:
      tcpSocket: {{port: 8080}}
      periodSeconds: 1
  containers:
  - name: job
    image: "{IMAGE}"
    command: [sh, -c, "sleep 4; printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 8080 | grep -q HTTP && echo reached the sidecar"]
"#
    );
    cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    cluster.wait_for_pod("sided", "{.status.containerStatuses[0].state.running.startedAt}", |s| !s.is_empty());
    assert_eq!(cluster.pod("sided", "{.status.initContainerStatuses[0].started}"), "true");
    assert!(!cluster.pod("sided", "{.status.initContainerStatuses[0].state.running.startedAt}").is_empty());
    assert_eq!(cluster.pod("sided", "{.status.phase}"), "Running");
    let table = cluster.kubectl_ok(&["get", "pod", "sided", "--no-headers"]);
    assert!(table.contains(" 2/2 ") && table.contains("Running"), "{table}");
    cluster.wait_for_pod("sided", "{.status.phase}", |p| p == "Succeeded");
    assert_eq!(cluster.kubectl_ok(&["logs", "sided", "-c", "job"]), "reached the sidecar\n");
    assert!(!cluster.pod("sided", "{.status.initContainerStatuses[0].state.terminated.finishedAt}").is_empty());
}

#[test]
fn the_environment_comes_from_config_maps_secrets_fields_and_resources() {
    let cluster = DockerCluster::start();
    cluster.kubectl_ok(&["create", "configmap", "settings", "--from-literal=mode=fast", "--from-literal=level=3"]);
    cluster.kubectl_ok(&["create", "secret", "generic", "creds", "--from-literal=password=s3cret"]);
    let manifest = format!(
        r#"apiVersion: v1
kind: Pod
metadata: {{name: envy, labels: {{app: envy}}, annotations: {{note: hello}}}}
spec:
  restartPolicy: Never
  serviceAccountName: default
  containers:
  - name: app
    image: "{IMAGE}"
    command: [sh, -c]
    args: ["echo $(MODE) \"$GREETING\" $MODE $PASSWORD $APP $NOTE $SA $NODE $MEM $CPU [$MISSING] $CFG_level $SEC_password"]
    resources: {{limits: {{memory: 64Mi, cpu: 250m}}}}
    envFrom:
    - {{prefix: CFG_, configMapRef: {{name: settings}}}}
    - {{prefix: SEC_, secretRef: {{name: creds}}}}
    - {{configMapRef: {{name: absent, optional: true}}}}
    env:
    - {{name: MODE, valueFrom: {{configMapKeyRef: {{name: settings, key: mode}}}}}}
    - {{name: PASSWORD, valueFrom: {{secretKeyRef: {{name: creds, key: password}}}}}}
    - {{name: MISSING, valueFrom: {{secretKeyRef: {{name: creds, key: nope, optional: true}}}}}}
    - {{name: APP, valueFrom: {{fieldRef: {{fieldPath: "metadata.labels['app']"}}}}}}
    - {{name: NOTE, valueFrom: {{fieldRef: {{fieldPath: "metadata.annotations['note']"}}}}}}
    - {{name: SA, valueFrom: {{fieldRef: {{fieldPath: spec.serviceAccountName}}}}}}
    - {{name: NODE, valueFrom: {{fieldRef: {{fieldPath: spec.nodeName}}}}}}
    - {{name: MEM, valueFrom: {{resourceFieldRef: {{resource: limits.memory, divisor: 1Mi}}}}}}
    - {{name: CPU, valueFrom: {{resourceFieldRef: {{resource: limits.cpu}}}}}}
    - {{name: GREETING, value: "mode-$(MODE)-$$(MODE)"}}
"#
    );
    cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    cluster.wait_for_pod("envy", "{.status.phase}", |p| p == "Succeeded");
    assert_eq!(
        cluster.kubectl_ok(&["logs", "envy"]),
        "fast mode-fast-$(MODE) fast s3cret envy hello default n1 64 1 [] 3 s3cret\n"
    );
}

#[test]
fn a_missing_config_map_holds_the_container_until_it_exists() {
    let cluster = DockerCluster::start();
    let manifest = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: waiting}}\nspec:\n  containers:\n  - name: app\n    image: \"{IMAGE}\"\n    \
         command: [sh, -c, 'echo $LEVEL; exec sleep 3600']\n    env:\n    \
         - {{name: LEVEL, valueFrom: {{configMapKeyRef: {{name: later, key: level}}}}}}\n"
    );
    cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    cluster.wait_for_pod("waiting", "{.status.containerStatuses[0].state.waiting.reason}", |r| {
        r == "CreateContainerConfigError"
    });
    assert_eq!(
        cluster.pod("waiting", "{.status.containerStatuses[0].state.waiting.message}"),
        "configmap \"later\" not found"
    );
    let table = cluster.kubectl_ok(&["get", "pod", "waiting", "--no-headers"]);
    assert!(table.contains("CreateContainerConfigError"), "{table}");
    let events = cluster.events_of("waiting");
    assert!(events.contains("Error: configmap \"later\" not found"), "{events}");

    cluster.kubectl_ok(&["create", "configmap", "later", "--from-literal=other=1"]);
    cluster.wait_for_pod("waiting", "{.status.containerStatuses[0].state.waiting.message}", |m| {
        m == "couldn't find key level in ConfigMap default/later"
    });
    let fixed = cluster.server().kubectl_stdin(
        &["apply", "-f", "-"],
        Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: later}\ndata: {level: \"9\"}\n"),
    );
    assert!(fixed.status.success(), "{}", support::stderr(&fixed));
    cluster.wait_for_pod("waiting", "{.status.phase}", |p| p == "Running");
    let said = eventually(TIMEOUT, || stdout(&cluster.server().kubectl(&["logs", "waiting"])) == "9\n");
    assert!(said, "the container started with the key's value");
}

#[test]
fn limits_bind_the_engine_container_and_exceeding_memory_is_oom_killed() {
    let cluster = DockerCluster::start();
    let manifest = format!(
        r#"apiVersion: v1
kind: Pod
metadata: {{name: bounded}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: "{IMAGE}"
    command: [sleep, "3600"]
    resources: {{limits: {{memory: 32Mi, cpu: 500m}}}}
---
apiVersion: v1
kind: Pod
metadata: {{name: greedy}}
spec:
  restartPolicy: Never
  containers:
  - name: app
    image: "{IMAGE}"
    command: [dd, if=/dev/zero, of=/dev/null, bs=64M, count=1]
    resources: {{limits: {{memory: 16Mi}}}}
"#
    );
    cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    cluster.wait_for_pod("bounded", "{.status.phase}", |p| p == "Running");
    assert_eq!(cluster.pod("bounded", "{.status.qosClass}"), "Guaranteed");
    let id = cluster.pod("bounded", "{.status.containerStatuses[0].containerID}");
    let id = id.trim_start_matches("docker://");
    let limits =
        docker(&["inspect", "-f", "{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}}", id]);
    assert_eq!(limits.trim(), "33554432 500000000 512");

    cluster.wait_for_pod("greedy", "{.status.phase}", |p| p == "Failed");
    assert_eq!(cluster.pod("greedy", "{.status.containerStatuses[0].state.terminated.reason}"), "OOMKilled");
    assert_eq!(cluster.pod("greedy", "{.status.qosClass}"), "Burstable");
    let table = cluster.kubectl_ok(&["get", "pod", "greedy", "--no-headers"]);
    assert!(table.contains("OOMKilled"), "{table}");
}

#[test]
fn config_map_secret_and_downward_api_volumes_hold_files_and_follow_updates() {
    let cluster = DockerCluster::start();
    cluster.kubectl_ok(&["create", "configmap", "site", "--from-literal=index.html=v1", "--from-literal=other=x"]);
    cluster.kubectl_ok(&["create", "secret", "generic", "key", "--from-literal=token=t0k"]);
    let manifest = format!(
        r#"apiVersion: v1
kind: Pod
metadata: {{name: files, labels: {{app: files}}}}
spec:
  terminationGracePeriodSeconds: 1
  volumes:
  - {{name: site, configMap: {{name: site}}}}
  - {{name: key, secret: {{secretName: key, defaultMode: 0400, items: [{{key: token, path: auth/token}}]}}}}
  - name: info
    downwardAPI: {{items: [{{path: name, fieldRef: {{fieldPath: metadata.name}}}}, {{path: labels, fieldRef: {{fieldPath: metadata.labels}}}}]}}
  - name: all
    projected: {{sources: [{{configMap: {{name: site, items: [{{key: other, path: o}}]}}}}, {{secret: {{name: key}}}}]}}
  - {{name: scratch, emptyDir: {{medium: Memory, sizeLimit: 8Mi}}}}
  containers:
  - name: app
    image: "{IMAGE}"
    command: [sleep, "3600"]
    volumeMounts:
    - {{name: site, mountPath: /site}}
    - {{name: key, mountPath: /key}}
    - {{name: info, mountPath: /info}}
    - {{name: all, mountPath: /all}}
    - {{name: scratch, mountPath: /scratch}}
"#
    );
    cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    cluster.wait_for_pod("files", "{.status.phase}", |p| p == "Running");
    let read = |command: &str| {
        let filters = [format!("label=kctl.io/cluster={}", cluster.cluster), "label=kctl.io/pod=files".to_string()];
        let app = "label=kctl.io/container=app";
        let id = docker(&["ps", "-q", "--filter", &filters[0], "--filter", &filters[1], "--filter", app]);
        let id = id.split_whitespace().next().unwrap_or_default().to_string();
        let out = Command::new("docker").args(["exec", &id, "sh", "-c", command]).output().expect("docker exec");
        stdout(&out)
    };
    assert_eq!(read("cat /site/index.html /key/auth/token /info/name"), "v1t0kfiles");
    assert_eq!(read("cat /info/labels; echo; cat /all/o /all/token"), "app=\"files\"\nxt0k");
    assert_eq!(read("stat -L -c %a /key/auth/token /site/other"), "400\n644\n");
    assert_eq!(read("readlink /site/..data | cut -c1-3"), "..2\n");
    assert!(read("touch /site/new 2>&1").contains("Read-only file system"), "configMap volumes are read-only");
    assert!(read("grep ' /scratch ' /proc/mounts").contains("tmpfs"), "medium Memory is a tmpfs");

    let update = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: site}\ndata: {index.html: v2, other: x}\n";
    let applied = cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(update));
    assert!(applied.status.success(), "{}", support::stderr(&applied));
    let updated = eventually(TIMEOUT, || read("cat /site/index.html") == "v2");
    assert!(updated, "the configMap volume follows the ConfigMap in place");
    assert_eq!(cluster.pod("files", "{.status.containerStatuses[0].restartCount}"), "0");
}

#[test]
fn a_missing_config_map_volume_holds_the_pod_in_container_creating() {
    let cluster = DockerCluster::start();
    let manifest = format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: unmounted}}\nspec:\n  volumes: [{{name: c, configMap: {{name: nothere}}}}]\n  \
         containers:\n  - {{name: app, image: \"{IMAGE}\", command: [sleep, '3600'], volumeMounts: [{{name: c, mountPath: /c}}]}}\n"
    );
    cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(&manifest));
    let warned = eventually(TIMEOUT, || cluster.events_of("unmounted").contains("FailedMount"));
    assert!(warned, "a FailedMount event");
    let events = cluster.events_of("unmounted");
    assert!(events.contains("MountVolume.SetUp failed for volume \"c\" : configmap \"nothere\" not found"), "{events}");
    assert_eq!(cluster.pod("unmounted", "{.status.containerStatuses[0].state.waiting.reason}"), "ContainerCreating");
    cluster.kubectl_ok(&["create", "configmap", "nothere", "--from-literal=a=b"]);
    cluster.wait_for_pod("unmounted", "{.status.phase}", |p| p == "Running");
}
