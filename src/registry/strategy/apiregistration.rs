//! The strategy of apiregistration.k8s.io: APIService.

use super::Strategy;

pub(crate) static API_SERVICE: Strategy = Strategy::DEFAULT;
