//! Indexed jobs (`completionMode: Indexed`): each pod carries a completion index
//! (annotation and label `batch.kubernetes.io/job-completion-index`, hostname
//! `<job>-<index>`, env `JOB_COMPLETION_INDEX`), and the job is complete when every index
//! in `0..completions` has succeeded, which `status.completedIndexes` lists as ranges.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{EnvVar, EnvVarSource, ObjectFieldSelector, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

pub const INDEX_KEY: &str = "batch.kubernetes.io/job-completion-index";
const INDEX_ENV: &str = "JOB_COMPLETION_INDEX";

/// The pod's completion index, if it has a valid one.
pub fn index_of(meta: &ObjectMeta) -> Option<i32> {
    meta.annotations.as_ref()?.get(INDEX_KEY)?.parse().ok().filter(|i| *i >= 0)
}

/// `"1,3-5"` → {1, 3, 4, 5}; what does not parse is skipped.
pub fn parse_ranges(text: &str) -> BTreeSet<i32> {
    let mut indexes = BTreeSet::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (first, last) = part.split_once('-').unwrap_or((part, part));
        if let (Ok(first), Ok(last)) = (first.parse::<i32>(), last.parse::<i32>()) {
            indexes.extend(first..=last);
        }
    }
    indexes
}

/// {1, 3, 4, 5} → `"1,3-5"`, as upstream writes completedIndexes.
pub fn format_ranges(indexes: &BTreeSet<i32>) -> String {
    let mut ranges: Vec<(i32, i32)> = Vec::new();
    for &index in indexes {
        match ranges.last_mut() {
            Some((_, last)) if *last + 1 == index => *last = index,
            _ => ranges.push((index, index)),
        }
    }
    let parts: Vec<String> =
        ranges.into_iter().map(|(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect();
    parts.join(",")
}

/// The lowest `count` indexes below `completions` that neither succeeded nor run.
pub fn to_create(completions: i32, succeeded: &BTreeSet<i32>, running: &BTreeSet<i32>, count: usize) -> Vec<i32> {
    (0..completions).filter(|i| !succeeded.contains(i) && !running.contains(i)).take(count).collect()
}

/// Marks a new pod of job `job` with its completion index.
pub fn stamp(pod: &mut Pod, job: &str, index: i32) {
    let value = index.to_string();
    pod.metadata.generate_name = Some(format!("{job}-{index}-"));
    pod.metadata.annotations.get_or_insert_with(Default::default).insert(INDEX_KEY.into(), value.clone());
    pod.metadata.labels.get_or_insert_with(Default::default).insert(INDEX_KEY.into(), value);
    let Some(spec) = pod.spec.as_mut() else { return };
    if spec.hostname.as_deref().unwrap_or_default().is_empty() {
        spec.hostname = Some(format!("{job}-{index}"));
    }
    let env = EnvVar {
        name: INDEX_ENV.into(),
        value_from: Some(EnvVarSource {
            field_ref: Some(ObjectFieldSelector {
                api_version: Some("v1".into()),
                field_path: format!("metadata.annotations['{INDEX_KEY}']"),
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    for container in spec.init_containers.iter_mut().flatten().chain(spec.containers.iter_mut()) {
        let vars = container.env.get_or_insert_with(Vec::new);
        if !vars.iter().any(|v| v.name == INDEX_ENV) {
            vars.push(env.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ranges_round_trip() {
        let set = parse_ranges("0,2-4,7");
        assert_eq!(set, BTreeSet::from([0, 2, 3, 4, 7]));
        assert_eq!(format_ranges(&set), "0,2-4,7");
        assert_eq!(format_ranges(&BTreeSet::new()), "");
        assert!(parse_ranges("x,-").is_empty());
    }

    #[test]
    fn missing_indexes_are_created_lowest_first() {
        assert_eq!(to_create(5, &BTreeSet::from([0]), &BTreeSet::from([1]), 2), [2, 3]);
        assert!(to_create(2, &BTreeSet::from([0, 1]), &BTreeSet::new(), 3).is_empty());
    }

    #[test]
    fn stamped_pods_carry_their_index() {
        let mut pod: Pod =
            serde_json::from_value(json!({"metadata": {}, "spec": {"containers": [{"name": "c", "image": "x"}]}}))
                .unwrap();
        stamp(&mut pod, "sum", 3);
        assert_eq!(index_of(&pod.metadata), Some(3));
        assert_eq!(pod.metadata.generate_name.as_deref(), Some("sum-3-"));
        let spec = pod.spec.unwrap();
        assert_eq!(spec.hostname.as_deref(), Some("sum-3"));
        assert_eq!(spec.containers[0].env.as_ref().unwrap()[0].name, "JOB_COMPLETION_INDEX");
    }
}
