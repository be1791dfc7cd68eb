//! What the writing verbs (apply, create, delete, run) share: `--dry-run` as kubectl reads
//! it, the query strings they send, and a runtime that reports errors in kubectl's words.

use std::process::ExitCode;

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

/// Runs a verb's future on a fresh runtime; its error is printed as kubectl does.
pub fn block_on<F>(work: F) -> ExitCode
where
    F: std::future::Future<Output = anyhow::Result<ExitCode>>,
{
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return super::error::report(&err.into()),
    };
    match runtime.block_on(work) {
        Ok(code) => code,
        Err(err) if crate::cli::get::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => super::error::report(&err),
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
