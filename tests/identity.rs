//! Identity and access with the real kubectl: service-account tokens (TokenRequest, `create
//! token`, bound tokens invalidated with their pod), RBAC with upstream's bootstrap roles and
//! 403 messages, escalation prevention, impersonation, anonymous requests, access reviews,
//! and what every namespace gets (the `default` ServiceAccount, `kube-root-ca.crt`).

mod support;

use std::path::Path;
use std::time::Duration;

use base64::Engine;
use serde_json::Value;
use support::{eventually, kubectl_with, stderr, stdout, TestServer};

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// kubectl as whoever `kubeconfig` says.
fn kubectl_as(server: &TestServer, kubeconfig: &Path, args: &[&str]) -> std::process::Output {
    let home = server.dir.path().join(format!("home-{}", kubeconfig.file_stem().unwrap().to_string_lossy()));
    std::fs::create_dir_all(&home).expect("home");
    kubectl_with(kubeconfig, &home, args, None)
}

#[test]
fn a_token_from_create_token_is_refused_until_a_role_binding_allows_it() {
    let server = TestServer::start();
    server.kubectl_ok(&["create", "namespace", "team"]);
    server.kubectl_ok(&["create", "serviceaccount", "bot", "-n", "team"]);
    let token = server.kubectl_ok(&["create", "token", "bot", "-n", "team", "--duration", "20m"]).trim().to_string();
    let bot = server.token_kubeconfig("bot", Some(&token));

    let who: Value =
        serde_json::from_str(&stdout(&kubectl_as(&server, &bot, &["auth", "whoami", "-o", "json"]))).unwrap();
    assert_eq!(who["status"]["userInfo"]["username"], "system:serviceaccount:team:bot");
    assert_eq!(
        who["status"]["userInfo"]["groups"],
        serde_json::json!(["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"])
    );

    let refused = kubectl_as(&server, &bot, &["get", "pods", "-n", "team"]);
    assert!(!refused.status.success());
    assert_eq!(
        stderr(&refused).trim(),
        "Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:team:bot\" cannot list resource \"pods\" in API group \"\" in the namespace \"team\""
    );

    server.kubectl_ok(&[
        "create",
        "rolebinding",
        "bot-view",
        "--clusterrole=view",
        "--serviceaccount=team:bot",
        "-n",
        "team",
    ]);
    let allowed = kubectl_as(&server, &bot, &["get", "pods", "-n", "team"]);
    assert!(allowed.status.success(), "{}", stderr(&allowed));
    // Only in its namespace, and only reading.
    let elsewhere = kubectl_as(&server, &bot, &["get", "pods", "-n", "default"]);
    assert!(stderr(&elsewhere).contains("cannot list resource \"pods\" in API group \"\" in the namespace \"default\""));
    let write = kubectl_as(&server, &bot, &["create", "configmap", "x", "-n", "team"]);
    assert!(stderr(&write).contains("cannot create resource \"configmaps\""), "{}", stderr(&write));
    let secrets = kubectl_as(&server, &bot, &["get", "secret", "s", "-n", "team"]);
    assert!(
        stderr(&secrets).contains(
            "secrets \"s\" is forbidden: User \"system:serviceaccount:team:bot\" cannot get resource \"secrets\""
        ),
        "{}",
        stderr(&secrets)
    );

    // The token's review: authenticated for the API's audience, not for another.
    let review = |audience: &str| {
        let body = format!(
            "apiVersion: authentication.k8s.io/v1\nkind: TokenReview\nspec:\n  token: {token}\n  audiences: [{audience}]\n"
        );
        let out = server.kubectl_stdin(&["create", "-f", "-", "-o", "json"], Some(&body));
        serde_json::from_str::<Value>(&stdout(&out)).expect("review")
    };
    let api = review("https://kubernetes.default.svc.cluster.local");
    assert_eq!(api["status"]["authenticated"], true, "{api}");
    assert_eq!(api["status"]["user"]["username"], "system:serviceaccount:team:bot");
    assert_ne!(review("vault")["status"]["authenticated"], true);

    // Too short a token, and a token for another audience, as upstream.
    let short = server.kubectl(&["create", "token", "bot", "-n", "team", "--duration", "1m"]);
    assert!(stderr(&short).contains("may not specify a duration less than 10 minutes"), "{}", stderr(&short));
    let vault = server.kubectl_ok(&["create", "token", "bot", "-n", "team", "--audience", "vault"]).trim().to_string();
    let vault_config = server.token_kubeconfig("vault", Some(&vault));
    let out = kubectl_as(&server, &vault_config, &["get", "--raw", "/api/v1/namespaces/team/pods"]);
    assert!(stderr(&out).contains("You must be logged in to the server (Unauthorized)"), "{}", stderr(&out));

    // A token bound to a pod holds while the pod does.
    server.kubectl_ok(&[
        "run",
        "p",
        "-n",
        "team",
        "--image=busybox",
        "--overrides",
        r#"{"spec":{"serviceAccountName":"bot"}}"#,
    ]);
    let bound = server
        .kubectl_ok(&["create", "token", "bot", "-n", "team", "--bound-object-kind", "Pod", "--bound-object-name", "p"])
        .trim()
        .to_string();
    let bound_config = server.token_kubeconfig("bound", Some(&bound));
    let out = kubectl_as(&server, &bound_config, &["auth", "whoami", "-o", "jsonpath={.status.userInfo.extra}"]);
    assert!(
        stdout(&out).contains("\"authentication.kubernetes.io/pod-name\":[\"p\"]"),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    server.kubectl_ok(&["delete", "pod", "p", "-n", "team", "--grace-period=0", "--force"]);
    assert!(
        eventually(Duration::from_secs(20), || {
            let out = kubectl_as(&server, &bound_config, &["get", "--raw", "/api/v1/namespaces/team/pods"]);
            stderr(&out).contains("Unauthorized")
        }),
        "the token of a deleted pod still works"
    );
    // As does the service account's: deleting it ends its tokens.
    server.kubectl_ok(&["delete", "serviceaccount", "bot", "-n", "team"]);
    let out = kubectl_as(&server, &bot, &["get", "--raw", "/api/v1/namespaces/team/pods"]);
    assert_eq!(stderr(&out).trim(), "error: You must be logged in to the server (Unauthorized)");
}

#[test]
fn auth_can_i_answers_for_the_bootstrap_roles_as_upstream() {
    let server = TestServer::start();
    server.kubectl_ok(&["create", "rolebinding", "v", "--clusterrole=view", "--user=viewer"]);
    server.kubectl_ok(&["create", "rolebinding", "e", "--clusterrole=edit", "--user=editor"]);
    server.kubectl_ok(&["create", "rolebinding", "a", "--clusterrole=admin", "--user=owner"]);
    // (user, verb, resource, expected) as a kind cluster answers them.
    let matrix: &[(&str, &[&str], &str)] = &[
        ("viewer", &["get", "pods"], "yes"),
        ("viewer", &["list", "deployments.apps"], "yes"),
        ("viewer", &["get", "pods", "--subresource=log"], "yes"),
        ("viewer", &["get", "secrets"], "no"),
        ("viewer", &["create", "pods"], "no"),
        ("viewer", &["create", "pods", "--subresource=exec"], "no"),
        ("viewer", &["get", "pods", "-n", "kube-system"], "no"),
        ("editor", &["create", "deployments.apps"], "yes"),
        ("editor", &["get", "secrets"], "yes"),
        ("editor", &["create", "pods", "--subresource=exec"], "yes"),
        ("editor", &["impersonate", "serviceaccounts"], "yes"),
        ("editor", &["create", "roles.rbac.authorization.k8s.io"], "no"),
        ("editor", &["create", "rolebindings.rbac.authorization.k8s.io"], "no"),
        ("editor", &["delete", "resourcequotas"], "no"),
        ("owner", &["create", "roles.rbac.authorization.k8s.io"], "yes"),
        ("owner", &["create", "rolebindings.rbac.authorization.k8s.io"], "yes"),
        ("owner", &["get", "resourcequotas"], "yes"),
        ("owner", &["delete", "resourcequotas"], "no"),
        ("owner", &["create", "namespaces"], "no"),
        ("owner", &["get", "nodes"], "no"),
        ("nobody", &["get", "/healthz"], "yes"),
        ("nobody", &["get", "/api"], "yes"),
        ("nobody", &["get", "/metrics"], "no"),
        ("nobody", &["create", "selfsubjectaccessreviews.authorization.k8s.io"], "yes"),
    ];
    for (user, args, expected) in matrix {
        let mut all = vec!["auth", "can-i", "--as", user];
        all.extend_from_slice(args);
        let out = server.kubectl(&all);
        assert_eq!(stdout(&out).trim(), *expected, "{all:?}: {}", stderr(&out));
    }
    let list = server.kubectl_ok(&["auth", "can-i", "--list", "--as", "viewer"]);
    assert!(list.contains("pods/log") && list.contains("[get list watch]"), "{list}");
    assert!(list.contains("selfsubjectreviews.authentication.k8s.io") && list.contains("[/api/*]"), "{list}");
    assert!(!list.contains("secrets"), "{list}");
    // The admin holds everything, through cluster-admin.
    let admin = server.kubectl_ok(&["auth", "can-i", "--list"]);
    assert!(admin.contains("*.*") && admin.contains("[*]"), "{admin}");
}

#[test]
fn impersonation_is_asked_of_the_authorizer() {
    let server = TestServer::start();
    let who = server.kubectl_ok(&["auth", "whoami", "--as", "bob", "--as-group", "devs", "-o", "json"]);
    let who: Value = serde_json::from_str(&who).unwrap();
    assert_eq!(who["status"]["userInfo"]["username"], "bob");
    assert_eq!(who["status"]["userInfo"]["groups"], serde_json::json!(["devs", "system:authenticated"]));
    let out = server.kubectl(&["get", "pods", "--as", "bob"]);
    assert!(stderr(&out).contains("User \"bob\" cannot list resource \"pods\""), "{}", stderr(&out));
    let out = server.kubectl(&["get", "pods", "--as", "bob", "--as-group", "system:masters"]);
    assert!(out.status.success(), "{}", stderr(&out));

    // bob may impersonate alice and nobody else.
    server.kubectl_ok(&[
        "create",
        "clusterrole",
        "as-alice",
        "--verb=impersonate",
        "--resource=users",
        "--resource-name=alice",
    ]);
    server.kubectl_ok(&["create", "clusterrolebinding", "bob-as-alice", "--clusterrole=as-alice", "--user=bob"]);
    server.kubectl_ok(&["create", "rolebinding", "alice-view", "--clusterrole=view", "--user=alice"]);
    let as_bob_as = |target: &str| {
        let review = format!(
            "apiVersion: authorization.k8s.io/v1\nkind: SubjectAccessReview\nspec:\n  user: bob\n  resourceAttributes: {{verb: impersonate, resource: users, name: {target}}}\n"
        );
        let out = server.kubectl_stdin(&["create", "-f", "-", "-o", "json"], Some(&review));
        serde_json::from_str::<Value>(&stdout(&out)).unwrap()["status"]["allowed"] == true
    };
    assert!(as_bob_as("alice"));
    assert!(!as_bob_as("carol"));
    let out = server.kubectl(&["get", "pods", "--as", "carol"]);
    assert!(stderr(&out).contains("User \"carol\" cannot list resource \"pods\""), "{}", stderr(&out));
    let out = server.kubectl(&["get", "pods", "--as", "alice"]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn impersonating_without_the_right_is_forbidden_with_upstreams_message() {
    let server = TestServer::start();
    server.kubectl_ok(&["create", "serviceaccount", "bot"]);
    let token = server.kubectl_ok(&["create", "token", "bot"]).trim().to_string();
    let bot = server.token_kubeconfig("bot", Some(&token));
    let out = kubectl_as(&server, &bot, &["get", "--raw", "/api/v1/namespaces/default/pods", "--as", "alice"]);
    assert_eq!(
        stderr(&out).trim(),
        "Error from server (Forbidden): users \"alice\" is forbidden: User \"system:serviceaccount:default:bot\" cannot impersonate resource \"users\" in API group \"\" at the cluster scope"
    );
    let out = kubectl_as(
        &server,
        &bot,
        &["get", "--raw", "/api/v1/namespaces/default/pods", "--as", "system:serviceaccount:kube-system:default"],
    );
    assert!(
        stderr(&out).contains("serviceaccounts \"default\" is forbidden: User \"system:serviceaccount:default:bot\" cannot impersonate resource \"serviceaccounts\" in API group \"\" in the namespace \"kube-system\""),
        "{}",
        stderr(&out)
    );
}

#[test]
fn anonymous_requests_reach_only_the_health_and_version_endpoints() {
    let server = TestServer::start();
    let anonymous = server.token_kubeconfig("anonymous", None);
    // kubectl asks for a user name when it has no credentials; kctl asks as it is.
    let kctl = |path: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kctl"))
            .arg("--kubeconfig")
            .arg(&anonymous)
            .args(["get", "--raw", path])
            .output()
            .expect("run kctl")
    };
    for path in ["/healthz", "/livez", "/readyz", "/version"] {
        let out = kctl(path);
        assert!(out.status.success(), "{path}: {}", stderr(&out));
    }
    for path in ["/api", "/apis", "/api/v1/namespaces/default/pods", "/openapi/v3"] {
        let out = kctl(path);
        assert_eq!(stderr(&out).trim(), "error: You must be logged in to the server (Unauthorized)", "{path}");
    }
    // A token no authenticator knows is no credential (anonymous, as upstream's union);
    // one of ours that does not hold is refused everywhere.
    let unknown = server.token_kubeconfig("unknown", Some("not-a-credential"));
    assert!(kubectl_as(&server, &unknown, &["get", "--raw", "/healthz"]).status.success());
    let out = kubectl_as(&server, &unknown, &["get", "--raw", "/api"]);
    assert!(stderr(&out).contains("Unauthorized"), "{}", stderr(&out));
    server.kubectl_ok(&["create", "serviceaccount", "bot"]);
    let other_audience = server.kubectl_ok(&["create", "token", "bot", "--audience", "vault"]);
    let ours = server.token_kubeconfig("ours", Some(other_audience.trim()));
    let out = kubectl_as(&server, &ours, &["get", "--raw", "/healthz"]);
    assert!(stderr(&out).contains("Unauthorized"), "{}", stderr(&out));
}

#[test]
fn granting_what_one_does_not_hold_is_refused_as_escalation() {
    let server = TestServer::start();
    server.kubectl_ok(&[
        "create",
        "role",
        "rbac-writer",
        "--verb=create,get",
        "--resource=roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io",
    ]);
    server.kubectl_ok(&["create", "role", "pod-reader", "--verb=get,list", "--resource=pods"]);
    server.kubectl_ok(&["create", "rolebinding", "w", "--role=rbac-writer", "--user=alice"]);
    server.kubectl_ok(&["create", "rolebinding", "r", "--role=pod-reader", "--user=alice"]);

    let out = server.kubectl(&["create", "role", "secrets", "--verb=get,list", "--resource=secrets", "--as", "alice"]);
    assert!(
        stderr(&out).trim().ends_with(
            "roles.rbac.authorization.k8s.io \"secrets\" is forbidden: user \"alice\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"list\"]}"
        ),
        "{}",
        stderr(&out)
    );
    // What alice holds she may grant.
    server.kubectl_ok(&["create", "role", "pods-too", "--verb=get", "--resource=pods", "--as", "alice"]);
    server.kubectl_ok(&["create", "rolebinding", "bob-reads", "--role=pod-reader", "--user=bob", "--as", "alice"]);
    let out =
        server.kubectl(&["create", "rolebinding", "bob-edits", "--clusterrole=edit", "--user=bob", "--as", "alice"]);
    assert!(
        stderr(&out).contains("rolebindings.rbac.authorization.k8s.io \"bob-edits\" is forbidden: user \"alice\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"bindings\"], Verbs:[\"get\" \"list\" \"watch\"]}\n{APIGroups:[\"\"], Resources:[\"configmaps\"]"),
        "{}",
        stderr(&out)
    );
    // The `bind` verb on a role lets its holder bind it without holding it.
    server.kubectl_ok(&[
        "create",
        "role",
        "binder",
        "--verb=bind",
        "--resource=clusterroles.rbac.authorization.k8s.io",
        "--resource-name=edit",
    ]);
    server.kubectl_ok(&["create", "rolebinding", "alice-binds", "--role=binder", "--user=alice"]);
    server.kubectl_ok(&["create", "rolebinding", "bob-edits", "--clusterrole=edit", "--user=bob", "--as", "alice"]);
    assert_eq!(server.kubectl_ok(&["auth", "can-i", "create", "deployments.apps", "--as", "bob"]).trim(), "yes");
}

#[test]
fn every_namespace_gets_the_default_service_account_and_the_root_ca() {
    let server = TestServer::start();
    server.kubectl_ok(&["create", "namespace", "fresh"]);
    let ca_pem = {
        let admin: Value =
            serde_json::from_str(&server.kubectl_ok(&["config", "view", "--raw", "-o", "json"])).unwrap();
        let data = admin["clusters"][0]["cluster"]["certificate-authority-data"].as_str().unwrap().to_string();
        String::from_utf8(B64.decode(data).unwrap()).unwrap()
    };
    assert!(
        eventually(Duration::from_secs(20), || {
            server.kubectl(&["get", "serviceaccount", "default", "-n", "fresh"]).status.success()
                && stdout(&server.kubectl(&[
                    "get",
                    "configmap",
                    "kube-root-ca.crt",
                    "-n",
                    "fresh",
                    "-o",
                    "jsonpath={.data.ca\\.crt}",
                ])) == ca_pem
        }),
        "{}",
        server.kubectl_ok(&["get", "serviceaccounts,configmaps", "-n", "fresh"])
    );
    // Deleted, they come back.
    server.kubectl_ok(&["delete", "serviceaccount", "default", "-n", "fresh"]);
    server.kubectl_ok(&["delete", "configmap", "kube-root-ca.crt", "-n", "fresh"]);
    assert!(eventually(Duration::from_secs(20), || {
        server.kubectl(&["get", "serviceaccount", "default", "-n", "fresh"]).status.success()
            && server.kubectl(&["get", "configmap", "kube-root-ca.crt", "-n", "fresh"]).status.success()
    }));

    // A pod runs as `default` with the projected token volume, unless it says no.
    server.kubectl_ok(&["run", "p", "-n", "fresh", "--image=busybox"]);
    let volumes: Value =
        serde_json::from_str(&server.kubectl_ok(&["get", "pod", "p", "-n", "fresh", "-o", "jsonpath={.spec.volumes}"]))
            .unwrap();
    let volume = &volumes[0];
    assert!(volume["name"].as_str().unwrap().starts_with("kube-api-access-"), "{volumes}");
    let sources = volume["projected"]["sources"].to_string();
    assert!(
        sources.contains("serviceAccountToken")
            && sources.contains("kube-root-ca.crt")
            && sources.contains("metadata.namespace")
    );
    let mount = server.kubectl_ok(&[
        "get",
        "pod",
        "p",
        "-n",
        "fresh",
        "-o",
        "jsonpath={.spec.containers[0].volumeMounts[0].mountPath}",
    ]);
    assert_eq!(mount, "/var/run/secrets/kubernetes.io/serviceaccount");
    server.kubectl_ok(&[
        "run",
        "q",
        "-n",
        "fresh",
        "--image=busybox",
        "--overrides",
        r#"{"spec":{"automountServiceAccountToken":false}}"#,
    ]);
    assert_eq!(server.kubectl_ok(&["get", "pod", "q", "-n", "fresh", "-o", "jsonpath={.spec.volumes}"]), "");
    let out = server.kubectl(&[
        "run",
        "r",
        "-n",
        "fresh",
        "--image=busybox",
        "--overrides",
        r#"{"spec":{"serviceAccountName":"ghost"}}"#,
    ]);
    assert!(
        stderr(&out).contains(
            "pods \"r\" is forbidden: error looking up service account fresh/ghost: serviceaccount \"ghost\" not found"
        ),
        "{}",
        stderr(&out)
    );
}
