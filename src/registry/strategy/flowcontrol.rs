//! The strategies of flowcontrol.apiserver.k8s.io: FlowSchema and PriorityLevelConfiguration.

use super::Strategy;

pub(crate) static FLOW_SCHEMA: Strategy = Strategy::DEFAULT;
pub(crate) static PRIORITY_LEVEL_CONFIGURATION: Strategy = Strategy::DEFAULT;
