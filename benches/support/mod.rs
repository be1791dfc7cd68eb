//! What the benchmarks share: a real `kctl server` process (the bench's own release
//! build) stopped on drop, its memory from /proc, and a kube-rs client of it.
#![allow(dead_code)] // each bench uses a different part

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    pub child: Child,
    pub kubeconfig: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn kctl_binary() -> &'static str {
    env!("CARGO_BIN_EXE_kctl")
}

impl Server {
    /// `kctl server` on 127.0.0.1:0 with its data in `dir`, plus `extra` flags; returns
    /// once it has written its kubeconfig.
    pub fn start(dir: &Path, extra: &[&str]) -> Server {
        let kubeconfig = dir.join("kubeconfig");
        let child = Command::new(kctl_binary())
            .args(["server", "--listen", "127.0.0.1:0"])
            .args(extra)
            .arg("--data-dir")
            .arg(dir.join("data"))
            .arg("--write-kubeconfig")
            .arg(&kubeconfig)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start kctl server");
        let deadline = Instant::now() + Duration::from_secs(60);
        while !kubeconfig.exists() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        Server { child, kubeconfig }
    }

    /// The server's current resident set (MB).
    pub fn rss_mb(&self) -> f64 {
        proc_status_mb(self.child.id(), "VmRSS:")
    }

    /// The server's peak resident set (MB).
    pub fn peak_rss_mb(&self) -> f64 {
        proc_status_mb(self.child.id(), "VmHWM:")
    }

    /// A kube-rs client with the server's admin kubeconfig.
    pub async fn client(&self) -> kube::Client {
        let config = kube::config::Kubeconfig::read_from(&self.kubeconfig).expect("kubeconfig");
        let config = kube::Config::from_custom_kubeconfig(config, &Default::default()).await.expect("config");
        kube::Client::try_from(config).expect("client")
    }
}

/// A `/proc/PID/status` size field (kB there) in MB; 0 when unreadable.
fn proc_status_mb(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}
