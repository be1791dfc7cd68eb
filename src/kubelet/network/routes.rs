//! The two routes that carry Service traffic (see DESIGN.md, "Services on Docker"), set
//! through netlink (`rtnetlink`) in the caller's network namespace, both idempotent
//! (`replace`), so a restarted node or sandbox sets them again without error:
//! - in a pod's sandbox: the service range via its node's address on the cluster network;
//! - in a node: the service range as `local` (`ip route add local CIDR dev lo`), so the
//!   node accepts packets for any ClusterIP and its proxy's sockets bound to them answer.

use std::net::Ipv4Addr;

use rtnetlink::packet_route::route::{RouteScope, RouteType};
use rtnetlink::RouteMessageBuilder;

#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    #[error("opening a netlink socket: {0}")]
    Socket(#[source] std::io::Error),
    #[error("adding the route {route}: {source} (does the container have CAP_NET_ADMIN?)")]
    Add {
        route: String,
        #[source]
        source: rtnetlink::Error,
    },
}

/// The kernel's routing table of local addresses (`ip route show table local`).
const LOCAL_TABLE: u32 = 255;

async fn add(route: rtnetlink::packet_route::route::RouteMessage, shown: String) -> Result<(), RouteError> {
    let (connection, handle, _) = rtnetlink::new_connection().map_err(RouteError::Socket)?;
    let running = tokio::spawn(connection);
    let result = handle.route().add(route).replace().execute().await;
    running.abort();
    result.map_err(|source| RouteError::Add { route: shown, source })
}

/// `ip route replace NETWORK/PREFIX via GATEWAY`.
pub async fn add_via(network: Ipv4Addr, prefix: u8, gateway: Ipv4Addr) -> Result<(), RouteError> {
    let route = RouteMessageBuilder::<Ipv4Addr>::new().destination_prefix(network, prefix).gateway(gateway).build();
    add(route, format!("{network}/{prefix} via {gateway}")).await
}

/// `ip route replace local NETWORK/PREFIX dev lo` (table local).
pub async fn add_local(network: Ipv4Addr, prefix: u8) -> Result<(), RouteError> {
    // SAFETY: a NUL-terminated name; if_nametoindex only reads it.
    let lo = unsafe { libc::if_nametoindex(c"lo".as_ptr()) };
    let route = RouteMessageBuilder::<Ipv4Addr>::new()
        .destination_prefix(network, prefix)
        .kind(RouteType::Local)
        .scope(RouteScope::Host)
        .table_id(LOCAL_TABLE)
        .output_interface(lo)
        .build();
    add(route, format!("local {network}/{prefix} dev lo")).await
}
