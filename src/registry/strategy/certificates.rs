//! The strategy of certificates.k8s.io: CertificateSigningRequest.

use super::Strategy;

pub(crate) static CERTIFICATE_SIGNING_REQUEST: Strategy = Strategy::DEFAULT;
