//! The kubelet's streaming endpoints, what the apiserver's `pods/exec`, `pods/attach` and
//! `pods/portforward` are proxied to: `/exec|/attach/{namespace}/{pod}/{container}` and
//! `/portForward/{namespace}/{pod}`. The client's upgrade picks the protocol:
//! WebSocket with `v5.channel.k8s.io`/`v4.channel.k8s.io` (channels stdin 0, stdout 1,
//! stderr 2, error 3, resize 4, close 255), `SPDY/3.1+portforward.k8s.io` over WebSocket
//! (kubectl's port-forward), the WebSocket port-forward channels (kube-rs), or plain SPDY
//! for port-forward.

mod portforward;
mod remotecommand;
pub mod spdy;

use std::sync::Arc;

use axum::body::Body;
use http::{HeaderMap, Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio_tungstenite::tungstenite::protocol::Role;
use tokio_tungstenite::WebSocketStream;

use super::Kubelet;

/// What a streaming request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Exec { namespace: String, pod: String, container: String },
    Attach { namespace: String, pod: String, container: String },
    PortForward { namespace: String, pod: String },
}

/// The streaming endpoint a path names, if any.
pub fn endpoint(path: &str) -> Option<Endpoint> {
    let parts: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|p| form_urlencoded::parse(format!("x={p}").as_bytes()).next().map(|(_, v)| v.into_owned()))
        .collect::<Option<_>>()?;
    let owned = |s: &String| s.clone();
    match parts.as_slice() {
        [verb, namespace, pod, container] if verb == "exec" => {
            Some(Endpoint::Exec { namespace: owned(namespace), pod: owned(pod), container: owned(container) })
        }
        [verb, namespace, pod, container] if verb == "attach" => {
            Some(Endpoint::Attach { namespace: owned(namespace), pod: owned(pod), container: owned(container) })
        }
        [verb, namespace, pod] if verb == "portForward" => {
            Some(Endpoint::PortForward { namespace: owned(namespace), pod: owned(pod) })
        }
        _ => None,
    }
}

/// The query of exec and attach (upstream's `PodExecOptions`), and port-forward's ports.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StreamOptions {
    pub command: Vec<String>,
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    pub tty: bool,
    pub ports: Vec<u16>,
}

impl StreamOptions {
    pub fn parse(query: Option<&str>) -> Result<StreamOptions, String> {
        let mut options = StreamOptions::default();
        let flag = |value: &str| matches!(value, "1" | "true" | "True");
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "command" => options.command.push(value.into_owned()),
                "input" | "stdin" => options.stdin = flag(&value),
                "output" | "stdout" => options.stdout = flag(&value),
                "error" | "stderr" => options.stderr = flag(&value),
                "tty" => options.tty = flag(&value),
                "port" | "ports" => {
                    for port in value.split(',').filter(|p| !p.is_empty()) {
                        match port.trim().parse::<u16>() {
                            Ok(port) if port > 0 => options.ports.push(port),
                            _ => return Err(format!("invalid port: {port}")),
                        }
                    }
                }
                _ => {}
            }
        }
        // A terminal has one output stream (upstream: stderr is not used with a tty).
        if options.tty {
            options.stderr = false;
        }
        Ok(options)
    }
}

fn text(code: StatusCode, message: impl Into<String>) -> Response<Body> {
    let mut response = Response::new(Body::from(message.into()));
    *response.status_mut() = code;
    response.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/plain"));
    response
}

fn header_values(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(',').map(|p| p.trim().to_string()))
        .filter(|p| !p.is_empty())
        .collect()
}

/// The WebSocket subprotocols a request offers, if it is a WebSocket upgrade.
fn websocket_protocols(headers: &HeaderMap) -> Option<Vec<String>> {
    let upgrade = header_values(headers, "upgrade");
    upgrade
        .iter()
        .any(|u| u.eq_ignore_ascii_case("websocket"))
        .then(|| header_values(headers, "sec-websocket-protocol"))
}

/// A close with status 1000: Go's websocket client reads anything else as an error.
fn normal_close() -> tokio_tungstenite::tungstenite::Message {
    use tokio_tungstenite::tungstenite::protocol::frame::{coding::CloseCode, CloseFrame};
    tokio_tungstenite::tungstenite::Message::Close(Some(CloseFrame { code: CloseCode::Normal, reason: "".into() }))
}

/// Answers a WebSocket upgrade with `protocol`; `serve` gets the socket once switched.
fn accept_websocket<F, Fut>(request: http::Request<Incoming>, protocol: &str, serve: F) -> Response<Body>
where
    F: FnOnce(WebSocketStream<TokioIo<hyper::upgrade::Upgraded>>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let Some(key) = request.headers().get("sec-websocket-key").map(|k| k.as_bytes().to_vec()) else {
        return text(StatusCode::BAD_REQUEST, "missing Sec-WebSocket-Key");
    };
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(http::header::CONNECTION, http::HeaderValue::from_static("Upgrade"));
    headers.insert(http::header::UPGRADE, http::HeaderValue::from_static("websocket"));
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(&key);
    if let Ok(value) = http::HeaderValue::from_str(&accept) {
        headers.insert("sec-websocket-accept", value);
    }
    if let Ok(value) = http::HeaderValue::from_str(protocol) {
        headers.insert("sec-websocket-protocol", value);
    }
    tokio::spawn(async move {
        match hyper::upgrade::on(request).await {
            Ok(upgraded) => {
                let socket = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
                serve(socket).await;
            }
            Err(err) => tracing::debug!(%err, "websocket upgrade failed"),
        }
    });
    response
}

/// Serves a streaming request.
pub async fn serve(kubelet: Arc<Kubelet>, endpoint: Endpoint, request: http::Request<Incoming>) -> Response<Body> {
    let options = match StreamOptions::parse(request.uri().query()) {
        Ok(options) => options,
        Err(message) => return text(StatusCode::BAD_REQUEST, message),
    };
    match endpoint {
        Endpoint::Exec { namespace, pod, container } | Endpoint::Attach { namespace, pod, container } => {
            let attach = request.uri().path().starts_with("/attach/");
            if !attach && options.command.is_empty() {
                return text(StatusCode::BAD_REQUEST, "you must specify at least 1 command");
            }
            if !options.stdin && !options.stdout && !options.stderr {
                return text(StatusCode::BAD_REQUEST, "you must specify at least 1 of stdin, stdout, stderr");
            }
            let id = match running_container(&kubelet, &namespace, &pod, &container).await {
                Ok(id) => id,
                Err(response) => return response,
            };
            let Some(protocols) = websocket_protocols(request.headers()) else {
                return text(StatusCode::BAD_REQUEST, "unable to upgrade: this kubelet streams over WebSockets only");
            };
            let Some(protocol) = remotecommand::Protocol::choose(&protocols) else {
                return text(
                    StatusCode::BAD_REQUEST,
                    format!("unable to upgrade: no supported protocol among {protocols:?}"),
                );
            };
            let docker = kubelet.runtime.docker.clone();
            let name = protocol.name();
            accept_websocket(request, name, move |socket| async move {
                let session = remotecommand::Session { docker, container: id, options, protocol };
                if attach {
                    session.attach(socket).await
                } else {
                    session.exec(socket).await
                }
            })
        }
        Endpoint::PortForward { namespace, pod } => {
            let target = match pod_address(&kubelet, &namespace, &pod) {
                Ok(target) => target,
                Err(response) => return response,
            };
            portforward::serve(target, options.ports, request)
        }
    }
}

/// The id of the running engine container of `container` in the pod, or the kubelet's
/// refusal (upstream's words).
async fn running_container(
    kubelet: &Kubelet,
    namespace: &str,
    pod: &str,
    container: &str,
) -> Result<String, Response<Body>> {
    let known = kubelet.pods.read().get(&(namespace.to_string(), pod.to_string())).cloned();
    let Some(known) = known else {
        return Err(text(StatusCode::NOT_FOUND, "pod does not exist"));
    };
    let uid = known.metadata.uid.clone().unwrap_or_default();
    let found = kubelet
        .runtime
        .find_by_name(namespace, pod, container)
        .await
        .map_err(|err| text(StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?;
    found
        .into_iter()
        .filter(|c| c.labels.as_ref().and_then(|l| l.get(super::runtime::POD_UID)) == Some(&uid))
        .find(|c| c.state == Some(bollard::models::ContainerSummaryStateEnum::RUNNING))
        .and_then(|c| c.id)
        .ok_or_else(|| text(StatusCode::INTERNAL_SERVER_ERROR, format!("container not found ({container:?})")))
}

/// Where port-forward connects: the pod's IP (its sandbox's address, reachable from the
/// node), and the names upstream's messages use.
#[derive(Debug, Clone)]
pub struct PodAddress {
    pub ip: std::net::IpAddr,
    pub pod: String,
    pub uid: String,
}

fn pod_address(kubelet: &Kubelet, namespace: &str, pod: &str) -> Result<PodAddress, Response<Body>> {
    let known = kubelet.pods.read().get(&(namespace.to_string(), pod.to_string())).cloned();
    let Some(known) = known else {
        return Err(text(StatusCode::NOT_FOUND, "pod does not exist"));
    };
    let ip = known.status.as_ref().and_then(|s| s.pod_ip.as_deref()).and_then(|ip| ip.parse().ok());
    let Some(ip) = ip else {
        return Err(text(StatusCode::INTERNAL_SERVER_ERROR, format!("pod {pod} has no IP yet")));
    };
    Ok(PodAddress { ip, pod: pod.to_string(), uid: known.metadata.uid.unwrap_or_default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_the_endpoints() {
        assert_eq!(
            endpoint("/exec/default/web/app"),
            Some(Endpoint::Exec { namespace: "default".into(), pod: "web".into(), container: "app".into() })
        );
        assert_eq!(
            endpoint("/portForward/ns/p"),
            Some(Endpoint::PortForward { namespace: "ns".into(), pod: "p".into() })
        );
        assert_eq!(endpoint("/containerLogs/a/b/c"), None);
    }

    #[test]
    fn the_query_is_read_as_upstream_writes_it() {
        let options = StreamOptions::parse(Some(
            "command=sh&command=-c&command=exit+3&stdin=true&stdout=true&tty=true&stderr=true",
        ))
        .unwrap();
        assert_eq!(options.command, ["sh", "-c", "exit 3"]);
        assert!(options.stdin && options.stdout && options.tty && !options.stderr);
        assert_eq!(StreamOptions::parse(Some("ports=80,8080")).unwrap().ports, [80, 8080]);
        assert!(StreamOptions::parse(Some("ports=0")).is_err());
    }
}
