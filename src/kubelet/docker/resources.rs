//! A container's resources as engine settings, as upstream's kuberuntime does for Linux
//! (generateLinuxContainerResources): the memory limit in bytes (swap off), the cpu limit
//! as a CFS quota (Docker's NanoCpus) and the cpu request as shares.

use k8s_openapi::api::core::v1::Container;

use crate::machinery::quantity;

/// What Docker's HostConfig gets; None leaves the engine's default (no limit).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineResources {
    pub memory: Option<i64>,
    pub nano_cpus: Option<i64>,
    pub cpu_shares: Option<i64>,
}

/// Upstream's MilliCPUToShares bounds.
const MIN_SHARES: i64 = 2;
const MAX_SHARES: i64 = 262144;

pub fn engine_resources(container: &Container) -> EngineResources {
    let resources = container.resources.as_ref();
    let get = |list: Option<&std::collections::BTreeMap<String, _>>, name: &str| {
        list.and_then(|m| m.get(name)).map(|q: &k8s_openapi::apimachinery::pkg::api::resource::Quantity| q.0.clone())
    };
    let limits = resources.and_then(|r| r.limits.as_ref());
    let requests = resources.and_then(|r| r.requests.as_ref());
    let memory = get(limits, "memory").and_then(|q| quantity::parse_value(&q).ok()).filter(|m| *m > 0);
    let cpu_limit = get(limits, "cpu").and_then(|q| quantity::parse_milli(&q).ok()).filter(|m| *m > 0);
    // A request defaults to the limit (the apiserver does so too).
    let cpu_request = get(requests, "cpu").and_then(|q| quantity::parse_milli(&q).ok()).or(cpu_limit);
    EngineResources {
        memory,
        nano_cpus: cpu_limit.map(|milli| milli * 1_000_000),
        cpu_shares: cpu_request.map(|milli| (milli * 1024 / 1000).clamp(MIN_SHARES, MAX_SHARES)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_and_requests_become_engine_settings() {
        let container: Container = serde_json::from_value(serde_json::json!({
            "name": "c", "resources": {"limits": {"memory": "64Mi", "cpu": "500m"}, "requests": {"cpu": "100m"}}
        }))
        .unwrap();
        let engine = engine_resources(&container);
        assert_eq!(engine.memory, Some(64 * 1024 * 1024));
        assert_eq!(engine.nano_cpus, Some(500_000_000));
        assert_eq!(engine.cpu_shares, Some(102));
        let none: Container = serde_json::from_value(serde_json::json!({"name": "c"})).unwrap();
        assert_eq!(engine_resources(&none), EngineResources::default());
    }
}
