//! The strategies of networking.k8s.io: Ingress, IngressClass, NetworkPolicy.

use super::Strategy;
use crate::registry::tables;

pub(crate) static INGRESS: Strategy =
    Strategy { printer: &tables::more_kinds::INGRESS, ..Strategy::DEFAULT };
pub(crate) static INGRESS_CLASS: Strategy =
    Strategy { printer: &tables::more_kinds::INGRESS_CLASS, ..Strategy::DEFAULT };
pub(crate) static NETWORK_POLICY: Strategy =
    Strategy { printer: &tables::more_kinds::NETWORK_POLICY, ..Strategy::DEFAULT };
