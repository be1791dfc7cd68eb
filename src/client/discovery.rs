//! Discovery as kubectl does it: aggregated discovery from `/api` and `/apis` (with the
//! legacy per-group requests as fallback), cached on disk in kubectl's own layout
//! (`~/.kube/cache/discovery/<host_port>/servergroups.json` and
//! `<group>/<version>/serverresources.json`) for six hours, and type arguments resolved to
//! resources (kind, plural, singular, short name, `plural.group`, `plural.version.group`,
//! categories such as `all`).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{ClientError, Session};

/// How long a cached discovery document stays fresh (kubectl's default).
pub const CACHE_TTL: Duration = Duration::from_secs(6 * 60 * 60);

const AGGREGATED_ACCEPT: &str = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

/// One resource type the server serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResource {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub plural: String,
    pub singular: String,
    pub namespaced: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    pub verbs: Vec<String>,
}

impl ApiResource {
    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `pods` or `deployments.apps`, as kubectl names a resource in messages.
    pub fn qualified_plural(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `pod` or `deployment.apps`: the prefix of `-o name` and of multi-type tables.
    pub fn kind_prefix(&self) -> String {
        let kind = self.kind.to_lowercase();
        if self.group.is_empty() {
            kind
        } else {
            format!("{kind}.{}", self.group)
        }
    }

    /// The collection path, in `namespace` when the resource is namespaced and one is given.
    pub fn collection_path(&self, namespace: Option<&str>) -> String {
        let root = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace.filter(|_| self.namespaced) {
            Some(ns) => format!("{root}/namespaces/{ns}/{}", self.plural),
            None => format!("{root}/{}", self.plural),
        }
    }

    pub fn object_path(&self, namespace: Option<&str>, name: &str) -> String {
        format!("{}/{name}", self.collection_path(namespace))
    }
}

/// Every group-version's resources, in the server's order (preferred versions first).
#[derive(Debug, Clone, Default)]
pub struct Discovery {
    /// Groups with their versions, preferred first.
    pub groups: Vec<(String, Vec<String>)>,
    pub resources: Vec<ApiResource>,
    /// Whether this came from the disk cache (an unknown type then refreshes it once).
    pub from_cache: bool,
}

impl Discovery {
    /// Loads discovery from the fresh disk cache, or from the server (then caches it).
    pub async fn load(session: &Session) -> Result<Discovery, ClientError> {
        let dir = cache_dir(session.cluster_url());
        if let Some(dir) = &dir {
            if let Some(mut cached) = read_cache(dir) {
                cached.from_cache = true;
                return Ok(cached);
            }
        }
        Self::refresh(session).await
    }

    /// Fetches discovery from the server and rewrites the cache.
    pub async fn refresh(session: &Session) -> Result<Discovery, ClientError> {
        let discovery = fetch(session).await?;
        if let Some(dir) = cache_dir(session.cluster_url()) {
            // A cache that cannot be written only costs requests next time.
            let _ = write_cache(&dir, &discovery);
        }
        Ok(discovery)
    }

    /// `pods`, `deployments.apps`: the types `kubectl api-resources -o name --verbs=get`
    /// lists (what shell completion offers for a type argument), sorted.
    pub fn listable_types(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .preferred()
            .filter(|r| r.verbs.iter().any(|v| v == "get"))
            .map(ApiResource::qualified_plural)
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Resources of the group's preferred version, in discovery order: what a type
    /// argument may name (kubectl's RESTMapper prefers those).
    fn preferred(&self) -> impl Iterator<Item = &ApiResource> {
        self.resources.iter().filter(move |r| {
            self.groups.iter().find(|(g, _)| g == &r.group).and_then(|(_, versions)| versions.first())
                == Some(&r.version)
        })
    }

    /// Resolves one type argument (no commas) to resources; a category gives several.
    pub fn resolve(&self, arg: &str) -> Option<Vec<ApiResource>> {
        let lower = arg.to_lowercase();
        if let Some(found) = self.resolve_one(&lower) {
            return Some(vec![found]);
        }
        let members: Vec<ApiResource> =
            self.preferred().filter(|r| r.categories.iter().any(|c| c == &lower)).cloned().collect();
        (!members.is_empty()).then_some(members)
    }

    fn resolve_one(&self, lower: &str) -> Option<ApiResource> {
        let names = |r: &ApiResource, name: &str| {
            r.plural == name
                || r.singular == name
                || r.kind.to_lowercase() == name
                || r.short_names.iter().any(|s| s == name)
        };
        // A bare name: the preferred version of the first group that has it.
        if let Some(found) = self.preferred().find(|r| names(r, lower)) {
            if found.short_names.iter().any(|s| s == lower) {
                // kubectl warns when a short name is ambiguous across groups.
                for other in self.preferred().filter(|r| *r != found && r.short_names.iter().any(|s| s == lower)) {
                    eprintln!(
                        "Warning: short name \"{lower}\" could also match lower priority resource {}",
                        other.qualified_plural()
                    );
                }
            }
            return Some(found.clone());
        }
        // `resource.version.group`, then `resource.group` (the group may contain dots).
        let (name, rest) = lower.split_once('.')?;
        if let Some((version, group)) = rest.split_once('.') {
            if let Some(found) =
                self.resources.iter().find(|r| r.group == group && r.version == version && names(r, name))
            {
                return Some(found.clone());
            }
        }
        self.preferred().find(|r| r.group == rest && names(r, name)).cloned()
    }
}

/// `~/.kube/cache/discovery/127.0.0.1_6443`, named from the server URL as kubectl does.
pub fn cache_dir(server: &str) -> Option<PathBuf> {
    let home = dirs::home_dir()?;
    let host = server.trim_start_matches("https://").trim_start_matches("http://");
    let safe: String = host
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '_' || c == '/' || c == '.' || c == '(' || c == ')' { c } else { '_' })
        .collect();
    Some(home.join(".kube").join("cache").join("discovery").join(safe))
}

// ---- fetching ---------------------------------------------------------------

async fn fetch(session: &Session) -> Result<Discovery, ClientError> {
    let mut discovery = Discovery::default();
    for root in ["/api", "/apis"] {
        // kubectl bounds discovery requests with the server-side timeout it always sends.
        let path = format!("{root}?timeout=32s");
        let (content_type, body) = session.get_raw(&path, AGGREGATED_ACCEPT).await.map_err(generic_unauthorized)?;
        let value: Value = serde_json::from_slice(&body)
            .map_err(|e| ClientError::Transport(format!("decoding discovery from {root}: {e}")))?;
        if content_type.contains("APIGroupDiscoveryList") || value["kind"] == "APIGroupDiscoveryList" {
            add_aggregated(&mut discovery, &value);
        } else {
            add_legacy(session, &mut discovery, root, &value).await?;
        }
    }
    Ok(discovery)
}

/// client-go's discovery reports a 401 with its generic text, not the server's message.
fn generic_unauthorized(err: ClientError) -> ClientError {
    match err {
        ClientError::Server(mut status) if status.code == 401 => {
            status.message = "the server has asked for the client to provide credentials".to_string();
            ClientError::Server(status)
        }
        other => other,
    }
}

fn add_aggregated(discovery: &mut Discovery, list: &Value) {
    for item in list["items"].as_array().into_iter().flatten() {
        let group = item["metadata"]["name"].as_str().unwrap_or_default().to_string();
        let mut versions = Vec::new();
        for version in item["versions"].as_array().into_iter().flatten() {
            let Some(name) = version["version"].as_str() else { continue };
            versions.push(name.to_string());
            for resource in version["resources"].as_array().into_iter().flatten() {
                let kind = resource["responseKind"]["kind"].as_str().unwrap_or_default();
                discovery.resources.push(ApiResource {
                    group: group.clone(),
                    version: name.to_string(),
                    kind: kind.to_string(),
                    plural: str_of(&resource["resource"]),
                    singular: singular_or(&resource["singularResource"], kind),
                    namespaced: resource["scope"] == "Namespaced",
                    short_names: strings(&resource["shortNames"]),
                    categories: strings(&resource["categories"]),
                    verbs: strings(&resource["verbs"]),
                });
            }
        }
        discovery.groups.push((group, versions));
    }
}

async fn add_legacy(
    session: &Session,
    discovery: &mut Discovery,
    root: &str,
    value: &Value,
) -> Result<(), ClientError> {
    let mut group_versions: Vec<(String, Vec<String>)> = Vec::new();
    if root == "/api" {
        group_versions.push((String::new(), strings(&value["versions"])));
    } else {
        for group in value["groups"].as_array().into_iter().flatten() {
            let preferred = group["preferredVersion"]["version"].as_str().unwrap_or_default().to_string();
            let mut versions: Vec<String> = group["versions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v["version"].as_str().map(str::to_string))
                .collect();
            versions.sort_by_key(|v| *v != preferred);
            group_versions.push((str_of(&group["name"]), versions));
        }
    }
    for (group, versions) in group_versions {
        for version in &versions {
            let path = if group.is_empty() { format!("/api/{version}") } else { format!("/apis/{group}/{version}") };
            let (_, body) = session.get_raw(&path, "application/json").await?;
            let list: Value = serde_json::from_slice(&body)
                .map_err(|e| ClientError::Transport(format!("decoding discovery from {path}: {e}")))?;
            discovery.resources.extend(resources_of_list(&group, version, &list));
        }
        discovery.groups.push((group, versions));
    }
    Ok(())
}

/// The resources of an `APIResourceList` (subresources left out).
fn resources_of_list(group: &str, version: &str, list: &Value) -> Vec<ApiResource> {
    list["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| !r["name"].as_str().unwrap_or("/").contains('/'))
        .map(|r| {
            let kind = r["kind"].as_str().unwrap_or_default();
            ApiResource {
                group: group.to_string(),
                version: version.to_string(),
                kind: kind.to_string(),
                plural: str_of(&r["name"]),
                singular: singular_or(&r["singularName"], kind),
                namespaced: r["namespaced"].as_bool().unwrap_or(false),
                short_names: strings(&r["shortNames"]),
                categories: strings(&r["categories"]),
                verbs: strings(&r["verbs"]),
            }
        })
        .collect()
}

fn str_of(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_string()
}

fn singular_or(value: &Value, kind: &str) -> String {
    value.as_str().filter(|s| !s.is_empty()).map(str::to_string).unwrap_or_else(|| kind.to_lowercase())
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect()
}

// ---- the disk cache (kubectl's files) ----------------------------------------

#[derive(Serialize, Deserialize)]
struct GroupVersionRef {
    #[serde(rename = "groupVersion")]
    group_version: String,
    version: String,
}

fn group_version(group: &str, version: &str) -> String {
    if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    }
}

fn fresh(path: &Path) -> bool {
    let modified = std::fs::metadata(path).and_then(|m| m.modified());
    match modified {
        Ok(time) => SystemTime::now().duration_since(time).map(|age| age < CACHE_TTL).unwrap_or(true),
        Err(_) => false,
    }
}

fn read_cache(dir: &Path) -> Option<Discovery> {
    let groups_file = dir.join("servergroups.json");
    if !fresh(&groups_file) {
        return None;
    }
    let groups: Value = serde_json::from_slice(&std::fs::read(&groups_file).ok()?).ok()?;
    let mut discovery = Discovery::default();
    for group in groups["groups"].as_array()? {
        let name = str_of(&group["name"]);
        let preferred = group["preferredVersion"]["version"].as_str().unwrap_or_default().to_string();
        let mut versions: Vec<String> =
            group["versions"].as_array()?.iter().filter_map(|v| v["version"].as_str().map(str::to_string)).collect();
        versions.sort_by_key(|v| *v != preferred);
        for version in &versions {
            let file = dir.join(if name.is_empty() { version.clone() } else { format!("{name}/{version}") });
            let file = file.join("serverresources.json");
            if !fresh(&file) {
                return None;
            }
            let list: Value = serde_json::from_slice(&std::fs::read(&file).ok()?).ok()?;
            discovery.resources.extend(resources_of_list(&name, version, &list));
        }
        discovery.groups.push((name, versions));
    }
    Some(discovery)
}

fn write_cache(dir: &Path, discovery: &Discovery) -> std::io::Result<()> {
    let groups: Vec<Value> = discovery
        .groups
        .iter()
        .map(|(group, versions)| {
            let refs: Vec<GroupVersionRef> = versions
                .iter()
                .map(|v| GroupVersionRef { group_version: group_version(group, v), version: v.clone() })
                .collect();
            let preferred = versions.first().map(|v| json!({"groupVersion": group_version(group, v), "version": v}));
            json!({"name": group, "versions": refs, "preferredVersion": preferred})
        })
        .collect();
    std::fs::create_dir_all(dir)?;
    for (group, versions) in &discovery.groups {
        for version in versions {
            let resources: Vec<Value> = discovery
                .resources
                .iter()
                .filter(|r| &r.group == group && &r.version == version)
                .map(|r| {
                    let mut entry = json!({
                        "name": r.plural, "singularName": r.singular, "namespaced": r.namespaced,
                        "kind": r.kind, "verbs": r.verbs,
                    });
                    if !r.short_names.is_empty() {
                        entry["shortNames"] = json!(r.short_names);
                    }
                    if !r.categories.is_empty() {
                        entry["categories"] = json!(r.categories);
                    }
                    entry
                })
                .collect();
            let list = json!({
                "kind": "APIResourceList", "apiVersion": "v1",
                "groupVersion": group_version(group, version), "resources": resources,
            });
            let sub = dir.join(group_version(group, version));
            std::fs::create_dir_all(&sub)?;
            write_atomically(&sub.join("serverresources.json"), &serde_json::to_vec(&list)?)?;
        }
    }
    let list = json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups});
    write_atomically(&dir.join("servergroups.json"), &serde_json::to_vec(&list)?)
}

/// Writes through a temporary file so a concurrent reader never sees half a document.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(group: &str, kind: &str, plural: &str, short: &[&str], categories: &[&str]) -> ApiResource {
        ApiResource {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
            plural: plural.into(),
            singular: kind.to_lowercase(),
            namespaced: true,
            short_names: short.iter().map(|s| s.to_string()).collect(),
            categories: categories.iter().map(|s| s.to_string()).collect(),
            verbs: vec!["list".into()],
        }
    }

    fn sample() -> Discovery {
        Discovery {
            groups: vec![(String::new(), vec!["v1".into()]), ("apps".into(), vec!["v1".into()])],
            resources: vec![
                resource("", "Pod", "pods", &["po"], &["all"]),
                resource("", "ConfigMap", "configmaps", &["cm"], &[]),
                resource("apps", "Deployment", "deployments", &["deploy"], &["all"]),
            ],
            from_cache: false,
        }
    }

    #[test]
    fn type_arguments_name_kind_plural_singular_or_short_name() {
        let discovery = sample();
        for arg in ["pods", "pod", "po", "Pod", "PODS"] {
            assert_eq!(discovery.resolve(arg).unwrap()[0].plural, "pods", "{arg}");
        }
        assert_eq!(discovery.resolve("deploy.apps").unwrap()[0].plural, "deployments");
        assert_eq!(discovery.resolve("deployments.v1.apps").unwrap()[0].plural, "deployments");
        assert!(discovery.resolve("widgets").is_none());
    }

    #[test]
    fn category_all_expands_in_discovery_order() {
        let plurals: Vec<String> = sample().resolve("all").unwrap().into_iter().map(|r| r.plural).collect();
        assert_eq!(plurals, ["pods", "deployments"]);
    }

    #[test]
    fn cache_directory_is_named_after_host_and_port() {
        let dir = cache_dir("https://127.0.0.1:6443").unwrap();
        assert!(dir.ends_with(".kube/cache/discovery/127.0.0.1_6443"), "{}", dir.display());
    }

    #[test]
    fn cache_round_trips_through_kubectls_files() {
        let dir = tempfile::tempdir().unwrap();
        write_cache(dir.path(), &sample()).unwrap();
        let read = read_cache(dir.path()).unwrap();
        assert_eq!(read.resources, sample().resources);
        assert!(dir.path().join("apps/v1/serverresources.json").exists());
    }
}
