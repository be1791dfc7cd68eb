//! The RBAC authorizer (upstream's `plugin/pkg/auth/authorizer/rbac`): Roles, ClusterRoles,
//! RoleBindings and ClusterRoleBindings held in memory, kept in step with the store by a
//! watch (never listed per request), and bindings indexed by subject so a request only
//! looks at the bindings naming its user or one of its groups.

pub mod escalation;
pub mod rules;

use std::collections::HashMap;
use std::sync::Arc;

use futures::StreamExt;
use serde_json::Value;

use self::rules::PolicyRule;
use super::auth::Attributes;
use super::storage::decode;
use crate::store::{EventKind, RangeRequest, Revision, Store, StoreError};

/// Where every RBAC object is stored.
const PREFIX: &str = "/registry/rbac.authorization.k8s.io/";

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SubjectKey {
    User(String),
    Group(String),
}

#[derive(Debug, Clone)]
struct Subject {
    kind: String,
    name: String,
    namespace: String,
}

#[derive(Debug, Clone)]
struct Binding {
    name: String,
    /// `None` for a ClusterRoleBinding.
    namespace: Option<String>,
    role_kind: String,
    role_name: String,
    subjects: Vec<Subject>,
}

impl Binding {
    fn from(object: &Value, cluster: bool) -> Binding {
        let text = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
        Binding {
            name: text(object, "/metadata/name"),
            namespace: (!cluster).then(|| text(object, "/metadata/namespace")),
            role_kind: text(object, "/roleRef/kind"),
            role_name: text(object, "/roleRef/name"),
            subjects: object
                .get("subjects")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|s| Subject { kind: text(s, "/kind"), name: text(s, "/name"), namespace: text(s, "/namespace") })
                .collect(),
        }
    }

    /// Upstream's `describeSubject`, and the binding describers of `VisitRulesFor`.
    fn describe(&self, subject: &Subject) -> String {
        let namespace = self.namespace.as_deref().unwrap_or_default();
        let who = match subject.kind.as_str() {
            "ServiceAccount" => {
                let ns = if subject.namespace.is_empty() { namespace } else { &subject.namespace };
                format!("ServiceAccount {}", rules::go_quote(&format!("{}/{ns}", subject.name)))
            }
            kind => format!("{kind} {}", rules::go_quote(&subject.name)),
        };
        match &self.namespace {
            None => format!(
                "ClusterRoleBinding {} of {} {} to {who}",
                rules::go_quote(&self.name),
                self.role_kind,
                rules::go_quote(&self.role_name)
            ),
            Some(ns) => format!(
                "RoleBinding {} of {} {} to {who}",
                rules::go_quote(&format!("{}/{ns}", self.name)),
                self.role_kind,
                rules::go_quote(&self.role_name)
            ),
        }
    }

    fn key_of(&self, subject: &Subject) -> Option<SubjectKey> {
        match subject.kind.as_str() {
            "User" => Some(SubjectKey::User(subject.name.clone())),
            "Group" => Some(SubjectKey::Group(subject.name.clone())),
            "ServiceAccount" => {
                let ns = match (&self.namespace, subject.namespace.as_str()) {
                    (Some(ns), "") => ns.as_str(),
                    (_, ns) => ns,
                };
                Some(SubjectKey::User(format!("system:serviceaccount:{ns}:{}", subject.name)))
            }
            _ => None,
        }
    }
}

/// One consistent view of the RBAC objects, with bindings indexed by subject.
#[derive(Default)]
pub struct Policy {
    cluster_roles: HashMap<String, Vec<PolicyRule>>,
    roles: HashMap<(String, String), Vec<PolicyRule>>,
    /// ClusterRoleBindings (by name) then RoleBindings, as upstream visits them.
    bindings: Vec<Binding>,
    by_subject: HashMap<SubjectKey, Vec<(usize, usize)>>,
}

impl Policy {
    fn build(objects: &HashMap<String, Value>) -> Policy {
        let mut policy = Policy::default();
        let mut cluster_bindings = Vec::new();
        let mut role_bindings = Vec::new();
        for (key, object) in objects {
            let Some(rest) = key.strip_prefix(PREFIX) else { continue };
            let text = |p: &str| object.pointer(p).and_then(Value::as_str).unwrap_or_default().to_string();
            match rest.split('/').next() {
                Some("clusterroles") => {
                    policy.cluster_roles.insert(text("/metadata/name"), PolicyRule::list_of(object));
                }
                Some("roles") => {
                    policy
                        .roles
                        .insert((text("/metadata/namespace"), text("/metadata/name")), PolicyRule::list_of(object));
                }
                Some("clusterrolebindings") => cluster_bindings.push(Binding::from(object, true)),
                Some("rolebindings") => role_bindings.push(Binding::from(object, false)),
                _ => {}
            }
        }
        cluster_bindings.sort_by(|a, b| a.name.cmp(&b.name));
        role_bindings.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
        policy.bindings = cluster_bindings.into_iter().chain(role_bindings).collect();
        for (index, binding) in policy.bindings.iter().enumerate() {
            for (position, subject) in binding.subjects.iter().enumerate() {
                if let Some(key) = binding.key_of(subject) {
                    policy.by_subject.entry(key).or_default().push((index, position));
                }
            }
        }
        policy
    }

    fn role_rules(&self, binding: &Binding) -> &[PolicyRule] {
        let found = match (binding.role_kind.as_str(), &binding.namespace) {
            ("ClusterRole", _) => self.cluster_roles.get(&binding.role_name),
            ("Role", Some(ns)) => self.roles.get(&(ns.clone(), binding.role_name.clone())),
            _ => None,
        };
        found.map(Vec::as_slice).unwrap_or_default()
    }

    /// The rules of a role a binding in `namespace` refers to (`None`: no such role).
    pub fn referenced_rules(&self, kind: &str, name: &str, namespace: Option<&str>) -> Option<&[PolicyRule]> {
        match (kind, namespace) {
            ("ClusterRole", _) => self.cluster_roles.get(name),
            ("Role", Some(ns)) => self.roles.get(&(ns.to_string(), name.to_string())),
            _ => None,
        }
        .map(Vec::as_slice)
    }

    /// The bindings that apply to `user` in `groups` for a request in `namespace` (""
    /// = cluster scope), in upstream's visiting order, each with the subject that matched.
    fn applicable<'a>(
        &'a self,
        user: &str,
        groups: &[String],
        namespace: &str,
    ) -> impl Iterator<Item = (&'a Binding, &'a Subject)> + 'a {
        let mut found: Vec<(usize, usize)> = std::iter::once(SubjectKey::User(user.to_string()))
            .chain(groups.iter().map(|g| SubjectKey::Group(g.clone())))
            .filter_map(|key| self.by_subject.get(&key))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.dedup_by_key(|(binding, _)| *binding);
        let namespace = namespace.to_string();
        found.into_iter().filter_map(move |(b, s)| {
            let binding = &self.bindings[b];
            match &binding.namespace {
                Some(ns) if *ns != namespace => None,
                _ => Some((binding, &binding.subjects[s])),
            }
        })
    }

    /// Upstream's RBAC `Authorize`: the binding and role that allow the request, described.
    pub fn allowed_by(&self, user: &str, groups: &[String], attributes: &Attributes) -> Option<String> {
        self.applicable(user, groups, attributes.namespace).find_map(|(binding, subject)| {
            self.role_rules(binding).iter().any(|rule| rule.allows(attributes)).then(|| binding.describe(subject))
        })
    }

    /// Upstream's `RulesFor`: every rule `user` in `groups` holds in `namespace`.
    pub fn rules_for(&self, user: &str, groups: &[String], namespace: &str) -> Vec<PolicyRule> {
        self.applicable(user, groups, namespace).flat_map(|(binding, _)| self.role_rules(binding).to_vec()).collect()
    }
}

/// The authorizer's view of the policy, replaced whole on every change.
pub struct Rbac {
    policy: parking_lot::RwLock<Arc<Policy>>,
    /// The store revision the policy reflects.
    revision: tokio::sync::watch::Sender<Revision>,
}

impl Default for Rbac {
    fn default() -> Self {
        Rbac { policy: Default::default(), revision: tokio::sync::watch::channel(0).0 }
    }
}

impl Rbac {
    pub fn policy(&self) -> Arc<Policy> {
        self.policy.read().clone()
    }

    /// Reads the policy again now: after a write of an RBAC object, so that the client
    /// that wrote it is judged by it on its next request (the watch may lag a little).
    pub async fn refresh(&self, store: &Arc<dyn Store>) {
        if let Err(err) = self.load(store).await {
            tracing::warn!(%err, "RBAC refresh failed");
        }
    }

    /// Loads the policy from `store` and returns the task that keeps it current.
    pub async fn start(
        self: Arc<Self>,
        store: Arc<dyn Store>,
    ) -> Result<impl std::future::Future<Output = ()>, StoreError> {
        let (objects, revision) = self.load(&store).await?;
        Ok(async move {
            let (mut objects, mut revision) = (objects, revision);
            loop {
                match self.follow(&store, &mut objects, revision).await {
                    Ok(()) => {}
                    Err(err) => tracing::debug!(%err, "RBAC watch ended; reloading"),
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                match self.load(&store).await {
                    Ok((loaded, at)) => (objects, revision) = (loaded, at),
                    Err(err) => tracing::warn!(%err, "RBAC reload failed"),
                }
            }
        })
    }

    async fn load(&self, store: &Arc<dyn Store>) -> Result<(HashMap<String, Value>, Revision), StoreError> {
        let page = store.range(RangeRequest::prefix(PREFIX)).await?;
        let objects: HashMap<String, Value> =
            page.kvs.iter().filter_map(|kv| Some((kv.key.clone(), decode(kv).ok()?))).collect();
        self.publish(&objects, page.revision);
        Ok((objects, page.revision))
    }

    /// Makes `objects` (as of `revision`) the policy, unless a newer one is already.
    fn publish(&self, objects: &HashMap<String, Value>, revision: Revision) {
        let policy = Arc::new(Policy::build(objects));
        let mut current = self.policy.write();
        if *self.revision.borrow() <= revision {
            *current = policy;
            self.revision.send_replace(revision);
        }
    }

    async fn follow(
        &self,
        store: &Arc<dyn Store>,
        objects: &mut HashMap<String, Value>,
        from: Revision,
    ) -> Result<(), StoreError> {
        let mut events = store.watch(PREFIX, from + 1).await?;
        while let Some(event) = events.next().await {
            let event = event?;
            match event.kind {
                EventKind::Put => match decode(&event.kv) {
                    Ok(object) => {
                        objects.insert(event.kv.key.clone(), object);
                    }
                    Err(_) => continue,
                },
                EventKind::Delete => {
                    objects.remove(&event.kv.key);
                }
            }
            self.publish(objects, event.kv.mod_revision);
        }
        Ok(())
    }
}
