//! The strategies of rbac.authorization.k8s.io: Role, ClusterRole, RoleBinding, ClusterRoleBinding.

use super::Strategy;
use crate::registry::tables;

pub(crate) static ROLE: Strategy =
    Strategy { printer: &tables::more_kinds::CREATED_AT, ..Strategy::DEFAULT };
pub(crate) static CLUSTER_ROLE: Strategy =
    Strategy { printer: &tables::more_kinds::CREATED_AT, ..Strategy::DEFAULT };
pub(crate) static ROLE_BINDING: Strategy =
    Strategy { printer: &tables::more_kinds::BINDING, ..Strategy::DEFAULT };
pub(crate) static CLUSTER_ROLE_BINDING: Strategy =
    Strategy { printer: &tables::more_kinds::BINDING, ..Strategy::DEFAULT };
