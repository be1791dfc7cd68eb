//! The strategy of the CustomResourceDefinition kind. Its defaults, validation and generation
//! need the CRD machinery of the apiserver (`apiserver::crd::prepare_write`), which runs them
//! after this strategy's ObjectMeta checks; here is what the registry says of it.

use super::Strategy;
use crate::registry::tables;

pub(crate) static CUSTOM_RESOURCE_DEFINITION: Strategy =
    Strategy { printer: &tables::more_kinds::CREATED_AT, ..Strategy::DEFAULT };
