//! A pod's resolv.conf from its `dnsPolicy` and `dnsConfig`, as upstream's
//! pkg/kubelet/network/dns: ClusterFirst points at the cluster DNS with the namespace's
//! search path and `ndots:5`, Default is the node's, None is only `dnsConfig`; `dnsConfig`
//! is merged into the others (servers and searches appended without repeats, options
//! replaced by name).

use k8s_openapi::api::core::v1::Pod;

/// Upstream's limits (validation.MaxDNSNameservers, MaxDNSSearchPaths).
const MAX_NAMESERVERS: usize = 3;
const MAX_SEARCHES: usize = 32;

/// What a resolv.conf says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResolvConf {
    pub nameservers: Vec<String>,
    pub searches: Vec<String>,
    pub options: Vec<String>,
}

/// The cluster DNS a node's pods use (kubelet's --cluster-dns and --cluster-domain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterDns {
    pub server: std::net::Ipv4Addr,
    pub domain: String,
}

impl ResolvConf {
    /// Reads resolv.conf's `nameserver`, `search`/`domain` and `options` lines.
    pub fn parse(text: &str) -> ResolvConf {
        let mut conf = ResolvConf::default();
        for line in text.lines() {
            let mut words = line.split_whitespace();
            match words.next() {
                Some("nameserver") => conf.nameservers.extend(words.next().map(str::to_string)),
                // The last search or domain line wins (resolv.conf(5)).
                Some("search" | "domain") => conf.searches = words.map(str::to_string).collect(),
                Some("options") => conf.options.extend(words.map(str::to_string)),
                _ => {}
            }
        }
        conf
    }

    /// The file: search, nameservers, options (containerd's order, as kind pods have it).
    pub fn render(&self) -> String {
        let mut text = String::new();
        if !self.searches.is_empty() {
            text.push_str(&format!("search {}\n", self.searches.join(" ")));
        }
        for server in &self.nameservers {
            text.push_str(&format!("nameserver {server}\n"));
        }
        if !self.options.is_empty() {
            text.push_str(&format!("options {}\n", self.options.join(" ")));
        }
        text
    }
}

fn push_unique(into: &mut Vec<String>, values: impl IntoIterator<Item = String>) {
    for value in values {
        if !into.contains(&value) {
            into.push(value);
        }
    }
}

/// Options merge by name (`ndots:2` replaces `ndots:5`).
fn merge_options(into: &mut Vec<String>, values: impl IntoIterator<Item = String>) {
    for value in values {
        let name = value.split(':').next().unwrap_or_default().to_string();
        into.retain(|o| o.split(':').next() != Some(name.as_str()));
        into.push(value);
    }
}

/// The pod's resolv.conf; `None` leaves the engine's (the node's resolvers, as Docker
/// adapts them for a container: what `Default` means).
pub fn for_pod(pod: &Pod, cluster: Option<&ClusterDns>, node: &ResolvConf) -> Option<ResolvConf> {
    let spec = pod.spec.as_ref()?;
    let host_network = spec.host_network.unwrap_or(false);
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("default");
    let policy = spec.dns_policy.as_deref().unwrap_or("ClusterFirst");
    let cluster_first = match policy {
        "ClusterFirstWithHostNet" => true,
        "ClusterFirst" => !host_network,
        _ => false,
    };
    let mut conf = match (policy, cluster_first.then_some(cluster).flatten()) {
        ("None", _) => ResolvConf::default(),
        (_, Some(dns)) => {
            let domain = &dns.domain;
            let mut searches = vec![format!("{namespace}.svc.{domain}"), format!("svc.{domain}"), domain.clone()];
            push_unique(&mut searches, node.searches.iter().cloned());
            ResolvConf { nameservers: vec![dns.server.to_string()], searches, options: vec!["ndots:5".into()] }
        }
        // Default, or ClusterFirst on a node without cluster DNS (upstream falls back too).
        _ if spec.dns_config.is_none() => return None,
        _ => node.clone(),
    };
    if let Some(config) = &spec.dns_config {
        push_unique(&mut conf.nameservers, config.nameservers.iter().flatten().cloned());
        push_unique(&mut conf.searches, config.searches.iter().flatten().cloned());
        let options = config.options.iter().flatten().filter_map(|o| {
            let name = o.name.as_deref().filter(|n| !n.is_empty())?;
            Some(match o.value.as_deref() {
                Some(value) => format!("{name}:{value}"),
                None => name.to_string(),
            })
        });
        merge_options(&mut conf.options, options);
    }
    conf.nameservers.truncate(MAX_NAMESERVERS);
    conf.searches.truncate(MAX_SEARCHES);
    Some(conf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(spec: serde_json::Value) -> Pod {
        serde_json::from_value(json!({"metadata": {"name": "p", "namespace": "shop"}, "spec": spec})).expect("pod")
    }

    fn cluster() -> ClusterDns {
        ClusterDns { server: std::net::Ipv4Addr::new(10, 96, 0, 10), domain: "cluster.local".into() }
    }

    fn node() -> ResolvConf {
        ResolvConf::parse("# Docker\nnameserver 127.0.0.11\nsearch corp.example\noptions edns0 ndots:0\n")
    }

    #[test]
    fn cluster_first_searches_the_namespace_then_the_node() {
        let conf = for_pod(&pod(json!({"containers": []})), Some(&cluster()), &node()).expect("a file");
        assert_eq!(
            conf.render(),
            "search shop.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n"
        );
    }

    #[test]
    fn default_and_host_network_keep_the_nodes_resolvers() {
        assert_eq!(for_pod(&pod(json!({"dnsPolicy": "Default", "containers": []})), Some(&cluster()), &node()), None);
        let host = pod(json!({"hostNetwork": true, "containers": []}));
        assert_eq!(for_pod(&host, Some(&cluster()), &node()), None);
        let with_host_net = pod(json!({"hostNetwork": true, "dnsPolicy": "ClusterFirstWithHostNet", "containers": []}));
        assert_eq!(for_pod(&with_host_net, Some(&cluster()), &node()).expect("file").nameservers, ["10.96.0.10"]);
    }

    #[test]
    fn none_takes_dns_config_and_config_merges_into_cluster_first() {
        let config = json!({"nameservers": ["1.2.3.4"], "searches": ["ns1.svc.cluster-domain.example"],
            "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]});
        let none = pod(json!({"dnsPolicy": "None", "dnsConfig": config, "containers": []}));
        assert_eq!(
            for_pod(&none, Some(&cluster()), &node()).expect("file").render(),
            "search ns1.svc.cluster-domain.example\nnameserver 1.2.3.4\noptions ndots:2 edns0\n"
        );
        let merged = pod(json!({"dnsConfig": config, "containers": []}));
        let conf = for_pod(&merged, Some(&cluster()), &node()).expect("file");
        assert_eq!(conf.nameservers, ["10.96.0.10", "1.2.3.4"]);
        assert_eq!(conf.options, ["ndots:2", "edns0"]);
    }
}
