//! The strategies of the create-only review kinds of authentication.k8s.io (TokenReview,
//! SelfSubjectReview) and authorization.k8s.io (the four access reviews): what a request must hold.

use super::Strategy;

pub(crate) static TOKEN_REVIEW: Strategy = Strategy::DEFAULT;
pub(crate) static SELF_SUBJECT_REVIEW: Strategy = Strategy::DEFAULT;
pub(crate) static SUBJECT_ACCESS_REVIEW: Strategy = Strategy::DEFAULT;
pub(crate) static LOCAL_SUBJECT_ACCESS_REVIEW: Strategy = Strategy::DEFAULT;
pub(crate) static SELF_SUBJECT_ACCESS_REVIEW: Strategy = Strategy::DEFAULT;
pub(crate) static SELF_SUBJECT_RULES_REVIEW: Strategy = Strategy::DEFAULT;
