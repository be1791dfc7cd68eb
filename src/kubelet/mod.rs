//! Node agents. `hollow` simulates nodes without containers (like kwok): it registers
//! nodes, heartbeats their Leases and marks bound pods Running/Ready. `docker` is a real
//! kubelet whose pods run as Docker containers. `events` is what both say in Events.

pub mod docker;
pub mod events;
pub mod hollow;
pub mod lease;
pub mod network;
pub mod node_status;

use thiserror::Error;

/// A node agent's failed API call (or an object it could not build).
#[derive(Debug, Error)]
pub enum ApiCallError {
    #[error("{what}: {source}")]
    Api {
        what: String,
        #[source]
        source: kube::Error,
    },
    #[error("could not build {what}: {source}")]
    Encode {
        what: String,
        #[source]
        source: serde_json::Error,
    },
}

impl ApiCallError {
    pub fn api(what: impl Into<String>) -> impl FnOnce(kube::Error) -> ApiCallError {
        let what = what.into();
        move |source| ApiCallError::Api { what, source }
    }

    /// The apiserver's status code, when it answered with one.
    pub fn code(&self) -> Option<u16> {
        match self {
            ApiCallError::Api { source: kube::Error::Api(status), .. } => Some(status.code),
            _ => None,
        }
    }
}
