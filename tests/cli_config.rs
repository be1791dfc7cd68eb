//! `kctl config …` against the real kubectl: each case runs both on their own copies of the
//! same kubeconfig files (one file, and two files in `KUBECONFIG`), with `HOME` in a temp
//! dir, and compares stdout, stderr, the exit code and the files afterwards.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A kubeconfig as kubectl itself writes it, so after a change the two files can be
/// compared as parsed YAML directly.
const CANONICAL: &str = r#"apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0FEQVRB
    extensions:
    - extension:
        audience: foo
      name: client.authentication.k8s.io/exec
    server: https://127.0.0.1:6443
  name: cluster-a
- cluster:
    insecure-skip-tls-verify: true
    server: https://10.0.0.1
  name: cluster-b
contexts:
- context:
    cluster: cluster-a
    namespace: ns-a
    user: user-a
  name: ctx-a
- context:
    cluster: cluster-b
    user: user-tok
  name: ctx-b
current-context: ctx-a
extensions:
- extension:
    bar: baz
  name: foo
kind: Config
preferences: {}
users:
- name: user-a
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
- name: user-tok
  user:
    password: pw
    token: secret-token
    username: bob
"#;

/// A second file, written by hand: a cluster name shadowed by the first file, fields kctl
/// does not know, an exec plugin (with a multi-line hint), an auth provider, and HTML
/// characters Go's JSON encoder escapes.
const SECOND: &str = r#"apiVersion: v1
kind: Config
clusters:
- name: cluster-a
  cluster:
    server: https://other
- name: cluster-c
  cluster:
    certificate-authority: ca.crt
    unknownField: 1
    proxy-url: http://proxy?a=1&b=<2>
users:
- name: user-exec
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      installHint: |
        install aws

        then retry
      args: ["eks"]
      env:
      - name: SECRET
        value: s3cr3t
- name: user-ap
  user:
    auth-provider:
      name: oidc
      config:
        client-secret: xyz
    client-certificate: certs/c.crt
contexts:
- name: ctx-c
  context:
    cluster: cluster-c
    user: user-exec
    namespace: c
current-context: ctx-c
"#;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Files {
    /// `KUBECONFIG=a.yaml`
    Single,
    /// `KUBECONFIG=a.yaml:b.yaml`
    Two,
}

struct Run {
    dir: tempfile::TempDir,
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

impl Run {
    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn setup(files: Files) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("a.yaml"), CANONICAL).expect("write a.yaml");
    if files == Files::Two {
        std::fs::write(dir.path().join("b.yaml"), SECOND).expect("write b.yaml");
    }
    std::fs::write(dir.path().join("ca.crt"), "fake ca\n").expect("write ca.crt");
    std::fs::create_dir(dir.path().join("home")).expect("home");
    dir
}

fn kubeconfig_env(dir: &Path, files: Files) -> String {
    let a = dir.join("a.yaml").display().to_string();
    match files {
        Files::Single => a,
        Files::Two => format!("{a}:{}", dir.join("b.yaml").display()),
    }
}

/// Runs `program args` in a fresh copy of the fixtures; the temp dir's path in the output
/// is replaced by `DIR` so both tools' outputs compare.
fn run(program: &str, files: Files, args: &[&str]) -> Run {
    let dir = setup(files);
    let output = Command::new(program)
        .args(args)
        .current_dir(dir.path())
        .env("HOME", dir.path().join("home"))
        .env("KUBECONFIG", kubeconfig_env(dir.path(), files))
        .env_remove("KUBECONFIG_FILE_ONLY")
        .output()
        .unwrap_or_else(|err| panic!("run {program}: {err}"));
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).replace(&dir.path().display().to_string(), "DIR");
    Run { stdout: text(&output.stdout), stderr: text(&output.stderr), code: output.status.code(), dir }
}

/// kctl, pinned at the start: a hard link to the binary cargo built for this run, so a
/// rebuild in the shared target dir while the tests run cannot swap it.
fn kctl() -> &'static str {
    static PINNED: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PINNED.get_or_init(|| {
        let built = env!("CARGO_BIN_EXE_kctl");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        // Links left by earlier runs would keep old binaries alive.
        for old in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            if old.file_name().to_string_lossy().starts_with("kctl-cli-config-") {
                let _ = std::fs::remove_file(old.path());
            }
        }
        let pinned = dir.join(format!("kctl-cli-config-{}", std::process::id()));
        match std::fs::hard_link(built, &pinned).or_else(|_| std::fs::copy(built, &pinned).map(|_| ())) {
            Ok(()) => pinned.display().to_string(),
            Err(_) => built.to_string(),
        }
    })
}

/// A file as kubectl reads it: `kubectl config view --raw -o json` of that file alone.
fn as_kubectl_reads(path: &Path, home: &Path) -> String {
    if !path.exists() {
        return "<missing>".into();
    }
    let output = Command::new("kubectl")
        .args(["config", "view", "--raw", "-o", "json", "--kubeconfig"])
        .arg(path)
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .output()
        .expect("run kubectl");
    assert!(
        output.status.success(),
        "kubectl cannot read {}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn parsed(path: &Path) -> Option<serde_yaml::Value> {
    let text = std::fs::read_to_string(path).ok()?;
    Some(serde_yaml::from_str(&text).expect("valid YAML"))
}

/// The parsed file with its named lists sorted by name: kubectl rewrites them sorted,
/// kctl keeps the file's order.
fn parsed_sorted(path: &Path) -> Option<serde_yaml::Value> {
    let mut value = parsed(path)?;
    for key in ["clusters", "users", "contexts"] {
        if let Some(serde_yaml::Value::Sequence(items)) = value.get_mut(key) {
            items.sort_by_key(|item| item.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_string());
        }
    }
    Some(value)
}

/// Runs kctl and kubectl with the same arguments and asserts they behave the same.
fn same(files: Files, args: &[&str]) -> (Run, Run) {
    let ours = run(kctl(), files, args);
    let theirs = run("kubectl", files, args);
    let what = format!("{args:?} with {files:?}");
    assert_eq!(ours.stdout, theirs.stdout, "stdout of {what}");
    assert_eq!(ours.stderr, theirs.stderr, "stderr of {what}");
    assert_eq!(ours.code, theirs.code, "exit code of {what}\nstderr: {}", ours.stderr);
    // The first file starts as kubectl writes it, so the parsed documents must be equal.
    assert_eq!(parsed_sorted(&ours.file("a.yaml")), parsed_sorted(&theirs.file("a.yaml")), "a.yaml after {what}");
    for name in ["a.yaml", "b.yaml", "home/.kube/config"] {
        assert_eq!(
            as_kubectl_reads(&ours.file(name), &ours.file("home")),
            as_kubectl_reads(&theirs.file(name), &theirs.file("home")),
            "{name} as kubectl reads it after {what}"
        );
    }
    (ours, theirs)
}

fn same_in_both(args: &[&str]) {
    for files in [Files::Single, Files::Two] {
        same(files, args);
    }
}

#[test]
fn view_prints_the_merged_config_with_secrets_redacted() {
    same_in_both(&["config", "view"]);
    same_in_both(&["config", "view", "-o", "json"]);
    same_in_both(&["config", "view", "-o", "yaml"]);
}

#[test]
fn view_raw_prints_secrets() {
    same_in_both(&["config", "view", "--raw"]);
    same_in_both(&["config", "view", "--raw", "-o", "json"]);
}

#[test]
fn view_minify_keeps_only_the_current_context() {
    same_in_both(&["config", "view", "--minify"]);
    same_in_both(&["config", "view", "--minify", "--context", "ctx-b", "-o", "json"]);
    same_in_both(&["config", "view", "--minify", "--context", "nope"]);
}

#[test]
fn view_flatten_embeds_referenced_files() {
    same(Files::Single, &["config", "view", "--flatten"]);
    same(Files::Single, &["config", "view", "--flatten", "--minify"]);
    // b.yaml refers to certs/c.crt, which does not exist.
    same(Files::Two, &["config", "view", "--flatten"]);
}

#[test]
fn view_of_a_missing_file_is_an_empty_config() {
    same(Files::Single, &["config", "view", "--kubeconfig", "missing.yaml"]);
    same(Files::Single, &["config", "view", "--kubeconfig", "missing.yaml", "-o", "json"]);
}

#[test]
fn get_contexts_prints_the_table_with_the_current_one_starred() {
    same_in_both(&["config", "get-contexts"]);
    same_in_both(&["config", "get-contexts", "--no-headers"]);
    same_in_both(&["config", "get-contexts", "-o", "name"]);
    same_in_both(&["config", "get-contexts", "ctx-b"]);
    same_in_both(&["config", "get-contexts", "-o", "wide"]);
}

#[test]
fn get_contexts_of_an_unknown_name_fails_after_printing_the_rest() {
    same_in_both(&["config", "get-contexts", "ctx-b", "nope"]);
    same_in_both(&["config", "get-contexts", "nope", "other"]);
}

#[test]
fn current_context_prints_the_first_files_value() {
    same_in_both(&["config", "current-context"]);
    same(Files::Single, &["config", "current-context", "--kubeconfig", "missing.yaml"]);
}

#[test]
fn use_context_switches_in_the_first_file() {
    same_in_both(&["config", "use-context", "ctx-b"]);
    same_in_both(&["config", "use", "ctx-b"]);
    same(Files::Two, &["config", "use-context", "ctx-c"]);
    same_in_both(&["config", "use-context", "nope"]);
}

#[test]
fn set_context_modifies_or_creates_contexts() {
    same_in_both(&["config", "set-context", "ctx-b", "--namespace=x"]);
    same_in_both(&["config", "set-context", "ctx-a", "--namespace="]);
    same_in_both(&["config", "set-context", "new", "--cluster=c", "--user=u", "--namespace=n"]);
    same_in_both(&["config", "set-context", "--current", "--user=u2"]);
    same_in_both(&["config", "set-context", "--current", "--namespace=notes"]);
    same(Files::Two, &["config", "set-context", "ctx-c", "--namespace=x", "--cluster=cc"]);
}

#[test]
fn set_context_without_a_name_fails() {
    same_in_both(&["config", "set-context", "--namespace=x"]);
    same_in_both(&["config", "set-context", "ctx-a", "--current"]);
    same(Files::Single, &["config", "set-context", "--current", "--kubeconfig", "missing.yaml"]);
}

#[test]
fn delete_context_removes_it_from_the_file_that_defines_it() {
    same_in_both(&["config", "delete-context", "ctx-a"]);
    same_in_both(&["config", "delete-context", "ctx-b"]);
    same_in_both(&["config", "delete-context", "ctx-c"]);
}

#[test]
fn rename_context_renames_in_place_and_follows_the_current_context() {
    same_in_both(&["config", "rename-context", "ctx-a", "renamed"]);
    same_in_both(&["config", "rename-context", "ctx-b", "renamed"]);
    same_in_both(&["config", "rename-context", "ctx-c", "renamed"]);
    same_in_both(&["config", "rename-context", "ctx-b", "ctx-a"]);
}

#[test]
fn get_clusters_and_get_users_list_names() {
    // kubectl prints clusters in Go's random map order; kctl sorts them.
    for files in [Files::Single, Files::Two] {
        let ours = run(kctl(), files, &["config", "get-clusters"]);
        let theirs = run("kubectl", files, &["config", "get-clusters"]);
        let mut lines: Vec<&str> = theirs.stdout.lines().collect();
        lines[1..].sort();
        assert_eq!(ours.stdout, lines.join("\n") + "\n");
        assert_eq!((ours.code, ours.stderr), (theirs.code, theirs.stderr));
    }
    same_in_both(&["config", "get-users"]);
}

#[test]
fn delete_cluster_and_delete_user_remove_entries() {
    same_in_both(&["config", "delete-cluster", "cluster-a"]);
    same_in_both(&["config", "delete-cluster", "cluster-c"]);
    same_in_both(&["config", "delete-user", "user-a"]);
    same_in_both(&["config", "delete-user", "user-exec"]);
}

#[test]
fn set_cluster_sets_fields_as_kubectl() {
    same_in_both(&["config", "set-cluster", "cluster-a", "--server=https://x"]);
    same_in_both(&["config", "set-cluster", "new", "--server=https://x", "--insecure-skip-tls-verify"]);
    same_in_both(&["config", "set-cluster", "cluster-b", "--tls-server-name=name", "--proxy-url=http://p"]);
    same_in_both(&["config", "set-cluster", "cluster-a", "--certificate-authority=ca.crt"]);
    same_in_both(&["config", "set-cluster", "cluster-b", "--certificate-authority=ca.crt", "--embed-certs"]);
    same(Files::Two, &["config", "set-cluster", "cluster-c", "--server=https://y"]);
}

#[test]
fn set_cluster_rejects_conflicting_flags() {
    same_in_both(&["config", "set-cluster", "c", "--certificate-authority=ca.crt", "--insecure-skip-tls-verify"]);
    same_in_both(&["config", "set-cluster", "c", "--embed-certs"]);
    same_in_both(&["config", "set-cluster", "c", "--certificate-authority=nope.crt", "--embed-certs"]);
}

#[test]
fn set_credentials_sets_one_authentication_method() {
    same_in_both(&["config", "set-credentials", "user-tok", "--token=new"]);
    same_in_both(&["config", "set-credentials", "user-tok", "--username=alice"]);
    same_in_both(&["config", "set-credentials", "new", "--token=t", "--username=x"]);
    same_in_both(&[
        "config",
        "set-credentials",
        "new",
        "--client-certificate=ca.crt",
        "--client-key=ca.crt",
        "--embed-certs",
    ]);
    same_in_both(&["config", "set-credentials", "user-a", "--client-certificate=ca.crt"]);
}

#[test]
fn set_credentials_edits_auth_providers_and_exec_plugins() {
    same(
        Files::Two,
        &["config", "set-credentials", "user-ap", "--auth-provider=oidc", "--auth-provider-arg=a=b,client-secret-"],
    );
    same(
        Files::Two,
        &["config", "set-credentials", "user-exec", "--exec-command=gcloud", "--exec-env=A=1", "--exec-env=SECRET-"],
    );
    same(
        Files::Two,
        &[
            "config",
            "set-credentials",
            "user-exec",
            "--exec-arg=x,y",
            "--exec-api-version=client.authentication.k8s.io/v1",
        ],
    );
    same_in_both(&["config", "set-credentials", "new", "--exec-command=foo"]);
}

#[test]
fn set_sets_one_property() {
    same_in_both(&["config", "set", "clusters.cluster-a.server", "https://z"]);
    same_in_both(&["config", "set", "clusters.new.server", "https://z"]);
    same_in_both(&["config", "set", "clusters.cluster-b.insecure-skip-tls-verify", "false"]);
    same_in_both(&["config", "set", "users.user-a.client-key-data", "Zm9v"]);
    same_in_both(&["config", "set", "users.user-a.client-key-data", "foo", "--set-raw-bytes"]);
    same_in_both(&["config", "set", "users.user-a.client-key-data", "!!!"]);
    same_in_both(&["config", "set", "contexts.my.dotted.ctx.namespace", "zz"]);
    same_in_both(&["config", "set", "current-context", "ctx-b"]);
    same(Files::Two, &["config", "set", "contexts.ctx-c.namespace", "zz"]);
}

#[test]
fn unset_removes_one_property() {
    same_in_both(&["config", "unset", "current-context"]);
    same_in_both(&["config", "unset", "contexts.ctx-a.namespace"]);
    same_in_both(&["config", "unset", "contexts.ctx-a.cluster"]);
    same_in_both(&["config", "unset", "clusters.cluster-a"]);
    same_in_both(&["config", "unset", "users.nope"]);
    same_in_both(&["config", "unset", "users.nope.token"]);
    same(Files::Two, &["config", "unset", "clusters.cluster-c"]);
}

#[test]
fn writes_go_to_home_kube_config_without_kubeconfig() {
    for args in
        [&["config", "set-context", "foo", "--namespace=bar"][..], &["config", "set-cluster", "c", "--server=s"]]
    {
        let run_in_home = |program: &str| {
            let dir = setup(Files::Single);
            let output = Command::new(program)
                .args(args)
                .current_dir(dir.path())
                .env("HOME", dir.path().join("home"))
                .env_remove("KUBECONFIG")
                .output()
                .expect("run");
            let config = dir.path().join("home/.kube/config");
            (output.stdout, output.status.code(), parsed(&config), mode(&config))
        };
        assert_eq!(run_in_home(kctl()), run_in_home("kubectl"));
    }
}

#[test]
fn explicit_kubeconfig_overrides_the_environment() {
    same(Files::Two, &["config", "use-context", "ctx-b", "--kubeconfig", "a.yaml"]);
    same(Files::Two, &["config", "set-context", "x", "--kubeconfig", "new.yaml"]);
    same(Files::Two, &["config", "get-contexts", "--kubeconfig", "b.yaml"]);
}

#[cfg(unix)]
fn mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn mode(_: &Path) -> Option<u32> {
    None
}

#[test]
fn writes_keep_unknown_fields_and_extensions() {
    let ours = run(kctl(), Files::Two, &["config", "set-cluster", "cluster-c", "--server=https://y"]);
    assert_eq!(ours.code, Some(0), "{}", ours.stderr);
    let b = parsed(&ours.file("b.yaml")).expect("b.yaml");
    let cluster = &b["clusters"][1]["cluster"];
    assert_eq!(cluster["unknownField"], serde_yaml::Value::from(1));
    assert_eq!(cluster["server"], serde_yaml::Value::from("https://y"));

    let ours = run(kctl(), Files::Single, &["config", "set-context", "ctx-a", "--namespace=x"]);
    let a = parsed(&ours.file("a.yaml")).expect("a.yaml");
    assert_eq!(a["extensions"][0]["extension"]["bar"], serde_yaml::Value::from("baz"));
    assert_eq!(a["clusters"][0]["cluster"]["extensions"][0]["extension"]["audience"], serde_yaml::Value::from("foo"));
}

#[test]
fn new_files_are_private_and_existing_files_keep_their_mode() {
    let ours = run(kctl(), Files::Single, &["config", "set-context", "x", "--kubeconfig", "new.yaml"]);
    assert_eq!(ours.code, Some(0), "{}", ours.stderr);
    if cfg!(unix) {
        assert_eq!(mode(&ours.file("new.yaml")), Some(0o600));
    }

    let dir = setup(Files::Single);
    let a = dir.path().join("a.yaml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&a, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    }
    let status = Command::new(kctl())
        .args(["config", "use-context", "ctx-b", "--kubeconfig"])
        .arg(&a)
        .env("HOME", dir.path().join("home"))
        .status()
        .expect("run kctl");
    assert!(status.success());
    if cfg!(unix) {
        assert_eq!(mode(&a), Some(0o640));
    }
}

#[test]
fn a_kubeconfig_locked_by_kubectl_is_left_alone() {
    let attempt = |program: &str| {
        let dir = setup(Files::Single);
        std::fs::write(dir.path().join("a.yaml.lock"), "").expect("lock");
        let output = Command::new(program)
            .args(["config", "use-context", "ctx-b", "--kubeconfig", "a.yaml"])
            .current_dir(dir.path())
            .env("HOME", dir.path().join("home"))
            .output()
            .expect("run");
        let unchanged = std::fs::read_to_string(dir.path().join("a.yaml")).expect("a.yaml") == CANONICAL;
        (String::from_utf8_lossy(&output.stderr).into_owned(), output.status.code(), unchanged)
    };
    assert_eq!(attempt(kctl()), attempt("kubectl"));
}

#[test]
fn file_paths_are_written_relative_to_the_kubeconfig_below_it() {
    same(
        Files::Single,
        &["config", "set-cluster", "cluster-a", "--certificate-authority=./ca.crt", "--kubeconfig", "a.yaml"],
    );
    same(
        Files::Two,
        &["config", "set-credentials", "user-ap", "--client-key=ca.crt", "--client-certificate=/etc/hosts"],
    );
}
