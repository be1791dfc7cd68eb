//! Kubernetes protobuf (`application/vnd.kubernetes.protobuf`): request bodies decoded into the
//! JSON objects the rest of the apiserver works on, and responses encoded from them.
//!
//! kubectl's typed clients (`kubectl create configmap|secret|deployment…`, drain's evictions) send
//! protobuf: the `k8s\0` magic, then a `runtime.Unknown` envelope whose `raw` is the object's
//! message from k8s.io/api `generated.proto`. Field numbers and JSON names come from the generated
//! table in `descriptors.rs`, rendered from the listing `descriptors.txt` (see `generate.rs`);
//! `decode.rs` walks it.

mod decode;
mod encode;
#[rustfmt::skip]
mod descriptors;
#[cfg(test)]
mod generate;
mod table;
mod wire;

pub use decode::decode;
pub use encode::{encode, has_message, watch_frame, ListEncoder};

/// The media type of Kubernetes protobuf bodies (what `decode` reads and `encode` writes).
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// The media type of a protobuf watch: length-prefixed `WatchEvent`s.
pub const WATCH_MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf;stream=watch";

/// Why a protobuf body could not be turned into JSON. Bodies come from the network, so every
/// malformation is an error value, never a panic.
#[derive(Debug, thiserror::Error)]
pub enum ProtobufError {
    #[error("body does not start with the Kubernetes protobuf magic \"k8s\\0\"")]
    MissingMagic,
    #[error("protobuf body is truncated")]
    Truncated,
    #[error("protobuf varint is longer than 64 bits")]
    VarintOverflow,
    #[error("invalid protobuf field number {0}")]
    InvalidFieldNumber(u64),
    #[error("unsupported protobuf wire type {0}")]
    UnsupportedWireType(u8),
    #[error("field {field} of {message} has wire type {wire_type}, which does not fit its type")]
    WireTypeMismatch { message: &'static str, field: &'static str, wire_type: u8 },
    #[error("no protobuf decoding for kind {kind:?} in apiVersion {api_version:?}")]
    UnknownKind { api_version: String, kind: String },
    #[error("unsupported content encoding {0:?} in the protobuf envelope")]
    UnsupportedEncoding(String),
    #[error("embedded JSON in {message} is invalid: {source}")]
    InvalidJson { message: &'static str, source: serde_json::Error },
    #[error("timestamp {seconds}s {nanos}ns is out of range")]
    TimeOutOfRange { seconds: i64, nanos: i32 },
    #[error("double value {0} is not representable in JSON")]
    NonFiniteNumber(f64),
    #[error("protobuf messages nest deeper than {0} levels")]
    TooDeep(usize),
}
