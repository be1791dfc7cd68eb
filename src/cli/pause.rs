//! `kctl pause` (hidden): the process of a pod's sandbox container. It holds the pod's
//! network namespace and sleeps until SIGTERM or SIGINT, as upstream's pause image does.
//! As PID 1 in its container it must handle the signals itself (the kernel ignores
//! unhandled ones for PID 1), so `docker stop` ends it at once. First it sets up what
//! the kubelet asked of the pod's network namespace (resolv.conf, the service route).

use std::process::ExitCode;

pub fn run() -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        use tokio::signal::unix::{signal, SignalKind};
        // A pod whose network cannot be set up must not run half-working: exit, and the
        // kubelet (which sees the sandbox die) starts it again.
        crate::kubelet::docker::pause::set_up_pod_network().await?;
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
        Ok(ExitCode::SUCCESS)
    })
}
