//! Service-account JWTs (upstream's `pkg/serviceaccount/jwt.go`, `claims.go`, `legacy.go`):
//! ES256-signed with a key the control plane makes once and keeps (`sa.key` beside the CA),
//! bound tokens (TokenRequest: audience, expiry, bound to a pod, secret or node that must
//! still exist) and legacy ones (in a `kubernetes.io/service-account-token` Secret, valid
//! while the Secret holds them).

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{
    EcdsaKeyPair, KeyPair, UnparsedPublicKey, ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING,
};
use serde_json::{json, Value};
use sha2::Digest;

use crate::apiserver::auth::UserInfo;
use crate::apiserver::ApiState;
use crate::registry::{self, ResourceInfo};

/// The issuer of bound tokens, and the audience the API accepts (kind's and kubeadm's
/// `--service-account-issuer`, upstream's default `--api-audiences`).
pub const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";
/// The issuer of legacy (secret-based) tokens.
pub const LEGACY_ISSUER: &str = "kubernetes/serviceaccount";
const KEY_FILE: &str = "sa.key";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("reading or writing {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the service account key {path} is not a P-256 key: {reason}")]
    Bad { path: String, reason: String },
}

/// The service-account signing key.
pub struct Signer {
    key: EcdsaKeyPair,
    key_id: String,
    rng: SystemRandom,
}

impl Signer {
    /// Loads `dir/sa.key`, making it the first time.
    pub fn load_or_create(dir: &Path) -> Result<Signer, KeyError> {
        let path = dir.join(KEY_FILE);
        let shown = path.display().to_string();
        let io = |source| KeyError::Io { path: shown.clone(), source };
        let pem = match std::fs::read_to_string(&path) {
            Ok(pem) => pem,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let pem = rcgen::KeyPair::generate()
                    .map_err(|e| KeyError::Bad { path: shown.clone(), reason: e.to_string() })?
                    .serialize_pem();
                std::fs::create_dir_all(dir).map_err(io)?;
                std::fs::write(&path, &pem).map_err(io)?;
                pem
            }
            Err(err) => return Err(io(err)),
        };
        let bad = |reason: String| KeyError::Bad { path: shown.clone(), reason };
        let der = rcgen::KeyPair::from_pem(&pem).map_err(|e| bad(e.to_string()))?.serialize_der();
        let rng = SystemRandom::new();
        let key =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &der, &rng).map_err(|e| bad(e.to_string()))?;
        // Upstream's key id: the URL-safe SHA-256 of the public key.
        let key_id = URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(key.public_key().as_ref()));
        Ok(Signer { key, key_id, rng })
    }

    /// A signed JWT of `claims`.
    pub fn sign(&self, claims: &Value) -> Option<String> {
        let header = json!({"alg": "ES256", "kid": self.key_id});
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&header).ok()?),
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).ok()?)
        );
        let signature = self.key.sign(&self.rng, signing_input.as_bytes()).ok()?;
        Some(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref())))
    }

    /// The claims of `token` if this key signed it.
    fn verify(&self, token: &str) -> Option<Value> {
        let (signing_input, signature) = token.rsplit_once('.')?;
        let (_, payload) = signing_input.split_once('.')?;
        let signature = URL_SAFE_NO_PAD.decode(signature).ok()?;
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, self.key.public_key().as_ref())
            .verify(signing_input.as_bytes(), &signature)
            .ok()?;
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }
}

fn resource(plural: &str) -> &'static ResourceInfo {
    registry::by_plural("", "v1", plural).expect("core resources are in the registry")
}

fn text<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

/// Clock skew tolerated on `nbf` and `iat`, as upstream's.
const LEEWAY: i64 = 60;

/// What a bearer token is to the service-account authenticator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checked {
    /// Not a JWT of one of our issuers: another authenticator's (or nobody's).
    NotOurs,
    /// Ours, but it does not hold (signature, expiry, audience, a deleted bound object).
    Invalid,
    User(UserInfo),
}

/// The issuer a JWT claims, read before its signature is checked (as upstream picks the
/// authenticator by it).
fn claimed_issuer(token: &str) -> Option<String> {
    let mut parts = token.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    claims.get("iss").and_then(Value::as_str).map(str::to_string)
}

/// The user `token` stands for, if it is a service-account token of this cluster that still
/// holds for one of `audiences` (the API's audience when `None`).
pub async fn authenticate(state: &ApiState, token: &str, audiences: Option<&[String]>) -> Checked {
    let Some(issuer) = claimed_issuer(token).filter(|i| i == ISSUER || i == LEGACY_ISSUER) else {
        return Checked::NotOurs;
    };
    let Some(claims) = state.tokens.verify(token) else { return Checked::Invalid };
    let user = match issuer.as_str() {
        ISSUER => bound(state, &claims, audiences).await,
        _ => legacy(state, token, &claims).await,
    };
    user.map_or(Checked::Invalid, Checked::User)
}

/// An object `kind` `name` in `namespace` that exists with `uid`.
async fn exists(state: &ApiState, plural: &str, namespace: Option<&str>, name: &str, uid: &str) -> Option<Value> {
    let object = state.storage.try_get(resource(plural), namespace, name).await.ok()??;
    (text(&object, "/metadata/uid") == uid).then_some(object)
}

async fn bound(state: &ApiState, claims: &Value, audiences: Option<&[String]>) -> Option<UserInfo> {
    let now = chrono::Utc::now().timestamp();
    let number = |key: &str| claims.get(key).and_then(Value::as_i64);
    if number("exp").is_some_and(|exp| exp < now) || number("nbf").is_some_and(|nbf| nbf > now + LEEWAY) {
        return None;
    }
    let accepted = audiences.map(<[String]>::to_vec).unwrap_or_else(|| vec![ISSUER.to_string()]);
    let token_audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !token_audiences.iter().any(|a| accepted.iter().any(|b| b == a)) {
        return None;
    }
    let private = claims.get("kubernetes.io")?;
    let namespace = text(private, "/namespace");
    let (sa_name, sa_uid) = (text(private, "/serviceaccount/name"), text(private, "/serviceaccount/uid"));
    exists(state, "serviceaccounts", Some(namespace), sa_name, sa_uid).await?;
    let mut user = service_account_user(namespace, sa_name, sa_uid);
    if let Some(pod) = private.get("pod") {
        exists(state, "pods", Some(namespace), text(pod, "/name"), text(pod, "/uid")).await?;
        user.extra.insert("authentication.kubernetes.io/pod-name".into(), vec![text(pod, "/name").into()]);
        user.extra.insert("authentication.kubernetes.io/pod-uid".into(), vec![text(pod, "/uid").into()]);
    }
    if let Some(secret) = private.get("secret") {
        exists(state, "secrets", Some(namespace), text(secret, "/name"), text(secret, "/uid")).await?;
    }
    if let Some(node) = private.get("node") {
        exists(state, "nodes", None, text(node, "/name"), text(node, "/uid")).await?;
        user.extra.insert("authentication.kubernetes.io/node-name".into(), vec![text(node, "/name").into()]);
        user.extra.insert("authentication.kubernetes.io/node-uid".into(), vec![text(node, "/uid").into()]);
    }
    if let Some(jti) = claims.get("jti").and_then(Value::as_str) {
        user.extra.insert("authentication.kubernetes.io/credential-id".into(), vec![format!("JTI={jti}")]);
    }
    Some(user)
}

async fn legacy(state: &ApiState, token: &str, claims: &Value) -> Option<UserInfo> {
    let claim = |key: &str| claims.get(format!("kubernetes.io/serviceaccount/{key}")).and_then(Value::as_str);
    let (namespace, secret_name) = (claim("namespace")?, claim("secret.name")?);
    let (sa_name, sa_uid) = (claim("service-account.name")?, claim("service-account.uid")?);
    let secret = state.storage.try_get(resource("secrets"), Some(namespace), secret_name).await.ok()??;
    let stored = base64::engine::general_purpose::STANDARD.decode(text(&secret, "/data/token")).ok()?;
    if stored != token.as_bytes() {
        return None;
    }
    exists(state, "serviceaccounts", Some(namespace), sa_name, sa_uid).await?;
    let mut user = service_account_user(namespace, sa_name, sa_uid);
    user.extra.insert(
        "authentication.kubernetes.io/credential-id".into(),
        vec![format!("Secret/{}", text(&secret, "/metadata/uid"))],
    );
    Some(user)
}

fn service_account_user(namespace: &str, name: &str, uid: &str) -> UserInfo {
    let mut user = UserInfo::authenticated(super::username(namespace, name), super::groups_of(namespace));
    user.uid = uid.to_string();
    user
}

/// The claims of a legacy token for service account `sa` stored in `secret`.
pub fn legacy_claims(sa: &Value, secret: &Value) -> Value {
    let (namespace, name) = (text(sa, "/metadata/namespace"), text(sa, "/metadata/name"));
    json!({
        "iss": LEGACY_ISSUER,
        "kubernetes.io/serviceaccount/namespace": namespace,
        "kubernetes.io/serviceaccount/secret.name": text(secret, "/metadata/name"),
        "kubernetes.io/serviceaccount/service-account.name": name,
        "kubernetes.io/serviceaccount/service-account.uid": text(sa, "/metadata/uid"),
        "sub": super::username(namespace, name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_with_the_key_that_signed_them() {
        let dir = tempfile::tempdir().unwrap();
        let signer = Signer::load_or_create(dir.path()).unwrap();
        let token = signer.sign(&json!({"iss": ISSUER, "sub": "x"})).unwrap();
        assert_eq!(signer.verify(&token).unwrap()["sub"], "x");
        let again = Signer::load_or_create(dir.path()).unwrap();
        assert!(again.verify(&token).is_some(), "the key is kept");
        let other = Signer::load_or_create(&dir.path().join("other")).unwrap();
        assert!(other.verify(&token).is_none());
        let mut tampered = token.clone();
        tampered.insert(tampered.find('.').unwrap() + 2, 'A');
        assert!(signer.verify(&tampered).is_none());
    }
}
