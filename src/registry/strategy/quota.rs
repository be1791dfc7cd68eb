//! The strategies of the core group's policy kinds: LimitRange and ResourceQuota.

use super::Strategy;
use crate::registry::tables;

pub(crate) static LIMIT_RANGE: Strategy =
    Strategy { printer: &tables::more_kinds::CREATED_AT, ..Strategy::DEFAULT };
pub(crate) static RESOURCE_QUOTA: Strategy = Strategy::DEFAULT;
