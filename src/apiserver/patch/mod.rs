//! Patches as the apiserver applies them: JSON patch (RFC 6902), JSON merge patch
//! (RFC 7386), strategic merge patch (upstream's, with merge keys and directives) and
//! server-side apply (managedFields, conflicts, force).

pub mod error;
pub mod json;
pub mod schema;
pub mod strategic;
#[cfg(test)]
mod testutil;

pub use error::PatchError;
pub use json::{json_patch, merge_patch};
pub use schema::{FieldMeta, NoSchema, PatchSchema};
pub use strategic::strategic_merge_patch;
