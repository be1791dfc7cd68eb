//! RBAC, admission registration, API registration and flow-control objects against a real
//! `kctl server` through the real kubectl: the imperative `kubectl create` commands for
//! roles and bindings, apply of every kind, upstream's tables, 422s with upstream's
//! messages (a changed roleRef among them), and the objects the apiserver bootstraps —
//! default ClusterRoles and bindings, Local APIServices (and a CRD's, once established),
//! and the default FlowSchemas and PriorityLevelConfigurations.

mod support;

use std::time::Duration;

use support::{eventually, stderr, TestServer};

fn header(table: &str) -> Vec<String> {
    table.lines().next().unwrap_or("").split_whitespace().map(str::to_string).collect()
}

fn row<'a>(table: &'a str, name: &str) -> Option<Vec<&'a str>> {
    table.lines().map(|l| l.split_whitespace().collect::<Vec<_>>()).find(|cells| cells.first() == Some(&name))
}

#[test]
fn kubectl_create_roles_and_bindings_and_their_tables() {
    let server = TestServer::start();
    server.kubectl_ok(&["create", "role", "pod-reader", "--verb=get,list", "--resource=pods"]);
    server.kubectl_ok(&["create", "clusterrole", "deploy-reader", "--verb=get", "--resource=deployments.apps"]);
    server.kubectl_ok(&["create", "rolebinding", "read-pods", "--role=pod-reader", "--user=jane", "--group=devs"]);
    server.kubectl_ok(&[
        "create",
        "clusterrolebinding",
        "read-deploys",
        "--clusterrole=deploy-reader",
        "--serviceaccount=default:robot",
    ]);

    let rules = server.kubectl_ok(&["get", "role", "pod-reader", "-o", "jsonpath={.rules[0].verbs}"]);
    assert_eq!(rules, r#"["get","list"]"#);
    let roles = server.kubectl_ok(&["get", "roles"]);
    assert_eq!(header(&roles), ["NAME", "CREATED", "AT"]);
    let created = row(&roles, "pod-reader").expect("pod-reader row");
    assert!(created[1].ends_with('Z') && created[1].contains('T'), "{roles}");

    let bindings = server.kubectl_ok(&["get", "rolebindings", "-o", "wide"]);
    assert_eq!(header(&bindings), ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]);
    let binding = row(&bindings, "read-pods").expect("read-pods row");
    assert_eq!((binding[1], binding[3], binding[4]), ("Role/pod-reader", "jane", "devs"), "{bindings}");
    let cluster_bindings = server.kubectl_ok(&["get", "clusterrolebinding", "read-deploys", "-o", "wide"]);
    let binding = row(&cluster_bindings, "read-deploys").expect("read-deploys row");
    assert_eq!((binding[1], binding[3]), ("ClusterRole/deploy-reader", "default/robot"), "{cluster_bindings}");
    // Defaults: User and Group subjects name the RBAC group.
    let group = server.kubectl_ok(&["get", "rolebinding", "read-pods", "-o", "jsonpath={.subjects[0].apiGroup}"]);
    assert_eq!(group, "rbac.authorization.k8s.io");

    // A binding's roleRef may not change.
    let changed = server.kubectl(&[
        "patch",
        "rolebinding",
        "read-pods",
        "--type=merge",
        "-p",
        r#"{"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"}}"#,
    ]);
    assert!(!changed.status.success());
    assert!(
        stderr(&changed).contains(
            r#"roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"view"}: cannot change roleRef"#
        ),
        "{}",
        stderr(&changed)
    );
    // Subjects may.
    server.kubectl_ok(&[
        "patch",
        "rolebinding",
        "read-pods",
        "--type=merge",
        "-p",
        r#"{"subjects":[{"kind":"User","name":"joe","apiGroup":"rbac.authorization.k8s.io"}]}"#,
    ]);
}

#[test]
fn invalid_rbac_objects_are_refused_with_upstreams_messages() {
    let server = TestServer::start();
    let role = server.write(
        "role.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: bad\nrules:\n- nonResourceURLs: [\"/healthz\"]\n  verbs: []\n",
    );
    let refused = server.kubectl(&["apply", "-f", role.to_str().unwrap()]);
    assert!(!refused.status.success());
    let message = stderr(&refused);
    assert!(message.contains(r#"The Role "bad" is invalid"#), "{message}");
    assert!(message.contains("rules[0].verbs: Required value: verbs must contain at least one value"), "{message}");
    assert!(
        message.contains(r#"rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs"#),
        "{message}"
    );
    let binding = server.write(
        "crb.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: bad\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: x\nsubjects:\n- kind: ServiceAccount\n  name: default\n",
    );
    let refused = server.kubectl(&["apply", "-f", binding.to_str().unwrap()]);
    let message = stderr(&refused);
    assert!(
        message.contains(r#"roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole""#),
        "{message}"
    );
    assert!(message.contains("subjects[0].namespace: Required value"), "{message}");
}

#[test]
fn bootstrap_roles_api_services_and_flow_control_objects_are_listed() {
    let server = TestServer::start();
    let roles = server.kubectl_ok(&["get", "clusterroles"]);
    for name in ["cluster-admin", "admin", "edit", "view", "system:aggregate-to-edit", "system:discovery"] {
        assert!(row(&roles, name).is_some(), "{name} missing in {roles}");
    }
    // admin, edit and view carry their aggregated rules.
    let view = server.kubectl_ok(&["get", "clusterrole", "view", "-o", "json"]);
    let view: serde_json::Value = serde_json::from_str(&view).unwrap();
    assert_eq!(
        view["aggregationRule"]["clusterRoleSelectors"][0]["matchLabels"]
            ["rbac.authorization.k8s.io/aggregate-to-view"],
        "true"
    );
    assert_eq!(view["metadata"]["labels"]["rbac.authorization.k8s.io/aggregate-to-edit"], "true");
    assert!(view["rules"].as_array().is_some_and(|r| !r.is_empty()), "{view}");
    let binding = server.kubectl_ok(&["get", "clusterrolebinding", "cluster-admin", "-o", "wide"]);
    let cells = row(&binding, "cluster-admin").expect("cluster-admin binding");
    assert_eq!((cells[1], cells[3]), ("ClusterRole/cluster-admin", "system:masters"), "{binding}");

    let api_services = server.kubectl_ok(&["get", "apiservices"]);
    assert_eq!(header(&api_services), ["NAME", "SERVICE", "AVAILABLE", "AGE"]);
    for name in ["v1.", "v1.apps", "v2.autoscaling", "v1.rbac.authorization.k8s.io", "v1.flowcontrol.apiserver.k8s.io"]
    {
        let cells = row(&api_services, name).unwrap_or_else(|| panic!("{name} missing in {api_services}"));
        assert_eq!((cells[1], cells[2]), ("Local", "True"), "{api_services}");
    }
    let priority = server.kubectl_ok(&[
        "get",
        "apiservice",
        "v1.apps",
        "-o",
        "jsonpath={.spec.groupPriorityMinimum}/{.spec.versionPriority}",
    ]);
    assert_eq!(priority, "17800/15");

    let listed = server.kubectl_ok(&["get", "flowschemas,prioritylevelconfigurations"]);
    for name in [
        "flowschema.flowcontrol.apiserver.k8s.io/exempt",
        "flowschema.flowcontrol.apiserver.k8s.io/catch-all",
        "flowschema.flowcontrol.apiserver.k8s.io/system-leader-election",
        "flowschema.flowcontrol.apiserver.k8s.io/global-default",
        "prioritylevelconfiguration.flowcontrol.apiserver.k8s.io/exempt",
        "prioritylevelconfiguration.flowcontrol.apiserver.k8s.io/workload-low",
    ] {
        assert!(row(&listed, name).is_some(), "{name} missing in {listed}");
    }
    let schemas = server.kubectl_ok(&["get", "flowschemas"]);
    assert_eq!(
        header(&schemas),
        ["NAME", "PRIORITYLEVEL", "MATCHINGPRECEDENCE", "DISTINGUISHERMETHOD", "AGE", "MISSINGPL"]
    );
    assert_eq!(schemas.lines().count(), 14, "{schemas}");
    // Listed by matching precedence, as upstream's list printer sorts them.
    let order: Vec<&str> = schemas.lines().skip(1).filter_map(|l| l.split_whitespace().next()).collect();
    assert_eq!(order[..3], ["exempt", "probes", "system-leader-election"], "{schemas}");
    assert_eq!(order.last(), Some(&"catch-all"), "{schemas}");
    let probes = row(&schemas, "probes").expect("probes");
    assert_eq!((probes[1], probes[2], probes[3], probes[5]), ("exempt", "2", "<none>", "False"), "{schemas}");
    let levels = server.kubectl_ok(&["get", "prioritylevelconfigurations"]);
    assert_eq!(
        header(&levels),
        ["NAME", "TYPE", "NOMINALCONCURRENCYSHARES", "QUEUES", "HANDSIZE", "QUEUELENGTHLIMIT", "AGE"]
    );
    assert_eq!(&row(&levels, "workload-high").expect("workload-high")[1..6], ["Limited", "40", "128", "6", "50"]);
    assert_eq!(&row(&levels, "exempt").expect("exempt")[1..6], ["Exempt", "<none>", "<none>", "<none>", "<none>"]);
    let annotation = server.kubectl_ok(&[
        "get",
        "flowschema",
        "catch-all",
        "-o",
        r"jsonpath={.metadata.annotations.apf\.kubernetes\.io/autoupdate-spec}",
    ]);
    assert_eq!(annotation, "true");
}

#[test]
fn a_crds_group_version_gets_an_api_service_until_the_crd_goes() {
    let server = TestServer::start();
    let crd = format!("{}/testdata/crd/crontab-crd.yaml", env!("CARGO_MANIFEST_DIR"));
    server.kubectl_ok(&["apply", "-f", &crd]);
    let registered = || {
        let listed = server.kubectl_ok(&["get", "apiservices"]);
        row(&listed, "v1.stable.example.com").map(|cells| (cells[1].to_string(), cells[2].to_string()))
    };
    assert!(
        eventually(Duration::from_secs(10), || registered() == Some(("Local".into(), "True".into()))),
        "{:?}",
        registered()
    );
    let priority = server.kubectl_ok(&[
        "get",
        "apiservice",
        "v1.stable.example.com",
        "-o",
        "jsonpath={.spec.groupPriorityMinimum}/{.spec.versionPriority}",
    ]);
    assert_eq!(priority, "1000/100");
    server.kubectl_ok(&["delete", "-f", &crd]);
    assert!(eventually(Duration::from_secs(15), || registered().is_none()), "{:?}", registered());
}

#[test]
fn admission_and_flow_control_kinds_apply_with_defaults_and_tables() {
    let server = TestServer::start();
    let dir = format!("{}/testdata/kinds", env!("CARGO_MANIFEST_DIR"));
    for kind in [
        "mutatingwebhookconfigurations.admissionregistration.k8s.io",
        "validatingwebhookconfigurations.admissionregistration.k8s.io",
        "validatingadmissionpolicies.admissionregistration.k8s.io",
        "validatingadmissionpolicybindings.admissionregistration.k8s.io",
        "apiservices.apiregistration.k8s.io",
        "flowschemas.flowcontrol.apiserver.k8s.io",
        "prioritylevelconfigurations.flowcontrol.apiserver.k8s.io",
        "roles.rbac.authorization.k8s.io",
        "clusterroles.rbac.authorization.k8s.io",
        "rolebindings.rbac.authorization.k8s.io",
        "clusterrolebindings.rbac.authorization.k8s.io",
    ] {
        let text = std::fs::read_to_string(format!("{dir}/{kind}.yaml")).expect("sample");
        let (valid, invalid) = text.split_once("\n---\n").expect("two documents");
        let expect = valid.lines().find_map(|l| l.strip_prefix("# expect: ")).expect("expect line");
        let valid_file = server.write(&format!("{kind}-valid.yaml"), valid);
        server.kubectl_ok(&["apply", "-f", valid_file.to_str().unwrap()]);
        let invalid_file = server.write(&format!("{kind}-invalid.yaml"), invalid);
        let refused = server.kubectl(&["apply", "-f", invalid_file.to_str().unwrap()]);
        assert!(!refused.status.success(), "{kind}: invalid sample accepted");
        assert!(stderr(&refused).contains("is invalid"), "{kind}: {}", stderr(&refused));
        assert!(stderr(&refused).contains(expect), "{kind}: {expect:?} not in {}", stderr(&refused));
    }
    let hook = server.kubectl_ok(&[
        "get",
        "mutatingwebhookconfiguration",
        "sample",
        "-o",
        "jsonpath={.webhooks[0].failurePolicy}/{.webhooks[0].matchPolicy}/{.webhooks[0].timeoutSeconds}/{.webhooks[0].reinvocationPolicy}/{.webhooks[0].rules[0].scope}/{.webhooks[0].clientConfig.service.port}",
    ]);
    assert_eq!(hook, "Fail/Equivalent/10/Never/*/443");
    let hooks = server.kubectl_ok(&["get", "validatingwebhookconfigurations"]);
    assert_eq!(header(&hooks), ["NAME", "WEBHOOKS", "AGE"]);
    assert_eq!(row(&hooks, "sample").expect("sample")[1], "1");
    let policies = server.kubectl_ok(&["get", "validatingadmissionpolicies"]);
    assert_eq!(header(&policies), ["NAME", "VALIDATIONS", "PARAMKIND", "AGE"]);
    assert_eq!(&row(&policies, "sample").expect("sample")[1..3], ["1", "<unset>"]);
    let bindings = server.kubectl_ok(&["get", "validatingadmissionpolicybindings"]);
    assert_eq!(header(&bindings), ["NAME", "POLICYNAME", "PARAMREF", "AGE"]);
    assert_eq!(&row(&bindings, "sample").expect("sample")[1..3], ["sample", "<unset>"]);
    let api_services = server.kubectl_ok(&["get", "apiservices"]);
    let remote = row(&api_services, "v1alpha1.sample.example.com").expect("sample apiservice");
    assert_eq!((remote[1], remote[2]), ("default/sample-api", "Unknown"), "{api_services}");
    let level = server.kubectl_ok(&[
        "get",
        "prioritylevelconfiguration",
        "sample",
        "-o",
        "jsonpath={.spec.limited.lendablePercent}",
    ]);
    assert_eq!(level, "0");
    let schemas = server.kubectl_ok(&["get", "flowschema", "sample"]);
    assert_eq!(&row(&schemas, "sample").expect("sample")[1..4], ["workload-low", "5000", "ByUser"]);
}

#[test]
fn labelled_cluster_roles_are_aggregated_into_view() {
    let server = TestServer::start();
    let role = server.write(
        "crontab-reader.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: crontab-reader\n  labels:\n    rbac.authorization.k8s.io/aggregate-to-view: \"true\"\nrules:\n- apiGroups: [\"stable.example.com\"]\n  resources: [\"crontabs\"]\n  verbs: [\"get\", \"list\", \"watch\"]\n",
    );
    server.kubectl_ok(&["apply", "-f", role.to_str().unwrap()]);
    let aggregated = |name: &str| {
        server.kubectl_ok(&["get", "clusterrole", name, "-o", "jsonpath={.rules[*].resources}"]).contains("crontabs")
    };
    // view aggregates it, and edit and admin aggregate view.
    assert!(eventually(Duration::from_secs(10), || aggregated("view") && aggregated("edit") && aggregated("admin")));
    server.kubectl_ok(&["delete", "clusterrole", "crontab-reader"]);
    assert!(eventually(Duration::from_secs(10), || !aggregated("view") && !aggregated("admin")));
}
