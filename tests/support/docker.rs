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

/// One plain `GET /` to a container's address (a pod IP from the host); the raw answer.
pub fn http_get(ip: &str, port: u16) -> Option<String> {
    use std::io::{Read, Write};
    let addr = format!("{ip}:{port}").parse().ok()?;
    let timeout = std::time::Duration::from_secs(2);
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.write_all(b"GET / HTTP/1.0\r\n\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    Some(answer)
}
