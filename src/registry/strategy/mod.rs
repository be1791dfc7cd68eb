//! Per-resource defaulting and validation (upstream's "strategy": PrepareForCreate,
//! Validate, ValidateUpdate), over objects as JSON.
//!
//! One file per concern: `field` (causes and Go renderings), `names` (DNS/label string checks),
//! `meta` (ObjectMeta), `selector` (LabelSelector), `update` (generation and status bookkeeping), `pod` (pods and templates), `resources` (quantities, requests vs limits), `workloads`
//! (apps/v1 and RCs), `batch` (Jobs, CronJobs), `service`, `core` (Namespace, Secret, ConfigMap,
//! Endpoints). Objects come from users: every field may be missing or of the wrong JSON type, so
//! defaulters skip what they cannot interpret and validators report it as a cause.

mod batch;
mod core;
mod field;
mod meta;
mod pod;
mod resources;
mod selector;
mod service;
mod update;
mod workloads;

use serde_json::Value;

use super::ResourceInfo;
use crate::machinery::validation::NameRule;
use field::Errs;

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

/// Fills in upstream's defaults for a new or updated object.
pub fn default_object(resource: &ResourceInfo, object: &mut Value) {
    match (resource.group, resource.kind) {
        ("", "Pod") => pod::default_pod(object),
        ("", "ReplicationController") => workloads::default_replication_controller(object),
        ("", "Service") => service::default_service(object),
        ("", "Namespace") => core::default_namespace(object),
        ("", "Secret") => core::default_secret(object),
        ("", "Endpoints") => core::default_endpoints(object),
        ("", "Node") => core::default_node(object),
        ("apps", "Deployment") => workloads::default_deployment(object),
        ("apps", "ReplicaSet") => workloads::default_replica_set(object),
        ("apps", "StatefulSet") => workloads::default_stateful_set(object),
        ("apps", "DaemonSet") => workloads::default_daemon_set(object),
        ("batch", "Job") => batch::default_job(object),
        ("batch", "CronJob") => batch::default_cron_job(object),
        _ => {}
    }
    // A fallback for callers that skip `prepare_for_create`: generation-tracking kinds start at 1.
    if update::uses_generation(resource) {
        if let Some(meta) = object.as_object_mut().and_then(|o| field::ensure_obj(o, "metadata")) {
            field::set_default(meta, "generation", serde_json::json!(1));
        }
    }
}

/// The DefaultTolerationSeconds admission plugin: a new Pod tolerates the
/// `node.kubernetes.io/not-ready` and `unreachable` NoExecute taints for `seconds`.
pub fn add_default_tolerations(pod: &mut Value, seconds: i64) {
    pod::default_toleration_seconds(pod, seconds);
}

/// Upstream's `PrepareForCreate` bookkeeping beyond defaults: `metadata.generation` 1 for the
/// kinds that track it. Call once on create, after [`default_object`].
pub fn prepare_for_create(resource: &ResourceInfo, object: &mut Value) {
    update::prepare_for_create(resource, object);
}

/// Upstream's `PrepareForUpdate`: keep the stored status (kinds with a `/status` subresource)
/// and a Namespace's finalizers, and bump `metadata.generation` when the spec changed. Call on
/// the main resource's update after [`default_object`] and before [`validate_update`].
pub fn prepare_for_update(resource: &ResourceInfo, new: &mut Value, old: &Value) {
    update::prepare_for_update(resource, new, old);
}

/// How a kind's `metadata.name` is validated upstream.
fn name_rule(resource: &ResourceInfo) -> NameRule {
    match (resource.group, resource.kind) {
        ("", "Namespace") => NameRule::Label,
        ("", "Service") => NameRule::Dns1035,
        _ => NameRule::Subdomain,
    }
}

/// Kind-specific checks of the object's body (everything but metadata identity).
fn validate_body(resource: &ResourceInfo, e: &mut Errs, object: &Value) {
    match (resource.group, resource.kind) {
        ("", "Pod") => pod::validate_pod(e, object),
        ("", "ReplicationController") => workloads::validate_replication_controller(e, object),
        ("", "Service") => service::validate_service(e, object),
        ("", "Namespace") => core::validate_namespace(e, object),
        ("", "Secret") => core::validate_secret(e, object),
        ("", "ConfigMap") => core::validate_config_map(e, object),
        ("apps", "Deployment") => workloads::validate_deployment(e, object),
        ("apps", "ReplicaSet") => workloads::validate_replica_set(e, object),
        ("apps", "StatefulSet") => workloads::validate_stateful_set(e, object),
        ("apps", "DaemonSet") => workloads::validate_daemon_set(e, object),
        ("batch", "Job") => batch::validate_job(e, object),
        ("batch", "CronJob") => batch::validate_cron_job(e, object),
        _ => {}
    }
}

/// What is wrong with a resource embedded in a custom resource at `path` (its apiVersion,
/// kind and metadata; the CRD's schema checks the rest).
pub fn validate_embedded_resource(fields: &serde_json::Map<String, Value>, path: &str) -> Vec<Cause> {
    let mut e = Errs::default();
    meta::validate_embedded_resource(&mut e, fields, path);
    e.causes
}

/// What is wrong with an object about to be created.
pub fn validate_create(resource: &ResourceInfo, object: &Value) -> Vec<Cause> {
    let mut e = Errs::default();
    if !object.is_object() {
        e.wrong_type("", object, "object");
        return e.causes;
    }
    meta::validate_object_meta(&mut e, object, name_rule(resource), resource.namespaced);
    validate_body(resource, &mut e, object);
    e.causes
}

/// What is wrong with an update from `old` to `new` (including changes to immutable fields).
pub fn validate_update(resource: &ResourceInfo, new: &Value, old: &Value) -> Vec<Cause> {
    let mut e = Errs::default();
    if !new.is_object() {
        e.wrong_type("", new, "object");
        return e.causes;
    }
    meta::validate_object_meta_update(&mut e, new, old);
    match (resource.group, resource.kind) {
        ("", "Pod") => pod::validate_pod_update(&mut e, new, old),
        ("", "Service") => service::validate_service_update(&mut e, new, old),
        ("", "Secret") => core::validate_data_update(&mut e, new, old, true),
        ("", "ConfigMap") => core::validate_data_update(&mut e, new, old, false),
        ("apps", "Deployment" | "ReplicaSet" | "DaemonSet") => {
            validate_body(resource, &mut e, new);
            workloads::validate_selector_immutable(&mut e, new, old);
        }
        ("apps", "StatefulSet") => {
            validate_body(resource, &mut e, new);
            workloads::validate_stateful_set_update(&mut e, new, old);
        }
        ("batch", "Job") => batch::validate_job_update(&mut e, new, old),
        _ => validate_body(resource, &mut e, new),
    }
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
        default_object(pods, &mut pod);
        let causes = validate_create(pods, &pod);
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
        default_object(rs_info, &mut rs);
        let causes = validate_create(rs_info, &rs);
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
        default_object(deployments, &mut d);
        assert_eq!(d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"], "Always");
        assert!(validate_create(deployments, &d).is_empty());
        let mut changed = d.clone();
        changed["spec"]["selector"]["matchLabels"]["app"] = json!("web");
        changed["spec"]["template"]["metadata"]["labels"]["app"] = json!("web");
        let causes = validate_update(deployments, &changed, &d);
        assert_eq!(fields(&causes).len(), 1);
        assert_eq!(causes[0].field, "spec.selector");
        assert!(causes[0].message.ends_with(": field is immutable"));
    }

    #[test]
    fn namespaces_and_services_use_their_name_rules() {
        let ns = validate_create(info("v1", "Namespace"), &json!({"metadata": {"name": "a.b"}}));
        assert!(ns[0].message.contains("a lowercase RFC 1123 label must consist"));
        let svc_info = info("v1", "Service");
        let mut svc = json!({"metadata": {"name": "1web", "namespace": "default"}, "spec": {"ports": [{"port": 80}]}});
        default_object(svc_info, &mut svc);
        let causes = validate_create(svc_info, &svc);
        assert_eq!(causes.len(), 1);
        assert!(causes[0].message.starts_with("Invalid value: \"1web\": a DNS-1035 label must consist"));
    }

    #[test]
    fn update_may_not_rename() {
        let cms = info("v1", "ConfigMap");
        let causes = validate_update(cms, &json!({"metadata": {"name": "b"}}), &json!({"metadata": {"name": "a"}}));
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
            default_object(resource, &mut obj);
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
    fn host_network_pods_default_host_ports() {
        let pods = info("v1", "Pod");
        let mut pod = json!({"metadata": {"name": "p"}, "spec": {"hostNetwork": true, "containers": [{"name": "c", "image": "x", "ports": [{"containerPort": 8080}]}]}});
        default_object(pods, &mut pod);
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
        default_object(jobs, &mut job);
        prepare_for_create(jobs, &mut job);
        assert!(validate_create(jobs, &job).is_empty(), "{:?}", validate_create(jobs, &job));
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
            for input in &inputs {
                let mut v = input.clone();
                default_object(resource, &mut v);
                let mut twice = v.clone();
                default_object(resource, &mut twice);
                assert_eq!(twice, v, "defaults of {} are idempotent", resource.kind);
                validate_create(resource, &v);
                validate_update(resource, &v, input);
                validate_update(resource, input, &v);
            }
        }
    }
}
