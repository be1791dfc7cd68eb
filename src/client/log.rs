//! kubectl's `-v` request log as a tower layer around kube-rs's HTTP stack: `-v=6` one
//! line per request, `-v=7` request headers, `-v=8` response headers and truncated bodies.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};
use kube::client::Body;
use tower::{BoxError, Layer, Service};

/// Longest body kubectl logs at `-v=8` before cutting it.
const BODY_LIMIT: usize = 1024;

/// Writes one klog-formatted line (`I1123 13:44:35.378772   30916 file.go:560] …`) to stderr.
pub fn klog(level: char, location: &str, message: &str) {
    let now = chrono::Local::now();
    eprintln!("{level}{} {:>7} {location}] {message}", now.format("%m%d %H:%M:%S%.6f"), std::process::id());
}

/// Go's `%q`-like quoting of a body, cut at [`BODY_LIMIT`] characters as kubectl does.
pub fn quoted_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let total = text.chars().count();
    let shown: String = text.chars().take(BODY_LIMIT).collect();
    let quoted = serde_json::to_string(&shown).unwrap_or_default();
    if total > BODY_LIMIT {
        format!("{} [truncated {} chars]\"", &quoted[..quoted.len() - 1], total - BODY_LIMIT)
    } else {
        quoted
    }
}

#[derive(Clone)]
pub struct RequestLogLayer {
    verbosity: u8,
    /// The cluster URL: kube-rs adds it below this layer, kubectl's log shows it.
    base: String,
}

impl RequestLogLayer {
    pub fn new(verbosity: u8, base: &str) -> RequestLogLayer {
        RequestLogLayer { verbosity, base: base.trim_end_matches('/').to_string() }
    }
}

impl<S> Layer<S> for RequestLogLayer {
    type Service = RequestLog<S>;
    fn layer(&self, inner: S) -> RequestLog<S> {
        RequestLog { inner, verbosity: self.verbosity, base: self.base.clone() }
    }
}

#[derive(Clone)]
pub struct RequestLog<S> {
    inner: S,
    verbosity: u8,
    base: String,
}

type LoggedBody = UnsyncBoxBody<Bytes, BoxError>;

impl<S, B> Service<Request<Body>> for RequestLog<S>
where
    S: Service<Request<Body>, Response = Response<B>>,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Response = Response<LoggedBody>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        let verbosity = self.verbosity;
        let method = request.method().clone();
        let url = format!("{}{}", self.base, request.uri());
        let watch = request.uri().query().is_some_and(|q| q.split('&').any(|p| p == "watch=true" || p == "watch=1"));
        if verbosity >= 7 {
            klog('I', "round_trippers.go:470", &format!("{method} {url}"));
            klog('I', "round_trippers.go:476", "Request Headers:");
            for (name, value) in request.headers() {
                let shown = if name == http::header::AUTHORIZATION {
                    "Bearer <masked>".to_string()
                } else {
                    String::from_utf8_lossy(value.as_bytes()).into_owned()
                };
                klog('I', "round_trippers.go:480", &format!("    {}: {shown}", canonical_header(name.as_str())));
            }
        }
        let started = Instant::now();
        let future = self.inner.call(request);
        Box::pin(async move {
            let result = future.await.map_err(Into::into);
            let millis = started.elapsed().as_millis();
            let response = match result {
                Ok(response) => response,
                Err(err) => {
                    if verbosity >= 6 {
                        klog('I', "round_trippers.go:560", &format!("{method} {url}  in {millis} milliseconds"));
                    }
                    return Err(err);
                }
            };
            let status = response.status();
            if verbosity >= 7 {
                klog('I', "round_trippers.go:581", &format!("Response Status: {status} in {millis} milliseconds"));
            } else if verbosity >= 6 {
                klog('I', "round_trippers.go:560", &format!("{method} {url} {status} in {millis} milliseconds"));
            }
            if verbosity < 8 {
                return Ok(response.map(|b| b.map_err(Into::into).boxed_unsync()));
            }
            klog('I', "round_trippers.go:584", "Response Headers:");
            for (name, value) in response.headers() {
                let value = String::from_utf8_lossy(value.as_bytes());
                klog('I', "round_trippers.go:587", &format!("    {}: {value}", canonical_header(name.as_str())));
            }
            if watch {
                // A watch body never ends: stream it through unlogged.
                return Ok(response.map(|b| b.map_err(Into::into).boxed_unsync()));
            }
            let (parts, body) = response.into_parts();
            let bytes = body.collect().await.map_err(Into::into)?.to_bytes();
            klog('I', "helper.go:113", &format!("\"Response Body\" body={}", quoted_body(&bytes)));
            let body = Full::new(bytes).map_err(|never| match never {}).boxed_unsync();
            Ok(Response::from_parts(parts, body))
        })
    }
}

/// `content-type` → `Content-Type`, as Go prints header names.
fn canonical_header(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_bodies_are_cut_with_the_count_left_out() {
        let body = "x".repeat(BODY_LIMIT + 5);
        let quoted = quoted_body(body.as_bytes());
        assert!(quoted.ends_with("x [truncated 5 chars]\""), "{quoted}");
    }

    #[test]
    fn header_names_print_in_go_case() {
        assert_eq!(canonical_header("content-type"), "Content-Type");
    }
}
