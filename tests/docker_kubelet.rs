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
