//! What the mutating verbs share: resolving `TYPE NAME` / `TYPE/NAME` arguments to one
//! object each, reading it, and sending a patch with kubectl's field manager.

use serde_json::Value;

use super::targets;
use super::{ApiResource, ClientError, Discovery, Session};

/// One object named on the command line.
#[derive(Debug, Clone)]
pub struct ObjectRef {
    pub resource: ApiResource,
    pub name: String,
}

impl ObjectRef {
    /// `deployment.apps/web`, as kubectl names an object in its messages.
    pub fn display(&self) -> String {
        format!("{}/{}", self.resource.kind_prefix(), self.name)
    }

    pub fn path(&self, session: &Session) -> String {
        self.resource.object_path(Some(&session.namespace), &self.name)
    }
}

/// Resolves the arguments to objects; every type must come with names.
pub async fn resolve(
    session: &Session,
    discovery: &mut Discovery,
    pairs: &[(String, Vec<String>)],
) -> Result<Vec<ObjectRef>, ClientError> {
    let found = targets::resolve(session, discovery, pairs).await?;
    let mut objects = Vec::new();
    for target in found {
        for name in &target.names {
            objects.push(ObjectRef { resource: target.resource.clone(), name: name.clone() });
        }
    }
    Ok(objects)
}

/// Connects and resolves in one go (the common start of a verb).
pub async fn connect_and_resolve(
    flags: &super::ConnectionFlags,
    pairs: &[(String, Vec<String>)],
) -> Result<(Session, Discovery, Vec<ObjectRef>), ClientError> {
    let session = Session::connect(flags).await?;
    let mut discovery = Discovery::load(&session).await?;
    let objects = resolve(&session, &mut discovery, pairs).await?;
    Ok((session, discovery, objects))
}

pub async fn get(session: &Session, object: &ObjectRef) -> Result<Value, ClientError> {
    session.get_json(&object.path(session), "application/json").await
}

/// Sends a PATCH of `content_type` to `path` (query included) and returns the answer.
pub async fn patch(session: &Session, path: &str, content_type: &str, body: &Value) -> Result<Value, ClientError> {
    let bytes = serde_json::to_vec(body).map_err(|e| ClientError::Transport(e.to_string()))?;
    let (_, answer) =
        session.request(http::Method::PATCH, path, "application/json", Some((content_type, bytes))).await?;
    serde_json::from_slice(&answer).map_err(|e| ClientError::Transport(format!("decoding {path}: {e}")))
}

pub async fn put(session: &Session, path: &str, body: &Value) -> Result<Value, ClientError> {
    let bytes = serde_json::to_vec(body).map_err(|e| ClientError::Transport(e.to_string()))?;
    let (_, answer) =
        session.request(http::Method::PUT, path, "application/json", Some(("application/json", bytes))).await?;
    serde_json::from_slice(&answer).map_err(|e| ClientError::Transport(format!("decoding {path}: {e}")))
}

/// Sends a GET and yields the body as it arrives (`logs -f`); a failed status is an error.
pub async fn stream_get(
    session: &Session,
    path: &str,
) -> Result<impl futures::Stream<Item = Result<bytes::Bytes, ClientError>> + use<>, ClientError> {
    use futures::StreamExt;
    use http_body_util::BodyExt;
    let response = session.send(http::Method::GET, path, "application/json, */*", None).await?;
    let status = response.status();
    if !status.is_success() {
        let bytes = response.into_body().collect().await.map_err(|e| session.transport(&e))?.to_bytes();
        return Err(ClientError::from_response(status.as_u16(), &bytes));
    }
    Ok(response.into_body().into_data_stream().map(|chunk| chunk.map_err(|e| ClientError::Transport(e.to_string()))))
}

/// `?a=b&c=d` with values form-encoded (keys in the order given).
pub fn query(params: &[(&str, String)]) -> String {
    let mut encoder = form_urlencoded::Serializer::new(String::new());
    for (key, value) in params {
        encoder.append_pair(key, value);
    }
    let encoded = encoder.finish();
    if encoded.is_empty() {
        encoded
    } else {
        format!("?{encoded}")
    }
}
