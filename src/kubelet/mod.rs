//! Node agents. `hollow` simulates nodes without containers (like kwok): it registers
//! nodes, heartbeats their Leases and marks bound pods Running/Ready. `docker` is a real
//! kubelet whose pods run as Docker containers. `events` is what both say in Events.

pub mod docker;
pub mod events;
pub mod hollow;
pub mod node_status;
