//! Errors of the patch engine. Patches come from users over HTTP, so every malformed
//! input is an error value (the apiserver maps them to 400/422), never a panic.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PatchError {
    /// The patch document is not of the expected shape (not JSON patch operations, a
    /// directive with a wrong type, a list item without its merge key, ...).
    #[error("invalid patch: {0}")]
    Invalid(String),
    /// The document being patched is not of the expected shape.
    #[error("invalid document: {0}")]
    InvalidDocument(String),
    /// A JSON patch `test` operation did not match.
    #[error("the test operation failed: {0}")]
    TestFailed(String),
    /// A JSON patch operation could not be applied (missing path, bad index, ...).
    #[error("the patch could not be applied: {0}")]
    Failed(String),
}

impl PatchError {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        PatchError::Invalid(msg.into())
    }
}
