//! Which representation a response takes, from the request's `Accept`, as upstream's
//! `negotiation.NegotiateOutputMediaType` picks it: the clauses sorted by q-value and then by
//! specificity (goautoneg), each tried against the serializers in upstream's order (JSON, YAML,
//! protobuf) with the endpoint's restrictions; the first that fits wins, none is 406.
//!
//! YAML is recognised (so the order of choices is upstream's) but answered as JSON, as kctl has
//! always answered it.

use super::status::ApiError;

/// The encodings a response can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
    Protobuf,
}

/// A conversion asked with `;as=…;g=meta.k8s.io;v=v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convert {
    Table,
    /// `PartialObjectMetadata` or `PartialObjectMetadataList`.
    Metadata,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Output {
    pub format: Format,
    pub convert: Option<Convert>,
}

/// What an endpoint can serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// A built-in kind: its objects in every format, Tables in JSON and YAML only.
    BuiltIn,
    /// A custom resource: its objects in JSON and YAML only (upstream's CRD handler has no
    /// protobuf for unstructured objects), Tables likewise, PartialObjectMetadata in all.
    Custom,
    /// An error `Status`: any format, no conversion (upstream's default restrictions).
    Status,
}

const SERIALIZERS: [(Format, &str); 3] =
    [(Format::Json, "json"), (Format::Yaml, "yaml"), (Format::Protobuf, "vnd.kubernetes.protobuf")];

/// One clause of an Accept header.
struct Clause<'a> {
    kind: &'a str,
    subtype: &'a str,
    q: f64,
    params: Vec<(&'a str, &'a str)>,
}

/// goautoneg.ParseAccept: clauses without a `/` (other than `*`) are dropped, `q` defaults to 1
/// and an unparsable one is 0; then sorted by its comparison (q, then `*` last), with the
/// insertion sort Go's sort.Sort uses for short slices, so equal clauses keep their order.
fn parse_accept(header: &str) -> Vec<Clause<'_>> {
    let mut clauses: Vec<Clause> = Vec::new();
    for part in header.split(',') {
        let mut pieces = part.trim_matches(' ').split(';');
        let range = pieces.next().unwrap_or_default();
        let mut halves = range.split('/');
        let kind = halves.next().unwrap_or_default().trim_matches(' ');
        let subtype = match (halves.next(), halves.next()) {
            (None, _) if kind == "*" => "*",
            (Some(subtype), None) => subtype.trim_matches(' '),
            _ => continue,
        };
        let mut clause = Clause { kind, subtype, q: 1.0, params: Vec::new() };
        for param in pieces {
            let Some((token, value)) = param.split_once('=') else { continue };
            match token.trim_matches(' ') {
                "q" => clause.q = value.parse::<f32>().map(f64::from).unwrap_or(0.0),
                token => clause.params.push((token, value.trim_matches(' '))),
            }
        }
        clauses.push(clause);
    }
    let less = |a: &Clause, b: &Clause| {
        a.q > b.q || (a.kind != "*" && b.kind == "*") || (a.subtype != "*" && b.subtype == "*")
    };
    for i in 1..clauses.len() {
        let mut j = i;
        while j > 0 && less(&clauses[j], &clauses[j - 1]) {
            clauses.swap(j, j - 1);
            j -= 1;
        }
    }
    clauses
}

/// The output for `accept` at `endpoint`; `watch` asks for a format with a stream form (YAML
/// has none). An empty header is JSON.
pub fn negotiate(accept: &str, endpoint: Endpoint, watch: bool) -> Result<Output, ApiError> {
    // The common answers, without parsing (every JSON request passes here).
    if matches!(accept, "" | "application/json" | "*/*" | "application/json, */*") {
        return Ok(Output { format: Format::Json, convert: None });
    }
    for clause in parse_accept(accept) {
        for (format, subtype) in SERIALIZERS {
            let matches = (clause.kind == "application" && (clause.subtype == subtype || clause.subtype == "*"))
                || (clause.kind == "*" && clause.subtype == "*");
            if !matches || (watch && format == Format::Yaml) {
                continue;
            }
            if let Some(output) = accepts(&clause, format, endpoint) {
                return Ok(output);
            }
        }
    }
    Err(not_acceptable(watch))
}

/// upstream's acceptMediaTypeOptions with the endpoint's AllowsMediaTypeTransform.
fn accepts(clause: &Clause, format: Format, endpoint: Endpoint) -> Option<Output> {
    let (mut kind, mut group, mut version) = (None, "", "");
    for (name, value) in &clause.params {
        match *name {
            "as" => kind = Some(*value),
            "g" => group = value,
            "v" => version = value,
            "stream" if !value.is_empty() && (format == Format::Yaml || *value != "watch") => return None,
            "sv" if !value.is_empty() && *value != "v1" => return None,
            _ => {}
        }
    }
    let converting = kind.is_some() || !group.is_empty() || !version.is_empty();
    let convert = match (converting, endpoint) {
        (false, Endpoint::Custom) if format == Format::Protobuf => return None,
        (false, _) => None,
        (true, Endpoint::Status) => return None,
        (true, _) if group != "meta.k8s.io" || !matches!(version, "v1" | "v1beta1") => return None,
        (true, _) => match kind.unwrap_or_default() {
            "Table" if format != Format::Protobuf => Some(Convert::Table),
            "PartialObjectMetadata" | "PartialObjectMetadataList" => Some(Convert::Metadata),
            _ => return None,
        },
    };
    Some(Output { format, convert })
}

/// 406, naming what the serializers offer (the stream forms for a watch): the same list for
/// custom resources, whose serializer upstream also lists protobuf.
fn not_acceptable(watch: bool) -> ApiError {
    let offered = if watch {
        "application/json;stream=watch, application/vnd.kubernetes.protobuf;stream=watch"
    } else {
        "application/json, application/yaml, application/vnd.kubernetes.protobuf"
    };
    ApiError::not_acceptable(format!("only the following media types are accepted: {offered}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(accept: &str, endpoint: Endpoint) -> Option<Output> {
        negotiate(accept, endpoint, false).ok()
    }

    const JSON: Output = Output { format: Format::Json, convert: None };
    const PROTOBUF: Output = Output { format: Format::Protobuf, convert: None };

    #[test]
    fn client_go_and_kubectl_accept_headers() {
        let client_go = "application/vnd.kubernetes.protobuf, */*";
        assert_eq!(format(client_go, Endpoint::BuiltIn), Some(PROTOBUF));
        assert_eq!(format(client_go, Endpoint::Custom), Some(JSON));
        assert_eq!(format(client_go, Endpoint::Status), Some(PROTOBUF));
        assert_eq!(format("application/vnd.kubernetes.protobuf,application/json", Endpoint::BuiltIn), Some(PROTOBUF));
        assert_eq!(format("*/*", Endpoint::BuiltIn), Some(JSON));
        assert_eq!(format("", Endpoint::BuiltIn), Some(JSON));
        assert_eq!(format("application/*", Endpoint::BuiltIn), Some(JSON));
        let table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(
            format(table, Endpoint::BuiltIn),
            Some(Output { format: Format::Json, convert: Some(Convert::Table) })
        );
        assert_eq!(format(table, Endpoint::Status), Some(JSON));
    }

    #[test]
    fn q_values_order_the_clauses_and_wildcards_come_last() {
        let accept = "application/json;q=0.5, application/vnd.kubernetes.protobuf";
        assert_eq!(format(accept, Endpoint::BuiltIn), Some(PROTOBUF));
        let accept = "application/vnd.kubernetes.protobuf;q=0.9, application/json";
        assert_eq!(format(accept, Endpoint::BuiltIn), Some(JSON));
        assert_eq!(format("*/*, application/vnd.kubernetes.protobuf", Endpoint::BuiltIn), Some(PROTOBUF));
        // goautoneg keeps q=0 clauses, last.
        assert_eq!(format("application/vnd.kubernetes.protobuf;q=0", Endpoint::BuiltIn), Some(PROTOBUF));
    }

    #[test]
    fn protobuf_tables_are_not_possible_and_metadata_is() {
        let table = "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io, application/json";
        assert_eq!(format(table, Endpoint::BuiltIn), Some(JSON));
        assert!(format("application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io", Endpoint::BuiltIn).is_none());
        let metadata =
            "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
        let expected = Output { format: Format::Protobuf, convert: Some(Convert::Metadata) };
        assert_eq!(format(metadata, Endpoint::BuiltIn), Some(expected));
        assert_eq!(format(metadata, Endpoint::Custom), Some(expected));
        // A conversion without its group and version is no conversion upstream knows.
        assert_eq!(
            format("application/json;as=Table, application/vnd.kubernetes.protobuf", Endpoint::BuiltIn),
            Some(PROTOBUF)
        );
    }

    #[test]
    fn custom_resources_under_protobuf_only_are_not_acceptable() {
        let err = negotiate("application/vnd.kubernetes.protobuf", Endpoint::Custom, false).unwrap_err();
        assert_eq!(err.code, http::StatusCode::NOT_ACCEPTABLE);
        assert_eq!(
            err.message,
            "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf"
        );
        let err = negotiate("application/yaml", Endpoint::BuiltIn, true).unwrap_err();
        assert!(err.message.ends_with("application/vnd.kubernetes.protobuf;stream=watch"), "{}", err.message);
    }

    #[test]
    fn stream_and_server_version_parameters() {
        let watch = "application/vnd.kubernetes.protobuf;stream=watch";
        assert_eq!(format(watch, Endpoint::BuiltIn), Some(PROTOBUF));
        assert!(format("application/vnd.kubernetes.protobuf;stream=other", Endpoint::BuiltIn).is_none());
        assert!(format("application/yaml;stream=watch", Endpoint::BuiltIn).is_none());
        assert!(format("application/json;sv=v2", Endpoint::BuiltIn).is_none());
        assert_eq!(format("application/json;pretty=1;charset=utf-8", Endpoint::BuiltIn), Some(JSON));
    }
}
