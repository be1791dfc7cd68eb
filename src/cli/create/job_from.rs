//! `kctl create job NAME --from=cronjob/CJ`: a Job from a CronJob's template, marked
//! `cronjob.kubernetes.io/instantiate: manual` and owned by the CronJob (kubectl's
//! `createJobFromCronJob`).

use serde_json::{json, Value};

use crate::client::{ClientError, ConnectionFlags, Session};

/// The job `stub` (its name) made from the CronJob `from` names.
pub async fn job_from(flags: &ConnectionFlags, from: &str, stub: &Value) -> Result<Value, ClientError> {
    let (kind, name) = from.split_once('/').unwrap_or((from, ""));
    if !matches!(kind.to_lowercase().as_str(), "cronjob" | "cronjobs" | "cj" | "cronjob.batch" | "cronjobs.batch")
        || name.is_empty()
    {
        return Err(ClientError::Usage("from must be an existing cronjob".to_string()));
    }
    let session = Session::connect(flags).await?;
    let path = format!("/apis/batch/v1/namespaces/{}/cronjobs/{name}", session.namespace);
    let cron_job = session.get_json(&path, "application/json").await?;
    Ok(job_of(&cron_job, stub["metadata"]["name"].as_str().unwrap_or_default()))
}

fn job_of(cron_job: &Value, name: &str) -> Value {
    let template = cron_job.pointer("/spec/jobTemplate").cloned().unwrap_or(json!({}));
    let mut annotations = json!({"cronjob.kubernetes.io/instantiate": "manual"});
    if let Some(extra) = template.pointer("/metadata/annotations").and_then(Value::as_object) {
        for (key, value) in extra {
            annotations[key] = value.clone();
        }
    }
    let mut metadata = json!({
        "name": name,
        "creationTimestamp": null,
        "annotations": annotations,
        "ownerReferences": [{
            "apiVersion": "batch/v1", "kind": "CronJob",
            "name": cron_job.pointer("/metadata/name").cloned().unwrap_or(Value::Null),
            "uid": cron_job.pointer("/metadata/uid").cloned().unwrap_or(Value::Null),
            "controller": true,
        }],
    });
    if let Some(labels) = template.pointer("/metadata/labels").filter(|l| l.is_object()) {
        metadata["labels"] = labels.clone();
    }
    json!({"kind": "Job", "apiVersion": "batch/v1", "metadata": metadata,
        "spec": template.get("spec").cloned().unwrap_or(json!({})), "status": {}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_job_takes_the_template_and_names_its_cron_job() {
        let cron_job = json!({"metadata": {"name": "nightly", "uid": "u1"}, "spec": {"jobTemplate": {
            "metadata": {"labels": {"team": "a"}, "annotations": {"note": "x"}},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}}});
        let job = job_of(&cron_job, "manual-1");
        assert_eq!(job["metadata"]["annotations"], json!({"cronjob.kubernetes.io/instantiate": "manual", "note": "x"}));
        assert_eq!(job["metadata"]["labels"], json!({"team": "a"}));
        assert_eq!(job["metadata"]["ownerReferences"][0]["uid"], "u1");
        assert_eq!(job["spec"]["template"]["spec"]["containers"][0]["image"], "busybox");
    }
}
