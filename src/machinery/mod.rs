//! The shared middle layer, as upstream's apimachinery, client-go's tools and
//! component-base: what several components need, each concept once. Nothing here
//! imports a component; every component may import this.

pub mod disruption;
pub mod duration;
pub mod gotext;
pub mod jsonpath;
pub mod kubeconfig;
pub mod labels;
pub mod leaderelection;
pub mod node_affinity;
pub mod patch;
pub mod pki;
pub mod pods;
pub mod quantity;
pub mod record;
pub mod taints;
pub mod tls;
pub mod validation;
pub mod well_known;
pub mod ws_channels;
pub mod yaml;
