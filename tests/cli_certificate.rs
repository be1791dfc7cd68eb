//! `kctl certificate approve|deny` beside the real kubectl on a `kctl server`: the same
//! output, exit code and resulting CSR conditions.

mod cli_common;
mod support;

use cli_common::{same_change_as_kubectl, same_usage_error_as_kubectl, start_static};
use support::TestServer;

/// Two CSRs from the sample: `alpha` pending, `beta` already denied.
fn start_with_csrs() -> TestServer {
    let server = start_static();
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/kinds/certificatesigningrequests.certificates.k8s.io.yaml"
    ))
    .expect("sample CSR");
    let first = sample.split("\n---").next().expect("first document");
    for name in ["alpha", "beta"] {
        let manifest = first.replace("name: sample", &format!("name: {name}"));
        let out = server.kubectl_stdin(&["create", "-f", "-"], Some(&manifest));
        assert!(out.status.success(), "create {name}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let out = server.kubectl(&["certificate", "deny", "beta"]);
    assert!(out.status.success(), "deny beta: {}", String::from_utf8_lossy(&out.stderr));
    server
}

#[test]
fn approve_and_deny_match_kubectl() {
    for args in [
        &["certificate", "approve", "alpha"][..],
        &["certificate", "deny", "alpha"],
        &["certificate", "approve", "beta"],
        &["certificate", "deny", "beta"],
        &["certificate", "deny", "beta", "--force"],
        &["certificate", "approve", "alpha", "-o", "name"],
        &["certificate", "approve", "nope", "alpha"],
    ] {
        same_change_as_kubectl(start_with_csrs, args, &["csr/alpha", "csr/beta"]);
    }
}

#[test]
fn approving_twice_keeps_one_condition() {
    let server = start_with_csrs();
    for _ in 0..2 {
        let out = cli_common::kctl(&server, &["certificate", "approve", "alpha"]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "certificatesigningrequest.certificates.k8s.io/alpha approved\n"
        );
    }
    let types = server.kubectl_ok(&["get", "csr", "alpha", "-o", "jsonpath={.status.conditions[*].type}"]);
    assert_eq!(types, "Approved");
}

#[test]
fn a_missing_name_is_a_usage_error_as_kubectl() {
    same_usage_error_as_kubectl(&["certificate", "approve"]);
}
