//! The strategies of coordination.k8s.io: Leases, which have no rules beyond ObjectMeta's.

use super::Strategy;
use crate::registry::tables;

pub(crate) static LEASE: Strategy = Strategy { printer: &tables::core_kinds::LEASE, ..Strategy::DEFAULT };
