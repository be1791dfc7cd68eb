//! The strategy of certificates.k8s.io: CertificateSigningRequest, as upstream's `csrStrategy`
//! and its `status` and `approval` strategies (`pkg/registry/certificates/certificates`), with
//! `pkg/apis/certificates/validation`. The spec is fixed at create (an update keeps the stored
//! one); the requester is recorded by the create path ([`set_requester`]); `/approval` writes
//! the Approved and Denied conditions, `/status` the certificate and the other conditions
//! ([`prepare_subresource_update`]).

use base64::Engine;
use serde_json::{json, Map, Value};

use super::field::{child, index, quote, Errs};
use super::selectable::text;
use super::{Cause, FieldSet, Strategy};
use crate::machinery::validation::{is_dns1123_label, is_dns1123_subdomain};
use crate::registry::tables;

/// Upstream's `csrStrategy`.
pub(crate) static CERTIFICATE_SIGNING_REQUEST: Strategy = Strategy {
    keep_on_update: |root, old| match old.get("spec") {
        Some(spec) => {
            root.insert("spec".into(), spec.clone());
        }
        None => {
            root.remove("spec");
        }
    },
    validator: |e, csr| validate_csr(e, csr, &Options::default()),
    update_validator: Some(|e, new, old| validate_csr_update(e, new, old, Options::for_update(old))),
    fields: FieldSet::of(&[text("spec.signerName")]).cluster_scoped(),
    printer: &tables::certs_storage::CERTIFICATE_SIGNING_REQUEST,
    ..Strategy::DEFAULT
};

/// The signer name of v1beta1 only, refused by v1.
const LEGACY_UNKNOWN: &str = "kubernetes.io/legacy-unknown";

/// Upstream's `allValidUsages`, sorted as `sets.String.List()` prints them.
const VALID_USAGES: &[&str] = &[
    "any",
    "cert sign",
    "client auth",
    "code signing",
    "content commitment",
    "crl sign",
    "data encipherment",
    "decipher only",
    "digital signature",
    "email protection",
    "encipher only",
    "ipsec end system",
    "ipsec tunnel",
    "ipsec user",
    "key agreement",
    "key encipherment",
    "microsoft sgc",
    "netscape sgc",
    "ocsp signing",
    "s/mime",
    "server auth",
    "signing",
    "timestamping",
];

/// The group every authenticated user is in.
const AUTHENTICATED_GROUP: &str = "system:authenticated";

/// Upstream's `PrepareForCreate` as far as it needs the requesting user: `spec.username`,
/// `uid`, `groups` and `extra` are the requester's, whatever was sent.
pub(crate) fn set_requester(csr: &mut Value, user: &str, groups: &[String]) {
    let Some(spec) = csr.as_object_mut().and_then(|root| super::field::ensure_obj(root, "spec")) else { return };
    for key in ["username", "uid", "groups", "extra"] {
        spec.remove(key);
    }
    spec.insert("username".into(), Value::String(user.to_string()));
    let mut groups = groups.to_vec();
    if !groups.iter().any(|g| g == AUTHENTICATED_GROUP) {
        groups.push(AUTHENTICATED_GROUP.to_string());
    }
    spec.insert("groups".into(), json!(groups));
}

/// Upstream's `certificateValidationOptions`: what an update path may set, and what a stored
/// object already got away with.
#[derive(Debug, Default, Clone, Copy)]
struct Options {
    allow_setting_approval_conditions: bool,
    allow_setting_certificate: bool,
    allow_both_approved_and_denied: bool,
    allow_resetting_certificate: bool,
    allow_duplicate_condition_types: bool,
}

impl Options {
    /// `getValidationOptions` of an update: problems already stored are tolerated.
    fn for_update(old: &Value) -> Options {
        let stored = conditions(old);
        let types: Vec<&str> = stored.iter().map(|c| c.get("type").and_then(Value::as_str).unwrap_or("")).collect();
        let duplicates = types.iter().enumerate().any(|(i, t)| types[..i].contains(t));
        Options {
            allow_both_approved_and_denied: types.contains(&"Approved") && types.contains(&"Denied"),
            allow_duplicate_condition_types: duplicates,
            allow_resetting_certificate: validate_certificate(old.pointer("/status/certificate")).is_err(),
            ..Options::default()
        }
    }
}

fn conditions(csr: &Value) -> Vec<Value> {
    csr.pointer("/status/conditions").and_then(Value::as_array).cloned().unwrap_or_default()
}

/// The conditions of `kind`, in order.
fn conditions_of(csr: &Value, kind: &str) -> Vec<Value> {
    conditions(csr).into_iter().filter(|c| c.get("type").and_then(Value::as_str) == Some(kind)).collect()
}

/// Go's `%#v` of a `[]byte`.
fn go_bytes(bytes: Option<&[u8]>) -> String {
    match bytes {
        None => "[]byte(nil)".to_string(),
        Some(bytes) => {
            let items: Vec<String> = bytes.iter().map(|b| format!("{b:#04x}")).collect();
            format!("[]byte{{{}}}", items.join(", "))
        }
    }
}

/// A base64 `[]byte` field, decoded; `Err` with a cause when it is not base64.
fn bytes_field(e: &mut Errs, parent: &Value, key: &str, path: &str) -> Result<Option<Vec<u8>>, ()> {
    let Some(text) = e.str(parent, key, path) else { return Ok(None) };
    match base64::engine::general_purpose::STANDARD.decode(text) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(_) => {
            e.invalid(path, &quote(text), "illegal base64 data");
            Err(())
        }
    }
}

/// Upstream's `validateCSR`: a PEM `CERTIFICATE REQUEST` whose signature verifies.
pub(crate) fn check_request(pem: &[u8]) -> Result<(), String> {
    let block = match x509_parser::pem::parse_x509_pem(pem) {
        Ok((_, block)) if block.label == "CERTIFICATE REQUEST" => block,
        _ => return Err("PEM block type must be CERTIFICATE REQUEST".into()),
    };
    use x509_parser::prelude::FromDer;
    let (_, request) = x509_parser::certification_request::X509CertificationRequest::from_der(&block.contents)
        .map_err(|_| "x509: malformed certificate request".to_string())?;
    request.verify_signature().map_err(|_| "x509: signature verification failure".to_string())
}

/// Upstream's `validateCertificate`: empty, or only CERTIFICATE blocks, each parsing.
fn validate_certificate(certificate: Option<&Value>) -> Result<(), String> {
    let Some(text) = certificate.and_then(Value::as_str).filter(|t| !t.is_empty()) else { return Ok(()) };
    let pem = base64::engine::general_purpose::STANDARD.decode(text).map_err(|_| "illegal base64 data".to_string())?;
    let mut blocks = 0;
    for block in x509_parser::pem::Pem::iter_from_buffer(&pem) {
        let Ok(block) = block else { break };
        if block.label != "CERTIFICATE" {
            return Err(format!("only CERTIFICATE PEM blocks are allowed, found {}", quote(&block.label)));
        }
        if block.parse_x509().is_err() {
            return Err("x509: malformed certificate".into());
        }
        blocks += 1;
    }
    if blocks == 0 {
        return Err("must contain at least one CERTIFICATE PEM block".into());
    }
    Ok(())
}

/// `ValidateSignerName`: `example.com/signer-name`, a DNS domain of two segments or more and
/// a path of DNS subdomains.
fn validate_signer_name(e: &mut Errs, path: &str, name: &str) {
    if name.is_empty() {
        e.required(path, "");
        return;
    }
    let segments: Vec<&str> = name.split('/').collect();
    if segments.len() != 2 {
        e.invalid(
            path,
            &quote(name),
            "must be a fully qualified domain and path of the form 'example.com/signer-name'",
        );
        return;
    }
    let (domain, rest) = (segments[0], segments[1]);
    if domain.len() > 253 {
        e.too_long(path, 253);
    }
    let labels: Vec<&str> = domain.split('.').collect();
    for label in &labels {
        let errs = is_dns1123_label(label);
        if !errs.is_empty() {
            for err in errs {
                e.invalid(path, &quote(domain), &format!("validating label {}: {err}", quote(label)));
            }
            break;
        }
    }
    if labels.len() < 2 {
        e.invalid(path, &quote(domain), "should be a domain with at least two segments separated by dots");
    }
    for label in rest.split('.') {
        let errs = is_dns1123_subdomain(label);
        if !errs.is_empty() {
            for err in errs {
                e.invalid(path, &quote(rest), &format!("validating label {}: {err}", quote(label)));
            }
            break;
        }
    }
    if name.len() > 253 + 253 + 63 + 2 {
        e.too_long(path, 253 + 253 + 63 + 2);
    }
}

/// Upstream's `validateCertificateSigningRequest` (without ObjectMeta's checks).
fn validate_csr(e: &mut Errs, csr: &Value, opts: &Options) {
    let empty = Value::Object(Map::new());
    let spec = e.obj(csr, "spec", "spec").map(|m| Value::Object(m.clone())).unwrap_or(empty);
    if let Ok(request) = bytes_field(e, &spec, "request", "spec.request") {
        if let Err(err) = check_request(request.as_deref().unwrap_or_default()) {
            e.invalid("spec.request", &go_bytes(request.as_deref()), &err);
        }
    }
    let usages: Vec<String> = e
        .arr(&spec, "usages", "spec.usages")
        .map(|u| u.iter().map(|u| u.as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default();
    if usages.is_empty() {
        e.required("spec.usages", "");
    }
    for (i, usage) in usages.iter().enumerate() {
        if !VALID_USAGES.contains(&usage.as_str()) {
            e.not_supported(&index("spec.usages", i), &quote(usage), VALID_USAGES);
        }
    }
    for (i, usage) in usages.iter().enumerate() {
        if usages[..i].contains(usage) {
            e.duplicate(&index("spec.usages", i), &quote(usage));
        }
    }
    let signer = e.str(&spec, "signerName", "spec.signerName").unwrap_or("");
    if signer == LEGACY_UNKNOWN {
        e.invalid("spec.signerName", &quote(signer), "the legacy signerName is not allowed via this API version");
    } else {
        validate_signer_name(e, "spec.signerName", signer);
    }
    if let Some(seconds) = e.int(&spec, "expirationSeconds", "spec.expirationSeconds") {
        if seconds < 600 {
            e.invalid(
                "spec.expirationSeconds",
                &seconds.to_string(),
                "may not specify a duration less than 600 seconds (10 minutes)",
            );
        }
    }
    validate_conditions(e, csr, opts);
    if let Err(err) = validate_certificate(csr.pointer("/status/certificate")) {
        e.invalid("status.certificate", "\"<certificate data>\"", &err);
    }
}

/// Upstream's `validateConditions`.
fn validate_conditions(e: &mut Errs, csr: &Value, opts: &Options) {
    let path = "status.conditions";
    let (mut approved, mut denied) = (false, false);
    let mut seen: Vec<String> = Vec::new();
    for (i, condition) in conditions(csr).iter().enumerate() {
        let at = index(path, i);
        let kind = condition.get("type").and_then(Value::as_str).unwrap_or("");
        if kind.is_empty() {
            e.required(&child(&at, "type"), "");
        }
        let status = condition.get("status").and_then(Value::as_str).unwrap_or("");
        let allowed: &[&str] =
            if ["Approved", "Denied", "Failed"].contains(&kind) { &["True"] } else { &["False", "True", "Unknown"] };
        if status.is_empty() {
            e.required(&child(&at, "status"), "");
        } else if !allowed.contains(&status) {
            e.not_supported(&child(&at, "status"), &quote(status), allowed);
        }
        if !opts.allow_both_approved_and_denied {
            match kind {
                "Approved" => {
                    approved = true;
                    if denied {
                        e.invalid(
                            &child(&at, "type"),
                            &quote(kind),
                            "Approved and Denied conditions are mutually exclusive",
                        );
                    }
                }
                "Denied" => {
                    denied = true;
                    if approved {
                        e.invalid(
                            &child(&at, "type"),
                            &quote(kind),
                            "Approved and Denied conditions are mutually exclusive",
                        );
                    }
                }
                _ => {}
            }
        }
        if !opts.allow_duplicate_condition_types {
            if seen.iter().any(|t| t == kind) {
                e.duplicate(&child(&at, "type"), &quote(kind));
            }
            seen.push(kind.to_string());
        }
    }
}

/// Upstream's `validateCertificateSigningRequestUpdate`.
fn validate_csr_update(e: &mut Errs, new: &Value, old: &Value, opts: Options) {
    validate_csr(e, new, &opts);
    for kind in ["Approved", "Denied", "Failed"] {
        if conditions_of(new, kind).len() < conditions_of(old, kind).len() {
            e.forbidden("status.conditions", &format!("updates may not remove a condition of type {}", quote(kind)));
        }
    }
    if !opts.allow_setting_approval_conditions {
        for kind in ["Approved", "Denied"] {
            let (old_conditions, new_conditions) = (conditions_of(old, kind), conditions_of(new, kind));
            if new_conditions.len() > old_conditions.len() {
                e.forbidden("status.conditions", &format!("updates may not add a condition of type {}", quote(kind)));
            } else if new_conditions.len() == old_conditions.len() && new_conditions != old_conditions {
                e.forbidden(
                    "status.conditions",
                    &format!("updates may not modify a condition of type {}", quote(kind)),
                );
            }
        }
    }
    let certificate =
        |csr: &Value| csr.pointer("/status/certificate").and_then(Value::as_str).unwrap_or("").to_string();
    let (new_certificate, old_certificate) = (certificate(new), certificate(old));
    if new_certificate != old_certificate {
        if !opts.allow_setting_certificate {
            e.forbidden("status.certificate", "updates may not set certificate content");
        } else if !opts.allow_resetting_certificate && !old_certificate.is_empty() {
            e.forbidden("status.certificate", "updates may not modify existing certificate content");
        }
    }
}

/// A write of `/status` or `/approval` of a CertificateSigningRequest, after the generic status
/// write kept everything but `status` from `old`: what that subresource may change
/// (upstream's `csrStatusStrategy` and `csrApprovalStrategy`), then its validation.
pub(crate) fn prepare_subresource_update(subresource: &str, new: &mut Value, old: &Value, now: &str) -> Vec<Cause> {
    let mut opts = Options::for_update(old);
    match subresource {
        "approval" => {
            populate_condition_timestamps(new, old, now);
            let new_conditions = new.pointer("/status/conditions").cloned();
            let mut status = old.get("status").cloned().unwrap_or_else(|| json!({}));
            if let Some(status) = status.as_object_mut() {
                match new_conditions {
                    Some(conditions) => status.insert("conditions".into(), conditions),
                    None => status.remove("conditions"),
                };
            }
            if let Some(root) = new.as_object_mut() {
                root.insert("status".into(), status);
            }
            opts.allow_setting_approval_conditions = true;
        }
        _ => {
            preserve_condition_instances(new, old, "Approved");
            preserve_condition_instances(new, old, "Denied");
            populate_condition_timestamps(new, old, now);
            opts.allow_setting_certificate = true;
        }
    }
    let mut e = Errs::default();
    super::meta::validate_object_meta_update(&mut e, new, old);
    validate_csr_update(&mut e, new, old, opts);
    e.causes
}

/// Upstream's `preserveConditionInstances`: a status write keeps the stored conditions of
/// `kind` when it sends as many.
fn preserve_condition_instances(new: &mut Value, old: &Value, kind: &str) {
    let old_conditions = conditions_of(old, kind);
    let Some(Value::Array(new_conditions)) = new.pointer_mut("/status/conditions") else { return };
    let positions: Vec<usize> = new_conditions
        .iter()
        .enumerate()
        .filter(|(_, c)| c.get("type").and_then(Value::as_str) == Some(kind))
        .map(|(i, _)| i)
        .collect();
    if positions.len() != old_conditions.len() {
        return;
    }
    for (position, old_condition) in positions.into_iter().zip(old_conditions) {
        new_conditions[position] = old_condition;
    }
}

/// Upstream's `populateConditionTimestamps`.
fn populate_condition_timestamps(new: &mut Value, old: &Value, now: &str) {
    let old_conditions = conditions(old);
    let Some(Value::Array(new_conditions)) = new.pointer_mut("/status/conditions") else { return };
    for condition in new_conditions.iter_mut().filter_map(Value::as_object_mut) {
        let unset =
            |c: &Map<String, Value>, key: &str| c.get(key).is_none_or(|v| v.is_null() || v.as_str() == Some(""));
        if unset(condition, "lastUpdateTime") {
            condition.insert("lastUpdateTime".into(), json!(now));
        }
        if unset(condition, "lastTransitionTime") {
            let same = old_conditions.iter().find(|o| {
                o.get("type") == condition.get("type")
                    && o.get("status") == condition.get("status")
                    && o.get("lastTransitionTime").and_then(Value::as_str).is_some_and(|t| !t.is_empty())
            });
            let transition = same.and_then(|o| o.get("lastTransitionTime").cloned()).unwrap_or_else(|| json!(now));
            condition.insert("lastTransitionTime".into(), transition);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machinery::well_known::KUBE_APISERVER_CLIENT;
    use crate::registry::strategy::field::errs;

    /// A CSR for `cn` in `orgs`, PEM.
    fn csr_pem(cn: &str) -> String {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.distinguished_name.push(rcgen::DnType::CommonName, cn);
        params.serialize_request(&key).expect("csr").pem().expect("pem")
    }

    fn csr(pem: &str) -> Value {
        json!({"metadata": {"name": "c"}, "spec": {
            "request": base64::engine::general_purpose::STANDARD.encode(pem),
            "signerName": KUBE_APISERVER_CLIENT, "usages": ["client auth"], "expirationSeconds": 86400}})
    }

    #[test]
    fn a_signed_pem_request_is_valid() {
        assert!(errs(|e| validate_csr(e, &csr(&csr_pem("alice")), &Options::default())).is_empty());
    }

    #[test]
    fn request_must_be_a_certificate_request_block() {
        let causes = errs(|e| {
            validate_csr(e, &csr("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), &Options::default())
        });
        assert_eq!(causes.len(), 1);
        assert_eq!(causes[0].0, "spec.request");
        assert!(causes[0].1.starts_with("Invalid value: []byte{0x2d, 0x2d"), "{causes:?}");
        assert!(causes[0].1.ends_with(": PEM block type must be CERTIFICATE REQUEST"));
    }

    #[test]
    fn signer_usages_and_duration_are_checked() {
        let mut bad = csr(&csr_pem("alice"));
        bad["spec"]["signerName"] = json!("foo");
        bad["spec"]["usages"] = json!(["client auth", "flying", "client auth"]);
        bad["spec"]["expirationSeconds"] = json!(60);
        let causes = errs(|e| validate_csr(e, &bad, &Options::default()));
        let fields: Vec<&str> = causes.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(fields, vec!["spec.usages[1]", "spec.usages[2]", "spec.signerName", "spec.expirationSeconds"]);
        assert_eq!(
            causes[2].1,
            "Invalid value: \"foo\": must be a fully qualified domain and path of the form 'example.com/signer-name'"
        );
        assert_eq!(causes[3].1, "Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)");
        let mut legacy = csr(&csr_pem("alice"));
        legacy["spec"]["signerName"] = json!(LEGACY_UNKNOWN);
        assert_eq!(
            errs(|e| validate_csr(e, &legacy, &Options::default()))[0].1,
            "Invalid value: \"kubernetes.io/legacy-unknown\": the legacy signerName is not allowed via this API version"
        );
    }

    #[test]
    fn requester_replaces_what_was_sent() {
        let mut sent = json!({"spec": {"username": "mallory", "groups": ["system:masters"], "extra": {"a": ["b"]}}});
        set_requester(&mut sent, "alice", &["dev".into()]);
        assert_eq!(sent["spec"], json!({"username": "alice", "groups": ["dev", "system:authenticated"]}));
    }

    #[test]
    fn approval_sets_approved_but_not_both() {
        let old = csr(&csr_pem("alice"));
        let mut approved = old.clone();
        approved["status"] =
            json!({"conditions": [{"type": "Approved", "status": "True", "reason": "KubectlApprove"}]});
        approved["spec"]["username"] = json!("changed");
        let causes = prepare_subresource_update("approval", &mut approved, &old, "2026-01-01T00:00:00Z");
        assert!(causes.is_empty(), "{causes:?}");
        assert_eq!(approved["status"]["conditions"][0]["lastUpdateTime"], "2026-01-01T00:00:00Z");
        let mut both = approved.clone();
        both["status"]["conditions"].as_array_mut().unwrap().push(json!({"type": "Denied", "status": "True"}));
        let causes = prepare_subresource_update("approval", &mut both, &approved, "2026-01-01T00:00:00Z");
        assert_eq!(
            causes.iter().map(|c| (c.field.as_str(), c.message.as_str())).collect::<Vec<_>>(),
            vec![(
                "status.conditions[1].type",
                "Invalid value: \"Denied\": Approved and Denied conditions are mutually exclusive"
            )]
        );
    }

    #[test]
    fn status_writes_may_not_approve_nor_set_garbage_certificates() {
        let old = csr(&csr_pem("alice"));
        let mut approving = old.clone();
        approving["status"] = json!({"conditions": [{"type": "Approved", "status": "True"}]});
        let causes = prepare_subresource_update("status", &mut approving, &old, "2026-01-01T00:00:00Z");
        assert_eq!(causes[0].message, "Forbidden: updates may not add a condition of type \"Approved\"");
        let mut garbage = old.clone();
        garbage["status"] = json!({"certificate": base64::engine::general_purpose::STANDARD.encode("nope")});
        let causes = prepare_subresource_update("status", &mut garbage, &old, "2026-01-01T00:00:00Z");
        assert_eq!(causes[0].field, "status.certificate");
        assert_eq!(
            causes[0].message,
            "Invalid value: \"<certificate data>\": must contain at least one CERTIFICATE PEM block"
        );
    }

    #[test]
    fn main_resource_updates_keep_the_spec() {
        let resource = crate::registry::by_kind("certificates.k8s.io/v1", "CertificateSigningRequest").unwrap();
        let old = csr(&csr_pem("alice"));
        let mut new = old.clone();
        new["spec"]["usages"] = json!(["server auth"]);
        resource.strategy.prepare_for_update(resource, &mut new, &old);
        assert_eq!(new["spec"], old["spec"]);
    }
}
