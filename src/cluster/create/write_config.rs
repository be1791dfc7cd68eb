//! Writing configuration: the host makes the cluster's CA and every credential before
//! any node starts, and writes them into the nodes: the CA (certificate and key) and the
//! admin kubeconfig into the control plane, and into each worker the CA certificate, a
//! kubelet client certificate (`system:node:<name>` in `system:nodes`) and a kubelet
//! serving certificate for its name.

use async_trait::async_trait;

use super::{Action, Context};
use crate::cluster::provider::{NodeFile, API_SERVER_PORT};
use crate::cluster::{kubeconfig, ClusterError};
use crate::machinery::pki::Pki;
use crate::node::{files, PKI_DIR};

pub struct WriteConfiguration;

fn file(name: &str, contents: &str, mode: u32) -> NodeFile {
    NodeFile { path: format!("{PKI_DIR}/{name}"), contents: contents.to_string(), mode }
}

fn pki_error(err: crate::machinery::pki::PkiError) -> ClusterError {
    ClusterError::Other(format!("making certificates: {err}"))
}

#[async_trait]
impl Action for WriteConfiguration {
    async fn execute(&self, ctx: &mut Context<'_>) -> Result<(), ClusterError> {
        ctx.status.start("Writing configuration 📜");
        let pki = Pki::generate().map_err(pki_error)?;
        let ca = pki.ca().clone();
        let control_plane = ctx.control_plane().to_string();
        let admin = pki.issue_client("kubernetes-admin", &["system:masters"]).map_err(pki_error)?;
        let name = kubeconfig::context_name(&ctx.config.name);
        let server = format!("https://{control_plane}:{API_SERVER_PORT}");
        let admin_conf = crate::machinery::kubeconfig::single(&name, &server, &ca.cert_pem, &admin);
        let admin_conf = serde_json::to_value(&admin_conf)
            .map(|value| crate::machinery::yaml::to_yaml(&value))
            .map_err(|e| ClusterError::Other(format!("admin kubeconfig: {e}")))?;
        ctx.provider
            .write_files(
                &control_plane,
                &[
                    file(files::CA_CERT, &ca.cert_pem, 0o644),
                    file(files::CA_KEY, &ca.key_pem, 0o600),
                    NodeFile { path: kubeconfig::ADMIN_CONF.into(), contents: admin_conf, mode: 0o600 },
                ],
            )
            .await?;
        let workers: Vec<String> = ctx.workers().map(str::to_string).collect();
        for worker in workers {
            let client = pki.issue_client(&format!("system:node:{worker}"), &["system:nodes"]).map_err(pki_error)?;
            let serving = pki.issue_server(std::slice::from_ref(&worker)).map_err(pki_error)?;
            let files = [
                file(files::CA_CERT, &ca.cert_pem, 0o644),
                file(files::KUBELET_CERT, &client.cert_pem, 0o644),
                file(files::KUBELET_KEY, &client.key_pem, 0o600),
                file(files::SERVING_CERT, &serving.cert_pem, 0o644),
                file(files::SERVING_KEY, &serving.key_pem, 0o600),
            ];
            ctx.provider.write_files(&worker, &files).await?;
        }
        ctx.pki = Some(pki);
        Ok(())
    }
}
