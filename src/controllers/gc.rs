//! The garbage collector: deletes objects whose owners are all gone (background cascading),
//! and finishes deletions that wait on it — `foregroundDeletion` (delete the blocking
//! dependents first, then let the owner go) and `orphan` (strip the owner from its
//! dependents' ownerReferences, then let it go).
//!
//! Like upstream it keeps a graph of every object's uid and owners, fed by one watch per
//! kind, so an owner's dependents are found by uid without listing anything. The graph
//! only decides what to look at; a live read decides that an owner is really gone.
//!
//! The kinds come from discovery, as upstream's `GetDeletableResources` finds them: every
//! preferred resource whose verbs include list, watch and delete, events left out (many,
//! never owners). Discovery is read again every [`RESYNC`] and a moment after a CRD
//! changes (where new kinds come from); a new kind gets a watch, a kind no longer served loses
//! its watch and its objects leave the graph. An owner reference's `apiVersion` and
//! `kind` are resolved through the same discovery.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, AbortHandle, BoxStream, SelectAll};
use futures::{FutureExt, StreamExt};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, Patch, PatchParams, Preconditions, PropagationPolicy};
use kube::discovery::{verbs, ApiCapabilities, Discovery, Scope};
use kube::runtime::{watcher, WatchStreamExt};
use kube::{Client, ResourceExt};
use parking_lot::Mutex;
use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

use super::metadata_only::MetadataOnly;

const FOREGROUND: &str = "foregroundDeletion";
const ORPHAN: &str = "orphan";

/// How long before a failed item (or a failed discovery) is tried again.
const RETRY: Duration = Duration::from_secs(1);
/// How often the served kinds are read again (upstream's `--resource-sync` period).
const RESYNC: Duration = Duration::from_secs(30);
/// How long after a CRD changed the served kinds are read again.
const SETTLE: Duration = Duration::from_millis(250);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("apiserver request failed: {0}")]
    Kube(#[from] kube::Error),
    #[error("could not build a patch: {0}")]
    Patch(#[from] serde_json::Error),
}

/// A resource as discovery serves it.
#[derive(Debug, PartialEq, Eq, Hash)]
struct Kind {
    resource: ApiResource,
    namespaced: bool,
}

impl Kind {
    /// CRDs: a change to one may change the served kinds.
    fn is_definition(&self) -> bool {
        self.resource.group == "apiextensions.k8s.io" && self.resource.plural == "customresourcedefinitions"
    }
}

/// What one pass over discovery found.
#[derive(Debug, Default)]
struct Discovered {
    /// The kinds to watch.
    watched: HashSet<Arc<Kind>>,
    /// Every served kind at every served version, for owner references.
    served: Vec<Arc<Kind>>,
}

impl Discovered {
    /// Adds one group's resources, `versions` in priority order. Each resource is watched
    /// once, at the preferred version or else at the first version serving it (upstream's
    /// ServerPreferredResources): CRDs of one group may serve different versions.
    fn add_group(&mut self, preferred: &str, mut versions: Vec<(String, Vec<(ApiResource, ApiCapabilities)>)>) {
        versions.sort_by_key(|(version, _)| version != preferred);
        let mut seen = HashSet::new();
        for (_, resources) in versions {
            for (resource, capabilities) in resources {
                let watched = seen.insert(resource.plural.clone()) && collectable(&resource, &capabilities);
                let kind = Arc::new(Kind { resource, namespaced: capabilities.scope == Scope::Namespaced });
                if watched {
                    self.watched.insert(kind.clone());
                }
                self.served.push(kind);
            }
        }
    }

    fn resolve(&self, api_version: &str, kind: &str) -> Option<Arc<Kind>> {
        self.served.iter().find(|k| k.resource.api_version == api_version && k.resource.kind == kind).cloned()
    }
}

/// Whether the collector watches a resource: it can list, watch and delete it, and it is
/// not events (upstream's ignored resources).
fn collectable(resource: &ApiResource, capabilities: &ApiCapabilities) -> bool {
    let events = resource.plural == "events" && (resource.group.is_empty() || resource.group == "events.k8s.io");
    !events && [verbs::LIST, verbs::WATCH, verbs::DELETE].iter().all(|verb| capabilities.supports_operation(verb))
}

async fn discover(client: &Client) -> Result<Discovered, kube::Error> {
    let discovery = Discovery::new(client.clone()).run().await?;
    let mut discovered = Discovered::default();
    for group in discovery.groups() {
        let versions = group.versions().map(|v| (v.to_string(), group.versioned_resources(v))).collect();
        discovered.add_group(group.preferred_version_or_latest(), versions);
    }
    // In one order, so that two discoveries compare equal when the same kinds are served.
    discovered
        .served
        .sort_by(|a, b| (&a.resource.api_version, &a.resource.kind).cmp(&(&b.resource.api_version, &b.resource.kind)));
    Ok(discovered)
}

/// Reads discovery now, then every [`RESYNC`] or when `again` is notified, and hands each
/// result to the collector.
async fn discover_periodically(client: Client, again: Arc<Notify>, results: mpsc::UnboundedSender<Discovered>) {
    loop {
        let wait = match discover(&client).await {
            Ok(discovered) => {
                if results.send(discovered).is_err() {
                    return;
                }
                RESYNC
            }
            Err(err) => {
                tracing::debug!(%err, "discovery failed; the garbage collector keeps the kinds it watches");
                RETRY
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = again.notified() => {
                // A CRD seldom changes once (created, then established): one read a moment
                // later covers what follows, and leaves the apiserver to establish it.
                tokio::time::sleep(SETTLE).await;
                let _ = again.notified().now_or_never();
            }
        }
    }
}

type KindEvents = BoxStream<'static, (Arc<Kind>, Result<watcher::Event<MetadataOnly>, watcher::Error>)>;

/// One watch per watched kind, merged into one stream; a kind's watch can be dropped.
#[derive(Default)]
struct Watches {
    events: SelectAll<KindEvents>,
    running: HashMap<Arc<Kind>, AbortHandle>,
    /// Per kind: the uids seen since the current (re)list began.
    listing: HashMap<Arc<Kind>, HashSet<String>>,
}

impl Watches {
    /// Watches exactly `wanted`; returns the kinds whose watches were dropped.
    fn update(&mut self, client: &Client, wanted: &HashSet<Arc<Kind>>) -> Vec<Arc<Kind>> {
        for kind in wanted {
            if self.running.contains_key(kind) {
                continue;
            }
            // Only metadata (owners, finalizers, deletion) matters here.
            let api: Api<MetadataOnly> = Api::all_with(client.clone(), &kind.resource);
            let tagged = kind.clone();
            let events = watcher(api, watcher::Config::default()).default_backoff().map(move |e| (tagged.clone(), e));
            let (events, handle) = stream::abortable(events);
            self.events.push(events.boxed());
            self.running.insert(kind.clone(), handle);
        }
        let gone: Vec<Arc<Kind>> = self.running.keys().filter(|kind| !wanted.contains(*kind)).cloned().collect();
        for kind in &gone {
            if let Some(handle) = self.running.remove(kind) {
                handle.abort();
            }
            self.listing.remove(kind);
        }
        gone
    }
}

/// One object as the collector knows it.
#[derive(Debug, Clone)]
struct Node {
    kind: Arc<Kind>,
    namespace: Option<String>,
    name: String,
    owners: Vec<OwnerReference>,
    deleting: bool,
    finalizers: Vec<String>,
}

impl Node {
    fn from_object(kind: &Arc<Kind>, metadata: &ObjectMeta) -> Node {
        Node {
            kind: kind.clone(),
            namespace: metadata.namespace.clone(),
            name: metadata.name.clone().unwrap_or_default(),
            owners: metadata.owner_references.clone().unwrap_or_default(),
            deleting: metadata.deletion_timestamp.is_some(),
            finalizers: metadata.finalizers.clone().unwrap_or_default(),
        }
    }

    fn waits_for(&self, finalizer: &str) -> bool {
        self.deleting && self.finalizers.iter().any(|f| f == finalizer)
    }
}

/// uid → object, and owner uid → dependent uids.
#[derive(Debug, Default)]
struct Graph {
    nodes: HashMap<String, Node>,
    dependents: HashMap<String, HashSet<String>>,
}

impl Graph {
    /// Records an object; returns the uids worth a look because of the change.
    fn upsert(&mut self, uid: &str, node: Node) -> Vec<String> {
        let mut work = Vec::new();
        let previous = self.nodes.get(uid);
        let owners_changed = previous.is_none_or(|p| p.owners != node.owners);
        if owners_changed {
            if let Some(previous) = previous {
                for owner in &previous.owners {
                    if !node.owners.iter().any(|o| o.uid == owner.uid) {
                        if let Some(set) = self.dependents.get_mut(&owner.uid) {
                            set.remove(uid);
                        }
                        // An owner waiting for its dependents may now be done.
                        work.push(owner.uid.clone());
                    }
                }
            }
            for owner in &node.owners {
                self.dependents.entry(owner.uid.clone()).or_default().insert(uid.to_string());
            }
            if !node.owners.is_empty() {
                work.push(uid.to_string());
            }
        }
        if node.waits_for(FOREGROUND) || node.waits_for(ORPHAN) {
            work.push(uid.to_string());
        }
        self.nodes.insert(uid.to_string(), node);
        work
    }

    /// Forgets an object; its dependents (maybe orphaned now) and its owners (maybe no
    /// longer blocked) are worth a look.
    fn remove(&mut self, uid: &str) -> Vec<String> {
        let mut work: Vec<String> = self.dependents.get(uid).into_iter().flatten().cloned().collect();
        if let Some(node) = self.nodes.remove(uid) {
            for owner in node.owners {
                if let Some(set) = self.dependents.get_mut(&owner.uid) {
                    set.remove(uid);
                    if set.is_empty() && !self.nodes.contains_key(&owner.uid) {
                        self.dependents.remove(&owner.uid);
                    }
                }
                work.push(owner.uid);
            }
        }
        if !work.is_empty() && self.dependents.get(uid).is_some_and(HashSet::is_empty) {
            self.dependents.remove(uid);
        }
        work
    }

    /// Forgets the objects of `kind` whose uids are not in `kept`.
    fn remove_kind(&mut self, kind: &Kind, kept: &HashSet<String>) -> Vec<String> {
        let gone: Vec<String> = self
            .nodes
            .iter()
            .filter(|(uid, node)| *node.kind == *kind && !kept.contains(*uid))
            .map(|(uid, _)| uid.clone())
            .collect();
        gone.iter().flat_map(|uid| self.remove(uid)).collect()
    }

    fn dependents_of(&self, uid: &str) -> Vec<(String, Node)> {
        self.dependents
            .get(uid)
            .into_iter()
            .flatten()
            .filter_map(|d| self.nodes.get(d).map(|n| (d.clone(), n.clone())))
            .collect()
    }
}

/// The queue of uids to look at, each at most once at a time.
#[derive(Clone)]
struct Queue {
    sender: mpsc::UnboundedSender<String>,
    pending: Arc<Mutex<HashSet<String>>>,
}

impl Queue {
    fn push(&self, uid: String) {
        if self.pending.lock().insert(uid.clone()) {
            let _ = self.sender.send(uid);
        }
    }

    fn push_later(&self, uid: String, after: Duration) {
        let queue = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            queue.push(uid);
        });
    }
}

struct Collector {
    client: Client,
    graph: Mutex<Graph>,
    /// The latest discovery.
    discovered: Mutex<Arc<Discovered>>,
    /// Dependents with an owner of a kind discovery did not list: looked at again when
    /// the served kinds change.
    unresolved: Mutex<HashSet<String>>,
}

/// Runs the garbage collector until the task is dropped.
pub async fn run(client: Client) {
    let collector = Arc::new(Collector {
        client: client.clone(),
        graph: Mutex::new(Graph::default()),
        discovered: Mutex::new(Arc::default()),
        unresolved: Mutex::new(HashSet::new()),
    });
    let (sender, mut receiver) = mpsc::unbounded_channel();
    let queue = Queue { sender, pending: Arc::new(Mutex::new(HashSet::new())) };
    let rediscover = Arc::new(Notify::new());
    let (results, mut discoveries) = mpsc::unbounded_channel();
    let discoverer = discover_periodically(client.clone(), rediscover.clone(), results);

    let feeder = {
        let (collector, queue) = (collector.clone(), queue.clone());
        async move {
            let mut watches = Watches::default();
            loop {
                let work = tokio::select! {
                    Some((kind, event)) = watches.events.next(), if !watches.events.is_empty() => {
                        let Ok(event) = event else { continue };
                        if kind.is_definition()
                            && matches!(event, watcher::Event::Apply(_) | watcher::Event::Delete(_))
                        {
                            rediscover.notify_one();
                        }
                        collector.observe(&kind, event, &mut watches.listing)
                    }
                    Some(discovered) = discoveries.recv() => collector.serve(discovered, &mut watches),
                    else => return,
                };
                for uid in work {
                    queue.push(uid);
                }
            }
        }
    };
    let worker = async {
        while let Some(uid) = receiver.recv().await {
            queue.pending.lock().remove(&uid);
            if let Err(err) = collector.process(&uid).await {
                tracing::debug!(%err, uid, "garbage collection will retry");
                queue.push_later(uid, RETRY);
            }
        }
    };
    tokio::join!(discoverer, feeder, worker);
}

impl Collector {
    fn observe(
        &self,
        kind: &Arc<Kind>,
        event: watcher::Event<MetadataOnly>,
        listing: &mut HashMap<Arc<Kind>, HashSet<String>>,
    ) -> Vec<String> {
        let mut graph = self.graph.lock();
        match event {
            watcher::Event::Apply(object) => match object.uid() {
                Some(uid) => graph.upsert(&uid, Node::from_object(kind, &object.metadata)),
                None => Vec::new(),
            },
            watcher::Event::Delete(object) => object.uid().map(|uid| graph.remove(&uid)).unwrap_or_default(),
            watcher::Event::Init => {
                listing.insert(kind.clone(), HashSet::new());
                Vec::new()
            }
            watcher::Event::InitApply(object) => {
                let Some(uid) = object.uid() else { return Vec::new() };
                listing.entry(kind.clone()).or_default().insert(uid.clone());
                graph.upsert(&uid, Node::from_object(kind, &object.metadata))
            }
            watcher::Event::InitDone => {
                // What the relist did not return was deleted while the watch was down.
                let seen = listing.remove(kind).unwrap_or_default();
                graph.remove_kind(kind, &seen)
            }
        }
    }

    /// Takes a discovery in: watches what it lists, forgets the objects of kinds no longer
    /// served, and looks again at dependents whose owners' kinds were unknown.
    fn serve(&self, discovered: Discovered, watches: &mut Watches) -> Vec<String> {
        let mut work = Vec::new();
        for kind in watches.update(&self.client, &discovered.watched) {
            tracing::debug!(kind = %kind.resource.kind, "no longer served; the garbage collector stops watching it");
            work.extend(self.graph.lock().remove_kind(&kind, &HashSet::new()));
        }
        let mut current = self.discovered.lock();
        if current.served != discovered.served {
            work.extend(self.unresolved.lock().drain());
        }
        *current = Arc::new(discovered);
        work
    }

    fn resolve(&self, api_version: &str, kind: &str) -> Option<Arc<Kind>> {
        let discovered = self.discovered.lock().clone();
        discovered.resolve(api_version, kind)
    }

    fn api(&self, kind: &Kind, namespace: Option<&str>) -> Api<DynamicObject> {
        match (kind.namespaced, namespace) {
            (true, Some(namespace)) => Api::namespaced_with(self.client.clone(), namespace, &kind.resource),
            _ => Api::all_with(self.client.clone(), &kind.resource),
        }
    }

    async fn process(&self, uid: &str) -> Result<(), Error> {
        let Some(node) = self.graph.lock().nodes.get(uid).cloned() else { return Ok(()) };
        if node.waits_for(ORPHAN) {
            self.orphan_dependents(uid, &node).await?;
        }
        if node.waits_for(FOREGROUND) {
            self.delete_dependents_first(uid, &node).await?;
        }
        if !node.owners.is_empty() && !node.deleting {
            self.check_owners(uid, &node).await?;
        }
        Ok(())
    }

    /// Whether the owner a reference names still exists: the graph says yes quickly; only
    /// a live read may say no.
    async fn owner_state(
        &self,
        dependent_uid: &str,
        dependent: &Node,
        reference: &OwnerReference,
    ) -> Result<OwnerState, Error> {
        if let Some(owner) = self.graph.lock().nodes.get(&reference.uid) {
            return Ok(if owner.waits_for(FOREGROUND) { OwnerState::DeletingForeground } else { OwnerState::Live });
        }
        let Some(kind) = self.resolve(&reference.api_version, &reference.kind) else {
            // A kind discovery does not list (yet): never judged gone.
            self.unresolved.lock().insert(dependent_uid.to_string());
            return Ok(OwnerState::Live);
        };
        if kind.namespaced && dependent.namespace.is_none() {
            // A cluster-scoped object cannot be owned by a namespaced one.
            return Ok(OwnerState::Gone);
        }
        let found = self.api(&kind, dependent.namespace.as_deref()).get_opt(&reference.name).await?;
        Ok(match found {
            Some(owner) if owner.uid().as_deref() == Some(reference.uid.as_str()) => {
                let deleting = owner.metadata.deletion_timestamp.is_some();
                if deleting && owner.finalizers().iter().any(|f| f == FOREGROUND) {
                    OwnerState::DeletingForeground
                } else {
                    OwnerState::Live
                }
            }
            _ => OwnerState::Gone,
        })
    }

    fn owners_live_in_graph(&self, node: &Node) -> bool {
        let graph = self.graph.lock();
        node.owners.iter().all(|owner| graph.nodes.get(&owner.uid).is_some_and(|o| !o.deleting))
    }

    /// The object as it is now, if it is still the one with this uid. The graph may lag
    /// behind (an owner reference just removed), so decisions are made on this.
    async fn fresh(&self, uid: &str, node: &Node) -> Result<Option<DynamicObject>, Error> {
        let found = self.api(&node.kind, node.namespace.as_deref()).get_opt(&node.name).await?;
        Ok(found.filter(|o| o.uid().as_deref() == Some(uid)))
    }

    /// Deletes a dependent whose owners are all gone; drops references to gone owners when
    /// others remain.
    async fn check_owners(&self, uid: &str, node: &Node) -> Result<(), Error> {
        // Owners the graph knows, not being deleted in the foreground, are live: nothing
        // to read (10,000 new pods of one ReplicaSet cost no request). Should one go, its
        // removal from the graph brings this dependent back.
        if self.owners_live_in_graph(node) {
            return Ok(());
        }
        let Some(fresh) = self.fresh(uid, node).await? else { return Ok(()) };
        let current = Node::from_object(&node.kind, &fresh.metadata);
        if current.deleting || current.owners.is_empty() {
            return Ok(());
        }
        let mut gone = Vec::new();
        let mut live = 0;
        let mut waiting = 0;
        for reference in &current.owners {
            match self.owner_state(uid, &current, reference).await? {
                OwnerState::Gone => gone.push(reference.uid.clone()),
                OwnerState::Live => live += 1,
                OwnerState::DeletingForeground => waiting += 1,
            }
        }
        if gone.is_empty() {
            return Ok(());
        }
        if live == 0 && waiting == 0 {
            let version = fresh.resource_version();
            return self.delete(uid, &current, PropagationPolicy::Background, version).await;
        }
        self.drop_owner_references(&current, &fresh, &gone).await
    }

    /// Deletes an object, guarded by uid (and resourceVersion when given: a dependent
    /// changed since it was judged is judged again).
    async fn delete(
        &self,
        uid: &str,
        node: &Node,
        policy: PropagationPolicy,
        resource_version: Option<String>,
    ) -> Result<(), Error> {
        let guarded_version = resource_version.is_some();
        let params = DeleteParams {
            propagation_policy: Some(policy),
            preconditions: Some(Preconditions { uid: Some(uid.to_string()), resource_version }),
            ..Default::default()
        };
        match self.api(&node.kind, node.namespace.as_deref()).delete(&node.name, &params).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
            // A different object by now, unless it is our version guard that failed.
            Err(kube::Error::Api(status)) if status.code == 409 && !guarded_version => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Removes the references to `owners` from a fresh copy of an object, guarded by its
    /// resourceVersion.
    async fn drop_owner_references(&self, node: &Node, fresh: &DynamicObject, owners: &[String]) -> Result<(), Error> {
        let remaining: Vec<&OwnerReference> =
            fresh.owner_references().iter().filter(|r| !owners.contains(&r.uid)).collect();
        if remaining.len() == fresh.owner_references().len() {
            return Ok(());
        }
        let mut ops =
            vec![json!({"op": "test", "path": "/metadata/resourceVersion", "value": fresh.resource_version()})];
        ops.push(if remaining.is_empty() {
            json!({"op": "remove", "path": "/metadata/ownerReferences"})
        } else {
            json!({"op": "replace", "path": "/metadata/ownerReferences", "value": remaining})
        });
        self.json_patch(node, ops).await
    }

    async fn json_patch(&self, node: &Node, ops: Vec<Value>) -> Result<(), Error> {
        let patch: json_patch::Patch = serde_json::from_value(Value::Array(ops))?;
        let api = self.api(&node.kind, node.namespace.as_deref());
        match api.patch(&node.name, &PatchParams::default(), &Patch::<()>::Json(patch)).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    /// Removes one finalizer from a fresh copy of the owner (guarded by its
    /// resourceVersion); the apiserver deletes it when none remain.
    async fn remove_finalizer(&self, node: &Node, finalizer: &str) -> Result<(), Error> {
        let api = self.api(&node.kind, node.namespace.as_deref());
        let Some(fresh) = api.get_opt(&node.name).await? else { return Ok(()) };
        let finalizers: Vec<&String> = fresh.finalizers().iter().filter(|f| *f != finalizer).collect();
        if finalizers.len() == fresh.finalizers().len() {
            return Ok(());
        }
        let ops = vec![
            json!({"op": "test", "path": "/metadata/resourceVersion", "value": fresh.resource_version()}),
            json!({"op": "replace", "path": "/metadata/finalizers", "value": finalizers}),
        ];
        self.json_patch(node, ops).await
    }

    /// `orphan`: every dependent loses its reference to the owner, then the owner goes.
    async fn orphan_dependents(&self, uid: &str, node: &Node) -> Result<(), Error> {
        let dependents = self.graph.lock().dependents_of(uid);
        for (dependent_uid, dependent) in dependents {
            if let Some(fresh) = self.fresh(&dependent_uid, &dependent).await? {
                self.drop_owner_references(&dependent, &fresh, &[uid.to_string()]).await?;
            }
        }
        self.remove_finalizer(node, ORPHAN).await
    }

    /// `foregroundDeletion`: dependents are deleted (in the foreground themselves); the
    /// owner goes once no dependent that blocks it remains.
    async fn delete_dependents_first(&self, uid: &str, node: &Node) -> Result<(), Error> {
        let dependents = self.graph.lock().dependents_of(uid);
        let mut blocking = 0;
        for (dependent_uid, dependent) in &dependents {
            let blocks = dependent.owners.iter().any(|r| r.uid == uid && r.block_owner_deletion == Some(true));
            if blocks {
                blocking += 1;
            }
            if !dependent.deleting {
                self.delete(dependent_uid, dependent, PropagationPolicy::Foreground, None).await?;
            }
        }
        if blocking > 0 {
            // Each dependent's deletion comes back through the watch and queues the owner
            // again; nothing to retry until then.
            tracing::debug!(owner = %node.name, blocking, "waiting for dependents to go");
            return Ok(());
        }
        self.remove_finalizer(node, FOREGROUND).await
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OwnerState {
    Live,
    Gone,
    DeletingForeground,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(api_version: &str, kind: &str, plural: &str) -> Arc<Kind> {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        let resource = ApiResource {
            group: group.into(),
            version: version.into(),
            api_version: api_version.into(),
            kind: kind.into(),
            plural: plural.into(),
        };
        Arc::new(Kind { resource, namespaced: true })
    }

    fn node(owners: &[&str]) -> Node {
        Node {
            kind: kind("v1", "Pod", "pods"),
            namespace: Some("default".into()),
            name: "p".into(),
            owners: owners.iter().map(|uid| OwnerReference { uid: uid.to_string(), ..Default::default() }).collect(),
            deleting: false,
            finalizers: Vec::new(),
        }
    }

    #[test]
    fn removing_an_owner_queues_its_dependents() {
        let mut graph = Graph::default();
        graph.upsert("rs", node(&[]));
        assert_eq!(graph.upsert("pod", node(&["rs"])), ["pod"]);
        assert_eq!(graph.dependents_of("rs").len(), 1);
        assert_eq!(graph.remove("rs"), ["pod"]);
    }

    #[test]
    fn unchanged_owners_queue_nothing() {
        let mut graph = Graph::default();
        graph.upsert("pod", node(&["rs"]));
        assert!(graph.upsert("pod", node(&["rs"])).is_empty());
    }

    #[test]
    fn a_dependent_leaving_queues_its_owner() {
        let mut graph = Graph::default();
        graph.upsert("pod", node(&["rs"]));
        assert_eq!(graph.remove("pod"), ["rs"]);
        assert!(graph.dependents_of("rs").is_empty());
        assert_eq!(graph.upsert("pod2", node(&["rs"])), ["pod2"]);
        assert_eq!(graph.upsert("pod2", node(&[])), ["rs"]);
    }

    #[test]
    fn owners_waiting_on_finalizers_are_queued() {
        let mut graph = Graph::default();
        let mut owner = node(&[]);
        owner.deleting = true;
        owner.finalizers = vec![FOREGROUND.into()];
        assert_eq!(graph.upsert("rs", owner), ["rs"]);
    }

    #[test]
    fn forgetting_a_kind_queues_the_dependents_of_its_objects() {
        let mut graph = Graph::default();
        let mut owner = node(&[]);
        owner.kind = kind("example.com/v1", "Widget", "widgets");
        graph.upsert("widget", owner);
        graph.upsert("pod", node(&["widget"]));
        let widgets = kind("example.com/v1", "Widget", "widgets");
        assert_eq!(graph.remove_kind(&widgets, &HashSet::new()), ["pod"]);
        assert!(!graph.nodes.contains_key("widget"));
        assert!(graph.nodes.contains_key("pod"));
    }

    #[test]
    fn relisting_forgets_only_what_the_list_did_not_return() {
        let mut graph = Graph::default();
        graph.upsert("kept", node(&[]));
        graph.upsert("gone", node(&[]));
        let kept: HashSet<String> = ["kept".to_string()].into();
        graph.remove_kind(&kind("v1", "Pod", "pods"), &kept);
        assert!(graph.nodes.contains_key("kept"));
        assert!(!graph.nodes.contains_key("gone"));
    }

    fn capabilities(verbs: &[&str]) -> ApiCapabilities {
        ApiCapabilities {
            scope: Scope::Namespaced,
            subresources: Vec::new(),
            operations: verbs.iter().map(|v| v.to_string()).collect(),
        }
    }

    #[test]
    fn collected_kinds_list_watch_and_delete_and_are_not_events() {
        let all = capabilities(&["create", "delete", "get", "list", "patch", "update", "watch"]);
        assert!(collectable(&kind("v1", "ConfigMap", "configmaps").resource, &all));
        assert!(collectable(&kind("example.com/v1", "Widget", "widgets").resource, &all));
        assert!(!collectable(&kind("v1", "Event", "events").resource, &all));
        assert!(!collectable(&kind("events.k8s.io/v1", "Event", "events").resource, &all));
        let unwatchable = capabilities(&["create", "delete", "get", "list"]);
        assert!(!collectable(&kind("v1", "ConfigMap", "configmaps").resource, &unwatchable));
        let undeletable = capabilities(&["get", "list", "watch"]);
        assert!(!collectable(&kind("v1", "ConfigMap", "configmaps").resource, &undeletable));
    }

    #[test]
    fn each_resource_is_watched_once_at_the_preferred_version_or_the_first_serving_it() {
        let all = || capabilities(&["delete", "list", "watch"]);
        let widgets = |version: &str| kind(&format!("example.com/{version}"), "Widget", "widgets").resource.clone();
        let gadgets = kind("example.com/v1", "Gadget", "gadgets").resource.clone();
        let mut discovered = Discovered::default();
        discovered.add_group(
            "v2",
            vec![
                ("v1".into(), vec![(widgets("v1"), all()), (gadgets, all())]),
                ("v2".into(), vec![(widgets("v2"), all())]),
            ],
        );
        let mut watched: Vec<String> =
            discovered.watched.iter().map(|k| format!("{} {}", k.resource.api_version, k.resource.kind)).collect();
        watched.sort();
        assert_eq!(watched, ["example.com/v1 Gadget", "example.com/v2 Widget"]);
        assert_eq!(discovered.served.len(), 3);
    }

    #[test]
    fn owners_resolve_by_api_version_and_kind_at_any_served_version() {
        let discovered = Discovered {
            watched: HashSet::new(),
            served: vec![kind("example.com/v2", "Widget", "widgets"), kind("example.com/v1", "Widget", "widgets")],
        };
        assert_eq!(discovered.resolve("example.com/v1", "Widget").unwrap().resource.version, "v1");
        assert!(discovered.resolve("example.com/v3", "Widget").is_none());
        assert!(discovered.resolve("example.com/v1", "Gadget").is_none());
    }
}
