//! Patches as the apiserver applies them: JSON patch (RFC 6902), JSON merge patch
//! (RFC 7386), strategic merge patch (upstream's, with merge keys and directives) and
//! server-side apply (managedFields, conflicts, force).
//!
//! How a handler uses it (`now` is the request time, RFC 3339 in seconds):
//! - create / update / non-apply patch: compute the new object (for a patch with
//!   [`json_patch`], [`merge_patch`] or [`strategic_merge_patch`]), then
//!   [`track_update_with_schema`] (or [`track_update`]) with the old object (`None` on
//!   create) so that managedFields record what the write changed;
//! - apply patch (`application/apply-patch+yaml`, body parsed to JSON): [`apply`] with the
//!   live object (`None` if it does not exist yet); an [`ApplyError::Conflict`] is a 409
//!   Status with reason `Conflict`, message [`ApplyError::message`] and one cause per
//!   [`Conflict`] (type `FieldManagerConflict`, message [`Conflict::cause_message`],
//!   field [`Conflict::field_path`]).
//!
//! The field manager is the `fieldManager` query parameter, else (not for apply, where
//! it is required) [`manager_from_user_agent`].

pub mod apply;
pub mod error;
pub mod fields;
pub mod json;
pub mod openapi;
pub mod schema;
pub mod strategic;
#[cfg(test)]
mod testutil;
pub mod threeway;

pub use apply::{
    apply, conflict_message, managed_fields, track_update, track_update_with_schema, ApplyError, Conflict,
    ManagedFieldsEntry,
};
pub use error::PatchError;
pub use fields::{FieldSet, PathElement};
pub use json::{json_patch, merge_owned, merge_patch};
pub use schema::{FieldMeta, NoSchema, PatchSchema};
pub use strategic::strategic_merge_patch;

/// The default field manager of a non-apply write without `fieldManager`: the user
/// agent up to its first `/` (upstream's `prefixFromUserAgent`), at most 128 bytes.
pub fn manager_from_user_agent(user_agent: &str) -> String {
    let prefix = user_agent.split('/').next().unwrap_or_default();
    let mut end = prefix.len().min(128);
    while !prefix.is_char_boundary(end) {
        end -= 1;
    }
    prefix[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manager_from_user_agent_takes_the_program_name() {
        assert_eq!(manager_from_user_agent("kubectl/v1.32.0 (linux/amd64) kubernetes/abc"), "kubectl");
        assert_eq!(manager_from_user_agent(""), "");
        assert_eq!(manager_from_user_agent(&"é".repeat(100)).len(), 128);
    }
}
