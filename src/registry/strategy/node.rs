//! The strategy of node.k8s.io: RuntimeClass.

use super::Strategy;
use crate::registry::tables;

pub(crate) static RUNTIME_CLASS: Strategy =
    Strategy { printer: &tables::more_kinds::RUNTIME_CLASS, ..Strategy::DEFAULT };
