//! Authentication by client certificate and the authorization seam.
//!
//! TLS accepts any client certificate (as upstream's `RequestClientCert`), so that a
//! certificate from a foreign CA gets a 401 answer rather than a failed handshake; the
//! chain is verified here against the cluster CA.

use std::sync::Arc;

use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::ClientCertVerifier;

use super::status::ApiError;
use crate::registry::ResourceInfo;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// No certificate.
    Anonymous,
    /// A certificate that does not chain to the cluster CA.
    Rejected,
    User {
        name: String,
        groups: Vec<String>,
    },
}

/// Verifies a presented chain against the cluster CA and reads CN/O from it.
pub fn authenticate(verifier: &Arc<dyn ClientCertVerifier>, chain: Option<&[CertificateDer<'static>]>) -> Identity {
    let Some((leaf, intermediates)) = chain.and_then(|c| c.split_first()) else {
        return Identity::Anonymous;
    };
    if verifier.verify_client_cert(leaf, intermediates, UnixTime::now()).is_err() {
        return Identity::Rejected;
    }
    match crate::machinery::pki::identity_of(leaf) {
        Some((name, groups)) => Identity::User { name, groups },
        None => Identity::Rejected,
    }
}

/// What a request does, for authorization and its messages.
pub struct Action<'a> {
    pub verb: &'a str,
    pub resource: &'a ResourceInfo,
    pub namespace: Option<&'a str>,
}

/// system:masters may do everything; node identities (`system:nodes`) are allowed for
/// now — the seam where the kubelet's limits will go.
pub fn authorize(identity: &Identity, action: &Action) -> Result<(), ApiError> {
    let Identity::User { name, groups } = identity else {
        return Err(ApiError::unauthorized());
    };
    if groups.iter().any(|g| g == "system:masters" || g == "system:nodes") {
        return Ok(());
    }
    let scope = match action.namespace {
        Some(namespace) => format!(" in the namespace \"{namespace}\""),
        None => " at the cluster scope".to_string(),
    };
    Err(ApiError::forbidden(format!(
        "{} is forbidden: User \"{name}\" cannot {} resource \"{}\" in API group \"{}\"{scope}",
        action.resource.qualified_plural(),
        action.verb,
        action.resource.plural,
        action.resource.group
    )))
}
