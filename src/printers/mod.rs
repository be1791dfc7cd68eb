//! Output as kubectl prints it: server-side tables, `-o yaml|json|name`, JSONPath and
//! custom columns. The bytes match kubectl 1.32's.

pub mod columns;
pub mod custom_columns;
pub mod table;
pub mod tabwriter;

use serde_json::{json, Value};

pub use crate::machinery::jsonpath::JsonPath;
pub use custom_columns::CustomColumns;
pub use table::{Rows, TableOptions};

#[derive(Debug, thiserror::Error)]
pub enum PrinterError {
    #[error("unable to match a printer suitable for the output format \"{0}\", allowed formats are: custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml")]
    UnknownFormat(String),
    #[error("error parsing jsonpath {template}, {source}")]
    JsonPath { template: String, source: crate::machinery::jsonpath::JsonPathError },
    #[error("error executing jsonpath {template:?}: Error executing template: {source}")]
    JsonPathExecute { template: String, source: crate::machinery::jsonpath::JsonPathError },
    #[error("custom-columns format specified but no custom columns given")]
    NoColumns,
    #[error("unexpected custom-columns spec: {0}, expected <header>:<json-path-expr>")]
    BadColumn(String),
    #[error("output format \"{0}\" is not implemented yet")]
    NotImplemented(String),
}

/// Printing goes to a stream; a template that fails fails the write.
impl From<PrinterError> for std::io::Error {
    fn from(err: PrinterError) -> std::io::Error {
        std::io::Error::other(err)
    }
}

/// What `-o` asked for.
#[derive(Debug, Clone)]
pub enum OutputFormat {
    Table {
        wide: bool,
    },
    Name,
    Json,
    Yaml,
    /// The template as given, and parsed.
    JsonPath(String, JsonPath),
    CustomColumns(CustomColumns),
}

impl OutputFormat {
    pub fn parse(output: Option<&str>) -> Result<OutputFormat, PrinterError> {
        let Some(output) = output.filter(|o| !o.is_empty()) else {
            return Ok(OutputFormat::Table { wide: false });
        };
        let (name, argument) = output.split_once('=').unwrap_or((output, ""));
        match name {
            "wide" => Ok(OutputFormat::Table { wide: true }),
            "name" => Ok(OutputFormat::Name),
            "json" => Ok(OutputFormat::Json),
            "yaml" => Ok(OutputFormat::Yaml),
            "jsonpath" => {
                let template = unquote(argument);
                JsonPath::parse(template)
                    .map(|path| OutputFormat::JsonPath(template.to_string(), path.allow_missing_keys(true)))
                    .map_err(|source| PrinterError::JsonPath { template: template.to_string(), source })
            }
            "custom-columns" => CustomColumns::parse(argument).map(OutputFormat::CustomColumns),
            "go-template"
            | "go-template-file"
            | "template"
            | "templatefile"
            | "jsonpath-file"
            | "jsonpath-as-json"
            | "custom-columns-file" => Err(PrinterError::NotImplemented(name.to_string())),
            _ => Err(PrinterError::UnknownFormat(output.to_string())),
        }
    }

    /// Whether the server should answer with tables.
    pub fn wants_table(&self) -> bool {
        matches!(self, OutputFormat::Table { .. })
    }

    /// Prints full objects (everything but tables). `single` is true when one object was
    /// asked for by name: it prints bare, otherwise objects print inside a `List`.
    pub fn print_objects(&self, objects: &[Value], single: bool, with_headers: bool) -> Result<String, PrinterError> {
        let document = || {
            if single && objects.len() == 1 {
                objects[0].clone()
            } else {
                json!({"apiVersion": "v1", "items": objects, "kind": "List", "metadata": {"resourceVersion": ""}})
            }
        };
        Ok(match self {
            OutputFormat::Json => crate::machinery::gotext::go_pretty(&document()),
            OutputFormat::Yaml => crate::machinery::yaml::to_yaml(&document()),
            OutputFormat::Name => objects.iter().map(|o| format!("{}\n", name_of(o))).collect(),
            OutputFormat::JsonPath(template, path) => path
                .execute(&document())
                .map_err(|source| PrinterError::JsonPathExecute { template: template.clone(), source })?,
            OutputFormat::CustomColumns(columns) => columns.render(objects, with_headers),
            OutputFormat::Table { .. } => String::new(),
        })
    }
}

/// kubectl strips one pair of quotes around a template given as `jsonpath='{…}'`.
fn unquote(text: &str) -> &str {
    for q in ['\'', '"'] {
        if let Some(inner) = text.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            return inner;
        }
    }
    text
}

/// `pod/nginx`, `deployment.apps/web`: `-o name` of an object.
pub fn name_of(object: &Value) -> String {
    let kind = object["kind"].as_str().unwrap_or_default().to_lowercase();
    let group = object["apiVersion"].as_str().and_then(|v| v.rsplit_once('/')).map(|(g, _)| g).unwrap_or_default();
    let name = object["metadata"]["name"].as_str().unwrap_or_default();
    if group.is_empty() {
        format!("{kind}/{name}")
    } else {
        format!("{kind}.{group}/{name}")
    }
}
