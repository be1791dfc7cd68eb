//! Into the pod on a Docker node: `exec`, `port-forward` and `cp` through the apiserver's
//! `pods/exec` and `pods/portforward` to the kubelet, each driven by the real kubectl (the
//! oracle for the protocols: WebSocket v5 channels, SPDY tunnelled in WebSocket) and by
//! kctl's own verbs, which must print and exit alike.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use support::docker::{http_get, DockerCluster, BUSYBOX as IMAGE, TIMEOUT};
use support::{eventually, stderr, stdout};

const KCTL: &str = env!("CARGO_BIN_EXE_kctl");

/// Runs `program` (kubectl or kctl) against the cluster, with `stdin` piped in if given.
fn run(cluster: &DockerCluster, program: &str, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let server = cluster.server();
    let mut child = Command::new(program)
        .args(args)
        .env("KUBECONFIG", &server.kubeconfig)
        .env("HOME", server.dir.path())
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the client");
    if let (Some(bytes), Some(mut pipe)) = (stdin, child.stdin.take()) {
        pipe.write_all(bytes).expect("write stdin");
    }
    child.wait_with_output().expect("client output")
}

/// A pod serving `/www` over HTTP on 8080: an index page and a 1 MiB file.
fn web_pod(cluster: &DockerCluster) {
    cluster.kubectl_ok(&[
        "run",
        "web",
        &format!("--image={IMAGE}"),
        "--command",
        "--",
        "sh",
        "-c",
        "mkdir -p /www /tmp && echo hello from the pod > /www/index.html && \
         dd if=/dev/zero of=/www/big bs=1024 count=1024 2>/dev/null && exec httpd -f -p 8080 -h /www",
    ]);
    cluster.wait_for_pod("web", "{.status.phase}", |p| p == "Running");
    // Serving once httpd listens (kubectl's port-forward gives up at the first refusal).
    let ip = cluster.pod("web", "{.status.podIP}");
    assert!(eventually(TIMEOUT, || http_get(&ip, 8080).is_some()), "nothing answers on {ip}:8080");
}

#[test]
fn exec_runs_commands_and_passes_their_exit_codes_as_kubectl_does() {
    let cluster = DockerCluster::start();
    web_pod(&cluster);
    for program in ["kubectl", KCTL] {
        let out = run(&cluster, program, &["exec", "web", "--", "sh", "-c", "echo out; echo err >&2; exit 3"], None);
        assert_eq!(out.status.code(), Some(3), "{program}: {}", stderr(&out));
        assert_eq!(stdout(&out), "out\n", "{program}: stdout and stderr stay apart");
        assert_eq!(stderr(&out), "err\ncommand terminated with exit code 3\n", "{program}");

        let out = run(&cluster, program, &["exec", "-i", "web", "--", "sh", "-c", "cat; echo done"], Some(b"a\nb\n"));
        assert_eq!((out.status.code(), stdout(&out)), (Some(0), "a\nb\ndone\n".into()), "{program}: {}", stderr(&out));

        // A terminal needs a terminal on our side; piped stdin gets kubectl's note.
        let out = run(&cluster, program, &["exec", "-it", "web", "--", "echo", "hi"], Some(b""));
        assert_eq!(stdout(&out), "hi\n", "{program}");
        assert!(stderr(&out).contains("Unable to use a TTY - input is not a terminal or the right kind of file"));
    }
    // Faults: the same words and exit codes from both.
    let cases: &[&[&str]] = &[
        &["exec", "web", "--", "no-such-command"],
        &["exec", "web", "-c", "nope", "--", "true"],
        &["exec", "nope", "--", "true"],
        &["exec", "web", "ls"],
        &["exec", "web"],
    ];
    for args in cases {
        let (expected, actual) = (run(&cluster, "kubectl", args, None), run(&cluster, KCTL, args, None));
        assert_eq!(actual.status.code(), expected.status.code(), "exit code of {args:?}: {}", stderr(&actual));
        assert_eq!(stdout(&actual), stdout(&expected), "stdout of {args:?}");
        let words = |o: &Output| stderr(o).replace("kubectl", "kctl");
        assert_eq!(words(&actual).lines().next(), words(&expected).lines().next(), "stderr of {args:?}");
    }
    let missing = run(&cluster, KCTL, &["exec", "web", "--", "no-such-command"], None);
    assert_eq!(missing.status.code(), Some(126), "Docker's code for a command it cannot run");
    assert!(stdout(&missing).contains("executable file not found"), "{}", stdout(&missing));
}

/// A `port-forward` child, killed on drop; the local port of its first "Forwarding from".
struct Forwarding {
    child: Child,
    port: u16,
    lines: Vec<String>,
    /// Kept open: a client writing to a closed stdout dies of SIGPIPE.
    _stdout: BufReader<std::process::ChildStdout>,
}

impl Forwarding {
    fn start(cluster: &DockerCluster, program: &str, args: &[&str]) -> Forwarding {
        let server = cluster.server();
        let mut child = Command::new(program)
            .args(args)
            .env("KUBECONFIG", &server.kubeconfig)
            .env("HOME", server.dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start port-forward");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut lines = Vec::new();
        let mut line = String::new();
        // Bounded: kubectl prints one line per address and port, then waits.
        while lines.len() < 2 && reader.read_line(&mut line).map(|n| n > 0).unwrap_or(false) {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        let port = lines
            .first()
            .and_then(|l| l.strip_prefix("Forwarding from 127.0.0.1:"))
            .and_then(|l| l.split(' ').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("{program} printed {lines:?}"));
        Forwarding { child, port, lines, _stdout: reader }
    }
}

impl Drop for Forwarding {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `GET path` over loopback; the whole answer (empty when the connection just closes).
fn get(port: u16, path: &str) -> Vec<u8> {
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return Vec::new() };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let _ = write!(stream, "GET {path} HTTP/1.0\r\n\r\n");
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    answer
}

#[test]
fn port_forward_carries_connections_to_pods_and_services_as_kubectl_does() {
    let cluster = DockerCluster::start();
    web_pod(&cluster);
    cluster.kubectl_ok(&["expose", "pod", "web", "--port=80", "--target-port=8080"]);
    for program in ["kubectl", KCTL] {
        for target in ["pod/web", "web"] {
            let forwarding = Forwarding::start(&cluster, program, &["port-forward", target, ":8080"]);
            assert!(forwarding.lines[0].ends_with(" -> 8080"), "{program}: {:?}", forwarding.lines);
            // Several connections at once, each its own stream.
            let answers: Vec<Vec<u8>> = std::thread::scope(|scope| {
                let port = forwarding.port;
                let handles: Vec<_> = (0..4).map(|_| scope.spawn(move || get(port, "/"))).collect();
                handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
            });
            for answer in answers {
                let text = String::from_utf8_lossy(&answer).into_owned();
                assert!(text.starts_with("HTTP/1.") && text.ends_with("hello from the pod\n"), "{program}: {text:?}");
            }
            // More than a flow-control window, in one piece.
            let big = get(forwarding.port, "/big");
            assert!(big.len() > 1024 * 1024 && big.ends_with(&[0; 4096]), "{program}: {} bytes", big.len());
        }
        // A Service's port goes to its pod's target port.
        let forwarding = Forwarding::start(&cluster, program, &["port-forward", "svc/web", ":80"]);
        assert!(forwarding.lines[0].ends_with(" -> 8080"), "{program}: {:?}", forwarding.lines);
        assert!(String::from_utf8_lossy(&get(forwarding.port, "/")).ends_with("hello from the pod\n"), "{program}");
        // Nothing listens on 9999: the connection closes without an answer.
        let forwarding = Forwarding::start(&cluster, program, &["port-forward", "pod/web", ":9999"]);
        assert!(get(forwarding.port, "/").is_empty(), "{program}");
    }
    let out = run(&cluster, KCTL, &["port-forward", "pod/web"], None);
    let expected = run(&cluster, "kubectl", &["port-forward", "pod/web"], None);
    assert_eq!(out.status.code(), expected.status.code());
    assert_eq!(stderr(&out).lines().next(), stderr(&expected).lines().next());
}

#[test]
fn cp_copies_files_and_directories_both_ways_as_kubectl_does() {
    let cluster = DockerCluster::start();
    web_pod(&cluster);
    let local = tempfile::tempdir().expect("temp dir");
    let tree = local.path().join("tree");
    std::fs::create_dir_all(tree.join("sub")).expect("mkdir");
    std::fs::write(tree.join("a.txt"), "first\n").expect("write");
    std::fs::write(tree.join("sub/b.txt"), vec![7u8; 200_000]).expect("write");
    let tree_arg = tree.display().to_string();
    for (program, remote) in [("kubectl", "/tmp/by-kubectl"), (KCTL, "/tmp/by-kctl")] {
        let out = run(&cluster, program, &["cp", &tree_arg, &format!("web:{remote}")], None);
        assert!(out.status.success(), "{program}: {}", stderr(&out));
        let script = format!("cat {remote}/a.txt; wc -c < {remote}/sub/b.txt");
        let listed = run(&cluster, "kubectl", &["exec", "web", "--", "sh", "-c", &script], None);
        assert_eq!(stdout(&listed).split_whitespace().collect::<Vec<_>>(), ["first", "200000"], "{program}");
        // Into a directory that exists: under the source's name.
        let out = run(
            &cluster,
            program,
            &["cp", &tree.join("a.txt").display().to_string(), &format!("web:{remote}/sub")],
            None,
        );
        assert!(out.status.success(), "{program}: {}", stderr(&out));
        let copied = run(&cluster, "kubectl", &["exec", "web", "--", "cat", &format!("{remote}/sub/a.txt")], None);
        assert_eq!(stdout(&copied), "first\n", "{program}");

        let back = local.path().join(format!("back-{}", remote.trim_start_matches("/tmp/")));
        let out = run(&cluster, program, &["cp", &format!("web:{remote}"), &back.display().to_string()], None);
        assert!(out.status.success(), "{program}: {}", stderr(&out));
        assert_eq!(std::fs::read_to_string(back.join("a.txt")).unwrap_or_default(), "first\n", "{program}");
        assert_eq!(std::fs::read(back.join("sub/b.txt")).map(|b| b.len()).unwrap_or(0), 200_000, "{program}");
        let file = local.path().join(format!("one-{}", remote.trim_start_matches("/tmp/")));
        let out = run(&cluster, program, &["cp", &format!("web:{remote}/a.txt"), &file.display().to_string()], None);
        assert!(out.status.success(), "{program}: {}", stderr(&out));
        assert_eq!(std::fs::read_to_string(&file).unwrap_or_default(), "first\n", "{program}");
    }
    for args in [&["cp", "a", "b"][..], &["cp", "web:/x", "web:/y"], &["cp", "/no/such/file", "web:/tmp"]] {
        let (expected, actual) = (run(&cluster, "kubectl", args, None), run(&cluster, KCTL, args, None));
        assert_eq!(actual.status.code(), expected.status.code(), "{args:?}");
        assert_eq!(stderr(&actual).lines().next(), stderr(&expected).lines().next(), "{args:?}");
    }
}
