//! Runs Debian's `etcd` binary as a child process on loopback: the store of
//! multi-control-plane clusters, and the reference side of the store's tests and benchmark.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::etcd::EtcdStore;
use super::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum EtcdServerError {
    #[error("the etcd binary was not found on PATH (Debian: apt-get install etcd-server)")]
    NotInstalled,
    #[error("could not start etcd: {0}")]
    Spawn(#[from] std::io::Error),
    #[error("etcd did not become ready within {0:?}")]
    NotReady(Duration),
}

/// An etcd child process serving `http://127.0.0.1:<client_port>`; killed on drop.
pub struct EtcdServer {
    data_dir: PathBuf,
    client_port: u16,
    peer_port: u16,
    child: Option<Child>,
}

/// Whether an `etcd` binary is on PATH.
pub fn etcd_installed() -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join("etcd").is_file()))
        .unwrap_or(false)
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

impl EtcdServer {
    /// Starts etcd with its data in `data_dir` and waits until it answers.
    pub async fn start(data_dir: &Path) -> Result<EtcdServer, EtcdServerError> {
        if !etcd_installed() {
            return Err(EtcdServerError::NotInstalled);
        }
        let mut server = EtcdServer {
            data_dir: data_dir.to_path_buf(),
            client_port: free_port()?,
            peer_port: free_port()?,
            child: None,
        };
        server.spawn().await?;
        Ok(server)
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.client_port)
    }

    pub async fn connect(&self) -> Result<EtcdStore, StoreError> {
        EtcdStore::connect(&[self.endpoint()]).await
    }

    /// SIGKILLs etcd (no clean shutdown), as a crash would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts etcd again on the same data dir and ports.
    pub async fn restart(&mut self) -> Result<(), EtcdServerError> {
        self.kill();
        self.spawn().await
    }

    async fn spawn(&mut self) -> Result<(), EtcdServerError> {
        let client = self.endpoint();
        let peer = format!("http://127.0.0.1:{}", self.peer_port);
        let child = Command::new("etcd")
            .arg("--name=kctl")
            .arg(format!("--data-dir={}", self.data_dir.display()))
            .arg(format!("--listen-client-urls={client}"))
            .arg(format!("--advertise-client-urls={client}"))
            .arg(format!("--listen-peer-urls={peer}"))
            .arg(format!("--initial-advertise-peer-urls={peer}"))
            .arg(format!("--initial-cluster=kctl={peer}"))
            // Quiet, and no metrics listener of its own on a fixed port.
            .arg("--log-level=error")
            .arg("--logger=zap")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        self.child = Some(child);
        let timeout = Duration::from_secs(20);
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(store) = EtcdStore::connect(&[client.clone()]).await {
                if store.current_revision().await.is_ok() {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.kill();
        Err(EtcdServerError::NotReady(timeout))
    }
}

impl Drop for EtcdServer {
    fn drop(&mut self) {
        self.kill();
    }
}
