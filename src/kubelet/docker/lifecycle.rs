//! Lifecycle hooks (postStart, preStop) as upstream's lifecycle handler runner: exec in
//! the container, httpGet to the pod, or sleep. The probes' runners do the work.

use std::time::Duration;

use bollard::Docker;
use k8s_openapi::api::core::v1::{Container, LifecycleHandler, Pod};

use super::probe::{self, HttpProbe, Verdict};

/// Runs `handler` for `container` (engine id `id`); upstream's message when it fails.
pub async fn run(
    docker: &Docker,
    pod: &Pod,
    container: &Container,
    id: &str,
    pod_ip: &str,
    handler: &LifecycleHandler,
    timeout: Duration,
) -> Result<(), String> {
    let pod_name = super::sync::pod_display(pod);
    let name = &container.name;
    if let Some(exec) = &handler.exec {
        let command = exec.command.clone().unwrap_or_default();
        return match probe::exec_probe(docker, id, command.clone(), timeout).await {
            Verdict::Success => Ok(()),
            Verdict::Failure(output) | Verdict::Errored(output) => Err(format!(
                "Exec lifecycle hook ([{}]) for Container \"{name}\" in Pod \"{pod_name}\" failed - error: command '{}' exited with non-zero code, message: {output:?}",
                command.join(" "),
                command.join(" ")
            )),
        };
    }
    if let Some(http) = &handler.http_get {
        let path = http.path.clone().unwrap_or_default();
        let port = probe::resolve_port(&http.port, container)?;
        let request = HttpProbe {
            https: http.scheme.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("https")),
            host: http.host.clone().filter(|h| !h.is_empty()).unwrap_or_else(|| pod_ip.to_string()),
            port,
            path: path.clone(),
            headers: http.http_headers.iter().flatten().map(|h| (h.name.clone(), h.value.clone())).collect(),
        };
        return match request.run(timeout).await {
            Verdict::Success => Ok(()),
            Verdict::Failure(error) | Verdict::Errored(error) => Err(format!(
                "HTTP lifecycle hook ({path}) for Container \"{name}\" in Pod \"{pod_name}\" failed - error: {error}"
            )),
        };
    }
    if let Some(sleep) = &handler.sleep {
        tokio::time::sleep(Duration::from_secs(sleep.seconds.max(0) as u64).min(timeout)).await;
        return Ok(());
    }
    Err(format!("invalid handler for Container \"{name}\" in Pod \"{pod_name}\""))
}
