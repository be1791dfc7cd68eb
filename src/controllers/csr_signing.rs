//! The CSR signing controller (upstream's `csrsigning`, `pkg/controller/certificates/signer`):
//! signs approved, not failed CertificateSigningRequests without a certificate for the
//! built-in signers `kubernetes.io/kube-apiserver-client`, `…-client-kubelet` and
//! `kubernetes.io/kubelet-serving` with the cluster CA, after checking the request against the
//! signer's rules (a request that breaks them gets a `Failed` condition instead), for
//! `spec.expirationSeconds` up to the signing duration. It talks to the API only: the
//! certificate goes in through `/status`. Other signers' requests are left to their signers.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{SecondsFormat, Utc};
use futures::StreamExt;
use k8s_openapi::api::certificates::v1::CertificateSigningRequest;
use kube::api::{Api, PostParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::watcher;
use kube::{Client, ResourceExt};
use rcgen::{
    CertificateSigningRequestParams, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use serde_json::json;

use crate::machinery::pki::CertifiedKey;
use crate::machinery::well_known::{KUBELET_SERVING, KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET};

/// kube-controller-manager's default `--cluster-signing-duration`: a year.
pub const MAX_DURATION: Duration = Duration::from_secs(365 * 24 * 3600);
/// Certificates start this long before they are signed (clock skew), as upstream's.
const BACKDATE: Duration = Duration::from_secs(5 * 60);
/// Certificates shorter than this are not shortened by the backdating.
const SHORT: Duration = Duration::from_secs(8 * 3600);
/// The least a signer issues for.
const MIN_DURATION: Duration = Duration::from_secs(10 * 60);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("apiserver request failed: {0}")]
    Kube(#[from] kube::Error),
    #[error("could not encode the request: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("unable to parse csr {name:?}: {source}")]
    Parse { name: String, source: rcgen::Error },
    #[error("error auto signing csr: {0}")]
    Sign(#[from] rcgen::Error),
}

struct Context {
    client: Client,
    ca: CertifiedKey,
}

/// Runs the controller with `ca` as the signer of the built-in signer names until dropped.
pub async fn run(client: Client, ca: CertifiedKey) {
    let api: Api<CertificateSigningRequest> = Api::all(client.clone());
    Controller::new(api, watcher::Config::default())
        .run(reconcile, error_policy, Arc::new(Context { client, ca }))
        .for_each(|result| async move {
            if let Err(err) = result {
                tracing::debug!(%err, "csr signing failed");
            }
        })
        .await;
}

fn error_policy(_csr: Arc<CertificateSigningRequest>, err: &Error, _ctx: Arc<Context>) -> Action {
    tracing::debug!(%err, "csr signing will retry");
    Action::requeue(Duration::from_secs(5))
}

/// Whether the request has a condition of `kind` with status True.
fn has_true_condition(csr: &CertificateSigningRequest, kind: &str) -> bool {
    csr.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|conditions| conditions.iter().any(|c| c.type_ == kind && c.status == "True"))
}

/// Upstream's `IsCertificateRequestApproved`: approved and not denied.
fn is_approved(csr: &CertificateSigningRequest) -> bool {
    has_true_condition(csr, "Approved") && !has_true_condition(csr, "Denied")
}

async fn reconcile(csr: Arc<CertificateSigningRequest>, ctx: Arc<Context>) -> Result<Action, Error> {
    let signer = csr.spec.signer_name.as_str();
    let issued = csr.status.as_ref().and_then(|s| s.certificate.as_ref()).is_some_and(|c| !c.0.is_empty());
    if issued
        || !is_approved(&csr)
        || has_true_condition(&csr, "Failed")
        || ![KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING].contains(&signer)
    {
        return Ok(Action::await_change());
    }
    let name = csr.name_any();
    let pem = String::from_utf8_lossy(&csr.spec.request.0).into_owned();
    let request = CertificateSigningRequestParams::from_pem(&pem).map_err(|source| Error::Parse { name, source })?;
    let usages = &csr.spec.usages.clone().unwrap_or_default();
    let api: Api<CertificateSigningRequest> = Api::all(ctx.client.clone());
    let mut updated = (*csr).clone();
    updated.metadata.managed_fields = None;
    let status = updated.status.get_or_insert_with(Default::default);
    match check_signer_rules(signer, &request, usages) {
        Err(message) => {
            let now = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
            let failed = serde_json::from_value(json!({"type": "Failed", "status": "True",
                "reason": "SignerValidationFailure", "message": message, "lastUpdateTime": now}))?;
            status.conditions.get_or_insert_with(Vec::new).push(failed);
        }
        Ok(()) => {
            let ttl = duration(csr.spec.expiration_seconds);
            let certificate = sign(&ctx.ca, request, usages, ttl)?;
            status.certificate = Some(k8s_openapi::ByteString(certificate.into_bytes()));
        }
    }
    api.replace_status(&csr.name_any(), &PostParams::default(), serde_json::to_vec(&updated)?).await?;
    Ok(Action::await_change())
}

/// Upstream's `signer.duration`: what was asked for, between ten minutes and the maximum.
pub fn duration(expiration_seconds: Option<i32>) -> Duration {
    match expiration_seconds {
        None => MAX_DURATION,
        Some(seconds) => Duration::from_secs(seconds.max(0) as u64).clamp(MIN_DURATION, MAX_DURATION),
    }
}

/// The signer's rules for a request (upstream's `isKubeletServing`, `isKubeletClient`,
/// `isKubeAPIServerClient`): its message when the request breaks them.
pub fn check_signer_rules(
    signer: &str,
    request: &CertificateSigningRequestParams,
    usages: &[String],
) -> Result<(), String> {
    let mut usage_set: Vec<&str> = usages.iter().map(String::as_str).collect();
    usage_set.sort();
    usage_set.dedup();
    let subject = &request.params.distinguished_name;
    let organizations: Vec<String> = subject
        .iter()
        .filter(|(kind, _)| **kind == rcgen::DnType::OrganizationName)
        .map(|(_, value)| dn_text(value))
        .collect();
    let common_name = subject
        .iter()
        .find(|(kind, _)| **kind == rcgen::DnType::CommonName)
        .map(|(_, v)| dn_text(v))
        .unwrap_or_default();
    let sans = &request.params.subject_alt_names;
    let has = |f: fn(&SanType) -> bool| sans.iter().any(f);
    let dns = has(|s| matches!(s, SanType::DnsName(_)));
    let ip = has(|s| matches!(s, SanType::IpAddress(_)));
    let email = has(|s| matches!(s, SanType::Rfc822Name(_)));
    let uri = has(|s| matches!(s, SanType::URI(_)));
    let nodes_only = organizations == ["system:nodes"];
    let matches = |required: &[&str], without_rsa: &[&str]| usage_set == required || usage_set == without_rsa;
    match signer {
        KUBELET_SERVING => {
            if !nodes_only {
                return Err("subject organization is not system:nodes".into());
            }
            if !dns && !ip {
                return Err("DNS or IP subjectAltName is required".into());
            }
            if email {
                return Err("Email subjectAltNames are not allowed".into());
            }
            if uri {
                return Err("URI subjectAltNames are not allowed".into());
            }
            if !matches(
                &["digital signature", "key encipherment", "server auth"],
                &["digital signature", "server auth"],
            ) {
                return Err("usages did not match [digital signature key encipherment server auth]".into());
            }
            if !common_name.starts_with("system:node:") {
                return Err("subject common name does not begin with system:node:".into());
            }
            Ok(())
        }
        KUBE_APISERVER_CLIENT_KUBELET => {
            if !nodes_only {
                return Err("subject organization is not system:nodes".into());
            }
            for (present, what) in [(dns, "DNS"), (email, "Email"), (ip, "IP"), (uri, "URI")] {
                if present {
                    return Err(format!("{what} subjectAltNames are not allowed"));
                }
            }
            if !common_name.starts_with("system:node:") {
                return Err("subject common name does not begin with system:node:".into());
            }
            if !matches(
                &["client auth", "digital signature", "key encipherment"],
                &["client auth", "digital signature"],
            ) {
                return Err("usages did not match [client auth digital signature key encipherment]".into());
            }
            Ok(())
        }
        _ => {
            let mut client_auth = false;
            for usage in usages {
                match usage.as_str() {
                    "digital signature" | "key encipherment" => {}
                    "client auth" => client_auth = true,
                    other => return Err(format!("invalid usage for client certificate: {other}")),
                }
            }
            if !client_auth {
                return Err("missing required usage for client certificate: client auth".into());
            }
            Ok(())
        }
    }
}

fn dn_text(value: &rcgen::DnValue) -> String {
    match value {
        rcgen::DnValue::Utf8String(s) => s.clone(),
        rcgen::DnValue::PrintableString(s) => s.as_str().to_string(),
        rcgen::DnValue::Ia5String(s) => s.as_str().to_string(),
        rcgen::DnValue::TeletexString(s) => s.as_str().to_string(),
        rcgen::DnValue::BmpString(_) | rcgen::DnValue::UniversalString(_) => String::new(),
        _ => String::new(),
    }
}

/// Upstream's `PermissiveSigningPolicy`: the request's subject and names, the usages the CSR
/// object lists, not a CA, valid from five minutes ago for `ttl` (less the backdating for
/// long-lived ones), never past the CA.
pub fn sign(
    ca: &CertifiedKey,
    mut request: CertificateSigningRequestParams,
    usages: &[String],
    ttl: Duration,
) -> Result<String, rcgen::Error> {
    let ca_key = KeyPair::from_pem(&ca.key_pem)?;
    let issuer = Issuer::from_ca_cert_pem(&ca.cert_pem, ca_key)?;
    let params = &mut request.params;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = usages.iter().filter_map(|u| key_usage(u)).collect();
    params.extended_key_usages = usages.iter().filter_map(|u| extended_key_usage(u)).collect();
    params.use_authority_key_identifier_extension = true;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let epoch = rcgen::date_time_ymd(1970, 1, 1);
    params.not_before = epoch + (now - BACKDATE);
    params.not_after = if ttl < SHORT { epoch + (now + ttl) } else { epoch + (now + ttl - BACKDATE) };
    if let Some(ca_not_after) = ca_not_after(&ca.cert_pem) {
        let ca_not_after = epoch + ca_not_after;
        if params.not_after > ca_not_after {
            params.not_after = ca_not_after;
        }
    }
    Ok(request.signed_by(&issuer)?.pem())
}

/// The CA certificate's notAfter, since the epoch.
fn ca_not_after(cert_pem: &str) -> Option<Duration> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(cert_pem.as_bytes()).ok()?;
    let cert = pem.parse_x509().ok()?;
    let seconds = cert.validity().not_after.timestamp();
    u64::try_from(seconds).ok().map(Duration::from_secs)
}

/// Upstream's `keyUsageFromStrings`, key usage half.
fn key_usage(usage: &str) -> Option<KeyUsagePurpose> {
    Some(match usage {
        "signing" | "digital signature" => KeyUsagePurpose::DigitalSignature,
        "content commitment" => KeyUsagePurpose::ContentCommitment,
        "key encipherment" => KeyUsagePurpose::KeyEncipherment,
        "key agreement" => KeyUsagePurpose::KeyAgreement,
        "data encipherment" => KeyUsagePurpose::DataEncipherment,
        "cert sign" => KeyUsagePurpose::KeyCertSign,
        "crl sign" => KeyUsagePurpose::CrlSign,
        "encipher only" => KeyUsagePurpose::EncipherOnly,
        "decipher only" => KeyUsagePurpose::DecipherOnly,
        _ => return None,
    })
}

/// Upstream's `keyUsageFromStrings`, extended key usage half.
fn extended_key_usage(usage: &str) -> Option<ExtendedKeyUsagePurpose> {
    Some(match usage {
        "any" => ExtendedKeyUsagePurpose::Any,
        "server auth" => ExtendedKeyUsagePurpose::ServerAuth,
        "client auth" => ExtendedKeyUsagePurpose::ClientAuth,
        "code signing" => ExtendedKeyUsagePurpose::CodeSigning,
        "email protection" | "s/mime" => ExtendedKeyUsagePurpose::EmailProtection,
        "timestamping" => ExtendedKeyUsagePurpose::TimeStamping,
        "ocsp signing" => ExtendedKeyUsagePurpose::OcspSigning,
        "ipsec end system" => ExtendedKeyUsagePurpose::Other(vec![1, 3, 6, 1, 5, 5, 7, 3, 5]),
        "ipsec tunnel" => ExtendedKeyUsagePurpose::Other(vec![1, 3, 6, 1, 5, 5, 7, 3, 6]),
        "ipsec user" => ExtendedKeyUsagePurpose::Other(vec![1, 3, 6, 1, 5, 5, 7, 3, 7]),
        "microsoft sgc" => ExtendedKeyUsagePurpose::Other(vec![1, 3, 6, 1, 4, 1, 311, 10, 3, 3]),
        "netscape sgc" => ExtendedKeyUsagePurpose::Other(vec![2, 16, 840, 1, 113730, 4, 1]),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(cn: &str, orgs: &[&str], sans: Vec<String>) -> CertificateSigningRequestParams {
        let key = KeyPair::generate().expect("key");
        let mut params = rcgen::CertificateParams::new(sans).expect("params");
        for org in orgs {
            params.distinguished_name.push(rcgen::DnType::OrganizationName, *org);
        }
        params.distinguished_name.push(rcgen::DnType::CommonName, cn);
        let pem = params.serialize_request(&key).expect("csr").pem().expect("pem");
        CertificateSigningRequestParams::from_pem(&pem).expect("parses")
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn client_signer_needs_client_auth_and_nothing_else() {
        let alice = request("alice", &["dev"], vec![]);
        assert_eq!(
            check_signer_rules(KUBE_APISERVER_CLIENT, &alice, &strings(&["client auth", "digital signature"])),
            Ok(())
        );
        assert_eq!(
            check_signer_rules(KUBE_APISERVER_CLIENT, &alice, &strings(&["server auth"])),
            Err("invalid usage for client certificate: server auth".into())
        );
        assert_eq!(
            check_signer_rules(KUBE_APISERVER_CLIENT, &alice, &strings(&["digital signature"])),
            Err("missing required usage for client certificate: client auth".into())
        );
    }

    #[test]
    fn kubelet_signers_need_a_node_subject() {
        let node = request("system:node:n1", &["system:nodes"], vec!["n1.example".into()]);
        assert_eq!(
            check_signer_rules(
                KUBELET_SERVING,
                &node,
                &strings(&["digital signature", "key encipherment", "server auth"])
            ),
            Ok(())
        );
        assert_eq!(
            check_signer_rules(KUBE_APISERVER_CLIENT_KUBELET, &node, &strings(&["client auth", "digital signature"])),
            Err("DNS subjectAltNames are not allowed".into())
        );
        let alice = request("alice", &[], vec![]);
        assert_eq!(
            check_signer_rules(KUBE_APISERVER_CLIENT_KUBELET, &alice, &strings(&["client auth"])),
            Err("subject organization is not system:nodes".into())
        );
    }

    #[test]
    fn durations_are_clamped_between_ten_minutes_and_the_maximum() {
        assert_eq!(duration(None), MAX_DURATION);
        assert_eq!(duration(Some(3600)), Duration::from_secs(3600));
        assert_eq!(duration(Some(60)), MIN_DURATION);
        assert_eq!(duration(Some(i32::MAX)), MAX_DURATION);
    }

    #[test]
    fn signed_certificate_chains_to_the_ca_with_the_requested_subject_and_lifetime() {
        let pki = crate::machinery::pki::Pki::generate().expect("ca");
        let pem =
            sign(pki.ca(), request("alice", &["dev"], vec![]), &strings(&["client auth"]), Duration::from_secs(3600))
                .expect("signs");
        let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).expect("pem");
        let cert = block.parse_x509().expect("x509");
        assert_eq!(crate::machinery::pki::identity_of(&block.contents), Some(("alice".into(), vec!["dev".into()])));
        let lifetime = cert.validity().not_after.timestamp() - cert.validity().not_before.timestamp();
        assert_eq!(lifetime, 3600 + 300);
        assert_eq!(cert.issuer().to_string(), "CN=kctl-ca");
    }
}
