//! Each kind's rules as one value, as upstream's `rest.Strategy` (`pkg/registry/core/pod/strategy.go`):
//! a [`Strategy`] says what a create and an update do to the kind's objects — its defaults, the
//! status a new object starts with, whether `metadata.generation` counts spec changes, what an
//! update keeps of the stored object, the name rule, `Validate` and `ValidateUpdate` — which
//! fields lists and watches may select on (its field set), and its table printer. Every registry
//! entry points to its kind's strategy ([`ResourceInfo::strategy`]), and the apiserver calls
//! `resource.strategy.prepare_for_create(…)`, `.validate(…)` and the rest without naming kinds.
//! Objects are JSON from users: every field may be missing or of the wrong type, so defaulters
//! skip what they cannot interpret and validators report it as a cause.
//!
//! The kinds' strategies live with their rules, by family: `pod`, `workloads` (apps/v1 and
//! ReplicationControllers), `batch` (Jobs, CronJobs), `service`, `core` (Namespace, Node, Events,
//! Secret, ConfigMap, Endpoints, ServiceAccount), `coordination` (Lease) and `apiextensions` (the
//! CustomResourceDefinition kind). What they share: `field` (causes and Go renderings), `names`
//! (DNS/label string checks), `meta` (ObjectMeta), `selector` (LabelSelector), `resources`
//! (quantities, requests vs limits), `update` (the status and generation bookkeeping of creates
//! and updates). Custom resources take [`Strategy::DEFAULT`]: their schema-driven pruning,
//! defaulting and validation are the apiserver's `crd` module, and their printer columns and
//! selectable fields come from their definition ([`super::CustomResource`]).
//!
//! # Adding a kind
//!
//! 1. In its family's module (a new file for a new API group), write its rules as functions over
//!    JSON (`fn default_x(&mut Value)`, `fn validate_x(&mut Errs, &Value)`, an update check if
//!    upstream has one) and declare its strategy as a static that names what differs from the
//!    default (each of [`Strategy`]'s fields says what it is for), with its printer from
//!    [`super::tables`]:
//!
//!    ```ignore
//!    pub(crate) static INGRESS: Strategy = Strategy {
//!        defaulter: default_ingress,
//!        validator: validate_ingress,
//!        printer: &tables::more_kinds::INGRESS,
//!        ..Strategy::DEFAULT
//!    };
//!    ```
//! 2. Add its entry to [`RESOURCES`](super::RESOURCES) with `strategy: &strategy::networking::INGRESS`.
//!
//! Nothing else names the kind; the tests that run every registered strategy over hostile input
//! and print every registered kind's table pick it up.

pub(crate) mod admissionregistration;
pub(crate) mod apiextensions;
pub(crate) mod apiregistration;
pub(crate) mod autoscaling;
pub(crate) mod batch;
pub(crate) mod certificates;
pub(crate) mod coordination;
pub(crate) mod core;
pub(crate) mod discovery;
pub(crate) mod field;
pub(crate) mod flowcontrol;
mod meta;
pub(crate) mod networking;
pub(crate) mod node;
pub(crate) mod pod;
pub(crate) mod policy;
pub(crate) mod quota;
pub(crate) mod rbac;
mod resources;
pub(crate) mod reviews;
pub(crate) mod scheduling;
pub(crate) mod selectable;
mod selector;
pub(crate) mod service;
pub(crate) mod storage;
mod update;
pub(crate) mod volumes;
pub(crate) mod workloads;

use serde_json::{Map, Value};

use super::tables::{self, Printer};
use super::ResourceInfo;
use crate::machinery::validation::NameRule;
use field::Errs;
pub use selectable::{FieldSet, SelectableField};

/// One reason an object is invalid, as upstream's `StatusCause`: `reason` is
/// `FieldValueInvalid`, `FieldValueRequired`, `FieldValueNotSupported`, `FieldValueDuplicate`,
/// `FieldValueForbidden` or `FieldValueTooLong`; `field` is the path (`spec.template.metadata.labels`);
/// `message` is the text after the field (`Invalid value: "x": must be ...`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Cause {
    pub reason: String,
    pub message: String,
    pub field: String,
}

/// A kind's rules: what creates and updates do to its objects beyond what every object gets
/// (identity, timestamps, the ObjectMeta checks), the fields that select it, and its table.
/// Kinds declare theirs as statics from [`Strategy::DEFAULT`]; the methods are the entry points.
pub struct Strategy {
    /// Upstream's defaulting (`SetDefaults_*`, and the admission defaults kctl applies with
    /// them), on every create and update; idempotent.
    defaulter: fn(&mut Value),
    /// The status a new object starts with.
    initial_status: InitialStatus,
    /// Whether `metadata.generation` counts changes of the spec (1 on create).
    tracks_generation: bool,
    /// What an update keeps of the stored object besides its status (a Namespace's finalizers).
    keep_on_update: fn(&mut Map<String, Value>, &Value),
    /// How `metadata.name` is checked.
    name_rule: NameRule,
    /// Upstream's `Validate`: the checks of a new object beyond its ObjectMeta.
    validator: fn(&mut Errs, &Value),
    /// Upstream's `ValidateUpdate` beyond ObjectMeta's; `None` checks the new object as on create.
    update_validator: Option<fn(&mut Errs, &Value, &Value)>,
    /// The fields lists and watches may select on and how each is read (upstream's field set
    /// and field label conversion).
    fields: FieldSet,
    /// Its table's columns and cells.
    printer: &'static Printer,
    /// How objects of a kind served in several versions are stored; `None`: as served.
    conversion: Option<&'static Conversion>,
}

/// How a kind served in more than one version (HorizontalPodAutoscaler in autoscaling/v1 and
/// v2) is stored: in one version, converted on every write and read, as upstream's conversion
/// functions do through its internal version. Both functions take the object with its
/// `apiVersion` already set to the version they convert to.
pub struct Conversion {
    /// The `apiVersion` objects are stored in.
    pub storage_api_version: &'static str,
    /// From the served `version` (the object's own) into the storage version.
    pub to_storage: fn(version: &str, &mut Value),
    /// From the storage version into the served `version`.
    pub from_storage: fn(version: &str, &mut Value),
}

/// The `status` a new object gets (upstream's `PrepareForCreate`).
#[derive(Clone, Copy)]
enum InitialStatus {
    /// Empty when the resource has a `/status` subresource (its controllers write it there),
    /// as sent otherwise.
    Cleared,
    /// As sent (a kubelet registers its Node with the node's status).
    AsSent,
    /// Computed from the new object, before its defaults.
    From(fn(&Value) -> Value),
}

impl Strategy {
    /// No rules: no defaults, status cleared on create where `/status` writes it, RFC 1123
    /// subdomain names, no checks beyond ObjectMeta, selectable by name and namespace only, and
    /// the NAME and AGE columns. Kinds name what differs: `Strategy { validator: …, ..Strategy::DEFAULT }`.
    pub(crate) const DEFAULT: Strategy = Strategy {
        defaulter: |_| {},
        initial_status: InitialStatus::Cleared,
        tracks_generation: false,
        keep_on_update: |_, _| {},
        name_rule: NameRule::Subdomain,
        validator: |_, _| {},
        update_validator: None,
        fields: FieldSet::METADATA,
        printer: &tables::NAME_AND_AGE,
        conversion: None,
    };

    /// Fills in the kind's defaults (a generation-tracking kind's generation starts at 1 here
    /// too, for callers that default without preparing a create).
    pub fn default(&self, object: &mut Value) {
        (self.defaulter)(object);
        if self.tracks_generation {
            update::default_generation(object);
        }
    }

    /// Upstream's `PrepareForCreate`, after the defaults decoding applies: the initial status,
    /// the defaults, and `metadata.generation` 1 for the kinds that count it. Before [`Strategy::validate`].
    pub fn prepare_for_create(&self, resource: &ResourceInfo, object: &mut Value) {
        let status = match self.initial_status {
            InitialStatus::Cleared if resource.has_subresource("status") => Some(Value::Object(Map::new())),
            InitialStatus::Cleared | InitialStatus::AsSent => None,
            InitialStatus::From(status_of) => Some(status_of(object)),
        };
        if let (Some(status), Some(root)) = (status, object.as_object_mut()) {
            root.insert("status".into(), status);
        }
        self.default(object);
        if self.tracks_generation {
            update::start_generation(object);
        }
    }

    /// Upstream's `PrepareForUpdate` of the main resource, after the defaults decoding applies:
    /// the defaults, the stored status kept (kinds with a `/status` subresource) with whatever
    /// else the kind keeps, and `metadata.generation` bumped when the spec changed. Before
    /// [`Strategy::validate_update`].
    pub fn prepare_for_update(&self, resource: &ResourceInfo, new: &mut Value, old: &Value) {
        self.default(new);
        let Some(root) = new.as_object_mut() else { return };
        if resource.has_subresource("status") {
            update::keep_status(root, old);
        }
        (self.keep_on_update)(root, old);
        if self.tracks_generation {
            update::count_generation(root, old);
        }
    }

    /// What is wrong with an object about to be created.
    pub fn validate(&self, resource: &ResourceInfo, object: &Value) -> Vec<Cause> {
        let mut e = Errs::default();
        if !object.is_object() {
            e.wrong_type("", object, "object");
            return e.causes;
        }
        meta::validate_object_meta(&mut e, object, self.name_rule, resource.namespaced);
        (self.validator)(&mut e, object);
        e.causes
    }

    /// What is wrong with an update from `old` to `new` (including changes to immutable fields).
    pub fn validate_update(&self, new: &Value, old: &Value) -> Vec<Cause> {
        let mut e = Errs::default();
        if !new.is_object() {
            e.wrong_type("", new, "object");
            return e.causes;
        }
        meta::validate_object_meta_update(&mut e, new, old);
        match self.update_validator {
            Some(validate_update) => validate_update(&mut e, new, old),
            None => (self.validator)(&mut e, new),
        }
        e.causes
    }

    /// The kind's field set (see [`ResourceInfo::selects_field`]).
    pub fn field_set(&self) -> &FieldSet {
        &self.fields
    }

    /// The kind's table printer.
    pub fn printer(&self) -> &'static Printer {
        self.printer
    }

    /// How the kind is stored when it is served in several versions.
    pub fn conversion(&self) -> Option<&'static Conversion> {
        self.conversion
    }

    /// `object`, in `resource`'s version, as stored (unchanged for kinds without a conversion).
    pub fn to_storage(&self, resource: &ResourceInfo, object: &mut Value) {
        let Some(conversion) = self.conversion else { return };
        if resource.api_version() == conversion.storage_api_version {
            return;
        }
        (conversion.to_storage)(resource.version, object);
        set_api_version(object, conversion.storage_api_version);
    }

    /// A stored object as `resource`'s version shows it.
    pub fn from_storage(&self, resource: &ResourceInfo, object: &mut Value) {
        let Some(conversion) = self.conversion else { return };
        let api_version = resource.api_version();
        if object.get("apiVersion").and_then(Value::as_str) == Some(api_version.as_str()) {
            return;
        }
        (conversion.from_storage)(resource.version, object);
        set_api_version(object, &api_version);
    }
}

fn set_api_version(object: &mut Value, api_version: &str) {
    if let Some(root) = object.as_object_mut() {
        root.insert("apiVersion".into(), Value::String(api_version.to_string()));
    }
}

impl std::fmt::Debug for Strategy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Strategy").field("fields", &self.fields).finish_non_exhaustive()
    }
}

/// Strategies are statics: the same strategy is the same value.
impl PartialEq for Strategy {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Strategy {}

/// The DefaultTolerationSeconds admission plugin: a new Pod tolerates the
/// `node.kubernetes.io/not-ready` and `unreachable` NoExecute taints for `seconds`.
pub fn add_default_tolerations(pod: &mut Value, seconds: i64) {
    pod::default_toleration_seconds(pod, seconds);
}

/// What is wrong with a resource embedded in a custom resource at `path` (its apiVersion,
/// kind and metadata; the CRD's schema checks the rest).
pub fn validate_embedded_resource(fields: &serde_json::Map<String, Value>, path: &str) -> Vec<Cause> {
    let mut e = Errs::default();
    meta::validate_embedded_resource(&mut e, fields, path);
    e.causes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{by_kind, RESOURCES};
    use serde_json::json;

    fn info(api_version: &str, kind: &str) -> &'static ResourceInfo {
        by_kind(api_version, kind).expect("registered kind")
    }

    fn fields(causes: &[Cause]) -> Vec<(&str, &str)> {
        causes.iter().map(|c| (c.field.as_str(), c.message.as_str())).collect()
    }

    #[test]
    fn pod_named_nginx_1_gets_the_subdomain_message() {
        let pods = info("v1", "Pod");
        let mut pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "Nginx_1", "namespace": "default"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}});
        pods.strategy.prepare_for_create(pods, &mut pod);
        let causes = pods.strategy.validate(pods, &pod);
        assert_eq!(
            fields(&causes),
            vec![("metadata.name", "Invalid value: \"Nginx_1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")]
        );
        assert_eq!(causes[0].reason, "FieldValueInvalid");
    }

    #[test]
    fn replica_set_without_template_labels() {
        let rs_info = info("apps/v1", "ReplicaSet");
        let mut rs = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "myapp-rs", "namespace": "default"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"name": "mypod"}},
                "template": {"spec": {"containers": [{"name": "app", "image": "nginx"}]}}}});
        rs_info.strategy.prepare_for_create(rs_info, &mut rs);
        let causes = rs_info.strategy.validate(rs_info, &rs);
        assert_eq!(
            fields(&causes),
            vec![(
                "spec.template.metadata.labels",
                "Invalid value: map[string]string(nil): `selector` does not match template `labels`"
            )]
        );
    }

    #[test]
    fn nginx_deployment_with_latest_tag_pulls_always() {
        let deployments = info("apps/v1", "Deployment");
        let mut d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "nginx-deployment", "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": "nginx"}}, "template": {"metadata": {"labels": {"app": "nginx"}},
                "spec": {"containers": [{"name": "nginx", "image": "nginx:latest", "ports": [{"containerPort": 80}]}]}}}});
        deployments.strategy.prepare_for_create(deployments, &mut d);
        assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "Always");
        assert!(deployments.strategy.validate(deployments, &d).is_empty());
        let mut changed = d.clone();
        changed["spec"]["selector"]["matchLabels"]["app"] = json!("web");
        changed["spec"]["template"]["metadata"]["labels"]["app"] = json!("web");
        let causes = deployments.strategy.validate_update(&changed, &d);
        assert_eq!(fields(&causes).len(), 1);
        assert_eq!(causes[0].field, "spec.selector");
        assert!(causes[0].message.ends_with(": field is immutable"));
    }

    #[test]
    fn namespaces_and_services_use_their_name_rules() {
        let namespaces = info("v1", "Namespace");
        let ns = namespaces.strategy.validate(namespaces, &json!({"metadata": {"name": "a.b"}}));
        assert!(ns[0].message.contains("a lowercase RFC 1123 label must consist"));
        let svc_info = info("v1", "Service");
        let mut svc = json!({"metadata": {"name": "1web", "namespace": "default"}, "spec": {"ports": [{"port": 80}]}});
        svc_info.strategy.prepare_for_create(svc_info, &mut svc);
        let causes = svc_info.strategy.validate(svc_info, &svc);
        assert_eq!(causes.len(), 1);
        assert!(causes[0].message.starts_with("Invalid value: \"1web\": a DNS-1035 label must consist"));
    }

    #[test]
    fn update_may_not_rename() {
        let cms = info("v1", "ConfigMap");
        let causes =
            cms.strategy.validate_update(&json!({"metadata": {"name": "b"}}), &json!({"metadata": {"name": "a"}}));
        assert_eq!(fields(&causes), vec![("metadata.name", "Invalid value: \"b\": field is immutable")]);
    }

    #[test]
    fn every_pod_template_gets_spec_defaults_but_not_admission_ones() {
        let template = json!({"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}});
        let cases = [
            ("v1", "ReplicationController", "/spec/template"),
            ("apps/v1", "Deployment", "/spec/template"),
            ("apps/v1", "ReplicaSet", "/spec/template"),
            ("apps/v1", "StatefulSet", "/spec/template"),
            ("apps/v1", "DaemonSet", "/spec/template"),
            ("batch/v1", "Job", "/spec/template"),
            ("batch/v1", "CronJob", "/spec/jobTemplate/spec/template"),
        ];
        for (api_version, kind, pointer) in cases {
            let resource = info(api_version, kind);
            let mut obj = json!({"metadata": {"name": "x", "uid": "u"}, "spec": {}});
            if kind == "CronJob" {
                obj["spec"]["jobTemplate"] = json!({"spec": {"template": template.clone()}});
            } else {
                obj["spec"]["template"] = template.clone();
            }
            resource.strategy.default(&mut obj);
            let spec = obj.pointer(&format!("{pointer}/spec")).unwrap_or(&Value::Null);
            assert_eq!(spec["restartPolicy"], "Always", "{kind}");
            assert_eq!(spec["dnsPolicy"], "ClusterFirst", "{kind}");
            assert_eq!(spec["schedulerName"], "default-scheduler", "{kind}");
            assert_eq!(spec["securityContext"], json!({}), "{kind}");
            assert_eq!(spec["terminationGracePeriodSeconds"], 30, "{kind}");
            assert_eq!(spec["containers"][0]["imagePullPolicy"], "IfNotPresent", "{kind}");
            assert_eq!(spec["containers"][0]["terminationMessagePath"], "/dev/termination-log", "{kind}");
            for admission in ["serviceAccountName", "serviceAccount", "tolerations", "priority", "enableServiceLinks"] {
                assert!(spec.get(admission).is_none(), "{kind} template has {admission}");
            }
            assert_eq!(obj["metadata"]["generation"], 1, "{kind}");
            // 1.32 serializes the template's zero creationTimestamp as null.
            assert_eq!(obj.pointer(&format!("{pointer}/metadata/creationTimestamp")), Some(&Value::Null), "{kind}");
        }
    }

    #[test]
    fn new_objects_start_with_their_kinds_status() {
        let created = |api_version: &str, kind: &str| {
            let resource = info(api_version, kind);
            let mut object = json!({"metadata": {"name": "x"}, "spec": {}, "status": {"sent": true}});
            resource.strategy.prepare_for_create(resource, &mut object);
            object["status"].clone()
        };
        assert_eq!(created("v1", "Service"), json!({"loadBalancer": {}}));
        assert_eq!(created("v1", "Namespace"), json!({"phase": "Active"}));
        assert_eq!(created("v1", "Pod"), json!({"phase": "Pending", "qosClass": "BestEffort"}));
        assert_eq!(created("v1", "Node"), json!({"sent": true}));
        assert_eq!(created("v1", "ConfigMap"), json!({"sent": true}));
        assert_eq!(created("apps/v1", "Deployment"), json!({}));
    }

    #[test]
    fn host_network_pods_default_host_ports() {
        let pods = info("v1", "Pod");
        let mut pod = json!({"metadata": {"name": "p"}, "spec": {"hostNetwork": true, "containers": [{"name": "c", "image": "x", "ports": [{"containerPort": 8080}]}]}});
        pods.strategy.default(&mut pod);
        assert_eq!(
            pod["spec"]["containers"][0]["ports"][0],
            json!({"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"})
        );
    }

    #[test]
    fn job_created_through_the_public_api() {
        let jobs = info("batch/v1", "Job");
        let mut job = json!({"metadata": {"name": "pi", "namespace": "default", "uid": "1b2c"},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "pi", "image": "perl:5.34"}]}}}});
        jobs.strategy.prepare_for_create(jobs, &mut job);
        let causes = jobs.strategy.validate(jobs, &job);
        assert!(causes.is_empty(), "{causes:?}");
        assert_eq!(job["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"], "1b2c");
        assert_eq!(job["metadata"]["generation"], 1);
    }

    #[test]
    fn every_kind_survives_hostile_input() {
        let inputs = [
            json!(null),
            json!(1),
            json!("x"),
            json!([]),
            json!({}),
            json!({"metadata": 1, "spec": "x", "status": []}),
            json!({"metadata": {"name": 1, "labels": [], "annotations": "x"}, "spec": {"template": 1, "selector": [], "containers": {}, "ports": 3}}),
            json!({"metadata": {"name": "a", "labels": {"a": 1}}, "spec": {"template": {"metadata": [], "spec": {"containers": [null, 1, "x"]}}, "jobTemplate": {"spec": 1}}}),
        ];
        for resource in RESOURCES {
            let strategy = resource.strategy;
            for input in &inputs {
                let mut v = input.clone();
                strategy.default(&mut v);
                let mut twice = v.clone();
                strategy.default(&mut twice);
                assert_eq!(twice, v, "defaults of {} are idempotent", resource.kind);
                strategy.validate(resource, &v);
                strategy.validate_update(&v, input);
                strategy.validate_update(input, &v);
                let mut created = input.clone();
                strategy.prepare_for_create(resource, &mut created);
                let mut updated = input.clone();
                strategy.prepare_for_update(resource, &mut updated, &v);
            }
        }
    }
}
