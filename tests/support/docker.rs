//! What the Docker tests share: the docker CLI, and the FROM-scratch busybox test image.

use std::process::Command;
use std::sync::OnceLock;

/// The test image: Debian's static busybox and its applet links, nothing else.
pub const BUSYBOX: &str = "kctl-test/busybox:1";

/// Runs `docker ARGS`, asserting it succeeded; its stdout.
pub fn docker(args: &[&str]) -> String {
    let output = Command::new("docker").args(args).output().expect("run docker (is it installed?)");
    assert!(output.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    super::stdout(&output)
}

/// Builds [`BUSYBOX`] once per test binary.
pub fn busybox_image() {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::copy("/bin/busybox", dir.path().join("busybox")).expect("copy /bin/busybox (busybox-static)");
        std::fs::write(
            dir.path().join("Dockerfile"),
            "FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n",
        )
        .expect("write Dockerfile");
        docker(&["build", "-q", "-t", BUSYBOX, &dir.path().display().to_string()]);
    });
}
