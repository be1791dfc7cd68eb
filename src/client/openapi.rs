//! The server's OpenAPI v3 documents as kubectl reads them for client-side apply:
//! `GET /openapi/v3` lists one document per group-version with a hash in its URL; the
//! document is cached on disk by that hash, and its schemas give the patch strategy and
//! merge key of each field (machinery's [`SchemaNode`] reads them).

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{ClientError, Session};
use crate::machinery::patch::openapi::{self, Definitions, SchemaNode};
use crate::machinery::patch::schema::PatchSchema;

/// The index of documents (`paths` of `/openapi/v3`), fetched once per command.
pub struct OpenApi {
    index: Value,
    cache: Option<PathBuf>,
    loaded: Vec<(String, Arc<Definitions>)>,
}

impl OpenApi {
    pub async fn load(session: &Session) -> Result<OpenApi, ClientError> {
        let index = session.get_json("/openapi/v3", "application/json").await?;
        let cache = super::discovery::cache_dir(session.cluster_url()).and_then(|dir| {
            // ~/.kube/cache/discovery/HOST → ~/.kube/cache/openapi/HOST
            let host = dir.file_name()?.to_owned();
            Some(dir.parent()?.parent()?.join("openapi").join(host))
        });
        Ok(OpenApi { index, cache, loaded: Vec::new() })
    }

    /// Whether the server publishes a document for this group-version.
    fn url_of(&self, api_version: &str) -> Option<String> {
        let key = if api_version.contains('/') { format!("apis/{api_version}") } else { format!("api/{api_version}") };
        self.index["paths"][key.as_str()]["serverRelativeURL"].as_str().map(str::to_string)
    }

    /// The schemas of a group-version's document (fetched, or read from the cache).
    async fn schemas(&mut self, session: &Session, api_version: &str) -> Result<Option<Arc<Definitions>>, ClientError> {
        if let Some((_, found)) = self.loaded.iter().find(|(v, _)| v == api_version) {
            return Ok(Some(Arc::clone(found)));
        }
        let Some(url) = self.url_of(api_version) else { return Ok(None) };
        let hash = url.split_once("hash=").map(|(_, h)| h.to_string()).unwrap_or_default();
        let file = self
            .cache
            .as_ref()
            .filter(|_| !hash.is_empty())
            .map(|dir| dir.join(format!("{}_{hash}.json", api_version.replace('/', "_"))));
        let cached = file.as_ref().and_then(|f| std::fs::read(f).ok()).and_then(|b| serde_json::from_slice(&b).ok());
        let document: Value = match cached {
            Some(document) => document,
            None => {
                let (_, body) = session.get_raw(&url, "application/json").await?;
                if let Some(file) = &file {
                    // The cache only saves requests: failing to write it is not an error.
                    if let Some(dir) = file.parent() {
                        let _ = std::fs::create_dir_all(dir);
                    }
                    let _ = std::fs::write(file, &body);
                }
                serde_json::from_slice(&body)
                    .map_err(|e| ClientError::Transport(format!("decoding OpenAPI document {url}: {e}")))?
            }
        };
        let schemas = match document {
            Value::Object(mut document) => match document.remove("components") {
                Some(Value::Object(mut components)) => match components.remove("schemas") {
                    Some(Value::Object(schemas)) => schemas,
                    _ => Map::new(),
                },
                _ => Map::new(),
            },
            _ => Map::new(),
        };
        let schemas = Arc::new(openapi::definitions(schemas));
        self.loaded.push((api_version.to_string(), Arc::clone(&schemas)));
        Ok(Some(schemas))
    }

    /// The patch schema of a kind, or `None` when the server has no schema for it (then
    /// kubectl falls back to a JSON merge patch).
    pub async fn patch_schema(
        &mut self,
        session: &Session,
        api_version: &str,
        kind: &str,
    ) -> Result<Option<Arc<dyn PatchSchema>>, ClientError> {
        let Some(schemas) = self.schemas(session, api_version).await? else { return Ok(None) };
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let found = schemas.iter().find(|(_, schema)| {
            schema["x-kubernetes-group-version-kind"].as_array().into_iter().flatten().any(|gvk| {
                gvk["group"].as_str().unwrap_or_default() == group && gvk["version"] == version && gvk["kind"] == kind
            })
        });
        Ok(found.map(|(_, schema)| -> Arc<dyn PatchSchema> {
            Arc::new(SchemaNode::for_schema(&schemas, Value::clone(schema)))
        }))
    }
}
