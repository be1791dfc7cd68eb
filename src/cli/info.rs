//! `kctl version`, `api-versions`, `api-resources` and `cluster-info`: what the server
//! says about itself, printed as kubectl prints it.

use std::process::ExitCode;

use clap::Args;
use serde_json::Value;

use crate::client::{ClientError, ConnectionFlags, Discovery, Session};
use crate::printers::columns::{rows_of_tab_text, TableLayout};

/// kctl implements Kubernetes 1.32; the server reports the same version string.
pub const CLIENT_VERSION: &str = concat!("v1.32.0-kctl.", env!("CARGO_PKG_VERSION"));

#[derive(Args, Debug, Clone)]
pub struct VersionArgs {
    /// If true, shows client version only (no server required).
    #[arg(long)]
    pub client: bool,
    /// One of 'yaml' or 'json'.
    #[arg(short = 'o', long)]
    pub output: Option<String>,
}

#[derive(Args, Debug, Clone)]
pub struct ApiResourcesArgs {
    /// Limit to resources in the specified API group.
    #[arg(long = "api-group")]
    pub api_group: Option<String>,
    /// If false, non-namespaced resources will be returned, otherwise returning namespaced resources by default.
    #[arg(long, action = clap::ArgAction::Set, num_args = 0..=1, default_missing_value = "true")]
    pub namespaced: Option<bool>,
    /// When using the default or custom-column output format, don't print headers.
    #[arg(long = "no-headers")]
    pub no_headers: bool,
    /// Output format. One of: (wide, name).
    #[arg(short = 'o', long)]
    pub output: Option<String>,
    /// Limit to resources that support the specified verbs.
    #[arg(long, value_delimiter = ',')]
    pub verbs: Vec<String>,
    /// If non-empty, sort list of resources using specified field. One of 'name' or 'kind'.
    #[arg(long = "sort-by")]
    pub sort_by: Option<String>,
    /// Use the cached list of resources if available.
    #[arg(long)]
    pub cached: bool,
}

#[derive(Args, Debug, Clone)]
pub struct NoArgs {}

pub fn version(flags: &ConnectionFlags, args: &VersionArgs) -> ExitCode {
    crate::cli::exit::block_on(async {
        let mut client = serde_json::json!({"gitVersion": CLIENT_VERSION, "major": "1", "minor": "32",
            "platform": format!("{}/{}", std::env::consts::OS, go_arch())});
        let server = if args.client { None } else { Some(server_version(flags).await) };
        match args.output.as_deref() {
            None => {
                println!("Client Version: {CLIENT_VERSION}");
                if let Some(server) = server {
                    let server = server?;
                    println!("Server Version: {}", server["gitVersion"].as_str().unwrap_or_default());
                }
            }
            Some(format @ ("json" | "yaml")) => {
                let mut all = serde_json::json!({"clientVersion": client.take()});
                let mut failure = None;
                match server {
                    Some(Ok(server)) => all["serverVersion"] = server,
                    Some(Err(err)) => failure = Some(err),
                    None => {}
                }
                let text = if format == "json" {
                    serde_json::to_string_pretty(&all)? + "\n"
                } else {
                    crate::machinery::yaml::to_yaml(&all)
                };
                print!("{text}");
                if let Some(err) = failure {
                    return Err(err);
                }
            }
            Some(_) => return Err(ClientError::Usage("--output must be 'yaml' or 'json'".into()).into()),
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

async fn server_version(flags: &ConnectionFlags) -> anyhow::Result<Value> {
    let session = Session::connect(flags).await?;
    Ok(session.get_json("/version?timeout=32s", "application/json, */*").await?)
}

pub fn api_versions(flags: &ConnectionFlags) -> ExitCode {
    crate::cli::exit::block_on(async {
        let session = Session::connect(flags).await?;
        let discovery = Discovery::load(&session).await?;
        let mut versions: Vec<String> = Vec::new();
        for (group, group_versions) in &discovery.groups {
            for version in group_versions {
                versions.push(if group.is_empty() { version.clone() } else { format!("{group}/{version}") });
            }
        }
        versions.sort();
        versions.dedup();
        for version in versions {
            println!("{version}");
        }
        Ok(ExitCode::SUCCESS)
    })
}

pub fn api_resources(flags: &ConnectionFlags, args: &ApiResourcesArgs) -> ExitCode {
    crate::cli::exit::block_on(async {
        let wide = match args.output.as_deref() {
            None | Some("") => false,
            Some("wide") => true,
            Some("name") => false,
            Some(other) => {
                return Err(ClientError::Usage(format!("--output {other} is not available")).into());
            }
        };
        let by_name = args.output.as_deref() == Some("name");
        let session = Session::connect(flags).await?;
        let discovery = Discovery::load(&session).await?;
        let preferred = |r: &crate::client::ApiResource| {
            discovery.groups.iter().find(|(g, _)| g == &r.group).and_then(|(_, v)| v.first()) == Some(&r.version)
        };
        let mut resources: Vec<&crate::client::ApiResource> = discovery
            .resources
            .iter()
            .filter(|r| !r.plural.contains('/') && preferred(r))
            .filter(|r| args.api_group.as_ref().is_none_or(|g| &r.group == g))
            .filter(|r| args.namespaced.is_none_or(|n| r.namespaced == n))
            .filter(|r| args.verbs.iter().all(|v| r.verbs.contains(v)))
            .collect();
        match args.sort_by.as_deref() {
            Some("name") => resources.sort_by(|a, b| a.plural.cmp(&b.plural)),
            Some("kind") => resources.sort_by(|a, b| a.kind.cmp(&b.kind)),
            _ => resources.sort_by(|a, b| a.group.cmp(&b.group).then(a.plural.cmp(&b.plural))),
        }
        let mut table = String::new();
        if by_name {
            for r in &resources {
                let name = if r.group.is_empty() { r.plural.clone() } else { format!("{}.{}", r.plural, r.group) };
                table.push_str(&name);
                table.push('\n');
            }
            print!("{table}");
            return Ok(ExitCode::SUCCESS);
        }
        if !args.no_headers {
            table.push_str("NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND");
            table.push_str(if wide { "\tVERBS\tCATEGORIES\n" } else { "\n" });
        }
        for r in &resources {
            table.push_str(&format!(
                "{}\t{}\t{}\t{}\t{}",
                r.plural,
                r.short_names.join(","),
                r.api_version(),
                r.namespaced,
                r.kind
            ));
            if wide {
                let mut verbs = r.verbs.clone();
                verbs.sort();
                table.push_str(&format!("\t{}\t{}", verbs.join(","), r.categories.join(",")));
            }
            table.push('\n');
        }
        print!("{}", TableLayout::new().render(&rows_of_tab_text(&table)));
        Ok(ExitCode::SUCCESS)
    })
}

pub fn cluster_info(flags: &ConnectionFlags) -> ExitCode {
    crate::cli::exit::block_on(async {
        let session = Session::connect(flags).await?;
        let url = session.cluster_url().to_string();
        let path = "/api/v1/namespaces/kube-system/services?labelSelector=kubernetes.io%2Fcluster-service%3Dtrue";
        let services = session.get_json(path, "application/json").await?;
        // Colour only on a terminal, as kubectl.
        let tty = std::io::IsTerminal::is_terminal(&std::io::stdout());
        let paint =
            |code: &str, text: &str| if tty { format!("\x1b[0;{code}m{text}\x1b[0m") } else { text.to_string() };
        println!("{} is running at {}", paint("32", "Kubernetes control plane"), paint("33", &url));
        for svc in services["items"].as_array().into_iter().flatten() {
            let meta = &svc["metadata"];
            let name = meta["labels"]["kubernetes.io/name"].as_str().or(meta["name"].as_str()).unwrap_or_default();
            let svc_name = meta["name"].as_str().unwrap_or_default();
            let port = svc["spec"]["ports"][0]["name"].as_str().map(|p| format!(":{p}")).unwrap_or_default();
            let link = format!("{url}/api/v1/namespaces/kube-system/services/{svc_name}{port}/proxy");
            println!("{} is running at {}", paint("32", name), paint("33", &link));
        }
        println!("\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.");
        Ok(ExitCode::SUCCESS)
    })
}
