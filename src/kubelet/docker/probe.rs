//! The prober, as upstream's pkg/kubelet/prober: one worker per (running container,
//! probe kind) probes on its period (exec through the engine, httpGet, tcpSocket), keeps
//! the result once a threshold of equal outcomes is reached, and records `Unhealthy`
//! events for failures. The pod's sync reads the results: startup gates the other two,
//! readiness sets `ready`, a failed liveness or startup probe gets the container killed.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bollard::exec::{CreateExecOptions, StartExecResults};
use bollard::Docker;
use futures::StreamExt;
use k8s_openapi::api::core::v1::{Container, ObjectReference, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use parking_lot::Mutex;

use crate::machinery::record::EventRecorder;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Liveness,
    Readiness,
    Startup,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Liveness, Kind::Readiness, Kind::Startup];

    /// As upstream's events say it (`Liveness probe failed: …`).
    pub fn title(self) -> &'static str {
        match self {
            Kind::Liveness => "Liveness",
            Kind::Readiness => "Readiness",
            Kind::Startup => "Startup",
        }
    }

    pub fn of(self, container: &Container) -> Option<&Probe> {
        match self {
            Kind::Liveness => container.liveness_probe.as_ref(),
            Kind::Readiness => container.readiness_probe.as_ref(),
            Kind::Startup => container.startup_probe.as_ref(),
        }
    }
}

/// One probe's verdict and what it said (the event's text on failure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Success,
    Failure(String),
    /// The probe could not be run (a port name that does not exist): upstream's "errored".
    Errored(String),
}

type Results = Arc<Mutex<HashMap<(String, Kind), bool>>>;

struct Worker {
    uid: String,
    task: tokio::task::AbortHandle,
}

/// What a worker needs of the container it probes.
pub struct Target {
    pub uid: String,
    /// The engine's container id (a restarted container is a new target).
    pub id: String,
    pub container: Container,
    pub pod_ip: String,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The object events are recorded on (the pod, with the container's field path).
    pub reference: ObjectReference,
}

/// The probe results of this node's containers and the workers that produce them.
#[derive(Default)]
pub struct Prober {
    results: Results,
    workers: Mutex<HashMap<(String, Kind), Worker>>,
}

impl Prober {
    /// Whether the container has started: its startup probe succeeded, or it has none.
    pub fn started(&self, container: &Container, id: &str) -> bool {
        container.startup_probe.is_none() || self.results.lock().get(&(id.to_string(), Kind::Startup)) == Some(&true)
    }

    /// Whether the container is ready: started, and its readiness probe (if any) last
    /// succeeded. Readiness starts out failed, as upstream's.
    pub fn ready(&self, container: &Container, id: &str) -> bool {
        self.started(container, id)
            && (container.readiness_probe.is_none()
                || self.results.lock().get(&(id.to_string(), Kind::Readiness)) == Some(&true))
    }

    /// The probe whose failure means the container must be killed (liveness or startup).
    pub fn failed(&self, id: &str) -> Option<Kind> {
        let results = self.results.lock();
        [Kind::Liveness, Kind::Startup].into_iter().find(|kind| results.get(&(id.to_string(), *kind)) == Some(&false))
    }

    /// Starts the workers the running `targets` of pod `uid` need and stops those of
    /// containers no longer among them.
    pub fn sync_pod(&self, uid: &str, targets: Vec<Target>, docker: &Docker, recorder: &EventRecorder) {
        let mut workers = self.workers.lock();
        let keep: Vec<&str> = targets.iter().map(|t| t.id.as_str()).collect();
        let stale: Vec<(String, Kind)> = workers
            .iter()
            .filter(|(key, w)| w.uid == uid && !keep.contains(&key.0.as_str()))
            .map(|(k, _)| k.clone())
            .collect();
        for key in stale {
            if let Some(worker) = workers.remove(&key) {
                worker.task.abort();
            }
            self.results.lock().remove(&key);
        }
        let targets: Vec<Arc<Target>> = targets.into_iter().map(Arc::new).collect();
        for target in targets {
            for kind in Kind::ALL {
                let Some(probe) = kind.of(&target.container).cloned() else { continue };
                let key = (target.id.clone(), kind);
                if workers.contains_key(&key) {
                    continue;
                }
                let run = WorkerRun {
                    kind,
                    probe,
                    target: target.clone(),
                    results: self.results.clone(),
                    docker: docker.clone(),
                    recorder: recorder.clone(),
                };
                let task = tokio::spawn(run.work()).abort_handle();
                workers.insert(key, Worker { uid: uid.to_string(), task });
            }
        }
    }

    /// Stops every worker of the pod and forgets its results.
    pub fn forget_pod(&self, uid: &str) {
        let mut workers = self.workers.lock();
        let mut results = self.results.lock();
        workers.retain(|key, worker| {
            if worker.uid != uid {
                return true;
            }
            worker.task.abort();
            results.remove(key);
            false
        });
    }
}

struct WorkerRun {
    kind: Kind,
    probe: Probe,
    target: Arc<Target>,
    results: Results,
    docker: Docker,
    recorder: EventRecorder,
}

fn seconds(value: Option<i32>, default: i32) -> Duration {
    Duration::from_secs(value.unwrap_or(default).max(1) as u64)
}

impl WorkerRun {
    fn key(&self) -> (String, Kind) {
        (self.target.id.clone(), self.kind)
    }

    fn result(&self, kind: Kind) -> Option<bool> {
        self.results.lock().get(&(self.target.id.clone(), kind)).copied()
    }

    /// upstream's worker.run/doProbe: probe every period after the initial delay; hold
    /// (end) once liveness failed or startup decided, since only a new container resumes.
    async fn work(self) {
        // Upstream's initial values: readiness fails until probed, liveness succeeds.
        match self.kind {
            Kind::Readiness => self.results.lock().insert(self.key(), false),
            Kind::Liveness => self.results.lock().insert(self.key(), true),
            Kind::Startup => None,
        };
        let period = seconds(self.probe.period_seconds, 10);
        let delay = Duration::from_secs(self.probe.initial_delay_seconds.unwrap_or(0).max(0) as u64);
        let since_start =
            self.target.started_at.and_then(|at| (chrono::Utc::now() - at).to_std().ok()).unwrap_or(Duration::ZERO);
        tokio::time::sleep(delay.saturating_sub(since_start)).await;
        let failure_threshold = self.probe.failure_threshold.unwrap_or(3).max(1) as u32;
        let success_threshold = self.probe.success_threshold.unwrap_or(1).max(1) as u32;
        let (mut last, mut run) = (None::<bool>, 0u32);
        loop {
            let started = self.target.container.startup_probe.is_none() || self.result(Kind::Startup) == Some(true);
            // Startup gates the others; a started container is not startup-probed again.
            if self.kind == Kind::Startup && started {
                return;
            }
            if self.kind == Kind::Startup || started {
                let verdict = self.probe_once().await;
                let success = match &verdict {
                    Verdict::Success => true,
                    Verdict::Failure(output) => {
                        self.unhealthy(&format!("{} probe failed: {output}", self.kind.title()));
                        false
                    }
                    Verdict::Errored(error) => {
                        self.unhealthy(&format!("{} probe errored: {error}", self.kind.title()));
                        false
                    }
                };
                if last == Some(success) {
                    run += 1;
                } else {
                    (last, run) = (Some(success), 1);
                }
                let threshold = if success { success_threshold } else { failure_threshold };
                if run >= threshold {
                    self.results.lock().insert(self.key(), success);
                    if (self.kind == Kind::Liveness && !success) || self.kind == Kind::Startup {
                        return;
                    }
                }
            }
            tokio::time::sleep(period).await;
        }
    }

    fn unhealthy(&self, message: &str) {
        self.recorder.warning(&self.target.reference, "Unhealthy", message);
    }

    async fn probe_once(&self) -> Verdict {
        let timeout = seconds(self.probe.timeout_seconds, 1);
        let container = &self.target.container;
        if let Some(exec) = &self.probe.exec {
            let command = static_expansion(exec.command.clone().unwrap_or_default(), container);
            return exec_probe(&self.docker, &self.target.id, command, timeout).await;
        }
        if let Some(http) = &self.probe.http_get {
            let port = match resolve_port(&http.port, container) {
                Ok(port) => port,
                Err(error) => return Verdict::Errored(error),
            };
            let host = http.host.clone().filter(|h| !h.is_empty()).unwrap_or_else(|| self.target.pod_ip.clone());
            let headers = http.http_headers.iter().flatten().map(|h| (h.name.clone(), h.value.clone())).collect();
            let request = HttpProbe {
                https: http.scheme.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("https")),
                host,
                port,
                path: http.path.clone().unwrap_or_default(),
                headers,
            };
            return request.run(timeout).await;
        }
        if let Some(tcp) = &self.probe.tcp_socket {
            let port = match resolve_port(&tcp.port, container) {
                Ok(port) => port,
                Err(error) => return Verdict::Errored(error),
            };
            let host = tcp.host.clone().filter(|h| !h.is_empty()).unwrap_or_else(|| self.target.pod_ip.clone());
            return tcp_probe(&host, port, timeout).await;
        }
        if let Some(grpc) = &self.probe.grpc {
            // Not implemented: said as a failure with its reason rather than a silent pass.
            return Verdict::Errored(format!("grpc probes (port {}) are not supported by this kubelet", grpc.port));
        }
        Verdict::Errored(format!("missing probe handler for container {}", container.name))
    }
}

/// `$(VAR)` in an exec probe's command, with the container's literal env only (upstream's
/// ExpandContainerCommandOnlyStatic).
fn static_expansion(command: Vec<String>, container: &Container) -> Vec<String> {
    let env: Vec<(String, String)> =
        container.env.iter().flatten().filter_map(|v| Some((v.name.clone(), v.value.clone()?))).collect();
    command.iter().map(|word| super::env::expand(word, &env)).collect()
}

/// A probe's port: a number, or the name of one of the container's ports.
pub fn resolve_port(port: &IntOrString, container: &Container) -> Result<u16, String> {
    let number = match port {
        IntOrString::Int(number) => *number,
        IntOrString::String(name) => {
            let named = container.ports.iter().flatten().find(|p| p.name.as_deref() == Some(name.as_str()));
            match (named, name.parse::<i32>()) {
                (Some(found), _) => found.container_port,
                (None, Ok(number)) => number,
                (None, Err(_)) => return Err(format!("couldn't find port: {name} in container {}", container.name)),
            }
        }
    };
    u16::try_from(number).ok().filter(|p| *p > 0).ok_or_else(|| format!("invalid port number: {number}"))
}

/// Go's net error text for a failed dial, which upstream's messages carry.
fn dial_error(address: &str, error: &std::io::Error) -> String {
    let cause = match error.kind() {
        std::io::ErrorKind::ConnectionRefused => "connect: connection refused".to_string(),
        std::io::ErrorKind::TimedOut => "i/o timeout".to_string(),
        std::io::ErrorKind::HostUnreachable => "connect: no route to host".to_string(),
        _ => error.to_string(),
    };
    format!("dial tcp {address}: {cause}")
}

fn join_host_port(host: &str, port: u16) -> String {
    if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    }
}

async fn connect(address: &str, timeout: Duration) -> Result<tokio::net::TcpStream, String> {
    match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(address)).await {
        Ok(Ok(stream)) => Ok(stream),
        Ok(Err(error)) => Err(dial_error(address, &error)),
        Err(_) => Err(format!("dial tcp {address}: i/o timeout")),
    }
}

pub async fn tcp_probe(host: &str, port: u16, timeout: Duration) -> Verdict {
    match connect(&join_host_port(host, port), timeout).await {
        Ok(_) => Verdict::Success,
        Err(error) => Verdict::Failure(error),
    }
}

/// Runs the command in the container through the engine; exit code 0 succeeds, and the
/// combined output is what a failure says.
pub async fn exec_probe(docker: &Docker, id: &str, command: Vec<String>, timeout: Duration) -> Verdict {
    let run = async {
        let options = CreateExecOptions {
            cmd: Some(command.clone()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            ..Default::default()
        };
        let exec = docker.create_exec(id, options).await.map_err(|e| super::runtime::docker_message(&e))?;
        let mut output = Vec::new();
        if let StartExecResults::Attached { output: mut stream, .. } =
            docker.start_exec(&exec.id, None).await.map_err(|e| super::runtime::docker_message(&e))?
        {
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| super::runtime::docker_message(&e))?;
                // Upstream keeps at most 10 KiB of a probe's output.
                if output.len() < 10 * 1024 {
                    output.extend_from_slice(&chunk.into_bytes());
                }
            }
        }
        let inspected = docker.inspect_exec(&exec.id).await.map_err(|e| super::runtime::docker_message(&e))?;
        Ok::<_, String>((inspected.exit_code.unwrap_or(-1), String::from_utf8_lossy(&output).into_owned()))
    };
    match tokio::time::timeout(timeout, run).await {
        Ok(Ok((0, _))) => Verdict::Success,
        Ok(Ok((_, output))) => Verdict::Failure(output),
        Ok(Err(error)) => Verdict::Errored(error),
        Err(_) => Verdict::Failure(format!("command {command:?} timed out")),
    }
}

/// An httpGet probe's request, as upstream's NewRequestForHTTPGetAction builds it.
#[derive(Debug, Clone)]
pub struct HttpProbe {
    pub https: bool,
    pub host: String,
    pub port: u16,
    pub path: String,
    pub headers: Vec<(String, String)>,
}

impl HttpProbe {
    pub fn url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        let path = if self.path.starts_with('/') { self.path.clone() } else { format!("/{}", self.path) };
        format!("{scheme}://{}{path}", join_host_port(&self.host, self.port))
    }

    /// 200–399 succeeds (redirects are not followed); anything else, or no answer, fails.
    pub async fn run(&self, timeout: Duration) -> Verdict {
        let url = self.url();
        match tokio::time::timeout(timeout, self.status()).await {
            Ok(Ok(code)) if (200..400).contains(&code) => Verdict::Success,
            Ok(Ok(code)) => Verdict::Failure(format!("HTTP probe failed with statuscode: {code}")),
            Ok(Err(error)) => Verdict::Failure(format!("Get \"{url}\": {error}")),
            Err(_) => Verdict::Failure(format!(
                "Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
            )),
        }
    }

    fn request(&self) -> Result<http::Request<http_body_util::Empty<bytes::Bytes>>, String> {
        let path = if self.path.starts_with('/') { self.path.clone() } else { format!("/{}", self.path) };
        let mut builder = http::Request::get(path);
        let has = |name: &str| self.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name));
        if !has("host") {
            builder = builder.header("Host", join_host_port(&self.host, self.port));
        }
        if !has("user-agent") {
            builder = builder.header("User-Agent", "kube-probe/1.32");
        }
        if !has("accept") {
            builder = builder.header("Accept", "*/*");
        }
        for (name, value) in &self.headers {
            // An Accept given empty removes it, as upstream.
            if name.eq_ignore_ascii_case("accept") && value.is_empty() {
                continue;
            }
            builder = builder.header(name.as_str(), value.as_str());
        }
        builder.body(http_body_util::Empty::new()).map_err(|e| e.to_string())
    }

    async fn status(&self) -> Result<u16, String> {
        let request = self.request()?;
        let address = join_host_port(&self.host, self.port);
        let stream = tokio::net::TcpStream::connect(&address).await.map_err(|e| dial_error(&address, &e))?;
        if self.https {
            let connector = tokio_rustls::TlsConnector::from(insecure_tls()?);
            let name = rustls::pki_types::ServerName::try_from(self.host.clone()).map_err(|e| e.to_string())?;
            let tls = connector.connect(name, stream).await.map_err(|e| e.to_string())?;
            send(hyper_util::rt::TokioIo::new(tls), request).await
        } else {
            send(hyper_util::rt::TokioIo::new(stream), request).await
        }
    }
}

async fn send<T>(io: T, request: http::Request<http_body_util::Empty<bytes::Bytes>>) -> Result<u16, String>
where
    T: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io).await.map_err(|e| e.to_string())?;
    let driving = tokio::spawn(connection);
    let answer = sender.send_request(request).await.map_err(|e| e.to_string());
    driving.abort();
    Ok(answer?.status().as_u16())
}

/// Upstream's probes skip certificate verification (InsecureSkipVerify).
fn insecure_tls() -> Result<Arc<rustls::ClientConfig>, String> {
    #[derive(Debug)]
    struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);
    impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
        fn verify_server_cert(
            &self,
            _: &rustls::pki_types::CertificateDer<'_>,
            _: &[rustls::pki_types::CertificateDer<'_>],
            _: &rustls::pki_types::ServerName<'_>,
            _: &[u8],
            _: rustls::pki_types::UnixTime,
        ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        }
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &rustls::pki_types::CertificateDer<'_>,
            dss: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }
        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &rustls::pki_types::CertificateDer<'_>,
            dss: &rustls::DigitallySignedStruct,
        ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
        }
        fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
            self.0.signature_verification_algorithms.supported_schemes()
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let verifier = Arc::new(AnyCertificate(provider));
    Ok(Arc::new(builder.dangerous().with_custom_certificate_verifier(verifier).with_no_client_auth()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_resolve_by_number_or_name() {
        let container: Container = serde_json::from_value(serde_json::json!({
            "name": "web", "ports": [{"name": "http", "containerPort": 8080}]
        }))
        .unwrap();
        assert_eq!(resolve_port(&IntOrString::Int(80), &container), Ok(80));
        assert_eq!(resolve_port(&IntOrString::String("http".into()), &container), Ok(8080));
        assert_eq!(resolve_port(&IntOrString::String("9090".into()), &container), Ok(9090));
        assert!(resolve_port(&IntOrString::String("nope".into()), &container).is_err());
    }

    #[test]
    fn http_probe_urls_carry_scheme_host_port_and_path() {
        let probe =
            HttpProbe { https: false, host: "10.0.0.5".into(), port: 8080, path: "healthz".into(), headers: vec![] };
        assert_eq!(probe.url(), "http://10.0.0.5:8080/healthz");
        let request = probe.request().unwrap();
        assert_eq!(request.headers()["user-agent"], "kube-probe/1.32");
        assert_eq!(request.headers()["accept"], "*/*");
    }

    #[tokio::test]
    async fn tcp_and_http_probes_say_what_failed_as_go_does() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_eq!(tcp_probe("127.0.0.1", port, Duration::from_secs(1)).await, Verdict::Success);
        drop(listener);
        let refused = tcp_probe("127.0.0.1", port, Duration::from_secs(1)).await;
        assert_eq!(refused, Verdict::Failure(format!("dial tcp 127.0.0.1:{port}: connect: connection refused")));
        let http = HttpProbe { https: false, host: "127.0.0.1".into(), port, path: "/".into(), headers: vec![] };
        let Verdict::Failure(message) = http.run(Duration::from_secs(1)).await else { panic!("refused succeeded") };
        assert!(message.starts_with(&format!("Get \"http://127.0.0.1:{port}/\": dial tcp")), "{message}");
    }
}
