//! Kubernetes URL paths → what they address. Paths are irregular enough (the core group
//! under /api, namespaces both a resource and a scope, subresources) that one small
//! parser reads better than a route table.

use crate::registry::{self, ResourceInfo};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Version,
    Health,
    /// `/api`: the core group's versions.
    CoreVersions,
    /// `/apis`: every other group.
    Groups,
    /// `/apis/GROUP`
    Group(String),
    /// `/api/v1`, `/apis/GROUP/VERSION`: the resources of a group-version.
    Resources {
        group: String,
        version: String,
    },
    OpenApiIndex,
    /// `/openapi/v3/api/v1`, `/openapi/v3/apis/apps/v1`
    OpenApiDocument(String),
    Object(Target),
}

/// A resource collection, object or subresource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub resource: &'static ResourceInfo,
    /// Namespace scope from the URL (`/namespaces/NS/...`); `None` = all namespaces or
    /// a cluster-scoped resource.
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub subresource: Option<String>,
}

/// Parses a request path; `None` means 404.
pub fn parse(path: &str) -> Option<Route> {
    parse_with(path, &[])
}

/// Like [`parse`], also serving the `custom` resources (of CRDs) after the built-in ones.
pub fn parse_with(path: &str, custom: &[&'static ResourceInfo]) -> Option<Route> {
    let lookup = Lookup { custom };
    let path = path.trim_end_matches('/');
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    match segments.as_slice() {
        ["version"] => Some(Route::Version),
        ["healthz" | "livez" | "readyz", ..] => Some(Route::Health),
        ["api"] => Some(Route::CoreVersions),
        ["apis"] => Some(Route::Groups),
        ["openapi", "v3"] => Some(Route::OpenApiIndex),
        ["openapi", "v3", rest @ ..] if !rest.is_empty() => Some(Route::OpenApiDocument(rest.join("/"))),
        ["apis", group] => lookup.has_group(group).then(|| Route::Group(group.to_string())),
        ["api", "v1"] => Some(Route::Resources { group: String::new(), version: "v1".into() }),
        ["apis", group, version] => lookup
            .has_group_version(group, version)
            .then(|| Route::Resources { group: group.to_string(), version: version.to_string() }),
        ["api", "v1", rest @ ..] => object_route(&lookup, "", "v1", rest),
        ["apis", group, version, rest @ ..] => object_route(&lookup, group, version, rest),
        _ => None,
    }
}

/// Built-in resources first, then custom ones.
struct Lookup<'a> {
    custom: &'a [&'static ResourceInfo],
}

impl Lookup<'_> {
    fn by_plural(&self, group: &str, version: &str, plural: &str) -> Option<&'static ResourceInfo> {
        registry::by_plural(group, version, plural).or_else(|| {
            self.custom.iter().copied().find(|r| r.group == group && r.version == version && r.plural == plural)
        })
    }

    fn has_group(&self, group: &str) -> bool {
        registry::groups().contains(&group) || self.custom.iter().any(|r| r.group == group)
    }

    fn has_group_version(&self, group: &str, version: &str) -> bool {
        registry::in_group_version(group, version).next().is_some()
            || self.custom.iter().any(|r| r.group == group && r.version == version)
    }
}

fn object_route(lookup: &Lookup, group: &str, version: &str, rest: &[&str]) -> Option<Route> {
    let target = |plural: &str, namespace: Option<&str>, name: Option<&&str>, sub: Option<&&str>| {
        let resource = lookup.by_plural(group, version, plural)?;
        if namespace.is_some() && !resource.namespaced {
            return None;
        }
        if let Some(sub) = sub {
            if !resource.has_subresource(sub) {
                return None;
            }
        }
        Some(Route::Object(Target {
            resource,
            namespace: namespace.map(str::to_string),
            name: name.map(|n| n.to_string()),
            subresource: sub.map(|s| s.to_string()),
        }))
    };
    match rest {
        // A namespace's own subresources win over "a collection named status in NS".
        ["namespaces", name, sub @ ("status" | "finalize")] if group.is_empty() => {
            target("namespaces", None, Some(name), Some(sub))
        }
        ["namespaces", namespace, plural, tail @ ..] if tail.len() <= 2 => {
            target(plural, Some(namespace), tail.first(), tail.get(1))
        }
        [plural, tail @ ..] if tail.len() <= 2 => target(plural, None, tail.first(), tail.get(1)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(path: &str) -> Target {
        match parse(path) {
            Some(Route::Object(target)) => target,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn paths_address_collections_objects_and_subresources() {
        let pods = object("/api/v1/namespaces/default/pods");
        assert_eq!((pods.resource.plural, pods.namespace.as_deref(), pods.name), ("pods", Some("default"), None));
        let all = object("/api/v1/pods");
        assert_eq!(all.namespace, None);
        let status = object("/apis/apps/v1/namespaces/web/deployments/nginx/status");
        assert_eq!((status.name.as_deref(), status.subresource.as_deref()), (Some("nginx"), Some("status")));
        let namespace = object("/api/v1/namespaces/kube-system");
        assert_eq!((namespace.resource.plural, namespace.name.as_deref()), ("namespaces", Some("kube-system")));
        let finalize = object("/api/v1/namespaces/x/finalize");
        assert_eq!(finalize.subresource.as_deref(), Some("finalize"));
        assert_eq!(object("/api/v1/nodes/n1").name.as_deref(), Some("n1"));
    }

    #[test]
    fn unknown_paths_are_none() {
        assert_eq!(parse("/api/v1/namespaces/default/widgets"), None);
        assert_eq!(parse("/apis/nope/v1"), None);
        assert_eq!(parse("/api/v1/namespaces/default/nodes"), None);
        assert_eq!(parse("/api/v1/namespaces/default/pods/x/bogus"), None);
        assert_eq!(parse("/apis/apps/v1"), Some(Route::Resources { group: "apps".into(), version: "v1".into() }));
        assert_eq!(parse("/openapi/v3/apis/apps/v1"), Some(Route::OpenApiDocument("apis/apps/v1".into())));
    }
}
