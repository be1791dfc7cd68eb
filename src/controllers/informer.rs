//! A shared informer: one watch and one cache of a kind for every controller of the
//! controller-manager, as upstream's SharedInformerFactory gives them, so the pod
//! controllers (replicaset, replicationcontroller, job, node lifecycle) hold each pod once
//! and decode each change once.
//!
//! The cache is written before subscribers hear of a change, so a reconcile triggered by
//! it sees at least that state. Each change carries the version the cache held before,
//! which is what the controllers' expectations bookkeeping compares against.

use std::sync::Arc;

use futures::{Stream, StreamExt};
use kube::runtime::reflector::{self, ObjectRef, Store};
use kube::runtime::watcher;
use kube::Resource;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

/// Changes a subscriber may fall behind by before the watch waits for it.
const BUFFER: usize = 1024;

/// One change of one object, as a subscriber hears of it.
#[derive(Debug)]
pub enum Change<K> {
    /// Added or modified (also each object of a re-list); `previous` is what the cache
    /// held before, if anything.
    Applied {
        object: Arc<K>,
        previous: Option<Arc<K>>,
    },
    Deleted {
        object: Arc<K>,
    },
}

impl<K> Change<K> {
    pub fn object(&self) -> &Arc<K> {
        match self {
            Change::Applied { object, .. } | Change::Deleted { object } => object,
        }
    }
}

type Events<K> = futures::stream::BoxStream<'static, Result<watcher::Event<K>, watcher::Error>>;

/// The watch of one kind, its cache and its subscribers; `run` drives them.
pub struct Informer<K>
where
    K: Resource<DynamicType = ()> + Clone + 'static,
{
    events: Events<K>,
    writer: reflector::store::Writer<K>,
    subscribers: Vec<mpsc::Sender<Arc<Change<K>>>>,
}

impl<K> Informer<K>
where
    K: Resource<DynamicType = ()> + Clone + Send + Sync + 'static,
{
    /// An informer over `events` (a watcher, with whatever backoff and trimming the
    /// caller wants).
    pub fn new(events: impl Stream<Item = Result<watcher::Event<K>, watcher::Error>> + Send + 'static) -> Self {
        Informer { events: events.boxed(), writer: Default::default(), subscribers: Vec::new() }
    }

    /// The shared cache (read-only).
    pub fn store(&self) -> Store<K> {
        self.writer.as_reader()
    }

    /// Every change from the start on; take subscriptions before `run`.
    pub fn subscribe(&mut self) -> impl Stream<Item = Arc<Change<K>>> + Send + 'static {
        let (sender, receiver) = mpsc::channel(BUFFER);
        self.subscribers.push(sender);
        ReceiverStream::new(receiver)
    }

    /// Applies each watch event to the cache, then tells every subscriber.
    pub async fn run(mut self) {
        let store = self.writer.as_reader();
        while let Some(event) = self.events.next().await {
            let event = match event {
                Ok(event) => event,
                Err(err) => {
                    tracing::warn!(%err, kind = %K::kind(&()), "shared informer: watch failed; retrying");
                    continue;
                }
            };
            let previous = |object: &K| store.get(&ObjectRef::from_obj(object));
            let change = match &event {
                watcher::Event::Apply(object) | watcher::Event::InitApply(object) => {
                    let previous = previous(object);
                    self.writer.apply_watcher_event(&event);
                    // While re-listing the object waits in the writer's buffer, not the cache.
                    let stored = store.get(&ObjectRef::from_obj(object));
                    let object = match (&event, stored) {
                        (watcher::Event::Apply(_), Some(stored)) => stored,
                        _ => Arc::new(object.clone()),
                    };
                    Some(Change::Applied { object, previous })
                }
                watcher::Event::Delete(object) => {
                    self.writer.apply_watcher_event(&event);
                    Some(Change::Deleted { object: Arc::new(object.clone()) })
                }
                watcher::Event::Init | watcher::Event::InitDone => {
                    self.writer.apply_watcher_event(&event);
                    None
                }
            };
            let Some(change) = change.map(Arc::new) else { continue };
            self.subscribers.retain(|s| !s.is_closed());
            for subscriber in &self.subscribers {
                let _ = subscriber.send(change.clone()).await;
            }
        }
    }
}
