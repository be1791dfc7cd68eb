//! `kctl create` generators beside the real kubectl: services, service accounts, bindings,
//! quotas, priority classes, disruption budgets and cron jobs; the dry-run objects, the
//! created objects, the messages and the usage errors must be kubectl's.

mod cli_common;
mod support;

use cli_common::mutate::{both, same, same_objects, start};
use cli_common::same_usage_error_as_kubectl;

/// Namespaced generators: a client dry run, then the real create, by both tools.
const NAMESPACED: &[&[&str]] = &[
    &["create", "service", "clusterip", "web", "--tcp=80:8080,443:https"],
    &["create", "service", "clusterip", "headless", "--clusterip=None"],
    // No fixed `--node-port`: both tools' Services are in one cluster, where a node port
    // belongs to one Service (the second is refused, as upstream refuses it).
    &["create", "service", "nodeport", "np", "--tcp=80"],
    &["create", "service", "loadbalancer", "lb", "--tcp=5678:8080"],
    &["create", "service", "externalname", "ext", "--external-name=example.com"],
    &["create", "serviceaccount", "robot"],
    &[
        "create",
        "rolebinding",
        "rb",
        "--clusterrole=view",
        "--user=alice",
        "--group=devs",
        "--serviceaccount=ns1:robot",
    ],
    &["create", "quota", "q", "--hard=cpu=1,memory=1G,pods=2", "--scopes=BestEffort"],
    &["create", "poddisruptionbudget", "pdb", "--selector=app=web,tier in (front)", "--min-available=50%"],
    &["create", "pdb", "pdb2", "--selector=app=web", "--max-unavailable=1"],
    &["create", "cronjob", "tick", "--image=busybox", "--schedule=*/1 * * * *", "--", "date"],
];

#[test]
fn namespaced_generators_match_kubectl() {
    let server = start();
    for args in NAMESPACED {
        let mut dry: Vec<&str> = args.to_vec();
        let at = dry.iter().position(|a| *a == "--").unwrap_or(dry.len());
        dry.splice(at..at, ["--dry-run=client", "-o", "yaml"]);
        both(&server, &dry, None);
        both(&server, args, None);
    }
    for (kind, name) in [
        ("service", "web"),
        ("service", "headless"),
        ("service", "ext"),
        ("serviceaccount", "robot"),
        ("rolebinding", "rb"),
        ("resourcequota", "q"),
        ("poddisruptionbudget", "pdb"),
        ("poddisruptionbudget", "pdb2"),
        ("cronjob", "tick"),
    ] {
        same_objects(&server, kind, name);
    }
    // Made already: kubectl's generator-specific failure texts.
    for args in NAMESPACED {
        both(&server, args, None);
    }
}

#[test]
fn cluster_scoped_generators_match_kubectl() {
    let server = start();
    for args in [
        &["create", "priorityclass", "high", "--value=1000", "--description=important", "--preemption-policy=Never"][..],
        &["create", "pc", "default-pc", "--value=5", "--global-default"],
        &["create", "clusterrolebinding", "crb", "--clusterrole=view", "--user=bob", "--serviceaccount=kube-system:x"],
    ] {
        let mut dry: Vec<&str> = args.to_vec();
        dry.extend(["--dry-run=client", "-o", "yaml"]);
        same(&server, &dry);
        let mut server_dry: Vec<&str> = args.to_vec();
        server_dry.extend(["--dry-run=server", "-o", "yaml"]);
        same(&server, &server_dry);
        // Made by kubectl: then both fail with kubectl's generator-specific text.
        server.kubectl_ok(args);
        same(&server, args);
    }
}

#[test]
fn flags_of_other_service_types_are_unknown_as_in_kubectl() {
    same_usage_error_as_kubectl(&["create", "service", "nodeport", "np", "--clusterip=None", "--tcp=80"]);
    same_usage_error_as_kubectl(&["create", "service", "externalname", "x", "--node-port=1"]);
}

#[test]
fn generator_mistakes_are_kubectl_s() {
    let server = start();
    for args in [
        &["create", "service", "clusterip", "web"][..],
        &["create", "service", "clusterip", "web", "--clusterip=None", "--tcp=80"],
        &["create", "service", "externalname", "ext", "--external-name=Not_A_Name"],
        &["create", "service", "clusterip", "web", "--tcp=99999"],
        &["create", "service", "clusterip", "web", "--tcp=80:bad_name"],
        &["create", "service", "clusterip", "--tcp=80"],
        &["create", "rolebinding", "rb"],
        &["create", "rolebinding", "rb", "--role=a", "--clusterrole=b"],
        &["create", "rolebinding", "rb", "--role=a", "--serviceaccount=nocolon"],
        &["create", "quota", "q", "--hard=cpu"],
        &["create", "quota", "q", "--hard=cpu=lots"],
        &["create", "pdb", "p", "--min-available=1"],
        &["create", "pdb", "p", "--selector=a=b"],
        &["create", "pdb", "p", "--selector=a=b", "--min-available=1", "--max-unavailable=1"],
        &["create", "pdb", "p", "--selector=a=b", "--min-available=x"],
        &["create", "pdb", "p", "--selector=a!=b", "--min-available=1"],
        &["create", "cronjob", "c", "--schedule=@hourly", "--image=busybox", "--restart=Always"],
    ] {
        both(&server, args, None);
    }
}

#[test]
fn env_files_fill_config_maps_and_secrets_as_kubectl() {
    let server = start();
    server.write("app.env", "\u{feff}# settings\nMODE=prod\n\n  LEVEL=3=high\nHOME_DIR\nEMPTY=\n");
    server.write("bad.env", "1BAD=x\n");
    std::fs::create_dir_all(server.dir.path().join("dir.env")).expect("env dir");
    for args in [
        &["create", "configmap", "envcm", "--from-env-file=app.env"][..],
        &["create", "secret", "generic", "envsec", "--from-env-file=app.env"],
        &["create", "configmap", "x", "--from-env-file=app.env", "--from-literal=a=b"],
        &["create", "configmap", "x", "--from-env-file=bad.env"],
        &["create", "configmap", "x", "--from-env-file=missing.env"],
        &["create", "secret", "generic", "x", "--from-env-file=dir.env"],
        &["create", "configmap", "x", "--from-env-file=dir.env"],
    ] {
        let mut dry: Vec<&str> = args.to_vec();
        dry.extend(["--dry-run=client", "-o", "yaml"]);
        both(&server, &dry, None);
        both(&server, args, None);
    }
    same_objects(&server, "configmap", "envcm");
    same_objects(&server, "secret", "envsec");
}
