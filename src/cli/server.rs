//! `kctl server`: kctl's control plane on this machine.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use crate::apiserver::{self, ServerConfig};

#[derive(Args, Debug, Clone)]
pub struct ServerArgs {
    /// Where the store, certificates and state live (default ~/.kctl/server).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// Address of the HTTPS API (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:6443")]
    pub listen: SocketAddr,
    /// Write an admin kubeconfig for this server to PATH.
    #[arg(long, value_name = "PATH")]
    pub write_kubeconfig: Option<PathBuf>,
    /// Use these etcd endpoints (comma-separated) instead of the embedded store.
    #[arg(long, value_delimiter = ',')]
    pub etcd_servers: Vec<String>,
    /// Extra names or IPs for the serving certificate.
    #[arg(long = "tls-san")]
    pub tls_sans: Vec<String>,
    /// How often history older than one interval is compacted (e.g. 5m, 30s, 1s).
    #[arg(long, default_value = "5m", value_parser = parse_duration)]
    pub etcd_compaction_interval: Duration,
}

/// `90s`, `5m`, `1h` or plain seconds.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len()));
    let number: u64 = number.parse().map_err(|_| format!("invalid duration {text:?}"))?;
    let seconds = match unit {
        "" | "s" => number,
        "m" => number * 60,
        "h" => number * 3600,
        _ => return Err(format!("invalid duration {text:?}: use s, m or h")),
    };
    Ok(Duration::from_secs(seconds))
}

pub fn run(args: &ServerArgs) -> anyhow::Result<ExitCode> {
    let data_dir = match &args.data_dir {
        Some(dir) => dir.clone(),
        None => dirs::home_dir().context("no home directory; pass --data-dir")?.join(".kctl/server"),
    };
    let config = ServerConfig {
        data_dir,
        listen: args.listen,
        etcd_servers: args.etcd_servers.clone(),
        hosts: args.tls_sans.clone(),
        write_kubeconfig: args.write_kubeconfig.clone(),
        compaction_interval: args.etcd_compaction_interval,
    };
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async move {
        let server = apiserver::start(config).await?;
        eprintln!("kctl server listening on {}", server.url());
        tokio::select! {
            _ = server.wait() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
        Ok(ExitCode::SUCCESS)
    })
}
