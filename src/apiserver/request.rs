//! One API request as the handlers see it: who sent it, the query parameters, the body
//! decoded from JSON or YAML, and what representation the client accepts.

use std::collections::HashMap;

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde_json::Value;

use super::auth::Identity;
use super::negotiation::{Convert, Format, Output};
use super::status::ApiError;

pub struct Request {
    pub method: Method,
    pub path: String,
    pub query: HashMap<String, String>,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub identity: Identity,
    /// Warnings for the client, answered as `Warning: 299 - "…"` headers.
    pub warnings: parking_lot::Mutex<Vec<String>>,
    /// The representation negotiated for a resource request's answer (see `negotiation`);
    /// unset elsewhere, which is JSON.
    pub output: std::sync::OnceLock<Output>,
}

impl Request {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub fn flag(&self, name: &str) -> bool {
        matches!(self.param(name), Some("true" | "1"))
    }

    fn header(&self, name: http::HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
    }

    pub fn accept(&self) -> &str {
        self.header(http::header::ACCEPT)
    }

    /// The client asked for `meta.k8s.io` Tables (what kubectl get asks for).
    pub fn wants_table(&self) -> bool {
        self.output.get().is_some_and(|output| output.convert == Some(Convert::Table))
    }

    /// `Accept: application/json;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1`:
    /// metadata-only objects, as metadata informers ask.
    pub fn wants_metadata(&self) -> bool {
        self.output.get().is_some_and(|output| output.convert == Some(Convert::Metadata))
    }

    /// The answer is to be protobuf (for kinds that have a protobuf form).
    pub fn wants_protobuf(&self) -> bool {
        self.output.get().is_some_and(|output| output.format == Format::Protobuf)
    }

    pub fn content_type(&self) -> &str {
        self.header(http::header::CONTENT_TYPE).split(';').next().unwrap_or_default().trim()
    }

    /// `dryRun=All`: do everything but write.
    pub fn dry_run(&self) -> bool {
        self.query.get("dryRun").is_some_and(|v| v == "All")
    }

    /// Who made a write, for managedFields: `fieldManager`, else the user agent's program
    /// name as upstream derives it (`kubectl/v1.32 (...)` → `kubectl`).
    pub fn field_manager(&self) -> String {
        if let Some(manager) = self.param("fieldManager") {
            return manager.to_string();
        }
        crate::machinery::patch::manager_from_user_agent(self.header(http::header::USER_AGENT))
    }

    /// The body as a JSON object, from JSON or YAML.
    pub fn body_object(&self) -> Result<Value, ApiError> {
        let value = decode_body(self.content_type(), &self.body)?;
        if !value.is_object() {
            return Err(ApiError::bad_request("the body of the request must be an object"));
        }
        Ok(value)
    }

    pub fn warn(&self, message: impl Into<String>) {
        self.warnings.lock().push(message.into());
    }

    pub fn user_agent(&self) -> &str {
        self.header(http::header::USER_AGENT)
    }
}

/// Decodes a request body by its content type (a missing type is read as JSON).
pub fn decode_body(content_type: &str, body: &[u8]) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Err(ApiError::bad_request("the request body is empty"));
    }
    match content_type {
        ""
        | "application/json"
        | "application/json-patch+json"
        | "application/merge-patch+json"
        | "application/strategic-merge-patch+json"
        | "*/*" => serde_json::from_slice(body)
            .map_err(|err| ApiError::bad_request(format!("error decoding request body as JSON: {err}"))),
        "application/yaml" | "application/apply-patch+yaml" | "application/x-yaml" | "text/yaml" => {
            serde_yaml::from_slice::<Value>(body)
                .map_err(|err| ApiError::bad_request(format!("error decoding request body as YAML: {err}")))
        }
        // kubectl's typed clients (create configmap, create deployment …) send protobuf.
        crate::apiserver::protobuf::MEDIA_TYPE => crate::apiserver::protobuf::decode(body)
            .map_err(|err| ApiError::bad_request(format!("error decoding request body as protobuf: {err}"))),
        other => Err(ApiError::unsupported_media_type(other)),
    }
}

pub fn parse_query(query: Option<&str>) -> HashMap<String, String> {
    query.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default()
}
