//! `kctl port-forward TYPE/NAME [LOCAL:]REMOTE…`: listens on local ports (`--address`,
//! localhost by default: 127.0.0.1 and ::1) and carries each accepted connection over its
//! own `pods/NAME/portforward` WebSocket (`v4.channel.k8s.io`: data channel 0, error
//! channel 1, each first announcing its port), which every cluster serves. A Service's
//! port becomes its pod's target port; a named port, the container port of that name.

use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

use bytes::Bytes;
use clap::Args;
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_tungstenite::tungstenite::Message;

use crate::client::stream::PORT_FORWARD;
use crate::client::{objects, ConnectionFlags, Session};

#[derive(Args, Debug, Clone)]
pub struct PortForwardArgs {
    /// TYPE/NAME [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]
    #[arg(add = crate::cli::complete::pods())]
    pub args: Vec<String>,
    /// Addresses to listen on (comma separated). Only accepts IP addresses or localhost as a value. When localhost is supplied, kubectl will try to bind on both 127.0.0.1 and ::1 and will fail if neither of these addresses are available to bind.
    #[arg(long, value_delimiter = ',', default_value = "localhost")]
    pub address: Vec<String>,
    /// The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running
    #[arg(long = "pod-running-timeout", default_value = "1m0s")]
    pub pod_running_timeout: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PortForwardError {
    #[error("TYPE/NAME and list of ports are required for port-forward\nSee 'kubectl port-forward -h' for help and examples")]
    Usage,
    #[error("remote port cannot be empty")]
    EmptyRemote,
    #[error("Error parsing local port '{0}': strconv.ParseUint: parsing {0:?}: invalid syntax")]
    LocalPort(String),
    #[error("{0} is not a valid IP")]
    Address(String),
    #[error("unable to forward port because pod is not running. Current status={0}")]
    NotRunning(String),
    #[error("Service {service} does not have a service port {port}")]
    NoServicePort { service: String, port: String },
    #[error("Pod '{pod}' does not have a named port '{port}'")]
    NoNamedPort { pod: String, port: String },
    #[error("Unable to listen on any of the requested ports: {0:?}")]
    NoListener(Vec<u16>),
}

/// One `[LOCAL:]REMOTE` as written (REMOTE may be a name until resolved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    pub local: Option<u16>,
    pub remote: String,
}

pub fn parse_port(text: &str) -> Result<PortSpec, PortForwardError> {
    let (local, remote) = match text.split_once(':') {
        Some((local, remote)) => (local, remote),
        None => (text, text),
    };
    if remote.is_empty() {
        return Err(PortForwardError::EmptyRemote);
    }
    let local = match local {
        "" => Some(0),
        _ if local == remote && local.parse::<u16>().is_err() => None,
        _ => Some(local.parse::<u16>().map_err(|_| PortForwardError::LocalPort(local.to_string()))?),
    };
    Ok(PortSpec { local, remote: remote.to_string() })
}

/// The addresses `--address` names (localhost: both loopbacks).
pub fn addresses(values: &[String]) -> Result<Vec<IpAddr>, PortForwardError> {
    let mut out = Vec::new();
    for value in values {
        match value.as_str() {
            "localhost" => out.extend([IpAddr::from([127, 0, 0, 1]), IpAddr::from(std::net::Ipv6Addr::LOCALHOST)]),
            other => out.push(other.parse().map_err(|_| PortForwardError::Address(other.to_string()))?),
        }
    }
    Ok(out)
}

pub fn run(flags: &ConnectionFlags, args: &PortForwardArgs) -> ExitCode {
    crate::cli::exit::block_on(port_forward(flags, args))
}

fn container_port(pod: &Value, name: &str) -> Option<u16> {
    pod["spec"]["containers"]
        .as_array()?
        .iter()
        .flat_map(|c| c["ports"].as_array().cloned().unwrap_or_default())
        .find(|p| p["name"] == name)
        .and_then(|p| p["containerPort"].as_u64())
        .and_then(|p| u16::try_from(p).ok())
}

/// The pod port a Service port (number or name) reaches.
fn service_target(service: &Value, pod: &Value, remote: &str) -> Result<u16, PortForwardError> {
    let name = service["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let missing = || PortForwardError::NoServicePort { service: name.clone(), port: remote.to_string() };
    let ports = service["spec"]["ports"].as_array().cloned().unwrap_or_default();
    let port = ports
        .iter()
        .find(|p| p["name"] == remote || p["port"].as_u64().map(|n| n.to_string()).as_deref() == Some(remote))
        .ok_or_else(missing)?;
    match &port["targetPort"] {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()).ok_or_else(missing),
        Value::String(named) => container_port(pod, named).ok_or_else(|| PortForwardError::NoNamedPort {
            pod: pod["metadata"]["name"].as_str().unwrap_or_default().to_string(),
            port: named.clone(),
        }),
        _ => port["port"].as_u64().and_then(|n| u16::try_from(n).ok()).ok_or_else(missing),
    }
}

async fn port_forward(flags: &ConnectionFlags, args: &PortForwardArgs) -> anyhow::Result<ExitCode> {
    let Some((target, ports)) = args.args.split_first().filter(|(_, ports)| !ports.is_empty()) else {
        return Err(PortForwardError::Usage.into());
    };
    let specs = ports.iter().map(|p| parse_port(p)).collect::<Result<Vec<_>, _>>()?;
    let addresses = addresses(&args.address)?;
    let session = Arc::new(Session::connect(flags).await?);
    let pod = crate::cli::exec::find_pod(&session, target).await?;
    let service = match target.split_once('/') {
        Some((kind, name)) if ["svc", "service", "services"].contains(&kind) => {
            let path = format!("/api/v1/namespaces/{}/services/{name}", session.namespace);
            Some(session.get_json(&path, "application/json").await?)
        }
        _ => None,
    };
    let phase = pod["status"]["phase"].as_str().unwrap_or_default();
    if phase != "Running" {
        return Err(PortForwardError::NotRunning(phase.to_string()).into());
    }
    let pod_name = pod["metadata"]["name"].as_str().unwrap_or_default().to_string();
    let mut forwards = Vec::new();
    for spec in &specs {
        let remote = match (&service, spec.remote.parse::<u16>()) {
            (Some(service), _) => service_target(service, &pod, &spec.remote)?,
            (None, Ok(port)) => port,
            (None, Err(_)) => container_port(&pod, &spec.remote)
                .ok_or_else(|| PortForwardError::NoNamedPort { pod: pod_name.clone(), port: spec.remote.clone() })?,
        };
        forwards.push((spec.local.unwrap_or(remote), remote));
    }
    let path = format!(
        "/api/v1/namespaces/{}/pods/{pod_name}/portforward",
        pod["metadata"]["namespace"].as_str().unwrap_or(&session.namespace)
    );
    let mut serving = tokio::task::JoinSet::new();
    for (local, remote) in forwards {
        let mut bound = Vec::new();
        // Port 0 picks a port on the first address; the others take the same.
        let mut port = local;
        for address in &addresses {
            if let Ok(listener) = TcpListener::bind(SocketAddr::new(*address, port)).await {
                port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
                bound.push(listener);
            }
        }
        if bound.is_empty() {
            return Err(PortForwardError::NoListener(vec![local]).into());
        }
        for listener in bound {
            let Ok(at) = listener.local_addr() else { continue };
            println!("Forwarding from {at} -> {remote}");
            let (session, path) = (session.clone(), path.clone());
            serving.spawn(accept(listener, session, path, remote));
        }
    }
    while serving.join_next().await.is_some() {}
    Ok(ExitCode::SUCCESS)
}

async fn accept(listener: TcpListener, session: Arc<Session>, path: String, remote: u16) {
    let local = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    while let Ok((tcp, _)) = listener.accept().await {
        println!("Handling connection for {local}");
        let (session, path) = (session.clone(), path.clone());
        tokio::spawn(async move {
            if let Err(message) = forward(&session, &path, remote, tcp).await {
                let text = format!("an error occurred forwarding {local} -> {remote}: {message}");
                crate::client::log::klog('E', "portforward.go:424", &format!("\"Unhandled Error\" err={text:?}"));
            }
        });
    }
}

/// One local connection over its own WebSocket; the server's error text, if any.
async fn forward(session: &Session, path: &str, remote: u16, tcp: TcpStream) -> Result<(), String> {
    let _ = tcp.set_nodelay(true);
    let url = format!("{path}{}", objects::query(&[("ports", remote.to_string())]));
    let (socket, _) = session.upgrade(&url, &PORT_FORWARD).await.map_err(|e| e.message())?;
    let (mut sink, mut incoming) = socket.split();
    let (mut from_local, mut to_local) = tcp.into_split();
    let upstream = async {
        let mut buffer = vec![0u8; 32 * 1024];
        loop {
            match from_local.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let mut message = Vec::with_capacity(n + 1);
                    message.push(0);
                    message.extend_from_slice(&buffer[..n]);
                    if sink.send(Message::Binary(Bytes::from(message))).await.is_err() {
                        break;
                    }
                }
            }
        }
        // The channels cannot half-close: wait for the pod's side to end.
        std::future::pending::<()>().await
    };
    let downstream = async {
        // The first message on each channel is its port (2 bytes).
        let mut announced = [false, false];
        let mut error = Vec::new();
        while let Some((channel, payload)) = crate::machinery::ws_channels::next_frame(&mut incoming).await {
            let Some(first) = announced.get_mut(channel as usize) else { continue };
            if !*first {
                *first = true;
                continue;
            }
            match channel {
                0 => {
                    if to_local.write_all(&payload).await.is_err() {
                        break;
                    }
                }
                _ => error.extend_from_slice(&payload),
            }
        }
        let _ = to_local.shutdown().await;
        error
    };
    let error = tokio::select! {
        error = downstream => error,
        _ = upstream => Vec::new(),
    };
    match error.is_empty() {
        true => Ok(()),
        false => Err(String::from_utf8_lossy(&error).into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_read_as_kubectl_reads_them() {
        assert_eq!(parse_port("8080:80").unwrap(), PortSpec { local: Some(8080), remote: "80".into() });
        assert_eq!(parse_port(":80").unwrap(), PortSpec { local: Some(0), remote: "80".into() });
        assert_eq!(parse_port("80").unwrap(), PortSpec { local: Some(80), remote: "80".into() });
        assert_eq!(parse_port("http").unwrap(), PortSpec { local: None, remote: "http".into() });
        assert!(matches!(parse_port("8080:"), Err(PortForwardError::EmptyRemote)));
        assert!(matches!(parse_port("x:80"), Err(PortForwardError::LocalPort(_))));
        assert_eq!(addresses(&["localhost".into()]).unwrap().len(), 2);
        assert!(addresses(&["nope".into()]).is_err());
    }
}
