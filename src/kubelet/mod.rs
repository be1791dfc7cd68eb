//! Node agents. `hollow` simulates nodes without containers (like kwok): it registers
//! nodes, heartbeats their Leases and marks bound pods Running/Ready.

pub mod hollow;
