//! Shapes of the generated descriptor table (`descriptors.rs`), kept apart so the generator only
//! writes data.

/// How a field is laid out on the wire and rendered in JSON.
// Some variants appear only when the generator's kind list reaches them.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    /// Rendered as base64, like Go's `[]byte` in JSON.
    Bytes,
    Bool,
    Int32,
    Int64,
    Double,
    /// Index into `MESSAGES`.
    Message(usize),
    /// `map<string, string>`.
    MapString,
    /// `map<string, bytes>` (ConfigMap.binaryData, Secret.data).
    MapBytes,
    /// `map<string, Message>`; index into `MESSAGES`.
    MapMessage(usize),
}

/// Messages whose JSON form is not an object of their fields.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    None,
    /// meta/v1 Time: RFC3339 seconds; the empty message is Go's zero time, `null`.
    Time,
    /// meta/v1 MicroTime: RFC3339 with 6 fractional digits.
    MicroTime,
    /// meta/v1 Duration: Go's `time.Duration.String()`.
    Duration,
    /// runtime.RawExtension, meta/v1 FieldsV1: embedded JSON bytes.
    RawJson,
    /// intstr.IntOrString: a number or a string.
    IntOrString,
    /// resource.Quantity: its string.
    Quantity,
    /// apiextensions JSONSchemaPropsOrBool {1: allows, 2: schema}: the schema when set, else the bool.
    SchemaOrBool,
    /// apiextensions JSONSchemaPropsOrArray / OrStringArray {1: schema, 2: list}: the list when
    /// non-empty, else the schema, else `null`.
    SchemaOrArray,
    /// `ExtraValue` (authentication, authorization, certificates) {1: items}: the list itself.
    StringList,
}

#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub tag: u32,
    /// The JSON key; empty for `inline` fields.
    pub name: &'static str,
    pub kind: Kind,
    pub repeated: bool,
    /// A present zero value (``""``, `0`, `false`) is dropped: Go writes value fields even when zero,
    /// and upstream's JSON drops them (`omitempty`). False for pointers and non-`omitempty` fields.
    pub omit_zero: bool,
    /// A Go pointer, slice or map without `omitempty`: when absent (nil) upstream's JSON has `null`.
    pub null_if_absent: bool,
    /// Go `json:",inline"` embedding: the sub-message's keys go into the parent object.
    pub inline: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Message {
    /// Fully-qualified k8s-pb module path, e.g. `api.core.v1.PodSpec`.
    pub name: &'static str,
    pub special: Special,
    pub fields: &'static [Field],
}
