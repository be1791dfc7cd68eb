//! A `kctl cluster create` cluster for a test: its own name and HOME (so KUBECONFIG is a
//! temp file), kctl and the real kubectl against it, and on drop the removal of every
//! container, volume and network labelled with its name, even when the test failed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::docker::docker;
use super::{kubectl_with, stderr, stdout};

/// A cluster name of this test run, and on drop the removal of everything labelled
/// with it (nodes, pods, volumes, network).
pub struct Guard {
    pub name: String,
    pub home: tempfile::TempDir,
}

impl Guard {
    pub fn new(suffix: &str) -> Guard {
        Guard { name: format!("kt{}-{suffix}", std::process::id()), home: tempfile::tempdir().expect("temp dir") }
    }

    pub fn kubeconfig(&self) -> PathBuf {
        self.home.path().join("kubeconfig")
    }

    pub fn write(&self, file: &str, text: &str) -> PathBuf {
        let path = self.home.path().join(file);
        std::fs::write(&path, text).expect("write file");
        path
    }

    pub fn kctl(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_kctl"))
            .args(args)
            .env("KUBECONFIG", self.kubeconfig())
            .env("HOME", self.home.path())
            .env_remove("KIND_CLUSTER_NAME")
            .output()
            .expect("run kctl")
    }

    pub fn kctl_ok(&self, args: &[&str]) -> Output {
        let output = self.kctl(args);
        assert!(output.status.success(), "kctl {args:?} failed:\n{}{}", stdout(&output), stderr(&output));
        output
    }

    pub fn create(&self, config: Option<&Path>) -> Output {
        let mut args = vec!["cluster", "create", "--name", &self.name];
        let config = config.map(|c| c.display().to_string());
        if let Some(config) = &config {
            args.extend(["--config", config]);
        }
        self.kctl_ok(&args)
    }

    pub fn kubectl(&self, args: &[&str]) -> Output {
        kubectl_with(&self.kubeconfig(), self.home.path(), args, None)
    }

    pub fn kubectl_ok(&self, args: &[&str]) -> String {
        let output = self.kubectl(args);
        assert!(output.status.success(), "kubectl {args:?} failed: {}", stderr(&output));
        stdout(&output)
    }

    pub fn label(&self, key: &str) -> String {
        format!("label={key}={}", self.name)
    }

    /// Names of containers labelled with this cluster (`key`: node or pod label).
    pub fn containers(&self, key: &str) -> Vec<String> {
        let filter = self.label(key);
        let mut names: Vec<String> =
            docker(&["ps", "-a", "--filter", &filter, "--format", "{{.Names}}"]).lines().map(str::to_string).collect();
        names.sort();
        names
    }

    pub fn networks(&self) -> Vec<String> {
        let filter = self.label(NODE_LABEL);
        docker(&["network", "ls", "-q", "--filter", &filter]).split_whitespace().map(str::to_string).collect()
    }
}

pub const NODE_LABEL: &str = "io.x-k8s.kctl.cluster";
pub const POD_LABEL: &str = "kctl.io/cluster";

impl Drop for Guard {
    fn drop(&mut self) {
        let run = |args: &[&str]| Command::new("docker").args(args).output().map(|o| stdout(&o)).unwrap_or_default();
        for key in [NODE_LABEL, POD_LABEL] {
            let filter = self.label(key);
            let ids = run(&["ps", "-aq", "--filter", &filter]);
            let ids: Vec<&str> = ids.split_whitespace().collect();
            if !ids.is_empty() {
                run(&[&["rm", "-f", "-v"], ids.as_slice()].concat());
            }
        }
        let filter = self.label(POD_LABEL);
        let volumes = run(&["volume", "ls", "-q", "--filter", &filter]);
        let volumes: Vec<&str> = volumes.split_whitespace().collect();
        if !volumes.is_empty() {
            run(&[&["volume", "rm", "-f"], volumes.as_slice()].concat());
        }
        let filter = self.label(NODE_LABEL);
        let networks = run(&["network", "ls", "-q", "--filter", &filter]);
        for network in networks.split_whitespace() {
            run(&["network", "rm", network]);
        }
    }
}
