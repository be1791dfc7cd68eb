//! The kubelet's HTTPS endpoint (upstream's port 10250, here any port the Node
//! advertises): `GET /containerLogs/{namespace}/{pod}/{container}` with upstream's
//! query (follow, tailLines, timestamps, sinceSeconds, sinceTime, limitBytes,
//! previous), read from Docker's logs API. Clients need a certificate from the
//! cluster's CA for the apiserver's kubelet-client identity (or system:masters).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Body;
use bollard::container::LogOutput;
use bollard::query_parameters::LogsOptions;
use futures::StreamExt;
use http::{Response, StatusCode};
use rustls::pki_types::CertificateDer;
use rustls::ServerConfig;
use tokio::net::TcpListener;

use super::runtime::{ATTEMPT, POD_UID};
use super::Kubelet;
use crate::machinery::pki::CertifiedKey;
use crate::machinery::tls::{self, ClientCerts, TlsSetupError};
use crate::machinery::well_known::APISERVER_KUBELET_CLIENT;

/// TLS that requires a client certificate signed by the cluster's CA.
pub fn tls_config(ca_pem: &str, serving: &CertifiedKey) -> Result<Arc<ServerConfig>, TlsSetupError> {
    Ok(tls::server_config(ca_pem, serving, ClientCerts::Required, &[b"http/1.1"])?.0)
}

/// Whether the verified client may read logs: the apiserver, or a cluster admin.
fn authorized(certificates: Option<&[CertificateDer<'_>]>) -> bool {
    let Some((user, groups)) = certificates.and_then(|c| c.first()).and_then(|c| crate::machinery::pki::identity_of(c))
    else {
        return false;
    };
    user == APISERVER_KUBELET_CLIENT || groups.iter().any(|g| g == "system:masters")
}

pub async fn serve(kubelet: Arc<Kubelet>, listener: TcpListener, config: Arc<ServerConfig>) {
    tls::serve(listener, config, move |stream| {
        let allowed = authorized(stream.get_ref().1.peer_certificates());
        let kubelet = kubelet.clone();
        move |request: http::Request<hyper::body::Incoming>| {
            let kubelet = kubelet.clone();
            async move {
                if !allowed {
                    return text(StatusCode::FORBIDDEN, "Forbidden".into());
                }
                if let Some(endpoint) = super::streaming::endpoint(request.uri().path()) {
                    return super::streaming::serve(kubelet, endpoint, request).await;
                }
                respond(&kubelet, request.uri()).await
            }
        }
    })
    .await
}

fn text(code: StatusCode, message: String) -> Response<Body> {
    let mut response = Response::new(Body::from(message));
    *response.status_mut() = code;
    response.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/plain"));
    response
}

/// The log query as upstream's PodLogOptions.
#[derive(Debug, Default, PartialEq)]
pub struct LogQuery {
    pub follow: bool,
    pub previous: bool,
    pub timestamps: bool,
    pub tail_lines: Option<i64>,
    pub since_seconds: Option<i64>,
    pub since_time: Option<chrono::DateTime<chrono::Utc>>,
    pub limit_bytes: Option<usize>,
}

pub fn parse_query(query: Option<&str>) -> Result<LogQuery, String> {
    let params: HashMap<String, String> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let flag = |name: &str| matches!(params.get(name).map(String::as_str), Some("true" | "1"));
    let number = |name: &str| -> Result<Option<i64>, String> {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .map(|v| v.parse().map_err(|_| format!("invalid {name}: {v}")))
            .transpose()
    };
    let since_time = params
        .get("sinceTime")
        .filter(|v| !v.is_empty())
        .map(|v| {
            chrono::DateTime::parse_from_rfc3339(v)
                .map(|t| t.with_timezone(&chrono::Utc))
                .map_err(|_| format!("invalid sinceTime: {v}"))
        })
        .transpose()?;
    Ok(LogQuery {
        follow: flag("follow"),
        previous: flag("previous"),
        timestamps: flag("timestamps"),
        tail_lines: number("tailLines")?,
        since_seconds: number("sinceSeconds")?,
        since_time,
        limit_bytes: number("limitBytes")?.map(|n| n.max(0) as usize),
    })
}

impl LogQuery {
    fn docker_options(&self) -> LogsOptions {
        let since = match (self.since_time, self.since_seconds) {
            (Some(time), _) => time.timestamp(),
            (None, Some(seconds)) => chrono::Utc::now().timestamp() - seconds,
            (None, None) => 0,
        };
        LogsOptions {
            follow: self.follow,
            stdout: true,
            stderr: true,
            since: since.clamp(0, i32::MAX as i64) as i32,
            timestamps: self.timestamps,
            tail: self.tail_lines.map_or_else(|| "all".to_string(), |n| n.max(0).to_string()),
            ..Default::default()
        }
    }
}

async fn respond(kubelet: &Kubelet, uri: &http::Uri) -> Response<Body> {
    let parts: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    let ["containerLogs", namespace, pod, container] = parts.as_slice() else {
        return text(StatusCode::NOT_FOUND, "404 page not found".into());
    };
    let query = match parse_query(uri.query()) {
        Ok(query) => query,
        Err(message) => return text(StatusCode::BAD_REQUEST, message),
    };
    match container_logs(kubelet, namespace, pod, container, &query).await {
        Ok(body) => {
            let mut response = Response::new(body);
            response.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("text/plain"));
            response
        }
        Err((code, message)) => text(code, message),
    }
}

async fn container_logs(
    kubelet: &Kubelet,
    namespace: &str,
    pod: &str,
    container: &str,
    query: &LogQuery,
) -> Result<Body, (StatusCode, String)> {
    let known = kubelet.pods.read().get(&(namespace.to_string(), pod.to_string())).cloned();
    let found = kubelet
        .runtime
        .find_by_name(namespace, pod, container)
        .await
        .map_err(|err| (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()))?;
    // The newest pod of that name (a pod re-created with the same name has a new uid).
    let uid = known
        .as_ref()
        .and_then(|p| p.metadata.uid.clone())
        .or_else(|| found.first().and_then(|c| c.labels.as_ref()?.get(POD_UID).cloned()));
    let mut instances: Vec<(u32, String)> = found
        .iter()
        .filter(|c| c.labels.as_ref().and_then(|l| l.get(POD_UID)) == uid.as_ref())
        .filter_map(|c| {
            let attempt = c.labels.as_ref()?.get(ATTEMPT)?.parse().ok()?;
            Some((attempt, c.id.clone()?))
        })
        .collect();
    instances.sort();
    let chosen = if query.previous { instances.len().checked_sub(2) } else { instances.len().checked_sub(1) };
    let Some(id) = chosen.map(|i| instances[i].1.clone()) else {
        if query.previous {
            return Err((
                StatusCode::BAD_REQUEST,
                format!("previous terminated container \"{container}\" in pod \"{pod}\" not found"),
            ));
        }
        let Some(known) = known else {
            return Err((StatusCode::NOT_FOUND, format!("pod \"{pod}\" not found")));
        };
        let in_spec = known.spec.as_ref().is_some_and(|s| s.containers.iter().any(|c| c.name == container));
        if !in_spec {
            return Err((StatusCode::BAD_REQUEST, format!("container {container} is not valid for pod {pod}")));
        }
        let reason = known
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .and_then(|s| s.iter().find(|s| s.name == container))
            .and_then(|s| s.state.as_ref()?.waiting.as_ref()?.reason.clone())
            .unwrap_or_else(|| "ContainerCreating".into());
        return Err((StatusCode::BAD_REQUEST, crate::machinery::pods::waiting_to_start(container, pod, &reason)));
    };
    let frames = Box::pin(log_frames(kubelet.runtime.docker.clone(), id, query.docker_options()));
    // limitBytes: the stream ends as soon as the limit is reached, even while following.
    let limited = futures::stream::unfold((frames, query.limit_bytes), |(mut frames, left)| async move {
        if left == Some(0) {
            return None;
        }
        let chunk = frames.next().await?;
        let (chunk, left) = match left {
            Some(left) => {
                let take = chunk.len().min(left);
                (chunk.slice(..take), Some(left - take))
            }
            None => (chunk, None),
        };
        Some((Ok::<_, std::io::Error>(chunk), (frames, left)))
    });
    Ok(Body::from_stream(limited))
}

/// Docker's log frames as bytes (stdout and stderr interleaved as written).
fn log_frames(
    docker: bollard::Docker,
    id: String,
    options: LogsOptions,
) -> impl futures::Stream<Item = bytes::Bytes> + Send + 'static {
    futures::stream::once(async move { docker.logs(&id, Some(options)) }).flatten().filter_map(|frame| async move {
        match frame {
            Ok(LogOutput::StdOut { message } | LogOutput::StdErr { message } | LogOutput::Console { message }) => {
                Some(message)
            }
            Ok(_) => None,
            Err(err) => {
                tracing::debug!(%err, "container log stream ended");
                None
            }
        }
    })
}
