//! Client errors and the words kubectl uses for them, in one place.

use std::process::ExitCode;

use serde::Deserialize;

/// A `Status` body as the server sends it with a failed request.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatusBody {
    #[serde(default)]
    pub code: u16,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub details: StatusDetails,
}

/// The part of a `Status` that lists each invalid field (`details.causes`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatusDetails {
    #[serde(default)]
    pub causes: Vec<StatusCause>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StatusCause {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server answered with an error status (its `Status` body, or one made from the code).
    #[error("Error from server ({}): {}", .0.reason, .0.message)]
    Server(StatusBody),
    #[error("The connection to the server {host} was refused - did you specify the right host or port?")]
    Refused { host: String },
    #[error("error: the server doesn't have a resource type \"{0}\"")]
    UnknownType(String),
    #[error("error: {0}")]
    Config(String),
    /// A kubeconfig that names things it does not define.
    #[error("Error in configuration: {0}")]
    Configuration(String),
    #[error("error: {0}")]
    Transport(String),
    #[error("error: {0}")]
    Usage(String),
    #[error("Unable to connect to the server: {0}")]
    Unreachable(String),
}

impl ClientError {
    /// kubectl's text for this error: 401 is "You must be logged in", other statuses
    /// "Error from server (Reason): message".
    pub fn message(&self) -> String {
        match self {
            ClientError::Server(status) if status.code == 401 => {
                format!("error: You must be logged in to the server ({})", nonempty(&status.message, "Unauthorized"))
            }
            ClientError::Server(status) if status.reason.is_empty() => {
                format!("Error from server: {}", status.message)
            }
            other => other.to_string(),
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, ClientError::Server(s) if s.code == 404)
    }

    /// Builds the error of a failed response from its status code and body.
    pub fn from_response(code: u16, body: &[u8]) -> ClientError {
        match serde_json::from_slice::<StatusBody>(body) {
            Ok(mut status) if !status.message.is_empty() || !status.reason.is_empty() => {
                if status.code == 0 {
                    status.code = code;
                }
                ClientError::Server(status)
            }
            _ => ClientError::Server(StatusBody {
                code,
                reason: reason_for(code).to_string(),
                message: format!(
                    "the server responded with the status code {code} but did not return more information"
                ),
                details: StatusDetails::default(),
            }),
        }
    }
}

fn nonempty<'a>(text: &'a str, default: &'a str) -> &'a str {
    if text.is_empty() {
        default
    } else {
        text
    }
}

fn reason_for(code: u16) -> &'static str {
    match code {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        410 => "Gone",
        422 => "Invalid",
        429 => "TooManyRequests",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        504 => "Timeout",
        _ => "Unknown",
    }
}

/// Prints an error of a verb the way kubectl does and gives its exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    match err.downcast_ref::<ClientError>() {
        Some(client) => eprintln!("{}", client.message()),
        None => eprintln!("error: {err:#}"),
    }
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_status_reads_as_kubectl() {
        let body = br#"{"kind":"Status","code":404,"reason":"NotFound","message":"pods \"x\" not found"}"#;
        assert_eq!(
            ClientError::from_response(404, body).message(),
            "Error from server (NotFound): pods \"x\" not found"
        );
    }

    #[test]
    fn unauthorized_asks_to_log_in() {
        let body = br#"{"kind":"Status","code":401,"reason":"Unauthorized","message":"Unauthorized"}"#;
        assert_eq!(
            ClientError::from_response(401, body).message(),
            "error: You must be logged in to the server (Unauthorized)"
        );
    }
}
