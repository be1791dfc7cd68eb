//! What the Docker tests share: the docker CLI, and the FROM-scratch busybox test image.

use std::process::Command;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use super::{eventually, stdout, TestServer};

/// The test image: Debian's static busybox and its applet links, nothing else.
pub const BUSYBOX: &str = "kctl-test/busybox:1";

/// How long a Docker test waits for a pod or node to get somewhere.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `docker ARGS`, asserting it succeeded; its stdout.
pub fn docker(args: &[&str]) -> String {
    let output = Command::new("docker").args(args).output().expect("run docker (is it installed?)");
    assert!(output.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    super::stdout(&output)
}

/// Builds [`BUSYBOX`] once per test binary.
pub fn busybox_image() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::copy("/bin/busybox", dir.path().join("busybox")).expect("copy /bin/busybox (busybox-static)");
        std::fs::write(
            dir.path().join("Dockerfile"),
            "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n",
        )
        .expect("write Dockerfile");
        docker(&["build", "-q", "-t", BUSYBOX, &dir.path().display().to_string()]);
    });
}

/// One plain `GET /` to a container's address (a pod IP from the host); the raw answer.
pub fn http_get(ip: &str, port: u16) -> Option<String> {
    use std::io::{Read, Write};
    let addr = format!("{ip}:{port}").parse().ok()?;
    let timeout = std::time::Duration::from_secs(2);
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.write_all(b"GET / HTTP/1.0\r\n\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}

/// A server with one Docker node; on drop the server stops first, then every container
/// and volume labelled with its cluster id goes.
pub struct DockerCluster {
    pub server: Option<TestServer>,
    pub cluster: String,
}

impl DockerCluster {
    pub fn start() -> DockerCluster {
        busybox_image();
        // The first server builds the pause image; the others wait for it rather than
        // building the same image at once.
        static STARTING: Mutex<()> = Mutex::new(());
        let _one_at_a_time = STARTING.lock().unwrap_or_else(|e| e.into_inner());
        let server = TestServer::start_with(&["--docker-node", "n1"]);
        let cluster = server.kubectl_ok(&["get", "namespace", "kube-system", "-o", "jsonpath={.metadata.uid}"]);
        let cluster = DockerCluster { server: Some(server), cluster };
        let ready = eventually(TIMEOUT, || {
            cluster.jsonpath(&["node", "n1"], "{.status.conditions[?(@.type==\"Ready\")].status}") == "True"
        });
        assert!(ready, "node n1 did not become Ready");
        cluster
    }

    pub fn server(&self) -> &TestServer {
        self.server.as_ref().expect("server running")
    }

    pub fn kubectl_ok(&self, args: &[&str]) -> String {
        self.server().kubectl_ok(args)
    }

    pub fn jsonpath(&self, object: &[&str], path: &str) -> String {
        let mut args = vec!["get"];
        args.extend_from_slice(object);
        let template = format!("jsonpath={path}");
        args.extend(["-o", &template]);
        stdout(&self.server().kubectl(&args))
    }

    pub fn pod(&self, pod: &str, path: &str) -> String {
        self.jsonpath(&["pod", pod], path)
    }

    pub fn wait_for_pod(&self, pod: &str, path: &str, want: impl Fn(&str) -> bool) -> String {
        let mut last = String::new();
        let ok = eventually(TIMEOUT, || {
            last = self.pod(pod, path);
            want(&last)
        });
        assert!(ok, "pod {pod}: {path} is {last:?}; status: {}", self.pod(pod, "{.status}"));
        last
    }

    /// The ids of this cluster's containers, optionally only those of one pod.
    pub fn containers(&self, pod: Option<&str>) -> Vec<String> {
        let cluster = format!("label=kctl.io/cluster={}", self.cluster);
        let mut args = vec!["ps", "-aq", "--filter", &cluster];
        let pod_filter = pod.map(|p| format!("label=kctl.io/pod={p}"));
        if let Some(filter) = &pod_filter {
            args.extend(["--filter", filter]);
        }
        docker(&args).split_whitespace().map(str::to_string).collect()
    }
}

impl Drop for DockerCluster {
    fn drop(&mut self) {
        drop(self.server.take());
        let label = format!("label=kctl.io/cluster={}", self.cluster);
        let run = |args: &[&str]| Command::new("docker").args(args).output().map(|o| stdout(&o)).unwrap_or_default();
        let containers = run(&["ps", "-aq", "--filter", &label]);
        let ids: Vec<&str> = containers.split_whitespace().collect();
        if !ids.is_empty() {
            run(&[&["rm", "-f", "-v"], ids.as_slice()].concat());
        }
        let volumes = run(&["volume", "ls", "-q", "--filter", &label]);
        let names: Vec<&str> = volumes.split_whitespace().collect();
        if !names.is_empty() {
            run(&[&["volume", "rm", "-f"], names.as_slice()].concat());
        }
    }
}
