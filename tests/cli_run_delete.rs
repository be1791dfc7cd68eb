//! `kctl run`, `kctl delete` and `kctl create` against a real `kctl server` (apiserver
//! only), with the real kubectl v1.32 as the reference: kubectl works in one namespace,
//! kctl in another; outputs and the objects left behind must match.

mod cli_common;
mod support;

use cli_common::mutate::{both, object, same, same_objects, start, OURS, REF};
use cli_common::same_usage_error_as_kubectl;
use support::{stderr, stdout};

/// `delete --timeout` is a Go duration: a bad or overflowing one is a usage error in
/// cobra's words (never a panic).
#[test]
fn delete_refuses_bad_timeouts_as_kubectl() {
    for value in ["100000000000000000000s", "2562048h", "abc", "5", "1h-1m"] {
        same_usage_error_as_kubectl(&["delete", "pod", "p1", &format!("--timeout={value}")]);
    }
}

#[test]
fn run_builds_the_pod_kubectl_builds() {
    let server = start();
    let out = both(&server, &["run", "nginx", "--image=nginx", "--port=80"], None);
    assert_eq!(stdout(&out), "pod/nginx created\n");
    same_objects(&server, "pod", "nginx");
    both(
        &server,
        &[
            "run",
            "job",
            "--image=busybox",
            "--env=A=b",
            "--labels=x=y,z=w",
            "--restart=Never",
            "--command",
            "--",
            "sleep",
            "10",
        ],
        None,
    );
    same_objects(&server, "pod", "job");
    both(&server, &["run", "args", "--image=busybox", "--restart=OnFailure", "--", "echo", "hi"], None);
    same_objects(&server, "pod", "args");
    both(&server, &["run", "nginx", "--image=nginx"], None);
    both(&server, &["run", "dry", "--image=nginx", "--dry-run=client", "-o", "yaml"], None);
    both(&server, &["run", "dry", "--image=nginx", "--dry-run=server"], None);
    both(&server, &["run", "named", "--image=nginx", "-o", "name"], None);
    both(&server, &["run", "bad", "--image=nginx", "--restart=Sometimes"], None);
    assert!(object(&server, "pod", "dry", OURS).is_none());
}

#[test]
fn delete_variants_match_kubectl() {
    let server = start();
    for ns in [REF, OURS] {
        for (name, label) in [("a", "app=x"), ("b", "app=x"), ("c", "app=y")] {
            server.kubectl_ok(&["run", name, "--image=nginx", "-l", label, "-n", ns]);
        }
        server.kubectl_ok(&["create", "deployment", "web", "--image=nginx", "-n", ns]);
        server.kubectl_ok(&["create", "configmap", "cfg", "--from-literal=k=v", "-n", ns]);
    }
    let out = both(&server, &["delete", "pod", "a"], None);
    assert_eq!(stdout(&out), "pod \"a\" deleted\n");
    both(&server, &["delete", "pod", "a"], None);
    both(&server, &["delete", "pod", "a", "--ignore-not-found"], None);
    both(&server, &["delete", "pod", "-l", "app=y", "--dry-run=client"], None);
    both(&server, &["delete", "pod", "c", "--dry-run=server"], None);
    // kctl's apiserver ignores `dryRun` in a DeleteOptions body (kubectl sends it only
    // there, so its pod is gone); kctl also puts it in the query.
    assert!(object(&server, "pod", "c", OURS).is_some(), "a server dry run deletes nothing");
    server.kubectl_ok(&["delete", "pod", "c", "-n", OURS]);
    both(&server, &["delete", "pods", "-l", "app=x"], None);
    both(&server, &["delete", "pods", "-l", "app=x"], None);
    both(&server, &["delete", "deployment/web", "--cascade=orphan"], None);
    same_objects(&server, "deployment", "web");
    both(&server, &["delete", "pods"], None);
    both(&server, &["delete", "configmap/cfg", "pod/missing"], None);
    server.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fromfile}\n");
    for ns in [REF, OURS] {
        server.kubectl_ok(&["create", "configmap", "fromfile", "-n", ns]);
    }
    both(&server, &["delete", "-f", "cm.yaml"], None);
    both(&server, &["delete", "-f", "cm.yaml"], None);
    // A finalizer keeps the object: the wait gives up after --timeout, as kubectl's.
    for ns in [REF, OURS] {
        server.kubectl_stdin(
            &["apply", "-n", ns, "-f", "-"],
            Some("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: held, finalizers: [example.com/hold]}\n"),
        );
    }
    let out = both(&server, &["delete", "configmap", "held", "--timeout=1s"], None);
    assert_eq!(out.status.code(), Some(1));
    same(&server, &["delete"]);
}

#[test]
fn create_from_files_and_generators_matches_kubectl() {
    let server = start();
    server.write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: made}\ndata: {k: v}\n");
    let out = both(&server, &["create", "-f", "cm.yaml"], None);
    assert_eq!(stdout(&out), "configmap/made created\n");
    same_objects(&server, "configmap", "made");
    both(&server, &["create", "-f", "cm.yaml"], None);
    server.write("file.txt", "contents\n");
    let generators: &[&[&str]] = &[
        &["create", "deployment", "web", "--image=nginx", "--replicas=2", "--port=80"],
        &["create", "configmap", "cfg", "--from-literal=a=b", "--from-file=file.txt"],
        &["create", "secret", "generic", "sec", "--from-literal=a=b"],
        &["create", "job", "once", "--image=busybox", "--", "echo", "hi"],
    ];
    for args in generators {
        let mut dry: Vec<&str> = args.to_vec();
        let at = dry.iter().position(|a| *a == "--").unwrap_or(dry.len());
        dry.splice(at..at, ["--dry-run=client", "-o", "yaml"]);
        both(&server, &dry, None);
        both(&server, args, None);
    }
    same_objects(&server, "deployment", "web");
    same_objects(&server, "configmap", "cfg");
    same_objects(&server, "secret", "sec");
    same_objects(&server, "job", "once");
    both(&server, &["create", "deployment", "web", "--image=nginx"], None);
    same(&server, &["create", "namespace", "made-ns", "--dry-run=client", "-o", "yaml"]);
    // Made beforehand: both report AlreadyExists alike.
    server.kubectl_ok(&["create", "namespace", "made-ns"]);
    same(&server, &["create", "namespace", "made-ns", "-o", "name"]);
    let out = cli_common::mutate::kctl_stdin(&server, &["create", "namespace", "ours-ns", "-o", "name"], None);
    assert_eq!(stdout(&out), "namespace/ours-ns\n");
}

#[test]
fn delete_flags_for_grace_force_wait_and_cascade_match_kubectl() {
    let server = start();
    for ns in [REF, OURS] {
        for name in ["a", "b", "c", "d"] {
            server.kubectl_ok(&["run", name, "--image=nginx", "-n", ns]);
        }
        for name in ["fg", "bg"] {
            server.kubectl_ok(&["create", "deployment", name, "--image=nginx", "-n", ns]);
        }
        for name in ["one", "two"] {
            server.kubectl_ok(&["create", "configmap", name, "--from-literal=k=v", "-n", ns]);
        }
    }
    both(&server, &["delete", "pod", "a", "--grace-period=5"], None);
    let out = both(&server, &["delete", "pod", "b", "--force", "--grace-period=0"], None);
    assert!(stderr(&out).starts_with("Warning: Immediate deletion"), "{}", stderr(&out));
    both(&server, &["delete", "pod", "c", "--now"], None);
    both(&server, &["delete", "pod", "d", "--wait=false"], None);
    both(&server, &["delete", "deployment", "fg", "--cascade=foreground"], None);
    both(&server, &["delete", "deployment", "bg", "--cascade=background"], None);
    let out = both(&server, &["delete", "configmaps", "--all"], None);
    assert!(stdout(&out).contains("configmap \"one\" deleted\nconfigmap \"two\" deleted\n"), "{}", stdout(&out));
    for (kind, name) in [("pod", "a"), ("pod", "d"), ("deployment", "fg"), ("configmap", "two")] {
        assert!(object(&server, kind, name, OURS).is_none(), "{kind}/{name} is gone");
    }
}
