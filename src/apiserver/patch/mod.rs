//! Patches as the apiserver applies them: JSON patch (RFC 6902), JSON merge patch
//! (RFC 7386), strategic merge patch (upstream's, with merge keys and directives) and
//! server-side apply (managedFields, conflicts, force).

pub mod apply;
pub mod error;
pub mod fields;
pub mod json;
pub mod schema;
pub mod strategic;
#[cfg(test)]
mod testutil;

pub use apply::{
    apply, conflict_message, managed_fields, track_update, track_update_with_schema, ApplyError, Conflict,
    ManagedFieldsEntry,
};
pub use error::PatchError;
pub use fields::{FieldSet, PathElement};
pub use json::{json_patch, merge_patch};
pub use schema::{FieldMeta, NoSchema, PatchSchema};
pub use strategic::strategic_merge_patch;
