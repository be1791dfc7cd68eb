//! Patches as the apiserver applies them: JSON patch (RFC 6902), JSON merge patch
//! (RFC 7386), strategic merge patch (upstream's, with merge keys and directives) and
//! server-side apply (managedFields, conflicts, force).

pub mod schema;
