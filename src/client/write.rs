//! What the writing verbs (apply, create, delete, run) share: `--dry-run` as kubectl reads
//! it, the query strings they send, and a runtime that reports errors in kubectl's words.

use super::ClientError;

/// `--dry-run=none|client|server` (a bare `--dry-run` means client, as kubectl).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DryRun {
    None,
    Client,
    Server,
}

impl DryRun {
    pub fn parse(text: Option<&str>) -> Result<DryRun, ClientError> {
        match text {
            None | Some("none") | Some("false") => Ok(DryRun::None),
            Some("client") | Some("true") | Some("") => Ok(DryRun::Client),
            Some("server") => Ok(DryRun::Server),
            Some(other) => Err(ClientError::Usage(format!(
                "Invalid dry-run value ({other}). Must be \"none\", \"server\", or \"client\"."
            ))),
        }
    }

    /// The suffix of a success line: ` (dry run)`, ` (server dry run)` or nothing.
    pub fn suffix(self) -> &'static str {
        match self {
            DryRun::None => "",
            DryRun::Client => " (dry run)",
            DryRun::Server => " (server dry run)",
        }
    }
}

/// A query string in Go's sorted key order (`?dryRun=All&fieldManager=kubectl-run`).
pub fn query(params: &[(&str, &str)], dry_run: DryRun) -> String {
    let mut params: Vec<(&str, &str)> = params.to_vec();
    if dry_run == DryRun::Server {
        params.push(("dryRun", "All"));
    }
    params.sort_by(|a, b| a.0.cmp(b.0));
    let mut encoder = form_urlencoded::Serializer::new(String::new());
    for (key, value) in &params {
        encoder.append_pair(key, value);
    }
    let encoded = encoder.finish();
    if encoded.is_empty() {
        encoded
    } else {
        format!("?{encoded}")
    }
}

/// Text of an error of one object, as kubectl prints it in a list of failures.
pub fn error_line(err: &ClientError) -> String {
    err.message()
}

/// `Error from server (Reason): error when creating "FILE": message`.
pub fn in_context(err: &ClientError, context: &str) -> String {
    match err {
        ClientError::Server(status) if status.code != 401 && !status.reason.is_empty() => {
            format!("Error from server ({}): {context}: {}", status.reason, status.message)
        }
        ClientError::Server(status) if status.code != 401 => {
            format!("Error from server: {context}: {}", status.message)
        }
        other => other.message(),
    }
}

/// One failure of a verb acting on several objects, kept until the end (kubectl reports
/// them all after processing every object).
#[derive(Debug)]
pub enum Failure {
    /// A server error about one object, with kubectl's context (`error when creating "f"`).
    Server { err: ClientError, context: String, kind: String, name: String },
    /// Anything else, in its own words (without the `error: ` prefix).
    Other(String),
}

impl Failure {
    /// A client error without server context (connection refused, usage).
    pub fn client(err: ClientError) -> Failure {
        match err {
            ClientError::Server(_) => {
                Failure::Server { err, context: String::new(), kind: String::new(), name: String::new() }
            }
            other => Failure::Other(other.message().trim_start_matches("error: ").to_string()),
        }
    }

    fn server_line(err: &ClientError, context: &str) -> String {
        if context.is_empty() {
            err.message()
        } else {
            in_context(err, context)
        }
    }
}

/// Prints the failures as kubectl's `CheckErr` does: one alone with `error: ` (or an
/// invalid object as `The Kind "name" is invalid: …`), several each on its own line.
pub fn report_failures(failures: &[Failure], err: &mut dyn std::io::Write) -> std::io::Result<()> {
    match failures {
        [] => Ok(()),
        [Failure::Other(text)] => writeln!(err, "error: {text}"),
        [Failure::Server { err: client, context, kind, name }] => match invalid_causes(client) {
            Some(causes) if !kind.is_empty() => {
                let prefix = format!("The {kind} \"{name}\" is invalid: ");
                match causes.as_slice() {
                    [one] => writeln!(err, "{prefix}{one}"),
                    many => {
                        writeln!(err, "{prefix}")?;
                        many.iter().try_for_each(|c| writeln!(err, "* {c}"))
                    }
                }
            }
            _ => writeln!(err, "{}", Failure::server_line(client, context)),
        },
        many => {
            for failure in many {
                match failure {
                    Failure::Other(text) => writeln!(err, "{text}")?,
                    Failure::Server { err: client, context, .. } => {
                        writeln!(err, "{}", Failure::server_line(client, context))?
                    }
                }
            }
            Ok(())
        }
    }
}

/// The causes of a 422 answer, read back from its message
/// (`Kind "name" is invalid: [a, b]` or `…: a`).
fn invalid_causes(err: &ClientError) -> Option<Vec<String>> {
    let ClientError::Server(status) = err else { return None };
    if status.reason != "Invalid" {
        return None;
    }
    let (_, causes) = status.message.split_once(" is invalid: ")?;
    match causes.strip_prefix('[').and_then(|c| c.strip_suffix(']')) {
        Some(list) => Some(list.split(", ").map(str::to_string).collect()),
        None => Some(vec![causes.to_string()]),
    }
}
