//! What several components say alike about a pod (upstream keeps these beside the
//! kubelet and in kubectl's podutils).

/// Why `kubectl logs` has nothing yet (the kubelet's validateContainerLogStatus).
pub fn waiting_to_start(container: &str, pod: &str, reason: &str) -> String {
    let why = match reason {
        "ErrImagePull" | "ImagePullBackOff" => "trying and failing to pull image",
        other => other,
    };
    format!("container \"{container}\" in pod \"{pod}\" is waiting to start: {why}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pull_failure_reads_as_upstreams() {
        assert_eq!(
            waiting_to_start("c", "p", "ImagePullBackOff"),
            "container \"c\" in pod \"p\" is waiting to start: trying and failing to pull image"
        );
    }
}
