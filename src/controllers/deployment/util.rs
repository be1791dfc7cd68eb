//! Pure helpers over Deployments and ReplicaSets, after upstream's
//! `pkg/controller/deployment/util/deployment_util.go`: template hashing, revisions and their
//! annotations, surge/unavailability arithmetic, replica counts and conditions.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;

use super::Error;

pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
pub const REVISION_HISTORY_ANNOTATION: &str = "deployment.kubernetes.io/revision-history";
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";
pub const POD_TEMPLATE_HASH_LABEL: &str = "pod-template-hash";
/// Upstream caps the revision-history annotation at this many characters.
pub const MAX_REV_HISTORY_LENGTH_IN_CHARS: usize = 2000;

/// Annotations of the deployment that are not copied onto its ReplicaSets.
const ANNOTATIONS_TO_SKIP: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION,
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    "deprecated.deployment.rollback.to",
];

// Condition types and reasons, as upstream names them (kubectl matches on them).
pub const AVAILABLE: &str = "Available";
pub const PROGRESSING: &str = "Progressing";
pub const REPLICA_FAILURE: &str = "ReplicaFailure";
pub const MIN_REPLICAS_AVAILABLE: &str = "MinimumReplicasAvailable";
pub const MIN_REPLICAS_UNAVAILABLE: &str = "MinimumReplicasUnavailable";
pub const NEW_RS_REASON: &str = "NewReplicaSetCreated";
pub const FOUND_NEW_RS_REASON: &str = "FoundNewReplicaSet";
pub const RS_UPDATED_REASON: &str = "ReplicaSetUpdated";
pub const NEW_RS_AVAILABLE_REASON: &str = "NewReplicaSetAvailable";
pub const TIMED_OUT_REASON: &str = "ProgressDeadlineExceeded";
pub const FAILED_RS_CREATE_REASON: &str = "ReplicaSetCreateError";
pub const PAUSED_DEPLOY_REASON: &str = "DeploymentPaused";
pub const RESUMED_DEPLOY_REASON: &str = "DeploymentResumed";

// --- template hash --------------------------------------------------------------------------

/// The pod-template-hash: FNV-32a over the template (plus the collision count, little endian
/// in 8 bytes as upstream writes it), its decimal rendering passed through `SafeEncodeString`.
/// Upstream hashes Go's struct dump; we hash a canonical JSON form of the same template, which
/// is stable across restarts and versions of kctl.
pub fn compute_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    let mut hasher = Fnv32a::new();
    hasher.write(canonical_template(template).as_bytes());
    if let Some(count) = collision_count {
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&(count as u32).to_le_bytes());
        hasher.write(&bytes);
    }
    safe_encode_string(&hasher.sum().to_string())
}

/// Upstream's `rand.SafeEncodeString`: maps each byte onto consonants and digits chosen so
/// the result never spells a word (no vowels, no 0/1/3 that read as letters).
pub fn safe_encode_string(text: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    text.bytes().map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char).collect()
}

struct Fnv32a(u32);

impl Fnv32a {
    fn new() -> Self {
        Fnv32a(0x811c9dc5)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u32::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0193);
        }
    }
    fn sum(&self) -> u32 {
        self.0
    }
}

/// The template as a canonical JSON string: keys sorted, the pod-template-hash label and
/// empty values dropped (so `labels: {}` and an absent map hash and compare the same).
fn canonical_template(template: &PodTemplateSpec) -> String {
    let mut value = serde_json::to_value(template).unwrap_or(Value::Null);
    if let Some(labels) = value.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove(POD_TEMPLATE_HASH_LABEL);
    }
    prune_empty(&mut value);
    let mut out = String::new();
    write_canonical(&value, &mut out);
    out
}

fn prune_empty(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for v in map.values_mut() {
                prune_empty(v);
            }
            map.retain(|_, v| !is_empty(v));
        }
        Value::Array(items) => items.iter_mut().for_each(prune_empty),
        _ => {}
    }
}

fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        _ => false,
    }
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            out.push('{');
            for (i, (k, v)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Upstream's `EqualIgnoreHash`: the templates are equal apart from the pod-template-hash label.
pub fn equal_ignore_hash(a: &PodTemplateSpec, b: &PodTemplateSpec) -> bool {
    canonical_template(a) == canonical_template(b)
}

// --- deployment spec accessors (with the apiserver's defaults) --------------------------------

pub fn replicas(d: &Deployment) -> i32 {
    d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1)
}

pub fn rs_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
}

pub fn set_rs_replicas(rs: &mut ReplicaSet, replicas: i32) {
    rs.spec.get_or_insert_with(Default::default).replicas = Some(replicas);
}

pub fn is_recreate(d: &Deployment) -> bool {
    strategy_type(d) == "Recreate"
}

pub fn is_rolling_update(d: &Deployment) -> bool {
    strategy_type(d) == "RollingUpdate"
}

fn strategy_type(d: &Deployment) -> &str {
    d.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.type_.as_deref()).unwrap_or("RollingUpdate")
}

pub fn paused(d: &Deployment) -> bool {
    d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false)
}

pub fn min_ready_seconds(d: &Deployment) -> Option<i32> {
    d.spec.as_ref().and_then(|s| s.min_ready_seconds).filter(|s| *s != 0)
}

pub fn revision_history_limit(d: &Deployment) -> Option<i32> {
    d.spec.as_ref().map(|s| s.revision_history_limit.unwrap_or(10))
}

/// The deadline in seconds, or None when there is none (upstream: unset or MaxInt32).
pub fn progress_deadline(d: &Deployment) -> Option<i32> {
    let seconds = d.spec.as_ref().map(|s| s.progress_deadline_seconds.unwrap_or(600))?;
    (seconds != i32::MAX).then_some(seconds)
}

pub fn has_progress_deadline(d: &Deployment) -> bool {
    progress_deadline(d).is_some()
}

pub fn generation(d: &Deployment) -> i64 {
    d.metadata.generation.unwrap_or(0)
}

// --- surge and unavailability -----------------------------------------------------------------

/// Upstream's `GetScaledValueFromIntOrPercent`: an int as is, `N%` of `total` rounded up or down.
pub fn scaled_value(value: &IntOrString, total: i32, round_up: bool) -> Result<i32, Error> {
    match value {
        IntOrString::Int(n) => Ok(*n),
        IntOrString::String(text) => {
            let percent: i64 = text
                .strip_suffix('%')
                .and_then(|n| n.parse().ok())
                .ok_or_else(|| Error::InvalidIntOrPercent(text.clone()))?;
            let product = percent * i64::from(total);
            let value = if round_up { (product + 99).div_euclid(100) } else { product.div_euclid(100) };
            Ok(value as i32)
        }
    }
}

/// Upstream's `ResolveFenceposts`: surge rounds up, unavailable rounds down, and both being
/// zero would deadlock a rollout, so unavailable becomes 1.
pub fn resolve_fenceposts(d: &Deployment) -> Result<(i32, i32), Error> {
    let rolling = d.spec.as_ref().and_then(|s| s.strategy.as_ref()).and_then(|s| s.rolling_update.as_ref());
    let default = IntOrString::String("25%".to_string());
    let surge = rolling.and_then(|r| r.max_surge.as_ref()).unwrap_or(&default);
    let unavailable = rolling.and_then(|r| r.max_unavailable.as_ref()).unwrap_or(&default);
    let desired = replicas(d);
    let surge = scaled_value(surge, desired, true)?;
    let mut unavailable = scaled_value(unavailable, desired, false)?;
    if surge == 0 && unavailable == 0 {
        unavailable = 1;
    }
    Ok((surge, unavailable))
}

pub fn max_surge(d: &Deployment) -> Result<i32, Error> {
    if !is_rolling_update(d) {
        return Ok(0);
    }
    Ok(resolve_fenceposts(d)?.0)
}

pub fn max_unavailable(d: &Deployment) -> Result<i32, Error> {
    if !is_rolling_update(d) || replicas(d) == 0 {
        return Ok(0);
    }
    Ok(resolve_fenceposts(d)?.1.min(replicas(d)))
}

// --- revisions and annotations ----------------------------------------------------------------

pub fn annotation<'a>(rs: &'a ReplicaSet, key: &str) -> Option<&'a str> {
    rs.metadata.annotations.as_ref().and_then(|a| a.get(key)).map(String::as_str)
}

/// The revision of a ReplicaSet; 0 when absent or unparsable (upstream logs and skips those).
pub fn revision(rs: &ReplicaSet) -> i64 {
    annotation(rs, REVISION_ANNOTATION).and_then(|r| r.parse().ok()).unwrap_or(0)
}

pub fn max_revision(rss: &[ReplicaSet]) -> i64 {
    rss.iter().map(revision).max().unwrap_or(0)
}

fn int_annotation(rs: &ReplicaSet, key: &str) -> Option<i32> {
    annotation(rs, key).and_then(|v| v.parse().ok())
}

pub fn desired_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    int_annotation(rs, DESIRED_REPLICAS_ANNOTATION)
}

pub fn max_replicas_annotation(rs: &ReplicaSet) -> Option<i32> {
    int_annotation(rs, MAX_REPLICAS_ANNOTATION)
}

/// Sets desired-replicas and max-replicas; true when either changed.
pub fn set_replicas_annotations(rs: &mut ReplicaSet, desired: i32, max: i32) -> bool {
    let annotations = rs.metadata.annotations.get_or_insert_with(Default::default);
    let mut changed = false;
    for (key, value) in [(DESIRED_REPLICAS_ANNOTATION, desired), (MAX_REPLICAS_ANNOTATION, max)] {
        let value = value.to_string();
        if annotations.get(key) != Some(&value) {
            annotations.insert(key.to_string(), value);
            changed = true;
        }
    }
    changed
}

pub fn replicas_annotations_need_update(rs: &ReplicaSet, desired: i32, max: i32) -> bool {
    desired_replicas_annotation(rs) != Some(desired) || max_replicas_annotation(rs) != Some(max)
}

pub fn is_skipped_annotation(key: &str) -> bool {
    ANNOTATIONS_TO_SKIP.contains(&key)
}

/// Copies the deployment's own annotations (e.g. `kubernetes.io/change-cause`) onto the RS.
fn copy_deployment_annotations(d: &Deployment, rs: &mut ReplicaSet) -> bool {
    let annotations = rs.metadata.annotations.get_or_insert_with(Default::default);
    let mut changed = false;
    for (key, value) in d.metadata.annotations.iter().flatten() {
        if ANNOTATIONS_TO_SKIP.contains(&key.as_str()) || annotations.get(key) == Some(value) {
            continue;
        }
        annotations.insert(key.clone(), value.clone());
        changed = true;
    }
    changed
}

/// Upstream's `SetNewReplicaSetAnnotations`: copies the deployment's annotations, raises the
/// revision to `new_revision` (recording the old one in revision-history when an existing RS is
/// brought back, i.e. a rollback), and on creation sets the replicas annotations.
pub fn set_new_replica_set_annotations(
    d: &Deployment,
    rs: &mut ReplicaSet,
    new_revision: i64,
    exists: bool,
    max_surge: i32,
) -> bool {
    let mut changed = copy_deployment_annotations(d, rs);
    let annotations = rs.metadata.annotations.get_or_insert_with(Default::default);
    let old_revision = annotations.get(REVISION_ANNOTATION).cloned();
    let old_revision_int = match old_revision.as_deref() {
        None | Some("") => 0,
        Some(text) => match text.parse::<i64>() {
            Ok(n) => n,
            Err(_) => return false,
        },
    };
    if old_revision_int < new_revision {
        annotations.insert(REVISION_ANNOTATION.to_string(), new_revision.to_string());
        changed = true;
        if let Some(old) = old_revision.filter(|o| !o.is_empty()) {
            let history = annotations.get(REVISION_HISTORY_ANNOTATION).cloned().unwrap_or_default();
            if let Some(joined) = append_revision_history(&history, &old) {
                annotations.insert(REVISION_HISTORY_ANNOTATION.to_string(), joined);
            }
        }
    }
    if !exists && set_replicas_annotations(rs, replicas(d), replicas(d) + max_surge) {
        changed = true;
    }
    changed
}

/// Appends `old` to a comma-separated history, dropping the oldest entries to stay within
/// upstream's length cap; None when even `old` alone would not fit.
fn append_revision_history(history: &str, old: &str) -> Option<String> {
    if history.is_empty() {
        return Some(old.to_string());
    }
    let entries: Vec<&str> = history.split(',').collect();
    let mut total = history.len() + old.len() + 1;
    let mut start = 0;
    while total > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < entries.len() {
        total -= entries[start].len() + 1;
        start += 1;
    }
    if total > MAX_REV_HISTORY_LENGTH_IN_CHARS {
        return None;
    }
    let mut kept: Vec<&str> = entries[start..].to_vec();
    kept.push(old);
    Some(kept.join(","))
}

// --- finding and counting ReplicaSets ---------------------------------------------------------

pub fn creation(rs: &ReplicaSet) -> Option<DateTime<Utc>> {
    rs.metadata.creation_timestamp.as_ref().map(|t| t.0)
}

/// Oldest first; ties broken by name, as upstream's `ReplicaSetsByCreationTimestamp`.
pub fn sort_by_creation(rss: &mut [ReplicaSet]) {
    rss.sort_by(|a, b| creation(a).cmp(&creation(b)).then_with(|| a.metadata.name.cmp(&b.metadata.name)));
}

/// Oldest revision first; ties by creation.
pub fn sort_by_revision(rss: &mut [ReplicaSet]) {
    rss.sort_by(|a, b| {
        revision(a)
            .cmp(&revision(b))
            .then_with(|| creation(a).cmp(&creation(b)))
            .then_with(|| a.metadata.name.cmp(&b.metadata.name))
    });
}

pub fn template(d: &Deployment) -> PodTemplateSpec {
    d.spec.as_ref().map(|s| s.template.clone()).unwrap_or_default()
}

pub fn rs_template(rs: &ReplicaSet) -> PodTemplateSpec {
    rs.spec.as_ref().and_then(|s| s.template.clone()).unwrap_or_default()
}

/// The oldest ReplicaSet whose template equals the deployment's (upstream's `FindNewReplicaSet`).
pub fn find_new_replica_set(d: &Deployment, rss: &[ReplicaSet]) -> Option<ReplicaSet> {
    let mut sorted = rss.to_vec();
    sort_by_creation(&mut sorted);
    let template = template(d);
    sorted.into_iter().find(|rs| equal_ignore_hash(&rs_template(rs), &template))
}

/// Every ReplicaSet but the new one.
pub fn find_old_replica_sets(rss: &[ReplicaSet], new_rs: Option<&ReplicaSet>) -> Vec<ReplicaSet> {
    let new_uid = new_rs.and_then(|rs| rs.metadata.uid.as_deref());
    rss.iter().filter(|rs| rs.metadata.uid.as_deref() != new_uid || new_uid.is_none()).cloned().collect()
}

pub fn filter_active(rss: &[ReplicaSet]) -> Vec<ReplicaSet> {
    rss.iter().filter(|rs| rs_replicas(rs) > 0).cloned().collect()
}

fn status_of(rs: &ReplicaSet) -> (i32, i32, i32) {
    rs.status
        .as_ref()
        .map(|s| (s.replicas, s.ready_replicas.unwrap_or(0), s.available_replicas.unwrap_or(0)))
        .unwrap_or((0, 0, 0))
}

/// Sum of `spec.replicas`.
pub fn replica_count(rss: &[ReplicaSet]) -> i32 {
    rss.iter().map(rs_replicas).sum()
}

/// Sum of `status.replicas`.
pub fn actual_replica_count(rss: &[ReplicaSet]) -> i32 {
    rss.iter().map(|rs| status_of(rs).0).sum()
}

pub fn ready_replica_count(rss: &[ReplicaSet]) -> i32 {
    rss.iter().map(|rs| status_of(rs).1).sum()
}

pub fn available_replica_count(rss: &[ReplicaSet]) -> i32 {
    rss.iter().map(|rs| status_of(rs).2).sum()
}

pub fn available_replicas(rs: &ReplicaSet) -> i32 {
    status_of(rs).2
}

/// Upstream's `NewRSNewReplicas`: how big the new RS may be now.
pub fn new_rs_new_replicas(d: &Deployment, all: &[ReplicaSet], new_rs: &ReplicaSet) -> Result<i32, Error> {
    if !is_rolling_update(d) {
        return Ok(replicas(d));
    }
    let surge = resolve_fenceposts(d)?.0;
    let current = replica_count(all);
    let max_total = replicas(d) + surge;
    if current >= max_total {
        return Ok(rs_replicas(new_rs));
    }
    let scale_up = (max_total - current).min(replicas(d) - rs_replicas(new_rs));
    Ok(rs_replicas(new_rs) + scale_up)
}

/// The new RS runs exactly the desired replicas, all available.
pub fn is_saturated(d: &Deployment, rs: Option<&ReplicaSet>) -> bool {
    let Some(rs) = rs else { return false };
    desired_replicas_annotation(rs) == Some(replicas(d))
        && rs_replicas(rs) == replicas(d)
        && available_replicas(rs) == replicas(d)
}

/// The single active ReplicaSet, or the newest one when none is active.
pub fn find_active_or_latest(new_rs: Option<&ReplicaSet>, old: &[ReplicaSet]) -> Option<ReplicaSet> {
    if new_rs.is_none() && old.is_empty() {
        return None;
    }
    let mut old = old.to_vec();
    sort_by_creation(&mut old);
    old.reverse();
    let mut all = old.clone();
    all.extend(new_rs.cloned());
    let active = filter_active(&all);
    match active.len() {
        0 => new_rs.cloned().or_else(|| old.first().cloned()),
        1 => active.into_iter().next(),
        _ => None,
    }
}

/// Upstream's `DeploymentComplete`.
pub fn deployment_complete(d: &Deployment, status: &DeploymentStatus) -> bool {
    let want = replicas(d);
    status.updated_replicas.unwrap_or(0) == want
        && status.replicas.unwrap_or(0) == want
        && status.available_replicas.unwrap_or(0) == want
        && status.observed_generation.unwrap_or(0) >= generation(d)
}

/// Upstream's `DeploymentProgressing`: more updated, fewer old, more ready or more available.
pub fn deployment_progressing(d: &Deployment, new_status: &DeploymentStatus) -> bool {
    let old = d.status.clone().unwrap_or_default();
    let old_old = old.replicas.unwrap_or(0) - old.updated_replicas.unwrap_or(0);
    let new_old = new_status.replicas.unwrap_or(0) - new_status.updated_replicas.unwrap_or(0);
    new_status.updated_replicas.unwrap_or(0) > old.updated_replicas.unwrap_or(0)
        || new_old < old_old
        || new_status.ready_replicas.unwrap_or(0) > old.ready_replicas.unwrap_or(0)
        || new_status.available_replicas.unwrap_or(0) > old.available_replicas.unwrap_or(0)
}

// --- conditions -------------------------------------------------------------------------------

pub fn new_condition(
    type_: &str,
    status: &str,
    reason: &str,
    message: String,
    now: DateTime<Utc>,
) -> DeploymentCondition {
    DeploymentCondition {
        type_: type_.to_string(),
        status: status.to_string(),
        reason: Some(reason.to_string()),
        message: Some(message),
        last_update_time: Some(Time(now)),
        last_transition_time: Some(Time(now)),
    }
}

pub fn get_condition<'a>(status: &'a DeploymentStatus, type_: &str) -> Option<&'a DeploymentCondition> {
    status.conditions.iter().flatten().find(|c| c.type_ == type_)
}

pub fn deployment_condition<'a>(d: &'a Deployment, type_: &str) -> Option<&'a DeploymentCondition> {
    d.status.as_ref().and_then(|s| get_condition(s, type_))
}

/// Upstream's `SetDeploymentCondition`: same status and reason is a no-op; same status keeps
/// the old transition time.
pub fn set_condition(status: &mut DeploymentStatus, mut condition: DeploymentCondition) {
    if let Some(current) = get_condition(status, &condition.type_) {
        if current.status == condition.status && current.reason == condition.reason {
            return;
        }
        if current.status == condition.status {
            condition.last_transition_time = current.last_transition_time.clone();
        }
    }
    remove_condition(status, &condition.type_.clone());
    status.conditions.get_or_insert_with(Vec::new).push(condition);
}

pub fn remove_condition(status: &mut DeploymentStatus, type_: &str) {
    if let Some(conditions) = status.conditions.as_mut() {
        conditions.retain(|c| c.type_ != type_);
    }
}

/// Times in conditions have second precision on the wire; truncating keeps `status changed?`
/// comparisons honest after a round trip.
pub fn truncate_to_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::{DeploymentSpec, DeploymentStrategy, ReplicaSetSpec, RollingUpdateDeployment};
    use k8s_openapi::api::core::v1::{Container, PodSpec};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn nginx_template(image: &str) -> PodTemplateSpec {
        PodTemplateSpec {
            metadata: Some(ObjectMeta {
                labels: Some([("app".to_string(), "nginx".to_string())].into()),
                ..Default::default()
            }),
            spec: Some(PodSpec {
                containers: vec![Container { name: "nginx".into(), image: Some(image.into()), ..Default::default() }],
                ..Default::default()
            }),
        }
    }

    fn deployment(replicas: i32, surge: IntOrString, unavailable: IntOrString) -> Deployment {
        Deployment {
            spec: Some(DeploymentSpec {
                replicas: Some(replicas),
                strategy: Some(DeploymentStrategy {
                    type_: Some("RollingUpdate".into()),
                    rolling_update: Some(RollingUpdateDeployment {
                        max_surge: Some(surge),
                        max_unavailable: Some(unavailable),
                    }),
                }),
                template: nginx_template("nginx"),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn rs(name: &str, replicas: i32, annotations: &[(&str, &str)]) -> ReplicaSet {
        ReplicaSet {
            metadata: ObjectMeta {
                name: Some(name.into()),
                uid: Some(format!("uid-{name}")),
                annotations: Some(annotations.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
                ..Default::default()
            },
            spec: Some(ReplicaSetSpec { replicas: Some(replicas), ..Default::default() }),
            status: None,
        }
    }

    #[test]
    fn safe_encode_uses_only_safe_characters() {
        assert_eq!(safe_encode_string("0123456789"), "456789bcdf");
        let hash = compute_hash(&nginx_template("nginx"), None);
        assert!(hash.chars().all(|c| "bcdfghjklmnpqrstvwxz2456789".contains(c)), "{hash}");
        assert!((1..=10).contains(&hash.len()));
    }

    #[test]
    fn hash_is_stable_and_depends_on_template_and_collisions() {
        let a = compute_hash(&nginx_template("nginx"), None);
        assert_eq!(a, compute_hash(&nginx_template("nginx"), None));
        // Pinned: a changed hash would orphan every ReplicaSet of existing clusters.
        assert_eq!(a, "64fb4b8d55");
        assert_ne!(a, compute_hash(&nginx_template("nginx:1.17"), None));
        assert_ne!(a, compute_hash(&nginx_template("nginx"), Some(1)));
    }

    #[test]
    fn templates_equal_ignoring_the_hash_label_and_empty_maps() {
        let mut with_hash = nginx_template("nginx");
        let meta = with_hash.metadata.as_mut().unwrap();
        meta.labels.as_mut().unwrap().insert(POD_TEMPLATE_HASH_LABEL.into(), "abc".into());
        meta.annotations = Some(Default::default());
        assert!(equal_ignore_hash(&with_hash, &nginx_template("nginx")));
        assert!(!equal_ignore_hash(&nginx_template("nignx:latest"), &nginx_template("nginx")));
    }

    #[test]
    fn fenceposts_round_surge_up_and_unavailable_down() {
        let d = deployment(3, IntOrString::String("25%".into()), IntOrString::String("25%".into()));
        assert_eq!(resolve_fenceposts(&d).unwrap(), (1, 0));
        let d = deployment(10, IntOrString::String("25%".into()), IntOrString::String("25%".into()));
        assert_eq!(resolve_fenceposts(&d).unwrap(), (3, 2));
        let d = deployment(3, IntOrString::Int(0), IntOrString::Int(0));
        assert_eq!(resolve_fenceposts(&d).unwrap(), (0, 1));
        let d = deployment(2, IntOrString::Int(0), IntOrString::Int(5));
        assert_eq!(max_unavailable(&d).unwrap(), 2);
        let d = deployment(2, IntOrString::String("x%".into()), IntOrString::Int(5));
        assert!(matches!(resolve_fenceposts(&d), Err(Error::InvalidIntOrPercent(_))));
    }

    #[test]
    fn new_rs_grows_within_surge() {
        let d = deployment(3, IntOrString::Int(1), IntOrString::Int(0));
        let old = rs("old", 3, &[]);
        let new = rs("new", 0, &[]);
        assert_eq!(new_rs_new_replicas(&d, &[old.clone(), new.clone()], &new).unwrap(), 1);
        let old = rs("old", 1, &[]);
        let new = rs("new", 2, &[]);
        assert_eq!(new_rs_new_replicas(&d, &[old, new.clone()], &new).unwrap(), 3);
    }

    #[test]
    fn rollback_records_the_old_revision_in_history() {
        let d = deployment(3, IntOrString::Int(1), IntOrString::Int(0));
        let mut old = rs("old", 0, &[(REVISION_ANNOTATION, "2")]);
        assert!(set_new_replica_set_annotations(&d, &mut old, 4, true, 1));
        assert_eq!(annotation(&old, REVISION_ANNOTATION), Some("4"));
        assert_eq!(annotation(&old, REVISION_HISTORY_ANNOTATION), Some("2"));
        assert!(set_new_replica_set_annotations(&d, &mut old, 6, true, 1));
        assert_eq!(annotation(&old, REVISION_HISTORY_ANNOTATION), Some("2,4"));
        // The same revision again changes nothing.
        assert!(!set_new_replica_set_annotations(&d, &mut old, 6, true, 1));
    }

    #[test]
    fn new_replica_set_gets_revision_change_cause_and_replica_annotations() {
        let mut d = deployment(3, IntOrString::Int(1), IntOrString::Int(0));
        d.metadata.annotations = Some(
            [
                ("kubernetes.io/change-cause".to_string(), "set image".to_string()),
                ("kubectl.kubernetes.io/last-applied-configuration".to_string(), "{}".to_string()),
            ]
            .into(),
        );
        let mut new = rs("new", 0, &[]);
        assert!(set_new_replica_set_annotations(&d, &mut new, 1, false, 1));
        assert_eq!(annotation(&new, REVISION_ANNOTATION), Some("1"));
        assert_eq!(annotation(&new, REVISION_HISTORY_ANNOTATION), None);
        assert_eq!(annotation(&new, "kubernetes.io/change-cause"), Some("set image"));
        assert_eq!(annotation(&new, "kubectl.kubernetes.io/last-applied-configuration"), None);
        assert_eq!(annotation(&new, DESIRED_REPLICAS_ANNOTATION), Some("3"));
        assert_eq!(annotation(&new, MAX_REPLICAS_ANNOTATION), Some("4"));
    }

    #[test]
    fn revision_history_drops_oldest_entries_beyond_the_cap() {
        let long = vec!["1"; 1000].join(",");
        let joined = append_revision_history(&long, "2").unwrap();
        assert!(joined.len() <= MAX_REV_HISTORY_LENGTH_IN_CHARS);
        assert!(joined.ends_with(",2"));
    }

    #[test]
    fn set_condition_keeps_transition_time_when_status_is_unchanged() {
        let t0 = DateTime::from_timestamp(1000, 0).unwrap();
        let t1 = DateTime::from_timestamp(2000, 0).unwrap();
        let mut status = DeploymentStatus::default();
        set_condition(&mut status, new_condition(PROGRESSING, "True", NEW_RS_REASON, "a".into(), t0));
        set_condition(&mut status, new_condition(PROGRESSING, "True", RS_UPDATED_REASON, "b".into(), t1));
        let cond = get_condition(&status, PROGRESSING).unwrap();
        assert_eq!(cond.reason.as_deref(), Some(RS_UPDATED_REASON));
        assert_eq!(cond.last_transition_time, Some(Time(t0)));
        assert_eq!(cond.last_update_time, Some(Time(t1)));
        assert_eq!(status.conditions.as_ref().unwrap().len(), 1);
    }
}
