//! The kubelet's token manager (upstream's `pkg/kubelet/token`): the tokens of projected
//! `serviceAccountToken` sources, asked of the TokenRequest API bound to the pod, kept
//! until 80 % of their lifetime has passed, then asked again.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Pod, ServiceAccountTokenProjection};
use kube::Client;
use serde_json::{json, Value};

/// Upstream's default lifetime of a projected token.
const DEFAULT_EXPIRATION_SECONDS: i64 = 3600;

struct Cached {
    token: String,
    refresh_at: Instant,
}

/// Tokens by pod uid, audience and lifetime.
#[derive(Default)]
pub struct TokenManager {
    tokens: parking_lot::Mutex<HashMap<(String, String, i64), Cached>>,
}

/// The process's token manager: pods' uids keep the kubelets of one process apart.
pub static TOKENS: std::sync::LazyLock<TokenManager> = std::sync::LazyLock::new(TokenManager::default);

impl TokenManager {
    /// The token for `source` of `pod`: cached, or asked for now.
    pub async fn token(
        &self,
        client: &Client,
        pod: &Pod,
        source: &ServiceAccountTokenProjection,
    ) -> Result<String, String> {
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let audience = source.audience.clone().unwrap_or_default();
        let seconds = source.expiration_seconds.unwrap_or(DEFAULT_EXPIRATION_SECONDS);
        let key = (uid.clone(), audience.clone(), seconds);
        let now = Instant::now();
        {
            let mut tokens = self.tokens.lock();
            tokens.retain(|_, cached| cached.refresh_at > now);
            if let Some(cached) = tokens.get(&key) {
                return Ok(cached.token.clone());
            }
        }
        let token = request(client, pod, &audience, seconds).await?;
        let refresh_at = now + Duration::from_secs((seconds.max(1) as u64) * 4 / 5);
        self.tokens.lock().insert(key, Cached { token: token.clone(), refresh_at });
        Ok(token)
    }
}

/// `POST serviceaccounts/NAME/token` bound to `pod`.
async fn request(client: &Client, pod: &Pod, audience: &str, seconds: i64) -> Result<String, String> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let account = pod.spec.as_ref().and_then(|s| s.service_account_name.as_deref()).unwrap_or("default");
    let audiences: Vec<&str> = if audience.is_empty() { Vec::new() } else { vec![audience] };
    let body = json!({
        "apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
        "spec": {
            "audiences": audiences,
            "expirationSeconds": seconds,
            "boundObjectRef": {"apiVersion": "v1", "kind": "Pod",
                "name": pod.metadata.name, "uid": pod.metadata.uid},
        },
    });
    let url = format!("/api/v1/namespaces/{namespace}/serviceaccounts/{account}/token");
    let failed = |err: String| format!("failed to fetch token: {err}");
    let request = http::Request::post(url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(&body).map_err(|e| failed(e.to_string()))?)
        .map_err(|e| failed(e.to_string()))?;
    let answer: Value = client.request(request).await.map_err(|err| match err {
        kube::Error::Api(status) => failed(status.message),
        other => failed(other.to_string()),
    })?;
    answer
        .pointer("/status/token")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| failed("the answer holds no token".into()))
}
