//! Whether a watch-fed cache (a kube reflector `Store`) has listed once, asked without
//! waiting: before that an object may look missing that only has not arrived yet.

use futures::FutureExt;
use kube::runtime::reflector::Store;

pub fn is_synced<K: kube::Resource + Clone + 'static>(store: &Store<K>) -> bool
where
    K::DynamicType: std::hash::Hash + Eq + Clone,
{
    store.wait_until_ready().now_or_never().is_some_and(|r| r.is_ok())
}
