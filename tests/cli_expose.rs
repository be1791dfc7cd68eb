//! `kctl expose` beside the real `kubectl expose` (v1.32): each case runs with kubectl on
//! one fresh fixture server and with kctl on another; outputs, exit codes and the
//! services they create must match.

mod cli_common;
mod support;

use cli_common::{same_change_as_kubectl, start_fixture};

#[test]
fn expose_builds_the_service_kubectl_builds() {
    for (args, objects) in [
        (&["expose", "deployment", "web", "--name=web2"][..], &["svc/web2"][..]),
        (
            &["expose", "deploy/web", "--name=front", "--port=8080", "--target-port=80", "--type=NodePort"],
            &["svc/front"],
        ),
        (&["expose", "pod", "p1", "--name=p1-svc"], &["svc/p1-svc"]),
        (
            &[
                "expose",
                "pod/p1",
                "--name=dns",
                "--port=53",
                "--protocol=UDP",
                "--selector=app=web",
                "--labels=a=b,c=d",
            ],
            &["svc/dns"],
        ),
        (&["expose", "svc", "web", "--name=web-copy", "--target-port=http"], &["svc/web-copy"]),
        (
            &["expose", "deploy", "web", "--name=headless", "--cluster-ip=None", "--session-affinity=ClientIP"],
            &["svc/headless"],
        ),
        (&["expose", "deploy", "web", "--name=dry", "--dry-run=server"], &[]),
    ] {
        same_change_as_kubectl(start_fixture, args, objects);
    }
}

#[test]
fn client_dry_runs_print_the_generated_service() {
    for args in [
        &["expose", "deploy", "web", "--name=x", "--dry-run=client", "-o", "yaml"][..],
        &["expose", "deploy", "web", "--name=x", "--port=90", "-n", "default", "--dry-run=client", "-o", "json"],
        &["expose", "pod", "p1", "--dry-run=client"],
        &["expose", "deploy", "web", "--name=x", "-o", "name"],
    ] {
        same_change_as_kubectl(start_fixture, args, &[]);
    }
}

#[test]
fn expose_fails_as_kubectl() {
    for args in [
        &["expose", "cm", "settings"][..],
        &["expose", "deploy", "web"],
        &["expose", "deploy", "nope"],
        &["expose", "pod", "p1", "--name=bad", "--labels=a"],
        &["expose", "pod", "p1", "--name=bad", "--session-affinity=Sticky"],
    ] {
        same_change_as_kubectl(start_fixture, args, &[]);
    }
}
