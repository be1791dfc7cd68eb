//! The Kubernetes apiserver: HTTPS + client-certificate auth, discovery, OpenAPI, and
//! the REST verbs over the store.

pub mod openapi;
pub mod patch;
