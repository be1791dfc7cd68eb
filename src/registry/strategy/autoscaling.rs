//! The strategies of autoscaling: HorizontalPodAutoscaler, served as v2 and v1.

use super::Strategy;

pub(crate) static HORIZONTAL_POD_AUTOSCALER_V2: Strategy = Strategy::DEFAULT;
pub(crate) static HORIZONTAL_POD_AUTOSCALER_V1: Strategy = Strategy::DEFAULT;
