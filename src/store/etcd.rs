//! The etcd backend: the same [`Store`] over etcd's v3 gRPC API, for control planes that
//! share state (HA). Conditional writes are etcd transactions on `mod_revision`, exactly
//! what upstream's apiserver sends.

use async_trait::async_trait;
use bytes::Bytes;
use etcd_client::{
    Client, CompactionOptions, Compare, CompareOp, DeleteOptions, EventType, GetOptions, PutOptions, Txn, TxnOp,
    TxnOpResponse, WatchOptions,
};
use futures::StreamExt;

use super::{
    EventKind, KeyValue, RangeRequest, RangeResponse, Result, Revision, Store, StoreError, WatchEvent, WatchStream,
};

pub struct EtcdStore {
    client: Client,
}

impl EtcdStore {
    /// Connects to the etcd cluster at `endpoints` (e.g. `http://127.0.0.1:2379`).
    pub async fn connect(endpoints: &[String]) -> Result<EtcdStore> {
        let client = Client::connect(endpoints, None).await.map_err(etcd_error)?;
        Ok(EtcdStore { client })
    }

    /// Runs `compare ? then : get(key)` and returns the first response of the branch taken.
    async fn txn(&self, compare: Compare, then: TxnOp, key: &str) -> Result<(bool, TxnOpResponse, Revision)> {
        let txn = Txn::new().when([compare]).and_then([then]).or_else([TxnOp::get(key, None)]);
        let response = self.client.kv_client().txn(txn).await.map_err(etcd_error)?;
        let revision = response.header().map(|h| h.revision()).unwrap_or_default();
        let first = response.op_responses().into_iter().next().ok_or(StoreError::Closed)?;
        Ok((response.succeeded(), first, revision))
    }
}

fn etcd_error(err: etcd_client::Error) -> StoreError {
    if let etcd_client::Error::GRpcStatus(status) = &err {
        if status.message().contains("required revision has been compacted") {
            return StoreError::Compacted { requested: 0, compacted: 0 };
        }
        if status.message().contains("required revision is a future revision") {
            return StoreError::FutureRevision { requested: 0, current: 0 };
        }
    }
    StoreError::Etcd(Box::new(err))
}

fn key_value(kv: &etcd_client::KeyValue) -> KeyValue {
    KeyValue {
        key: String::from_utf8_lossy(kv.key()).into_owned(),
        value: Bytes::copy_from_slice(kv.value()),
        create_revision: kv.create_revision(),
        mod_revision: kv.mod_revision(),
        version: kv.version(),
    }
}

/// The key's current value from an `or_else` get branch.
fn current_of(response: TxnOpResponse) -> Option<Box<KeyValue>> {
    match response {
        TxnOpResponse::Get(get) => get.kvs().first().map(|kv| Box::new(key_value(kv))),
        _ => None,
    }
}

fn prev_of(response: &TxnOpResponse) -> Option<KeyValue> {
    match response {
        TxnOpResponse::Put(put) => put.prev_key().map(key_value),
        TxnOpResponse::Delete(delete) => delete.prev_kvs().first().map(key_value),
        _ => None,
    }
}

#[async_trait]
impl Store for EtcdStore {
    async fn get(&self, key: &str) -> Result<Option<KeyValue>> {
        let response = self.client.kv_client().get(key, None).await.map_err(etcd_error)?;
        Ok(response.kvs().first().map(key_value))
    }

    async fn range(&self, request: RangeRequest) -> Result<RangeResponse> {
        let mut options = GetOptions::new().with_limit(request.limit as i64).with_revision(request.revision);
        // etcd spells "to the end" as the single byte \0.
        options = options.with_range(if request.end.is_empty() { "\0".to_string() } else { request.end.clone() });
        let response =
            self.client.kv_client().get(request.start.as_str(), Some(options)).await.map_err(
                |err| match etcd_error(err) {
                    StoreError::Compacted { .. } => {
                        StoreError::Compacted { requested: request.revision, compacted: request.revision }
                    }
                    other => other,
                },
            )?;
        let revision = match request.revision {
            0 => response.header().map(|h| h.revision()).unwrap_or_default(),
            at => at,
        };
        Ok(RangeResponse { kvs: response.kvs().iter().map(key_value).collect(), more: response.more(), revision })
    }

    async fn create(&self, key: &str, value: Bytes) -> Result<KeyValue> {
        let put = TxnOp::put(key, value.to_vec(), None);
        let (created, _, revision) = self.txn(Compare::mod_revision(key, CompareOp::Equal, 0), put, key).await?;
        if !created {
            return Err(StoreError::KeyExists(key.to_string()));
        }
        Ok(KeyValue { key: key.to_string(), value, create_revision: revision, mod_revision: revision, version: 1 })
    }

    async fn update(&self, key: &str, value: Bytes, expected: Revision) -> Result<KeyValue> {
        let put = TxnOp::put(key, value.to_vec(), Some(PutOptions::new().with_prev_key()));
        let compare = Compare::mod_revision(key, CompareOp::Equal, expected);
        let (updated, response, revision) = self.txn(compare, put, key).await?;
        if !updated {
            return Err(StoreError::Conflict { key: key.to_string(), expected, current: current_of(response) });
        }
        let previous = prev_of(&response);
        Ok(KeyValue {
            key: key.to_string(),
            value,
            create_revision: previous.as_ref().map_or(revision, |p| p.create_revision),
            mod_revision: revision,
            version: previous.map_or(1, |p| p.version + 1),
        })
    }

    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<KeyValue> {
        let delete = TxnOp::delete(key, Some(DeleteOptions::new().with_prev_key()));
        // Without a precondition, "the key exists" is the condition.
        let compare = match expected {
            Some(expected) => Compare::mod_revision(key, CompareOp::Equal, expected),
            None => Compare::mod_revision(key, CompareOp::Greater, 0),
        };
        let (deleted, response, _) = self.txn(compare, delete, key).await?;
        if deleted {
            return prev_of(&response).ok_or_else(|| StoreError::NotFound(key.to_string()));
        }
        match (current_of(response), expected) {
            (None, _) => Err(StoreError::NotFound(key.to_string())),
            (current, expected) => {
                Err(StoreError::Conflict { key: key.to_string(), expected: expected.unwrap_or_default(), current })
            }
        }
    }

    async fn watch(&self, prefix: &str, start_revision: Revision) -> Result<WatchStream> {
        let mut options = WatchOptions::new().with_prefix().with_prev_key();
        if start_revision > 0 {
            options = options.with_start_revision(start_revision);
        }
        let mut stream = self.client.watch_client().watch(prefix, Some(options)).await.map_err(etcd_error)?;
        // Wait for etcd to confirm the watch, so that events after this call are not missed.
        match stream.message().await.map_err(etcd_error)? {
            Some(response) if response.compact_revision() > 0 => {
                return Err(StoreError::Compacted { requested: start_revision, compacted: response.compact_revision() })
            }
            Some(response) if response.canceled() => {
                return Err(StoreError::Etcd(Box::new(etcd_client::Error::WatchError(
                    response.cancel_reason().to_string(),
                ))))
            }
            Some(_) => {}
            None => return Err(StoreError::Closed),
        }
        let events = stream.flat_map(move |response| {
            let items: Vec<Result<WatchEvent>> = match response {
                Err(err) => vec![Err(etcd_error(err))],
                Ok(response) if response.compact_revision() > 0 => vec![Err(StoreError::Compacted {
                    requested: start_revision,
                    compacted: response.compact_revision(),
                })],
                Ok(response) => response
                    .events()
                    .iter()
                    .filter_map(|event| {
                        let kv = key_value(event.kv()?);
                        let prev_kv = event.prev_kv().map(key_value);
                        let kind = match event.event_type() {
                            EventType::Put => EventKind::Put,
                            EventType::Delete => EventKind::Delete,
                        };
                        Some(Ok(WatchEvent { kind, kv, prev_kv }))
                    })
                    .collect(),
            };
            futures::stream::iter(items)
        });
        // A compaction error ends the watch, as in the embedded store.
        let mut ended = false;
        let events = events.take_while(move |item| {
            let go_on = !ended;
            ended = ended || matches!(item, Err(StoreError::Compacted { .. }));
            futures::future::ready(go_on)
        });
        Ok(events.boxed())
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        let options = CompactionOptions::new().with_physical();
        self.client.kv_client().compact(revision, Some(options)).await.map_err(etcd_error)?;
        Ok(())
    }

    async fn current_revision(&self) -> Result<Revision> {
        let response = self.client.kv_client().get("\0", None).await.map_err(etcd_error)?;
        Ok(response.header().map(|h| h.revision()).unwrap_or_default())
    }
}
