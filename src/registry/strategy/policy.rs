//! The strategy of policy: PodDisruptionBudget.

use super::Strategy;
use crate::registry::tables;

pub(crate) static POD_DISRUPTION_BUDGET: Strategy =
    Strategy { printer: &tables::more_kinds::POD_DISRUPTION_BUDGET, ..Strategy::DEFAULT };
