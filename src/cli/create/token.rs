//! `kctl create token SA`: a token of the TokenRequest API (kubectl's `create_token.go`),
//! printed bare (with a newline on a terminal) or as the TokenRequest with `-o`.

use std::io::IsTerminal;

use clap::Args;
use serde_json::{json, Value};

use crate::client::{ClientError, ConnectionFlags, Session};
use crate::printers::OutputFormat;

#[derive(Args, Debug, Clone)]
pub struct TokenArgs {
    pub name: Option<String>,
    /// Audience of the requested token. If unset, defaults to requesting a token for use with the Kubernetes API server. May be repeated to request a token valid for multiple audiences.
    #[arg(long)]
    pub audience: Vec<String>,
    /// Requested lifetime of the issued token. If not set or if set to 0, the lifetime will be determined by the server automatically. The server may return a token with a longer or shorter lifetime.
    #[arg(long, default_value = "0s")]
    pub duration: String,
    /// Kind of an object to bind the token to. Supported kinds are Node, Pod, Secret. If set, --bound-object-name must be provided.
    #[arg(long = "bound-object-kind", default_value = "")]
    pub bound_object_kind: String,
    /// Name of an object to bind the token to. The token will expire when the object is deleted. Requires --bound-object-kind.
    #[arg(long = "bound-object-name", default_value = "")]
    pub bound_object_name: String,
    /// UID of an object to bind the token to. Requires --bound-object-kind and --bound-object-name. If unset, the UID of the existing object is used.
    #[arg(long = "bound-object-uid", default_value = "")]
    pub bound_object_uid: String,
    /// Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).
    #[arg(short = 'o', long)]
    pub output: Option<String>,
}

const BOUND_KINDS: &[&str] = &["Node", "Pod", "Secret"];

/// The TokenRequest the flags ask for, checked as kubectl's `Validate`.
fn request(args: &TokenArgs) -> Result<Value, ClientError> {
    let usage = |m: &str| ClientError::Usage(m.to_string());
    if args.name.as_deref().unwrap_or_default().is_empty() {
        return Err(usage("service account name is required"));
    }
    let duration = crate::machinery::duration::parse_go(&args.duration).map_err(|e| usage(&e.to_string()))?;
    if duration < chrono::TimeDelta::zero() {
        return Err(usage("--duration must be greater than or equal to 0"));
    }
    if duration.subsec_nanos() != 0 {
        return Err(usage("--duration cannot be expressed in units less than seconds"));
    }
    if args.audience.iter().any(String::is_empty) {
        return Err(usage("--audience must not be an empty string"));
    }
    let kind = args.bound_object_kind.as_str();
    if kind.is_empty() {
        if !args.bound_object_name.is_empty() {
            return Err(usage("--bound-object-name can only be set if --bound-object-kind is provided"));
        }
        if !args.bound_object_uid.is_empty() {
            return Err(usage("--bound-object-uid can only be set if --bound-object-kind is provided"));
        }
    } else {
        if !BOUND_KINDS.contains(&kind) {
            return Err(usage(&format!("supported --bound-object-kind values are {}", BOUND_KINDS.join(", "))));
        }
        if args.bound_object_name.is_empty() {
            return Err(usage("--bound-object-name is required if --bound-object-kind is provided"));
        }
    }
    let mut spec = json!({"audiences": args.audience});
    if duration > chrono::TimeDelta::zero() {
        spec["expirationSeconds"] = json!(duration.num_seconds());
    }
    if !kind.is_empty() {
        spec["boundObjectRef"] = json!({"kind": kind, "apiVersion": "v1", "name": args.bound_object_name,
            "uid": args.bound_object_uid});
    }
    Ok(json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "metadata": {}, "spec": spec}))
}

pub async fn run(flags: &ConnectionFlags, args: &TokenArgs) -> anyhow::Result<std::process::ExitCode> {
    let output = match args.output.as_deref() {
        None | Some("") => None,
        Some(o) => Some(OutputFormat::parse(Some(o)).map_err(|e| ClientError::Usage(e.to_string()))?),
    };
    let body = request(args)?;
    let session = Session::connect(flags).await?;
    let name = args.name.clone().unwrap_or_default();
    let path = format!("/api/v1/namespaces/{}/serviceaccounts/{name}/token", session.namespace);
    let bytes = serde_json::to_vec(&body).map_err(|e| ClientError::Transport(e.to_string()))?;
    let answer = session
        .request(http::Method::POST, &path, "application/json", Some(("application/json", bytes)))
        .await
        .map_err(|err| {
            let why = match &err {
                ClientError::Server(status) => status.message.clone(),
                other => other.to_string(),
            };
            ClientError::Usage(format!("failed to create token: {why}"))
        })?
        .1;
    let answer: Value = serde_json::from_slice(&answer).map_err(|e| ClientError::Transport(e.to_string()))?;
    let token = answer.pointer("/status/token").and_then(Value::as_str).unwrap_or_default();
    if token.is_empty() {
        return Err(ClientError::Usage("failed to create token: no token in server response".into()).into());
    }
    match output {
        Some(output) => print!("{}", output.print_objects(std::slice::from_ref(&answer), true, true)?),
        None if std::io::stdout().is_terminal() => println!("{token}"),
        None => print!("{token}"),
    }
    Ok(std::process::ExitCode::SUCCESS)
}
