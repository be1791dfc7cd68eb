//! securityContext and lifecycle hooks on the Docker kubelet, driven by the real kubectl:
//! the user, groups, read-only root and capabilities reach the engine, runAsNonRoot
//! refuses a root image with upstream's message, postStart runs before the pod is seen
//! running (and its failure kills the container), preStop runs before the stop.

mod support;

use support::docker::{DockerCluster, BUSYBOX as IMAGE, TIMEOUT};
use support::{eventually, stdout};

fn apply(cluster: &DockerCluster, manifest: &str) {
    let out = cluster.server().kubectl_stdin(&["apply", "-f", "-"], Some(manifest));
    assert!(out.status.success(), "apply: {}", support::stderr(&out));
}

fn logs_contain(cluster: &DockerCluster, pod: &str, text: &str) -> bool {
    eventually(TIMEOUT, || stdout(&cluster.server().kubectl(&["logs", pod])).contains(text))
}

fn events_contain(cluster: &DockerCluster, pod: &str, text: &str) -> bool {
    let selector = format!("involvedObject.name={pod}");
    eventually(TIMEOUT, || cluster.kubectl_ok(&["get", "events", "--field-selector", &selector]).contains(text))
}

#[test]
fn the_security_context_reaches_the_engine_and_run_as_non_root_refuses_root_images() {
    let cluster = DockerCluster::start();
    apply(
        &cluster,
        &format!(
            r#"apiVersion: v1
kind: Pod
metadata: {{name: locked}}
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {{runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000]}}
  containers:
  - name: main
    image: {IMAGE}
    command: ["sh", "-c", "id; touch /file || echo read-only root; sleep 3600"]
    securityContext:
      readOnlyRootFilesystem: true
      allowPrivilegeEscalation: false
      capabilities: {{drop: [ALL], add: [NET_BIND_SERVICE]}}
"#
        ),
    );
    cluster.wait_for_pod("locked", "{.status.phase}", |p| p == "Running");
    assert!(
        logs_contain(&cluster, "locked", "uid=1000 gid=3000 groups=3000,4000"),
        "{}",
        stdout(&cluster.server().kubectl(&["logs", "locked"]))
    );
    assert!(logs_contain(&cluster, "locked", "read-only root"));
    let id = cluster.pod("locked", "{.status.containerStatuses[0].containerID}");
    let id = id.trim_start_matches("docker://");
    let inspected = support::docker::docker(&[
        "inspect",
        "-f",
        "{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.CapDrop}} {{.HostConfig.CapAdd}} {{.HostConfig.SecurityOpt}}",
        id,
    ]);
    assert_eq!(inspected.trim(), "true [ALL] [NET_BIND_SERVICE] [no-new-privileges]");

    apply(
        &cluster,
        &format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: rooted}}\nspec:\n  securityContext: {{runAsNonRoot: true}}\n\
             \x20 containers: [{{name: main, image: {IMAGE}, command: [sleep, '3600']}}]\n"
        ),
    );
    let reason = cluster.wait_for_pod("rooted", "{.status.containerStatuses[0].state.waiting.reason}", |r| {
        r == "CreateContainerConfigError"
    });
    assert_eq!(reason, "CreateContainerConfigError");
    let uid = cluster.pod("rooted", "{.metadata.uid}");
    let message = format!(
        "container has runAsNonRoot and image will run as root (pod: \"rooted_default({uid})\", container: main)"
    );
    assert_eq!(cluster.pod("rooted", "{.status.containerStatuses[0].state.waiting.message}"), message);
}

#[test]
fn post_start_runs_before_the_container_is_running_and_pre_stop_before_it_stops() {
    let cluster = DockerCluster::start();
    let hooked = format!(
        r#"apiVersion: v1
kind: Pod
metadata: {{name: hooked}}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: main
    image: {IMAGE}
    command: ["sh", "-c", "while [ ! -f /shared/started ]; do sleep 0.1; done; cat /shared/started; sleep 3600"]
    volumeMounts: [{{name: shared, mountPath: /shared}}]
    lifecycle:
      postStart: {{exec: {{command: ["sh", "-c", "echo post-start ran > /shared/started"]}}}}
      preStop: {{exec: {{command: ["sh", "-c", "echo pre-stop ran > /shared/stopped"]}}}}
  volumes:
  - name: shared
    hostPath: {{path: /srv/hooks}}
"#
    );
    apply(&cluster, &hooked);
    cluster.wait_for_pod("hooked", "{.status.phase}", |p| p == "Running");
    assert!(logs_contain(&cluster, "hooked", "post-start ran"));
    cluster.kubectl_ok(&["delete", "pod", "hooked"]);
    // The node directory outlives the pod: what preStop wrote is there for the next one.
    apply(
        &cluster,
        &format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: after}}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n\
             \x20 - {{name: main, image: {IMAGE}, command: [sh, -c, 'cat /shared/stopped; sleep 3600'], \
             volumeMounts: [{{name: shared, mountPath: /shared}}]}}\n  volumes: [{{name: shared, hostPath: {{path: /srv/hooks}}}}]\n"
        ),
    );
    assert!(logs_contain(&cluster, "after", "pre-stop ran"), "preStop ran before the container stopped");

    apply(
        &cluster,
        &format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: failing}}\nspec:\n  terminationGracePeriodSeconds: 1\n  containers:\n\
             \x20 - name: main\n    image: {IMAGE}\n    command: [sleep, '3600']\n\
             \x20   lifecycle: {{postStart: {{exec: {{command: [sh, -c, 'exit 3']}}}}}}\n"
        ),
    );
    assert!(events_contain(&cluster, "failing", "PostStartHook failed"), "FailedPostStartHook is said");
    cluster.wait_for_pod("failing", "{.status.containerStatuses[0].restartCount}", |n| {
        n.parse::<u32>().is_ok_and(|n| n >= 1)
    });
}

#[test]
fn services_of_the_namespace_are_in_the_environment_unless_links_are_off() {
    let cluster = DockerCluster::start();
    cluster.kubectl_ok(&["create", "service", "clusterip", "web-api", "--tcp=80:8080"]);
    let ip = cluster.jsonpath(&["service", "web-api"], "{.spec.clusterIP}");
    let master = cluster.jsonpath(&["service", "kubernetes"], "{.spec.clusterIP}");
    let pod = |name: &str, links: bool| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}}}\nspec:\n  enableServiceLinks: {links}\n  terminationGracePeriodSeconds: 1\n\
             \x20 containers:\n  - name: main\n    image: {IMAGE}\n    env: [{{name: URL, value: 'http://$(WEB_API_SERVICE_HOST)/'}}]\n\
             \x20   command: [sh, -c, 'env | sort; sleep 3600']\n"
        )
    };
    apply(&cluster, &pod("linked", true));
    apply(&cluster, &pod("unlinked", false));
    cluster.wait_for_pod("linked", "{.status.phase}", |p| p == "Running");
    assert!(logs_contain(&cluster, "linked", &format!("WEB_API_SERVICE_HOST={ip}\n")));
    let logs = stdout(&cluster.server().kubectl(&["logs", "linked"]));
    for expected in [
        "WEB_API_SERVICE_PORT=80".to_string(),
        "WEB_API_SERVICE_PORT_80_8080=80".to_string(),
        format!("WEB_API_PORT=tcp://{ip}:80"),
        format!("WEB_API_PORT_80_TCP_ADDR={ip}"),
        format!("URL=http://{ip}/"),
        format!("KUBERNETES_SERVICE_HOST={master}"),
    ] {
        assert!(logs.contains(&expected), "{expected} in {logs}");
    }
    cluster.wait_for_pod("unlinked", "{.status.phase}", |p| p == "Running");
    assert!(
        logs_contain(&cluster, "unlinked", &format!("KUBERNETES_SERVICE_HOST={master}")),
        "the master service always"
    );
    let logs = stdout(&cluster.server().kubectl(&["logs", "unlinked"]));
    assert!(!logs.contains("WEB_API_SERVICE_HOST="), "{logs}");
    assert!(logs.contains("URL=http://$(WEB_API_SERVICE_HOST)/"), "an unknown variable stays as written: {logs}");
}
