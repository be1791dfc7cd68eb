//! Every built-in resource of Kubernetes 1.32, walked through a real `kctl server` with the
//! real kubectl: discovery lists each with upstream's short names, verbs and categories
//! (`kubectl api-resources -o wide` and `api-versions` compared with an upstream cluster's),
//! and each resource's sample in `testdata/kinds/` goes through create → get → table →
//! merge, strategic and server-side apply patches → watch → delete, while its invalid
//! sample gets upstream's 422. Reviews answer a create with their status; component
//! statuses are listed.

mod support;

use std::io::BufReader;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;
use support::{stderr, stdout, TestServer};

/// `kubectl api-resources -o wide` of an upstream 1.32 cluster: name, short names,
/// apiVersion, namespaced, kind, verbs, categories.
const UPSTREAM_API_RESOURCES: &[(&str, &str, &str, bool, &str, &str, &str)] = &[
    ("bindings", "", "v1", true, "Binding", CREATE, ""),
    ("componentstatuses", "cs", "v1", false, "ComponentStatus", "get,list", ""),
    ("configmaps", "cm", "v1", true, "ConfigMap", ALL_VERBS, ""),
    ("endpoints", "ep", "v1", true, "Endpoints", ALL_VERBS, ""),
    ("events", "ev", "v1", true, "Event", ALL_VERBS, ""),
    ("limitranges", "limits", "v1", true, "LimitRange", ALL_VERBS, ""),
    ("namespaces", "ns", "v1", false, "Namespace", "create,delete,get,list,patch,update,watch", ""),
    ("nodes", "no", "v1", false, "Node", ALL_VERBS, ""),
    ("persistentvolumeclaims", "pvc", "v1", true, "PersistentVolumeClaim", ALL_VERBS, ""),
    ("persistentvolumes", "pv", "v1", false, "PersistentVolume", ALL_VERBS, ""),
    ("pods", "po", "v1", true, "Pod", ALL_VERBS, "all"),
    ("podtemplates", "", "v1", true, "PodTemplate", ALL_VERBS, ""),
    ("replicationcontrollers", "rc", "v1", true, "ReplicationController", ALL_VERBS, "all"),
    ("resourcequotas", "quota", "v1", true, "ResourceQuota", ALL_VERBS, ""),
    ("secrets", "", "v1", true, "Secret", ALL_VERBS, ""),
    ("serviceaccounts", "sa", "v1", true, "ServiceAccount", ALL_VERBS, ""),
    ("services", "svc", "v1", true, "Service", ALL_VERBS, "all"),
    (
        "mutatingwebhookconfigurations",
        "",
        "admissionregistration.k8s.io/v1",
        false,
        "MutatingWebhookConfiguration",
        ALL_VERBS,
        "api-extensions",
    ),
    (
        "validatingadmissionpolicies",
        "",
        "admissionregistration.k8s.io/v1",
        false,
        "ValidatingAdmissionPolicy",
        ALL_VERBS,
        "api-extensions",
    ),
    (
        "validatingadmissionpolicybindings",
        "",
        "admissionregistration.k8s.io/v1",
        false,
        "ValidatingAdmissionPolicyBinding",
        ALL_VERBS,
        "api-extensions",
    ),
    (
        "validatingwebhookconfigurations",
        "",
        "admissionregistration.k8s.io/v1",
        false,
        "ValidatingWebhookConfiguration",
        ALL_VERBS,
        "api-extensions",
    ),
    (
        "customresourcedefinitions",
        "crd,crds",
        "apiextensions.k8s.io/v1",
        false,
        "CustomResourceDefinition",
        ALL_VERBS,
        "api-extensions",
    ),
    ("apiservices", "", "apiregistration.k8s.io/v1", false, "APIService", ALL_VERBS, "api-extensions"),
    ("controllerrevisions", "", "apps/v1", true, "ControllerRevision", ALL_VERBS, ""),
    ("daemonsets", "ds", "apps/v1", true, "DaemonSet", ALL_VERBS, "all"),
    ("deployments", "deploy", "apps/v1", true, "Deployment", ALL_VERBS, "all"),
    ("replicasets", "rs", "apps/v1", true, "ReplicaSet", ALL_VERBS, "all"),
    ("statefulsets", "sts", "apps/v1", true, "StatefulSet", ALL_VERBS, "all"),
    ("selfsubjectreviews", "", "authentication.k8s.io/v1", false, "SelfSubjectReview", CREATE, ""),
    ("tokenreviews", "", "authentication.k8s.io/v1", false, "TokenReview", CREATE, ""),
    ("localsubjectaccessreviews", "", "authorization.k8s.io/v1", true, "LocalSubjectAccessReview", CREATE, ""),
    ("selfsubjectaccessreviews", "", "authorization.k8s.io/v1", false, "SelfSubjectAccessReview", CREATE, ""),
    ("selfsubjectrulesreviews", "", "authorization.k8s.io/v1", false, "SelfSubjectRulesReview", CREATE, ""),
    ("subjectaccessreviews", "", "authorization.k8s.io/v1", false, "SubjectAccessReview", CREATE, ""),
    ("horizontalpodautoscalers", "hpa", "autoscaling/v2", true, "HorizontalPodAutoscaler", ALL_VERBS, "all"),
    ("cronjobs", "cj", "batch/v1", true, "CronJob", ALL_VERBS, "all"),
    ("jobs", "", "batch/v1", true, "Job", ALL_VERBS, "all"),
    ("certificatesigningrequests", "csr", "certificates.k8s.io/v1", false, "CertificateSigningRequest", ALL_VERBS, ""),
    ("leases", "", "coordination.k8s.io/v1", true, "Lease", ALL_VERBS, ""),
    ("endpointslices", "", "discovery.k8s.io/v1", true, "EndpointSlice", ALL_VERBS, ""),
    ("events", "ev", "events.k8s.io/v1", true, "Event", ALL_VERBS, ""),
    ("flowschemas", "", "flowcontrol.apiserver.k8s.io/v1", false, "FlowSchema", ALL_VERBS, ""),
    (
        "prioritylevelconfigurations",
        "",
        "flowcontrol.apiserver.k8s.io/v1",
        false,
        "PriorityLevelConfiguration",
        ALL_VERBS,
        "",
    ),
    ("ingressclasses", "", "networking.k8s.io/v1", false, "IngressClass", ALL_VERBS, ""),
    ("ingresses", "ing", "networking.k8s.io/v1", true, "Ingress", ALL_VERBS, ""),
    ("networkpolicies", "netpol", "networking.k8s.io/v1", true, "NetworkPolicy", ALL_VERBS, ""),
    ("runtimeclasses", "", "node.k8s.io/v1", false, "RuntimeClass", ALL_VERBS, ""),
    ("poddisruptionbudgets", "pdb", "policy/v1", true, "PodDisruptionBudget", ALL_VERBS, ""),
    ("clusterrolebindings", "", "rbac.authorization.k8s.io/v1", false, "ClusterRoleBinding", ALL_VERBS, ""),
    ("clusterroles", "", "rbac.authorization.k8s.io/v1", false, "ClusterRole", ALL_VERBS, ""),
    ("rolebindings", "", "rbac.authorization.k8s.io/v1", true, "RoleBinding", ALL_VERBS, ""),
    ("roles", "", "rbac.authorization.k8s.io/v1", true, "Role", ALL_VERBS, ""),
    ("priorityclasses", "pc", "scheduling.k8s.io/v1", false, "PriorityClass", ALL_VERBS, ""),
    ("csidrivers", "", "storage.k8s.io/v1", false, "CSIDriver", ALL_VERBS, ""),
    ("csinodes", "", "storage.k8s.io/v1", false, "CSINode", ALL_VERBS, ""),
    ("csistoragecapacities", "", "storage.k8s.io/v1", true, "CSIStorageCapacity", ALL_VERBS, ""),
    ("storageclasses", "sc", "storage.k8s.io/v1", false, "StorageClass", ALL_VERBS, ""),
    ("volumeattachments", "", "storage.k8s.io/v1", false, "VolumeAttachment", ALL_VERBS, ""),
];

const ALL_VERBS: &str = "create,delete,deletecollection,get,list,patch,update,watch";
const CREATE: &str = "create";

/// The group-versions an upstream 1.32 cluster serves (`kubectl api-versions`).
const UPSTREAM_API_VERSIONS: &[&str] = &[
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
    "v1",
];

const NAMESPACE: &str = "every-kind";

/// The words of a row, empty cells left out (as a whitespace split of kubectl's line reads it).
fn row_words(row: &(&str, &str, &str, bool, &str, &str, &str)) -> Vec<String> {
    let namespaced = row.3.to_string();
    [row.0, row.1, row.2, namespaced.as_str(), row.4, row.5, row.6]
        .iter()
        .filter(|cell| !cell.is_empty())
        .map(|cell| cell.to_string())
        .collect()
}

#[test]
fn discovery_lists_upstreams_resources_and_versions() {
    let server = TestServer::start();
    let wide = server.kubectl_ok(&["api-resources", "-o", "wide", "--no-headers"]);
    let mut served: Vec<Vec<String>> =
        wide.lines().map(|line| line.split_whitespace().map(str::to_string).collect()).collect();
    // kubectl prints verbs and categories in brackets, space-separated.
    for words in &mut served {
        let line = words.join(" ");
        let bracketed: Vec<String> = line
            .split('[')
            .enumerate()
            .map(|(i, part)| if i == 0 { part.to_string() } else { part.replacen(']', "", 1).replace(' ', ",") })
            .collect();
        *words = bracketed.concat().split_whitespace().map(str::to_string).collect();
    }
    let mut expected: Vec<Vec<String>> = UPSTREAM_API_RESOURCES.iter().map(row_words).collect();
    served.sort();
    expected.sort();
    let missing: Vec<_> = expected.iter().filter(|row| !served.contains(row)).collect();
    let extra: Vec<_> = served.iter().filter(|row| !expected.contains(row)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing {missing:#?}\nextra {extra:#?}\nkubectl printed:\n{wide}");

    let versions = server.kubectl_ok(&["api-versions"]);
    assert_eq!(versions.lines().collect::<Vec<_>>(), UPSTREAM_API_VERSIONS);
    // The preferred version of autoscaling is v2, as upstream.
    let autoscaling: Value = serde_json::from_str(&server.kubectl_ok(&["get", "--raw", "/apis/autoscaling"])).unwrap();
    assert_eq!(autoscaling["preferredVersion"]["version"], "v2");
    // Legacy discovery agrees with the aggregated one kubectl read.
    let core: Value = serde_json::from_str(&server.kubectl_ok(&["get", "--raw", "/api/v1"])).unwrap();
    let namespaces = core["resources"].as_array().unwrap().iter().find(|r| r["name"] == "namespaces").unwrap();
    assert_eq!(namespaces["verbs"], serde_json::json!(["create", "delete", "get", "list", "patch", "update", "watch"]));
}

/// A resource's sample: the valid object, and the invalid one with the message its 422
/// must hold (none for the reviews upstream answers a bad request with 400).
struct Sample {
    valid: Value,
    invalid: Option<(Value, String)>,
}

fn sample_path(plural: &str, api_version: &str, preferred: bool) -> PathBuf {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let qualified = if group.is_empty() { plural.to_string() } else { format!("{plural}.{group}") };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/kinds");
    match preferred {
        true => dir.join(format!("{qualified}.yaml")),
        false => dir.join(format!("{qualified}@{version}.yaml")),
    }
}

fn read_sample(path: &PathBuf) -> Result<Sample, String> {
    let text = std::fs::read_to_string(path).map_err(|err| format!("no sample {}: {err}", path.display()))?;
    let expect = text.lines().find_map(|line| line.strip_prefix("# expect: ")).map(str::to_string);
    let mut documents = text.split("\n---\n");
    let mut next = |which: &str| -> Result<Value, String> {
        let document = documents.next().ok_or_else(|| format!("{}: no {which} document", path.display()))?;
        serde_yaml::from_str(document).map_err(|err| format!("{}: {which} document: {err}", path.display()))
    };
    let valid = next("valid")?;
    let invalid = match expect {
        Some(expect) => Some((next("invalid")?, expect)),
        None => None,
    };
    Ok(Sample { valid, invalid })
}

/// `plural.version.group` (or `plural` for the core group): what kubectl addresses the resource by.
fn kubectl_resource(plural: &str, api_version: &str) -> String {
    match api_version.rsplit_once('/') {
        Some((group, version)) => format!("{plural}.{version}.{group}"),
        None => plural.to_string(),
    }
}

/// Runs kubectl, returning stdout or a failure description.
fn kubectl(server: &TestServer, args: &[&str]) -> Result<String, String> {
    let output = server.kubectl(args);
    match output.status.success() {
        true => Ok(stdout(&output)),
        false => Err(format!("kubectl {}: {}{}", args.join(" "), stdout(&output), stderr(&output))),
    }
}

/// A `kubectl get --watch --output-watch-events -o json` of one resource: its events as
/// they arrive. The child is killed on drop.
struct Watch {
    child: std::process::Child,
    events: mpsc::Receiver<Value>,
}

impl Watch {
    fn start(server: &TestServer, resource: &str) -> Watch {
        let mut child = Command::new("kubectl")
            .args(["get", resource, "-n", NAMESPACE, "--watch", "--output-watch-events", "-o", "json"])
            .env("KUBECONFIG", &server.kubeconfig)
            .env("HOME", server.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("run kubectl --watch");
        let out = child.stdout.take().expect("watch stdout");
        let (sender, events) = mpsc::channel();
        std::thread::spawn(move || {
            for event in serde_json::Deserializer::from_reader(BufReader::new(out)).into_iter::<Value>() {
                let Ok(event) = event else { return };
                if sender.send(event).is_err() {
                    return;
                }
            }
        });
        Watch { child, events }
    }

    /// Waits (bounded) for an event of `kind` about `name` for which `check` holds.
    fn wait_for(&self, kind: &str, name: &str, check: impl Fn(&Value) -> bool) -> Result<(), String> {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) if event["type"] == kind && event["object"]["metadata"]["name"] == name && check(&event) => {
                    return Ok(())
                }
                Ok(_) => continue,
                Err(_) => return Err(format!("no {kind} watch event for {name}")),
            }
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The invalid sample is refused with a 422 naming upstream's cause.
fn refuses_invalid(server: &TestServer, sample: &Sample, file: &str, namespace: &str) -> Result<(), String> {
    let Some((invalid, expect)) = &sample.invalid else { return Ok(()) };
    let path = server.write(file, &serde_json::to_string(invalid).unwrap_or_default());
    let output = server.kubectl(&["create", "-n", namespace, "-f", &path.to_string_lossy()]);
    let err = stderr(&output);
    if output.status.success() || !err.contains("is invalid") || !err.contains(expect.as_str()) {
        return Err(format!("invalid sample {file}: expected 422 with {expect:?}, kubectl said: {err}"));
    }
    Ok(())
}

/// create → get → table → patches → watch → delete of a stored resource's sample.
fn walk_stored(server: &TestServer, resource: &str, sample: &Sample, file: &str) -> Result<(), String> {
    let name = sample.valid["metadata"]["name"].as_str().ok_or("sample without a name")?.to_string();
    let path = server.write(file, &serde_json::to_string(&sample.valid).unwrap_or_default());
    let path = path.to_string_lossy().to_string();
    kubectl(server, &["create", "-n", NAMESPACE, "-f", &path])?;
    let got: Value = serde_json::from_str(&kubectl(server, &["get", resource, &name, "-n", NAMESPACE, "-o", "json"])?)
        .map_err(|err| format!("get {resource} -o json: {err}"))?;
    if got["apiVersion"] != sample.valid["apiVersion"] || got["kind"] != sample.valid["kind"] {
        return Err(format!("get {resource} answered {} {}", got["apiVersion"], got["kind"]));
    }
    // Events print no NAME column: the table is its header and the object's row.
    let table = kubectl(server, &["get", resource, &name, "-n", NAMESPACE])?;
    let row = table.lines().nth(1).unwrap_or_default();
    if table.lines().count() != 2 || !(row.contains(&name) || resource.starts_with("events")) {
        return Err(format!("get {resource} table:\n{table}"));
    }
    let watch = Watch::start(server, resource);
    watch.wait_for("ADDED", &name, |_| true)?;
    kubectl(
        server,
        &[
            "patch",
            resource,
            &name,
            "-n",
            NAMESPACE,
            "--type",
            "merge",
            "-p",
            r#"{"metadata":{"labels":{"walk":"merge"}}}"#,
        ],
    )?;
    watch.wait_for("MODIFIED", &name, |e| e["object"]["metadata"]["labels"]["walk"] == "merge")?;
    kubectl(
        server,
        &[
            "patch",
            resource,
            &name,
            "-n",
            NAMESPACE,
            "--type",
            "strategic",
            "-p",
            r#"{"metadata":{"labels":{"walk":"strategic"}}}"#,
        ],
    )?;
    let mut applied = sample.valid.clone();
    applied["metadata"]["labels"]["applied"] = Value::String("yes".into());
    let applied_path = server.write(&format!("applied-{file}"), &serde_json::to_string(&applied).unwrap_or_default());
    kubectl(
        server,
        &["apply", "--server-side", "--force-conflicts", "-n", NAMESPACE, "-f", &applied_path.to_string_lossy()],
    )?;
    let labels = kubectl(server, &["get", resource, &name, "-n", NAMESPACE, "-o", "jsonpath={.metadata.labels}"])?;
    if !labels.contains(r#""walk":"strategic""#) || !labels.contains(r#""applied":"yes""#) {
        return Err(format!("{resource} labels after the patches: {labels}"));
    }
    kubectl(server, &["delete", resource, &name, "-n", NAMESPACE, "--timeout=60s"])?;
    watch.wait_for("DELETED", &name, |_| true)?;
    Ok(())
}

/// A review answers its create with the request and a status, and stores nothing. (Reviews
/// are asked in `default`: a local review names its namespace in its spec.)
fn walk_review(server: &TestServer, sample: &Sample, file: &str) -> Result<(), String> {
    let path = server.write(file, &serde_json::to_string(&sample.valid).unwrap_or_default());
    let answer: Value =
        serde_json::from_str(&kubectl(server, &["create", "-f", &path.to_string_lossy(), "-o", "json"])?)
            .map_err(|err| format!("{file}: answer is not JSON: {err}"))?;
    if !answer["status"].is_object() || answer["kind"] != sample.valid["kind"] {
        return Err(format!("{file}: review answered {answer}"));
    }
    Ok(())
}

fn walk(server: &TestServer, row: &(&str, &str, &str, bool, &str, &str, &str), preferred: bool) -> Result<(), String> {
    let (plural, api_version, verbs) = (row.0, row.2, row.5);
    let resource = kubectl_resource(plural, api_version);
    let file = format!("{resource}.json");
    if verbs == "get,list" {
        return kubectl(server, &["get", &resource]).map(|_| ());
    }
    if plural == "bindings" {
        return Ok(()); // needs a pod and a node: tests/api_core_kinds.rs binds one
    }
    let sample = read_sample(&sample_path(plural, api_version, preferred))?;
    let invalid = format!("invalid-{file}");
    if verbs == CREATE {
        walk_review(server, &sample, &file)?;
        refuses_invalid(server, &sample, &invalid, "default")
    } else {
        walk_stored(server, &resource, &sample, &file)?;
        refuses_invalid(server, &sample, &invalid, NAMESPACE)
    }
}

#[test]
fn every_resource_walks_through_its_verbs() {
    let server = TestServer::start();
    server.kubectl_ok(&["create", "namespace", NAMESPACE]);
    // autoscaling/v1 is served besides the preferred v2 listed by api-resources.
    let mut rows: Vec<((&str, &str, &str, bool, &str, &str, &str), bool)> =
        UPSTREAM_API_RESOURCES.iter().map(|row| (*row, true)).collect();
    rows.push((
        ("horizontalpodautoscalers", "hpa", "autoscaling/v1", true, "HorizontalPodAutoscaler", ALL_VERBS, "all"),
        false,
    ));
    // Three walkers; the two versions of a resource share a name, so they walk in one.
    let mut buckets: Vec<Vec<_>> = vec![Vec::new(), Vec::new(), Vec::new()];
    for (row, preferred) in rows {
        let bucket = row.0.len() % buckets.len();
        buckets[bucket].push((row, preferred));
    }
    let failures: Vec<String> = std::thread::scope(|scope| {
        let walkers: Vec<_> = buckets
            .iter()
            .map(|bucket| {
                let server = &server;
                scope.spawn(move || {
                    bucket
                        .iter()
                        .filter_map(|(row, preferred)| {
                            walk(server, row, *preferred).err().map(|err| format!("{} {}: {err}", row.2, row.0))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        walkers
            .into_iter()
            .flat_map(|walker| walker.join().unwrap_or_else(|_| vec!["a walker panicked".into()]))
            .collect()
    });
    assert!(failures.is_empty(), "{} resources failed:\n{}", failures.len(), failures.join("\n"));
}
