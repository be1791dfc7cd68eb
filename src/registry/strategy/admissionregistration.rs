//! The strategies of admissionregistration.k8s.io: the webhook configurations and validating admission policies with their bindings.

use super::Strategy;
use crate::registry::tables;

pub(crate) static MUTATING_WEBHOOK_CONFIGURATION: Strategy =
    Strategy { printer: &tables::more_kinds::WEBHOOK_CONFIGURATION, ..Strategy::DEFAULT };
pub(crate) static VALIDATING_WEBHOOK_CONFIGURATION: Strategy =
    Strategy { printer: &tables::more_kinds::WEBHOOK_CONFIGURATION, ..Strategy::DEFAULT };
pub(crate) static VALIDATING_ADMISSION_POLICY: Strategy = Strategy::DEFAULT;
pub(crate) static VALIDATING_ADMISSION_POLICY_BINDING: Strategy = Strategy::DEFAULT;
