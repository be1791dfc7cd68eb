//! The strategy of discovery.k8s.io: EndpointSlice.

use super::Strategy;
use crate::registry::tables;

pub(crate) static ENDPOINT_SLICE: Strategy =
    Strategy { printer: &tables::more_kinds::ENDPOINT_SLICE, ..Strategy::DEFAULT };
