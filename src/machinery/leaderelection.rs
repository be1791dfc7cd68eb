//! Leader election on a coordination.k8s.io/v1 Lease, as upstream's client-go does it: the
//! holder renews `renewTime` every retry period; others take over only once they have
//! seen the same record unchanged for a whole lease duration (measured on their own
//! clock, so clocks need not agree). Only the leader runs the controllers, so two control
//! planes on one store never both act.

use std::future::Future;
use std::time::{Duration, Instant};

use chrono::Utc;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, PostParams};
use kube::Client;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("lease request failed: {0}")]
    Kube(#[from] kube::Error),
}

/// Which lease, who we are, and upstream's timings.
#[derive(Debug, Clone)]
pub struct LeaseConfig {
    pub namespace: String,
    pub name: String,
    pub identity: String,
    /// How long a silent holder keeps the lease (leaseDurationSeconds).
    pub lease_duration: Duration,
    /// How long the leader keeps trying to renew before it gives up leading.
    pub renew_deadline: Duration,
    /// How often to try to acquire or renew.
    pub retry_period: Duration,
}

impl LeaseConfig {
    /// kube-controller-manager's lease: kube-system/kube-controller-manager, 15 s, renewed
    /// every 2 s.
    pub fn controller_manager() -> LeaseConfig {
        LeaseConfig::in_kube_system("kube-controller-manager")
    }

    /// kube-scheduler's lease: kube-system/kube-scheduler, with the same timings.
    pub fn scheduler() -> LeaseConfig {
        LeaseConfig::in_kube_system("kube-scheduler")
    }

    fn in_kube_system(name: &str) -> LeaseConfig {
        LeaseConfig {
            namespace: "kube-system".into(),
            name: name.into(),
            identity: identity(),
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
        }
    }

    /// Holds the lease as `identity`: one control plane uses one for all its leases, so a
    /// reader sees which process leads.
    pub fn with_identity(mut self, identity: &str) -> LeaseConfig {
        self.identity = identity.to_string();
        self
    }
}

/// `<hostname>_<uuid>`, as kube-controller-manager names its holder.
pub fn identity() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{host}_{}", uuid::Uuid::new_v4())
}

/// One candidate's view of the lease.
pub struct Elector {
    api: Api<Lease>,
    config: LeaseConfig,
    /// The last (holder, renewTime) seen, and when we first saw it.
    observed: Option<(Option<String>, Option<MicroTime>, Instant)>,
}

impl Elector {
    pub fn new(client: Client, config: LeaseConfig) -> Elector {
        Elector { api: Api::namespaced(client, &config.namespace), config, observed: None }
    }

    /// One attempt: true when we hold the lease afterwards.
    pub async fn try_acquire_or_renew(&mut self) -> Result<bool, Error> {
        let now = MicroTime(Utc::now());
        let seconds = i32::try_from(self.config.lease_duration.as_secs()).unwrap_or(i32::MAX);
        let Some(current) = self.api.get_opt(&self.config.name).await? else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(self.config.name.clone()),
                    namespace: Some(self.config.namespace.clone()),
                    ..Default::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(self.config.identity.clone()),
                    lease_duration_seconds: Some(seconds),
                    acquire_time: Some(now.clone()),
                    renew_time: Some(now),
                    lease_transitions: Some(0),
                    ..Default::default()
                }),
            };
            return match self.api.create(&PostParams::default(), &lease).await {
                Ok(_) => Ok(true),
                Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
                Err(err) => Err(err.into()),
            };
        };
        let spec = current.spec.clone().unwrap_or_default();
        let holder = spec.holder_identity.clone().filter(|h| !h.is_empty());
        let record = (holder.clone(), spec.renew_time.clone());
        let changed = self.observed.as_ref().is_none_or(|(h, r, _)| (h, r) != (&record.0, &record.1));
        if changed {
            self.observed = Some((record.0, record.1, Instant::now()));
        }
        let ours = holder.as_deref() == Some(self.config.identity.as_str());
        let observed_at = self.observed.as_ref().map(|(_, _, at)| *at).unwrap_or_else(Instant::now);
        let held_duration = spec
            .lease_duration_seconds
            .and_then(|s| u64::try_from(s).ok())
            .map(Duration::from_secs)
            .unwrap_or(self.config.lease_duration);
        if holder.is_some() && !ours && observed_at.elapsed() < held_duration {
            return Ok(false);
        }
        let mut lease = current;
        let mut next = spec;
        if !ours {
            next.acquire_time = Some(now.clone());
            next.lease_transitions = Some(next.lease_transitions.unwrap_or(0) + i32::from(holder.is_some()));
        }
        next.holder_identity = Some(self.config.identity.clone());
        next.lease_duration_seconds = Some(seconds);
        next.renew_time = Some(now);
        lease.spec = Some(next);
        // Carries the resourceVersion we read: a concurrent writer makes this a conflict.
        match self.api.replace(&self.config.name, &PostParams::default(), &lease).await {
            Ok(written) => {
                let spec = written.spec.unwrap_or_default();
                self.observed = Some((spec.holder_identity, spec.renew_time, Instant::now()));
                Ok(true)
            }
            Err(kube::Error::Api(status)) if status.code == 409 => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// Tries every retry period until the lease is ours.
    pub async fn acquire(&mut self) {
        loop {
            match self.try_acquire_or_renew().await {
                Ok(true) => return,
                Ok(false) => {}
                Err(err) => tracing::debug!(%err, "could not acquire the lease"),
            }
            tokio::time::sleep(self.config.retry_period).await;
        }
    }

    /// Renews every retry period; returns when renewal kept failing for the renew deadline
    /// (or someone else holds the lease), i.e. when we stopped leading.
    pub async fn keep_renewing(&mut self) {
        let mut last_renewal = Instant::now();
        loop {
            tokio::time::sleep(self.config.retry_period).await;
            match self.try_acquire_or_renew().await {
                Ok(true) => last_renewal = Instant::now(),
                Ok(false) => return,
                Err(err) => tracing::debug!(%err, "could not renew the lease"),
            }
            if last_renewal.elapsed() > self.config.renew_deadline {
                return;
            }
        }
    }
}

/// Runs `work()` only while holding the lease: waits to acquire it, runs the work while
/// renewing, and stops the work (dropping it) as soon as leadership is lost, then tries
/// again. Never returns.
pub async fn run_with_lease<F, Fut>(client: Client, config: LeaseConfig, mut work: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let mut elector = Elector::new(client, config);
    loop {
        elector.acquire().await;
        tracing::info!(identity = %elector.config.identity, lease = %elector.config.name, "became leader");
        let task = tokio::spawn(work());
        elector.keep_renewing().await;
        tracing::warn!(identity = %elector.config.identity, lease = %elector.config.name, "leadership lost");
        task.abort();
        let _ = task.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_is_host_and_uuid() {
        let id = identity();
        let (host, uuid) = id.rsplit_once('_').unwrap();
        assert!(!host.is_empty());
        assert!(uuid::Uuid::parse_str(uuid).is_ok());
    }

    #[test]
    fn controller_manager_lease_uses_upstream_timings() {
        let config = LeaseConfig::controller_manager();
        assert_eq!((config.namespace.as_str(), config.name.as_str()), ("kube-system", "kube-controller-manager"));
        assert_eq!(config.lease_duration, Duration::from_secs(15));
        assert_eq!(config.retry_period, Duration::from_secs(2));
    }

    #[test]
    fn scheduler_lease_is_its_own_with_a_shared_identity() {
        let config = LeaseConfig::scheduler().with_identity("host_1");
        assert_eq!((config.namespace.as_str(), config.name.as_str()), ("kube-system", "kube-scheduler"));
        assert_eq!((config.identity.as_str(), config.lease_duration), ("host_1", Duration::from_secs(15)));
    }
}
