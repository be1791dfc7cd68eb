//! The in-process transport for the components that `kctl server` runs beside the
//! apiserver (controllers, scheduler, hollow nodes). They stay API clients — the same
//! REST requests and JSON through the same handlers, authentication identity,
//! authorization and admission — but skip TLS and TCP, which upstream's loopback client
//! pays only because its components may run in other processes.

use std::convert::Infallible;
use std::sync::Arc;

use super::auth::Identity;
use super::{transport, ApiState};

/// A kube client whose requests are answered in this process, as `identity`; its
/// User-Agent (upstream's component name) names the field manager of its writes.
pub fn client(state: Arc<ApiState>, identity: Identity, user_agent: &'static str) -> kube::Client {
    let service = tower::service_fn(move |mut request: http::Request<kube::client::Body>| {
        let (state, identity) = (state.clone(), identity.clone());
        request.headers_mut().entry(http::header::USER_AGENT).or_insert(http::HeaderValue::from_static(user_agent));
        async move { Ok::<_, Infallible>(transport::respond(state, identity, request).await) }
    });
    kube::Client::new(service, "default")
}
