//! `kctl certificate approve|deny`: adds the Approved or Denied condition to
//! CertificateSigningRequests through their `approval` subresource, as kubectl's
//! `certificates.go` does (refusing the opposite condition, skipping an existing one unless
//! `--force`, retrying conflicts).

use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::{json, Value};

use crate::client::manifests;
use crate::client::{ClientError, ConnectionFlags, Session};
use crate::printers::OutputFormat;

const CSRS: &str = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
const DISPLAY: &str = "certificatesigningrequest.certificates.k8s.io";

#[derive(Args, Debug)]
pub struct CertificateArgs {
    #[command(subcommand)]
    pub command: CertificateCommand,
}

#[derive(Subcommand, Debug)]
pub enum CertificateCommand {
    /// Approve a certificate signing request.
    Approve(DecisionArgs),
    /// Deny a certificate signing request.
    Deny(DecisionArgs),
}

#[derive(Args, Debug)]
pub struct DecisionArgs {
    /// (-f FILENAME | NAME)
    #[arg(add = crate::cli::complete::names_at(CSRS))]
    pub names: Vec<String>,
    /// Filename, directory, or URL to files identifying the resource to update.
    #[arg(short = 'f', long = "filename")]
    pub filename: Vec<String>,
    /// Process the directory used in -f, --filename recursively.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    /// Update the CSR even if it is already approved (or denied).
    #[arg(long)]
    pub force: bool,
    /// Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).
    #[arg(short = 'o', long)]
    pub output: Option<String>,
}

/// The condition a decision adds, and the one that must not be there already.
struct Decision {
    condition: &'static str,
    opposite: &'static str,
    reason: &'static str,
    message: &'static str,
    verb: &'static str,
}

const APPROVE: Decision = Decision {
    condition: "Approved",
    opposite: "Denied",
    reason: "KubectlApprove",
    message: "This CSR was approved by kubectl certificate approve.",
    verb: "approved",
};

const DENY: Decision = Decision {
    condition: "Denied",
    opposite: "Approved",
    reason: "KubectlDeny",
    message: "This CSR was denied by kubectl certificate deny.",
    verb: "denied",
};

pub fn run(flags: &ConnectionFlags, args: &CertificateArgs) -> ExitCode {
    let (decision, args) = match &args.command {
        CertificateCommand::Approve(args) => (&APPROVE, args),
        CertificateCommand::Deny(args) => (&DENY, args),
    };
    crate::cli::exit::block_on(decide(flags, decision, args))
}

async fn decide(flags: &ConnectionFlags, decision: &Decision, args: &DecisionArgs) -> anyhow::Result<ExitCode> {
    if args.names.is_empty() && args.filename.is_empty() {
        return Err(ClientError::Usage("one or more CSRs must be specified as <name> or -f <filename>".into()).into());
    }
    let output = OutputFormat::parse(args.output.as_deref()).map_err(|e| ClientError::Usage(e.to_string()))?;
    let names = requested_names(args)?;
    let session = Session::connect(flags).await?;
    let mut first_error = None;
    let mut found = 0;
    for name in &names {
        match decide_one(&session, decision, name, args.force).await {
            Ok(csr) => {
                found += 1;
                print(&output, &csr, decision.verb)?;
            }
            // kubectl goes on with the other names and reports the failures at the end.
            Err(err) => {
                eprintln!("{}", err.message());
                first_error.get_or_insert(err);
            }
        }
    }
    if found == 0 && first_error.is_none() {
        println!("No resources found");
    }
    Ok(if first_error.is_some() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// The names on the command line, then those of the CSRs in `-f` files.
fn requested_names(args: &DecisionArgs) -> Result<Vec<String>, ClientError> {
    let mut names = args.names.clone();
    if args.filename.is_empty() {
        return Ok(names);
    }
    let (found, errors) = manifests::read_all(&args.filename, args.recursive);
    if let Some(err) = errors.first() {
        return Err(ClientError::Usage(err.message()));
    }
    for manifest in found {
        let kind = manifest.object["kind"].as_str().unwrap_or_default();
        let group = manifest.object["apiVersion"].as_str().unwrap_or_default().split('/').next().unwrap_or_default();
        if kind != "CertificateSigningRequest" || group != "certificates.k8s.io" {
            let got = if group.contains('.') { format!("{kind}.{group}") } else { kind.to_string() };
            return Err(ClientError::Usage(format!(
                "can only handle CertificateSigningRequest.certificates.k8s.io objects, got {got}"
            )));
        }
        if let Some(name) = manifest.object.pointer("/metadata/name").and_then(Value::as_str) {
            names.push(name.to_string());
        }
    }
    Ok(names)
}

/// Reads the CSR, adds the condition when it is missing (or `--force`) and writes it to
/// `approval`, retrying a conflict up to ten times as kubectl does; answers the CSR as read.
async fn decide_one(session: &Session, decision: &Decision, name: &str, force: bool) -> Result<Value, ClientError> {
    let path = format!("{CSRS}/{name}");
    let mut attempt = 0;
    loop {
        let mut csr = session.get_json(&path, "application/json").await?;
        let conditions = csr.pointer("/status/conditions").and_then(Value::as_array).cloned().unwrap_or_default();
        let kind_of = |c: &Value| c["type"].as_str().unwrap_or_default().to_string();
        if let Some(opposite) = conditions.iter().map(kind_of).find(|t| t == decision.opposite) {
            return Err(ClientError::Usage(format!("certificate signing request {name:?} is already {opposite}")));
        }
        let has_condition = conditions.iter().any(|c| kind_of(c) == decision.condition);
        if has_condition && !force {
            return Ok(csr);
        }
        let read = csr.clone();
        if !has_condition {
            let now = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let mut conditions = conditions;
            conditions.push(json!({
                "type": decision.condition,
                "status": "True",
                "reason": decision.reason,
                "message": decision.message,
                "lastUpdateTime": now,
            }));
            csr["status"]["conditions"] = Value::Array(conditions);
        }
        match crate::client::objects::put(session, &format!("{path}/approval"), &csr).await {
            Ok(_) => return Ok(read),
            Err(ClientError::Server(status)) if status.code == 409 && attempt < 10 => attempt += 1,
            Err(err) => return Err(err),
        }
    }
}

fn print(output: &OutputFormat, csr: &Value, verb: &str) -> anyhow::Result<()> {
    let name = csr.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    match output {
        OutputFormat::Table { .. } => println!("{DISPLAY}/{name} {verb}"),
        other => print!("{}", other.print_objects(std::slice::from_ref(csr), true, true)?),
    }
    Ok(())
}
