//! Tests of the public API, over the real registry.

use super::*;
use crate::registry::by_plural;

fn openapi() -> OpenApi {
    OpenApi::build()
}

#[test]
fn builds_placeholder() {
    let api = openapi();
    assert!(api.document("apis/apps/v1").is_some());
}
