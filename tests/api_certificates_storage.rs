//! certificates.k8s.io, storage.k8s.io and the review kinds against a real `kctl server`
//! through the real kubectl: a CSR generated here is applied, approved with `kubectl
//! certificate approve`, signed by the cluster CA, and its certificate authenticates as its
//! CN; the storage kinds get their defaults, tables and 422s; `kubectl auth` and TokenReview
//! are answered by kctl's authentication and authorizer.

mod support;

use std::time::Duration;

use base64::Engine;
use serde_json::Value;
use support::{eventually, kubectl_with, stderr, stdout, TestServer};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn sample(name: &str) -> String {
    format!("{}/testdata/kinds/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A key and a PEM certificate request for `cn` in `org`, made here (no openssl).
fn key_and_request(cn: &str, org: &str) -> (String, String) {
    let key = rcgen::KeyPair::generate().expect("key");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    params.distinguished_name.push(rcgen::DnType::OrganizationName, org);
    params.distinguished_name.push(rcgen::DnType::CommonName, cn);
    let request = params.serialize_request(&key).expect("csr").pem().expect("pem");
    (key.serialize_pem(), request)
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|err| panic!("not JSON ({err}): {text}"))
}

#[test]
fn approved_csr_is_signed_by_the_cluster_ca_and_authenticates_as_its_common_name() {
    let server = TestServer::start();
    let (key_pem, request_pem) = key_and_request("alice", "dev");
    let manifest = format!(
        "apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: alice\nspec:\n  \
         request: {}\n  signerName: kubernetes.io/kube-apiserver-client\n  expirationSeconds: 86400\n  usages:\n  - client auth\n",
        B64.encode(&request_pem)
    );
    let path = server.write("alice-csr.yaml", &manifest);
    server.kubectl_ok(&["apply", "-f", path.to_str().unwrap()]);

    // The requester is whoever created it, whatever the manifest said.
    let whoami = json_of(&server.kubectl_ok(&["auth", "whoami", "-o", "json"]));
    let admin = whoami["status"]["userInfo"]["username"].as_str().expect("admin name").to_string();
    let created = json_of(&server.kubectl_ok(&["get", "csr", "alice", "-o", "json"]));
    assert_eq!(created["spec"]["username"], admin.as_str());
    assert!(created["spec"]["groups"].as_array().unwrap().iter().any(|g| g == "system:authenticated"));

    let table = server.kubectl_ok(&["get", "csr"]);
    assert!(table.starts_with("NAME"), "{table}");
    for column in ["AGE", "SIGNERNAME", "REQUESTOR", "REQUESTEDDURATION", "CONDITION"] {
        assert!(table.lines().next().unwrap().contains(column), "{table}");
    }
    assert!(
        table.contains("kubernetes.io/kube-apiserver-client") && table.contains("24h") && table.contains("Pending")
    );

    server.kubectl_ok(&["certificate", "approve", "alice"]);
    let mut certificate = String::new();
    assert!(
        eventually(Duration::from_secs(20), || {
            let out = server.kubectl(&["get", "csr", "alice", "-o", "jsonpath={.status.certificate}"]);
            certificate = stdout(&out);
            !certificate.is_empty()
        }),
        "no certificate was issued: {}",
        server.kubectl_ok(&["get", "csr", "alice", "-o", "yaml"])
    );
    assert!(server.kubectl_ok(&["get", "csr", "alice"]).contains("Approved,Issued"));

    // Signed by the cluster CA, for alice in dev.
    let kubeconfig = json_of(&server.kubectl_ok(&["config", "view", "--raw", "-o", "json"]));
    let ca_pem = B64
        .decode(kubeconfig["clusters"][0]["cluster"]["certificate-authority-data"].as_str().expect("ca data"))
        .expect("ca base64");
    let cert_pem = B64.decode(certificate.trim()).expect("certificate base64");
    let (_, ca_block) = x509_parser::pem::parse_x509_pem(&ca_pem).expect("ca pem");
    let ca = ca_block.parse_x509().expect("ca cert");
    let (_, cert_block) = x509_parser::pem::parse_x509_pem(&cert_pem).expect("cert pem");
    let cert = cert_block.parse_x509().expect("cert");
    cert.verify_signature(Some(ca.public_key())).expect("signed by the cluster CA");
    let subject = cert.subject().to_string();
    assert!(subject.contains("CN=alice") && subject.contains("O=dev"), "{subject}");
    let lifetime = cert.validity().not_after.timestamp() - cert.validity().not_before.timestamp();
    assert_eq!(lifetime, 86400, "the requested day, less the backdating of long-lived certificates");

    // A kubeconfig with that certificate is alice.
    let mut alice = kubeconfig.clone();
    alice["users"][0]["user"] = serde_json::json!({
        "client-certificate-data": B64.encode(&cert_pem),
        "client-key-data": B64.encode(&key_pem),
    });
    let alice_config = server.write("alice.kubeconfig", &alice.to_string());
    let home = server.dir.path().join("alice-home");
    std::fs::create_dir_all(&home).expect("home");
    let out = kubectl_with(&alice_config, &home, &["auth", "whoami", "-o", "json"], None);
    assert!(out.status.success(), "{}", stderr(&out));
    let who = json_of(&stdout(&out));
    assert_eq!(who["status"]["userInfo"]["username"], "alice");
    assert_eq!(who["status"]["userInfo"]["groups"], serde_json::json!(["dev", "system:authenticated"]));
    let out = kubectl_with(&alice_config, &home, &["get", "pods"], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("User \"alice\" cannot list resource \"pods\""), "{}", stderr(&out));
}

#[test]
fn csr_writes_are_validated_as_upstream() {
    let server = TestServer::start();
    let out = server.kubectl(&["create", "-f", &sample("certificatesigningrequests.certificates.k8s.io.yaml")]);
    assert!(!out.status.success());
    assert!(stdout(&out).contains("certificatesigningrequest.certificates.k8s.io/sample created"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)"
        ),
        "{}",
        stderr(&out)
    );
    let (_, request_pem) = key_and_request("bob", "dev");
    let bad_signer = format!(
        "apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: bob\nspec:\n  \
         request: {}\n  signerName: unqualified\n  usages: [client auth]\n",
        B64.encode(&request_pem)
    );
    let out = server.kubectl_stdin(&["create", "-f", "-"], Some(&bad_signer));
    assert!(
        stderr(&out).contains("spec.signerName: Invalid value: \"unqualified\": must be a fully qualified domain and path of the form 'example.com/signer-name'"),
        "{}",
        stderr(&out)
    );
    let not_pem =
        "apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: carol\nspec:\n  \
                   request: bm90IGEgY3Ny\n  signerName: example.com/s\n  usages: [client auth]\n";
    let out = server.kubectl_stdin(&["create", "-f", "-"], Some(not_pem));
    assert!(stderr(&out).contains("PEM block type must be CERTIFICATE REQUEST"), "{}", stderr(&out));

    // Approving and denying together is refused; a denied request is never signed.
    let pending = format!(
        "apiVersion: certificates.k8s.io/v1\nkind: CertificateSigningRequest\nmetadata:\n  name: dave\nspec:\n  \
         request: {}\n  signerName: kubernetes.io/kube-apiserver-client\n  usages: [client auth]\n",
        B64.encode(&request_pem)
    );
    server.kubectl_stdin(&["create", "-f", "-"], Some(&pending));
    server.kubectl_ok(&["certificate", "deny", "dave"]);
    // kubectl refuses to approve a denied request itself; the apiserver does too.
    let mut denied = json_of(&server.kubectl_ok(&["get", "csr", "dave", "-o", "json"]));
    denied["status"]["conditions"]
        .as_array_mut()
        .expect("conditions")
        .push(serde_json::json!({"type": "Approved", "status": "True", "reason": "Test"}));
    let both = server.write("dave-both.json", &denied.to_string());
    let url = "/apis/certificates.k8s.io/v1/certificatesigningrequests/dave/approval";
    let out = server.kubectl(&["replace", "--raw", url, "-f", both.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("Approved and Denied conditions are mutually exclusive"), "{}", stderr(&out));
    // A status write may not approve either.
    let out = server.kubectl(&["replace", "--raw", &url.replace("/approval", "/status"), "-f", both.to_str().unwrap()]);
    assert!(stderr(&out).contains("updates may not add a condition of type"), "{}", stderr(&out));
    assert!(server.kubectl_ok(&["get", "csr", "dave"]).contains("Denied"));
    // The spec stays as created.
    server.kubectl_ok(&[
        "patch",
        "csr",
        "dave",
        "--type=merge",
        "-p",
        r#"{"spec":{"signerName":"example.com/other"}}"#,
    ]);
    let signer = server.kubectl_ok(&["get", "csr", "dave", "-o", "jsonpath={.spec.signerName}"]);
    assert_eq!(signer, "kubernetes.io/kube-apiserver-client");
    let selected = server.kubectl_ok(&[
        "get",
        "csr",
        "--field-selector",
        "spec.signerName=kubernetes.io/kube-apiserver-client",
        "-o",
        "name",
    ]);
    assert_eq!(selected.trim(), "certificatesigningrequest.certificates.k8s.io/dave");
}

#[test]
fn storage_kinds_get_defaults_tables_and_422s() {
    let server = TestServer::start();
    let kinds = [
        ("storageclasses.storage.k8s.io.yaml", "storageclass"),
        ("csidrivers.storage.k8s.io.yaml", "csidriver"),
        ("csinodes.storage.k8s.io.yaml", "csinode"),
        ("csistoragecapacities.storage.k8s.io.yaml", "csistoragecapacity"),
        ("volumeattachments.storage.k8s.io.yaml", "volumeattachment"),
    ];
    for (file, kind) in kinds {
        let text = std::fs::read_to_string(sample(file)).expect("sample");
        let (valid, invalid) = text.split_once("\n---\n").expect("two documents");
        let expect = valid.lines().find_map(|l| l.strip_prefix("# expect: ")).expect("expect line");
        server.kubectl_stdin(&["apply", "-f", "-"], Some(valid));
        assert!(server.kubectl_ok(&["get", kind, "sample"]).contains("sample"), "{kind}");
        let out = server.kubectl_stdin(&["apply", "-f", "-"], Some(invalid));
        assert!(!out.status.success(), "{kind} invalid sample was accepted");
        assert!(stderr(&out).contains(expect), "{kind}: {}", stderr(&out));
        assert!(stderr(&out).contains("is invalid"), "{kind}: {}", stderr(&out));
    }
    let sc = json_of(&server.kubectl_ok(&["get", "storageclass", "sample", "-o", "json"]));
    assert_eq!((sc["reclaimPolicy"].as_str(), sc["volumeBindingMode"].as_str()), (Some("Delete"), Some("Immediate")));
    server.kubectl_ok(&["annotate", "storageclass", "sample", "storageclass.kubernetes.io/is-default-class=true"]);
    let table = server.kubectl_ok(&["get", "storageclass"]);
    assert!(table.contains("sample (default)   example.com/sample   Delete          Immediate"), "{table}");
    let out = server.kubectl(&[
        "patch",
        "storageclass",
        "sample",
        "--type=merge",
        "-p",
        r#"{"provisioner":"example.com/other"}"#,
    ]);
    assert!(stderr(&out).contains("provisioner: Forbidden: updates to provisioner are forbidden."), "{}", stderr(&out));

    let driver = json_of(&server.kubectl_ok(&["get", "csidriver", "sample", "-o", "json"]));
    assert_eq!(driver["spec"]["attachRequired"], true);
    assert_eq!(driver["spec"]["fsGroupPolicy"], "ReadWriteOnceWithFSType");
    assert_eq!(driver["spec"]["volumeLifecycleModes"], serde_json::json!(["Persistent"]));
    let table = server.kubectl_ok(&["get", "csidriver"]);
    assert!(
        table.lines().next().unwrap().split_whitespace().eq([
            "NAME",
            "ATTACHREQUIRED",
            "PODINFOONMOUNT",
            "STORAGECAPACITY",
            "TOKENREQUESTS",
            "REQUIRESREPUBLISH",
            "MODES",
            "AGE"
        ]),
        "{table}"
    );
    assert!(table.contains("sample   true             true             false             <unset>         false               Persistent"), "{table}");
    let out =
        server.kubectl(&["patch", "csidriver", "sample", "--type=merge", "-p", r#"{"spec":{"attachRequired":false}}"#]);
    assert!(
        stderr(&out).contains("spec.attachedRequired: Invalid value: false: field is immutable"),
        "{}",
        stderr(&out)
    );

    let csinodes = server.kubectl_ok(&["get", "csinode"]);
    assert!(csinodes.lines().next().unwrap().split_whitespace().eq(["NAME", "DRIVERS", "AGE"]), "{csinodes}");
    assert!(csinodes.contains("sample   1"), "{csinodes}");
    let capacity = server.kubectl_ok(&["get", "csistoragecapacity"]);
    assert!(
        capacity.lines().next().unwrap().split_whitespace().eq(["NAME", "STORAGECLASSNAME", "CAPACITY"]),
        "{capacity}"
    );
    assert!(capacity.contains("sample   sample             10Gi"), "{capacity}");
    let attachments = server.kubectl_ok(&["get", "volumeattachment"]);
    assert!(attachments
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .eq(["NAME", "ATTACHER", "PV", "NODE", "ATTACHED", "AGE"]));
    assert!(attachments.contains("sample   sample.csi.example.com   pv-sample   node-1   false"), "{attachments}");
    let out = server.kubectl(&[
        "patch",
        "volumeattachment",
        "sample",
        "--type=merge",
        "-p",
        r#"{"spec":{"nodeName":"node-2"}}"#,
    ]);
    assert!(stderr(&out).contains("field is immutable"), "{}", stderr(&out));
    server.kubectl_ok(&[
        "patch",
        "volumeattachment",
        "sample",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status":{"attached":true}}"#,
    ]);
    assert!(server.kubectl_ok(&["get", "volumeattachment"]).contains("node-1   true"));
}

#[test]
fn kubectl_auth_and_reviews_are_answered_by_kctls_authentication_and_authorizer() {
    let server = TestServer::start();
    assert_eq!(server.kubectl_ok(&["auth", "can-i", "create", "pods"]).trim(), "yes");
    assert_eq!(server.kubectl_ok(&["auth", "can-i", "delete", "nodes", "--all-namespaces"]).trim(), "yes");
    let list = server.kubectl_ok(&["auth", "can-i", "--list"]);
    assert!(list.contains("*.*") && list.contains("selfsubjectreviews.authentication.k8s.io"), "{list}");
    let whoami = server.kubectl_ok(&["auth", "whoami"]);
    assert!(
        whoami.contains("Username") && whoami.contains("system:masters") && whoami.contains("system:authenticated"),
        "{whoami}"
    );

    // Another subject's access: asked with a SubjectAccessReview.
    let review =
        "apiVersion: authorization.k8s.io/v1\nkind: SubjectAccessReview\nspec:\n  user: bob\n  groups: [dev]\n  \
                  resourceAttributes: {verb: get, resource: pods, namespace: default}\n";
    let out = server.kubectl_stdin(&["create", "-f", "-", "-o", "json"], Some(review));
    let answer = json_of(&stdout(&out));
    assert_eq!(answer["status"]["allowed"], false, "{answer}");
    assert_eq!(answer["spec"]["user"], "bob");
    let masters = review.replace("groups: [dev]", "groups: [system:masters]");
    let answer = json_of(&stdout(&server.kubectl_stdin(&["create", "-f", "-", "-o", "json"], Some(&masters))));
    assert_eq!(answer["status"]["allowed"], true, "{answer}");
    assert!(answer["status"]["reason"].as_str().unwrap().contains("system:masters"));
    let out = server.kubectl(&["create", "-f", &sample("subjectaccessreviews.authorization.k8s.io.yaml")]);
    assert!(
        stderr(&out).contains("SubjectAccessReview \"\" is invalid: spec.user: Invalid value: \"\": at least one of user or group must be specified"),
        "{}",
        stderr(&out)
    );
    let out = server.kubectl(&["create", "-f", &sample("localsubjectaccessreviews.authorization.k8s.io.yaml")]);
    assert!(
        stderr(&out)
            .contains("spec.resourceAttributes.namespace: Invalid value: \"elsewhere\": must match metadata.namespace"),
        "{}",
        stderr(&out)
    );
    // Nothing is stored.
    let out = server.kubectl(&["get", "subjectaccessreviews"]);
    assert!(!out.status.success());

    // kctl authenticates by client certificate only: no token is one it knows.
    let token_review =
        server.kubectl_ok(&["create", "-f", &sample("tokenreviews.authentication.k8s.io.yaml"), "-o", "yaml"]);
    assert!(token_review.contains("token: not-a-token-kctl-knows"), "{token_review}");
    assert!(!token_review.contains("authenticated: true"), "{token_review}");
    assert!(token_review.contains("status:\n  user: {}"), "{token_review}");
    let empty = "apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: \"\"\n";
    let out = server.kubectl_stdin(&["create", "-f", "-"], Some(empty));
    assert!(stderr(&out).contains("token is required for TokenReview in authentication"), "{}", stderr(&out));
}
