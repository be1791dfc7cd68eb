//! The strategy of scheduling.k8s.io: PriorityClass.

use super::Strategy;
use crate::registry::tables;

pub(crate) static PRIORITY_CLASS: Strategy =
    Strategy { printer: &tables::more_kinds::PRIORITY_CLASS, ..Strategy::DEFAULT };
