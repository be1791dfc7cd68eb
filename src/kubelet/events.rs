//! What a kubelet says in Events, in upstream's words (pkg/kubelet/events and the
//! messages of kuberuntime): one place for every node agent, so the hollow and the
//! Docker kubelet report pulls, starts, kills and back-offs alike.

/// Normal or Warning, a reason and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeletEvent {
    pub warning: bool,
    pub reason: &'static str,
    pub message: String,
}

fn normal(reason: &'static str, message: String) -> KubeletEvent {
    KubeletEvent { warning: false, reason, message }
}

fn warning(reason: &'static str, message: String) -> KubeletEvent {
    KubeletEvent { warning: true, reason, message }
}

pub fn pulling(image: &str) -> KubeletEvent {
    normal("Pulling", format!("Pulling image \"{image}\""))
}

pub fn already_present(image: &str) -> KubeletEvent {
    normal("Pulled", format!("Container image \"{image}\" already present on machine"))
}

pub fn pulled(image: &str, took: std::time::Duration, size: i64) -> KubeletEvent {
    let took = format!("{:.3}s", took.as_secs_f64());
    normal(
        "Pulled",
        format!(
            "Successfully pulled image \"{image}\" in {took} ({took} including waiting). Image size: {size} bytes."
        ),
    )
}

pub fn pull_failed(image: &str, error: &str) -> KubeletEvent {
    warning("Failed", format!("Failed to pull image \"{image}\": {error}"))
}

/// kctl's own: the pull failed, and the image the engine already has runs instead.
pub fn pulled_locally(image: &str, error: &str) -> KubeletEvent {
    warning(
        "PulledLocally",
        format!("Failed to pull image \"{image}\": {error}; using the image present on the node instead"),
    )
}

pub fn never_pull(image: &str) -> KubeletEvent {
    warning("ErrImageNeverPull", never_pull_message(image))
}

pub fn never_pull_message(image: &str) -> String {
    format!("Container image \"{image}\" is not present with pull policy of Never")
}

pub fn pull_back_off(image: &str) -> KubeletEvent {
    normal("BackOff", pull_back_off_message(image))
}

pub fn pull_back_off_message(image: &str) -> String {
    format!("Back-off pulling image \"{image}\"")
}

/// `Error: ErrImagePull`, `Error: ImagePullBackOff`, or a runtime's error text.
pub fn failed(error: &str) -> KubeletEvent {
    warning("Failed", format!("Error: {error}"))
}

pub fn created(container: &str) -> KubeletEvent {
    normal("Created", format!("Created container: {container}"))
}

pub fn started(container: &str) -> KubeletEvent {
    normal("Started", format!("Started container {container}"))
}

pub fn killing(container: &str) -> KubeletEvent {
    normal("Killing", format!("Stopping container {container}"))
}

/// A container killed because its liveness or startup probe failed.
pub fn killing_unhealthy(container: &str, probe: &str, restarts: bool) -> KubeletEvent {
    let mut message = format!("Container {container} failed {} probe", probe.to_lowercase());
    if restarts {
        message.push_str(", will be restarted");
    }
    normal("Killing", message)
}

/// A volume that could not be set up (the message names it and says why).
pub fn failed_mount(message: &str) -> KubeletEvent {
    warning("FailedMount", message.to_string())
}

pub fn restart_back_off(container: &str, pod: &str, namespace: &str, uid: &str) -> KubeletEvent {
    warning("BackOff", format!("Back-off restarting failed container {container} in pod {pod}_{namespace}({uid})"))
}

/// The waiting message of a container in CrashLoopBackOff.
pub fn crash_loop_message(
    delay: std::time::Duration,
    container: &str,
    pod: &str,
    namespace: &str,
    uid: &str,
) -> String {
    format!("back-off {}s restarting failed container={container} pod={pod}_{namespace}({uid})", delay.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_as_upstreams() {
        assert_eq!(created("web").message, "Created container: web");
        assert_eq!(started("web").message, "Started container web");
        assert_eq!(killing("web").reason, "Killing");
        assert_eq!(pull_back_off("nginx").message, "Back-off pulling image \"nginx\"");
        assert!(failed("ErrImagePull").warning);
        assert_eq!(
            crash_loop_message(std::time::Duration::from_secs(20), "c", "p", "default", "u"),
            "back-off 20s restarting failed container=c pod=p_default(u)"
        );
    }
}

/// A lifecycle hook failed (upstream leaves its output out, so secrets do not leak).
pub fn failed_hook(post_start: bool) -> KubeletEvent {
    if post_start {
        warning("FailedPostStartHook", "PostStartHook failed".to_string())
    } else {
        warning("FailedPreStopHook", "PreStopHook failed".to_string())
    }
}
