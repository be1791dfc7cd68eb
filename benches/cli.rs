//! `make bench`, client part: `kctl get pods` beside the real `kubectl get pods` (v1.32)
//! against the same `kctl server` with 50 running pods, both with a warm discovery cache.
//! Each command runs RUNS times; wall time is measured around the process and peak RSS is
//! the child's `ru_maxrss` from `wait4`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use comfy_table::{presets::UTF8_FULL, Table};

mod support;
use support::{kctl_binary, Server};

const RUNS: usize = 25;
const PODS: usize = 50;
const KUBECTL: &str = "/usr/bin/kubectl";

/// One client process: its wall time (ms), peak RSS (MB) and standard output.
struct Run {
    wall_ms: f64,
    rss_mb: f64,
    stdout: String,
    stderr: String,
    success: bool,
}

/// Runs `program args` with HOME (discovery cache) and KUBECONFIG set, and measures it.
fn run(program: &str, args: &[&str], home: &Path, kubeconfig: &Path) -> Run {
    let started = Instant::now();
    let child = Command::new(program)
        .args(args)
        .env("HOME", home)
        .env("KUBECONFIG", kubeconfig)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {program}: {e}"));
    let pid = child.id() as libc::pid_t;
    // Drain the pipes before reaping, so a large output never blocks the child.
    let mut stdout_pipe = child.stdout.expect("stdout pipe");
    let mut stderr_pipe = child.stderr.expect("stderr pipe");
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr_pipe, &mut text);
        text
    });
    let mut stdout = String::new();
    let _ = std::io::Read::read_to_string(&mut stdout_pipe, &mut stdout);
    let stderr = errors.join().unwrap_or_default();
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data that wait4 fills in; pid is our own unreaped child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall_ms = started.elapsed().as_secs_f64() * 1e3;
    assert_eq!(reaped, pid, "wait4 on {program}");
    Run {
        wall_ms,
        // Linux reports ru_maxrss in kilobytes.
        rss_mb: usage.ru_maxrss as f64 / 1024.0,
        stdout,
        stderr,
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
    }
}

fn pods_manifest() -> String {
    (0..PODS)
        .map(|i| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bench-{i}\n  labels: {{app: bench}}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.25\n"
            )
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() as f64 - 1.0) * p).round() as usize]
}

/// Requests a command makes, counted from its `-v=6` request log.
fn requests(program: &str, home: &Path, kubeconfig: &Path) -> usize {
    let traced = run(program, &["get", "pods", "-v=6"], home, kubeconfig);
    traced.stderr.lines().filter(|l| l.contains("round_trippers.go") && l.contains(" GET ")).count()
}

struct Figures {
    wall_p50: f64,
    wall_p90: f64,
    rss_p50: f64,
    rss_max: f64,
    requests: usize,
}

fn measure(program: &str, home: &Path, kubeconfig: &Path) -> Figures {
    // Warm-up: fills the discovery cache (and the page cache for the binary).
    for _ in 0..2 {
        let warm = run(program, &["get", "pods"], home, kubeconfig);
        assert!(warm.success, "{program} get pods failed: {}", warm.stderr);
    }
    let mut walls = Vec::with_capacity(RUNS);
    let mut rss = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let measured = run(program, &["get", "pods"], home, kubeconfig);
        assert!(measured.success, "{program} get pods failed: {}", measured.stderr);
        assert_eq!(measured.stdout.lines().count(), PODS + 1, "{program} printed {}", measured.stdout);
        walls.push(measured.wall_ms);
        rss.push(measured.rss_mb);
    }
    Figures {
        wall_p50: median(&mut walls),
        wall_p90: percentile(&mut walls, 0.9),
        rss_p50: median(&mut rss),
        rss_max: rss.iter().cloned().fold(0.0, f64::max),
        requests: requests(program, home, kubeconfig),
    }
}

fn main() {
    if !Path::new(KUBECTL).exists() {
        println!("{KUBECTL} is not installed: the client benchmark needs the real kubectl as reference");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path(), &["--hollow-nodes", "3"]);
    let setup_home = dir.path().join("setup-home");
    let manifest = dir.path().join("pods.yaml");
    std::fs::write(&manifest, pods_manifest()).expect("write manifest");
    let manifest_arg = manifest.to_string_lossy().to_string();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let applied = run(kctl_binary(), &["apply", "-f", &manifest_arg], &setup_home, &server.kubeconfig);
        if applied.success {
            break;
        }
        assert!(Instant::now() < deadline, "kctl apply failed: {}", applied.stderr);
        std::thread::sleep(Duration::from_millis(200));
    }
    // The hollow nodes run the pods; the table is the one of a settled namespace.
    let jsonpath = "jsonpath={range .items[*]}{.status.phase}{\"\\n\"}{end}";
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let phases = run(kctl_binary(), &["get", "pods", "-o", jsonpath], &setup_home, &server.kubeconfig);
        if phases.stdout.lines().filter(|p| *p == "Running").count() == PODS {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }

    let kctl = measure(kctl_binary(), &dir.path().join("kctl-home"), &server.kubeconfig);
    let kubectl = measure(KUBECTL, &dir.path().join("kubectl-home"), &server.kubeconfig);

    let mut table = Table::new();
    table.load_preset(UTF8_FULL).set_header(["get pods (50 pods, warm cache)", "kctl", "kubectl", "ratio", "target"]);
    let check = |ok: bool| if ok { "✓" } else { "✗" };
    let wall_ratio = kctl.wall_p50 / kubectl.wall_p50;
    let rss_ratio = kctl.rss_p50 / kubectl.rss_p50;
    let cells =
        |a: f64, b: f64, digits: usize| [format!("{a:.digits$}"), format!("{b:.digits$}"), format!("{:.2}", a / b)];
    let [k, r, ratio] = cells(kctl.wall_p50, kubectl.wall_p50, 1);
    table.add_row([
        format!("wall time p50 of {RUNS} runs (ms)"),
        k,
        r,
        ratio,
        format!("≤ 0.20: {}", check(wall_ratio <= 0.2)),
    ]);
    let [k, r, ratio] = cells(kctl.wall_p90, kubectl.wall_p90, 1);
    table.add_row([format!("wall time p90 of {RUNS} runs (ms)"), k, r, ratio, String::new()]);
    let [k, r, ratio] = cells(kctl.rss_p50, kubectl.rss_p50, 1);
    table.add_row(["peak RSS p50 (MB)".to_string(), k, r, ratio, format!("≤ 0.33: {}", check(rss_ratio <= 1.0 / 3.0))]);
    let [k, r, ratio] = cells(kctl.rss_max, kubectl.rss_max, 1);
    table.add_row(["peak RSS max (MB)".to_string(), k, r, ratio, String::new()]);
    table.add_row([
        "requests (from -v=6)".to_string(),
        kctl.requests.to_string(),
        kubectl.requests.to_string(),
        String::new(),
        format!("kctl = 1: {}", check(kctl.requests == 1)),
    ]);
    println!("{table}");
    drop(server);
}
