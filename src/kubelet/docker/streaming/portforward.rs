//! Port-forward into a pod: each forwarded connection is a TCP connection from the node to
//! the pod's IP (any port, declared or not). Three framings reach it:
//! - SPDY (plain, or tunnelled in WebSocket binary messages as kubectl 1.32 does with
//!   `SPDY/3.1+portforward.k8s.io`): per connection the client opens an `error` and a
//!   `data` stream with the same `requestID` and `port`; the data stream carries the bytes
//!   both ways, and a failure is written as text on the error stream, which then ends.
//! - WebSocket channels (`v4.channel.k8s.io`, kube-rs): per requested port a data channel
//!   `2i` and an error channel `2i+1`, each first announcing its port (2 bytes, LE).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use futures::{SinkExt, StreamExt};
use http::{Response, StatusCode};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::spdy;
use super::{accept_websocket, header_values, text, websocket_protocols, PodAddress};

const PROTOCOL: &str = "portforward.k8s.io";
const TUNNELED: &str = "SPDY/3.1+portforward.k8s.io";
const CHANNELS: [&str; 2] = ["v4.channel.k8s.io", "portforward.k8s.io"];
const DIAL_TIMEOUT: Duration = Duration::from_secs(10);

pub fn serve(target: PodAddress, ports: Vec<u16>, request: http::Request<Incoming>) -> Response<Body> {
    if let Some(offered) = websocket_protocols(request.headers()) {
        if offered.iter().any(|p| p == TUNNELED) {
            return accept_websocket(request, TUNNELED, move |socket| async move {
                let (near, far) = tokio::io::duplex(256 * 1024);
                tokio::spawn(tunnel(socket, far));
                serve_spdy(target, near).await;
            });
        }
        let Some(protocol) = CHANNELS.iter().find(|c| offered.iter().any(|p| p == *c)) else {
            return text(
                StatusCode::BAD_REQUEST,
                format!("unable to upgrade: no supported protocol among {offered:?}"),
            );
        };
        if ports.is_empty() {
            return text(StatusCode::BAD_REQUEST, "query parameter \"port\" is required");
        }
        return accept_websocket(request, protocol, move |socket| serve_channels(target, ports, socket));
    }
    let spdy = header_values(request.headers(), "upgrade").iter().any(|u| u.eq_ignore_ascii_case("SPDY/3.1"));
    let versions = header_values(request.headers(), "x-stream-protocol-version");
    if !spdy || !versions.iter().any(|v| v == PROTOCOL) {
        return text(StatusCode::BAD_REQUEST, "unable to upgrade: missing upgrade headers in request");
    }
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(http::header::CONNECTION, http::HeaderValue::from_static("Upgrade"));
    headers.insert(http::header::UPGRADE, http::HeaderValue::from_static("SPDY/3.1"));
    headers.insert("x-stream-protocol-version", http::HeaderValue::from_static(PROTOCOL));
    tokio::spawn(async move {
        match hyper::upgrade::on(request).await {
            Ok(upgraded) => serve_spdy(target, TokioIo::new(upgraded)).await,
            Err(err) => tracing::debug!(%err, "SPDY upgrade failed"),
        }
    });
    response
}

/// The WebSocket's binary messages as a byte stream (client-go's TunnelingConnection).
async fn tunnel<S>(socket: tokio_tungstenite::WebSocketStream<S>, far: tokio::io::DuplexStream)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (mut sink, mut incoming) = socket.split();
    let (mut reader, mut writer) = tokio::io::split(far);
    let inbound = async {
        while let Some(Ok(message)) = incoming.next().await {
            match message {
                Message::Binary(data) => {
                    if writer.write_all(&data).await.is_err() {
                        break;
                    }
                }
                Message::Close(_) => break,
                _ => {}
            }
        }
        let _ = writer.shutdown().await;
    };
    let outbound = async {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match reader.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if sink.send(Message::Binary(Bytes::copy_from_slice(&buffer[..n]))).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = sink.send(super::normal_close()).await;
        let _ = sink.close().await;
    };
    // Either side ending ends the tunnel.
    tokio::select! {
        _ = inbound => {}
        _ = outbound => {}
    }
}

/// The error and data streams of one forwarded connection, as they arrive.
#[derive(Default)]
struct Pair {
    error: Option<spdy::Stream>,
    data: Option<spdy::Stream>,
}

async fn serve_spdy<IO>(target: PodAddress, io: IO)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + 'static,
{
    let mut pairs: HashMap<String, Pair> = HashMap::new();
    let result = spdy::serve(io, |stream, sender| {
        let request = stream.header("requestid").unwrap_or_default().to_string();
        let pair = pairs.entry(request.clone()).or_default();
        match stream.header("streamtype") {
            Some("error") => pair.error = Some(stream),
            Some("data") => pair.data = Some(stream),
            _ => return,
        }
        if pair.error.is_some() && pair.data.is_some() {
            if let Some(Pair { error: Some(error), data: Some(data) }) = pairs.remove(&request) {
                tokio::spawn(forward_spdy(target.clone(), error, data, sender));
            }
        }
    })
    .await;
    if let Err(err) = result {
        tracing::debug!(%err, "port-forward connection ended");
    }
}

/// Upstream's words for a port that cannot be reached.
fn failure(target: &PodAddress, port: u16, err: &std::io::Error) -> String {
    let reason = match err.kind() {
        std::io::ErrorKind::ConnectionRefused => "connect: connection refused".to_string(),
        std::io::ErrorKind::TimedOut => "i/o timeout".to_string(),
        _ => err.to_string(),
    };
    format!(
        "error forwarding port {port} to pod {}, uid {}: failed to connect to {}:{port}: dial tcp4 {}:{port}: {reason}",
        target.pod, target.uid, target.ip, target.ip
    )
}

async fn dial(target: &PodAddress, port: u16) -> Result<TcpStream, String> {
    let addr = SocketAddr::new(target.ip, port);
    let timeout = std::io::Error::from(std::io::ErrorKind::TimedOut);
    match tokio::time::timeout(DIAL_TIMEOUT, TcpStream::connect(addr)).await {
        Ok(Ok(tcp)) => {
            let _ = tcp.set_nodelay(true);
            Ok(tcp)
        }
        Ok(Err(err)) => Err(failure(target, port, &err)),
        Err(_) => Err(failure(target, port, &timeout)),
    }
}

async fn forward_spdy(target: PodAddress, error: spdy::Stream, mut data: spdy::Stream, sender: spdy::Sender) {
    let port = data.header("port").and_then(|p| p.parse::<u16>().ok()).unwrap_or(0);
    let tcp = match port {
        0 => Err(format!("invalid port {:?}", data.header("port").unwrap_or_default())),
        port => dial(&target, port).await,
    };
    match tcp {
        Err(message) => {
            sender.data(error.id, Bytes::from(message)).await;
        }
        Ok(tcp) => {
            let (mut from_pod, mut to_pod) = tcp.into_split();
            let upstream = async {
                while let Some(chunk) = data.incoming.recv().await {
                    if to_pod.write_all(&chunk).await.is_err() {
                        break;
                    }
                }
                let _ = to_pod.shutdown().await;
            };
            let downstream = async {
                let mut buffer = vec![0u8; spdy::MAX_DATA];
                loop {
                    match from_pod.read(&mut buffer).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            if !sender.data(data.id, Bytes::copy_from_slice(&buffer[..n])).await {
                                break;
                            }
                        }
                    }
                }
            };
            // The pod closing ends the stream (as the kubelet's copy does); the client
            // ending its side only ends what goes to the pod; the connection's end, all.
            let upstream = async {
                upstream.await;
                std::future::pending::<()>().await
            };
            tokio::select! {
                _ = downstream => {}
                _ = upstream => {}
                _ = sender.closed() => return,
            }
        }
    }
    sender.close(data.id).await;
    sender.close(error.id).await;
}

/// kube-rs's port-forward: one connection to each requested port, on its channel pair.
async fn serve_channels<S>(target: PodAddress, ports: Vec<u16>, socket: tokio_tungstenite::WebSocketStream<S>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sink, mut incoming) = socket.split();
    let (out_tx, mut out_rx) = mpsc::channel::<(u8, Bytes)>(64);
    let mut to_pods = Vec::new();
    for (index, port) in ports.iter().enumerate() {
        let (data, error) = (2 * index as u8, 2 * index as u8 + 1);
        for channel in [data, error] {
            let mut hello = vec![channel];
            hello.extend_from_slice(&port.to_le_bytes());
            if sink.send(Message::Binary(Bytes::from(hello))).await.is_err() {
                return;
            }
        }
        let (to_pod_tx, to_pod_rx) = mpsc::channel::<Bytes>(16);
        to_pods.push(to_pod_tx);
        tokio::spawn(forward_channel(target.clone(), *port, (data, error), to_pod_rx, out_tx.clone()));
    }
    drop(out_tx);
    let outbound = async {
        while let Some((channel, bytes)) = out_rx.recv().await {
            let mut message = Vec::with_capacity(bytes.len() + 1);
            message.push(channel);
            message.extend_from_slice(&bytes);
            if sink.send(Message::Binary(Bytes::from(message))).await.is_err() {
                return;
            }
        }
        let _ = sink.send(super::normal_close()).await;
        let _ = sink.close().await;
    };
    let inbound = async {
        while let Some((channel, payload)) = crate::machinery::ws_channels::next_frame(&mut incoming).await {
            if channel % 2 == 0 {
                if let Some(to_pod) = to_pods.get((channel / 2) as usize) {
                    let _ = to_pod.send(payload).await;
                }
            }
        }
        to_pods.clear();
        // The client is gone; nothing more to send.
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = outbound => {}
        _ = inbound => {}
    }
}

async fn forward_channel(
    target: PodAddress,
    port: u16,
    (data, error): (u8, u8),
    mut to_pod_rx: mpsc::Receiver<Bytes>,
    out: mpsc::Sender<(u8, Bytes)>,
) {
    let tcp = match dial(&target, port).await {
        Ok(tcp) => tcp,
        Err(message) => {
            let _ = out.send((error, Bytes::from(message))).await;
            return;
        }
    };
    let (mut from_pod, mut to_pod) = tcp.into_split();
    let upstream = async {
        while let Some(chunk) = to_pod_rx.recv().await {
            if to_pod.write_all(&chunk).await.is_err() {
                break;
            }
        }
        let _ = to_pod.shutdown().await;
        std::future::pending::<()>().await
    };
    let downstream = async {
        let mut buffer = vec![0u8; 32 * 1024];
        loop {
            match from_pod.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if out.send((data, Bytes::copy_from_slice(&buffer[..n]))).await.is_err() {
                        break;
                    }
                }
            }
        }
    };
    tokio::select! {
        _ = upstream => {}
        _ = downstream => {}
    }
}
