//! Which pods a drain removes (kubectl's `pkg/drain/filters.go`): each filter in turn may
//! keep a pod (skip), refuse the drain (error), or let it go with a warning.

use serde_json::Value;

use super::server_message;
use crate::client::Session;

const DAEMON_SET_FATAL: &str = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)";
const DAEMON_SET_WARNING: &str = "ignoring DaemonSet-managed Pods";
const LOCAL_STORAGE_FATAL: &str = "Pods with local storage (use --delete-emptydir-data to override)";
const LOCAL_STORAGE_WARNING: &str = "deleting Pods with local storage";
const UNMANAGED_FATAL: &str = "cannot delete Pods that declare no controller (use --force to override)";
const UNMANAGED_WARNING: &str = "deleting Pods that declare no controller";

/// What the filters decided for one pod (`PodDeleteStatus`).
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Okay,
    Skip,
    Warning { delete: bool, message: String },
    Error(String),
}

impl Verdict {
    fn deletes(&self) -> bool {
        matches!(self, Verdict::Okay | Verdict::Warning { delete: true, .. })
    }
}

/// The flags the filters read.
pub struct Options {
    pub force: bool,
    pub ignore_daemonsets: bool,
    pub delete_emptydir_data: bool,
    pub skip_wait_for_delete_timeout: i64,
}

fn finished(pod: &Value) -> bool {
    matches!(pod.pointer("/status/phase").and_then(Value::as_str), Some("Succeeded" | "Failed"))
}

fn controller_of(pod: &Value) -> Option<&Value> {
    pod.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
}

/// `shouldSkipPod`: terminating for longer than `--skip-wait-for-delete-timeout`.
pub fn terminating_too_long(pod: &Value, seconds: i64) -> bool {
    let Some(since) = pod.pointer("/metadata/deletionTimestamp").and_then(Value::as_str) else { return false };
    let Ok(since) = chrono::DateTime::parse_from_rfc3339(since) else { return false };
    seconds > 0 && (chrono::Utc::now() - since.with_timezone(&chrono::Utc)).num_seconds() > seconds
}

/// The filters in kubectl's order; the first that keeps the pod decides.
pub async fn verdict(session: &Session, options: &Options, pod: &Value) -> Verdict {
    let mut last = Verdict::Okay;
    for filter in 0..5 {
        last = match filter {
            0 if terminating_too_long(pod, options.skip_wait_for_delete_timeout) => Verdict::Skip,
            1 => daemon_set(session, options, pod).await,
            2 if pod.pointer("/metadata/annotations/kubernetes.io~1config.mirror").is_some() => Verdict::Skip,
            3 => local_storage(options, pod),
            4 => unreplicated(options, pod),
            _ => Verdict::Okay,
        };
        if !last.deletes() {
            break;
        }
    }
    last
}

async fn daemon_set(session: &Session, options: &Options, pod: &Value) -> Verdict {
    let Some(owner) = controller_of(pod).filter(|o| o.get("kind").and_then(Value::as_str) == Some("DaemonSet")) else {
        return Verdict::Okay;
    };
    if finished(pod) {
        return Verdict::Okay;
    }
    let namespace = pod.pointer("/metadata/namespace").and_then(Value::as_str).unwrap_or_default();
    let name = owner.get("name").and_then(Value::as_str).unwrap_or_default();
    let path = format!("/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}");
    if let Err(err) = session.get_json(&path, "application/json").await {
        if err.is_not_found() && options.force {
            return Verdict::Warning { delete: true, message: server_message(&err) };
        }
        return Verdict::Error(server_message(&err));
    }
    if !options.ignore_daemonsets {
        return Verdict::Error(DAEMON_SET_FATAL.into());
    }
    Verdict::Warning { delete: false, message: DAEMON_SET_WARNING.into() }
}

fn local_storage(options: &Options, pod: &Value) -> Verdict {
    let volumes = pod.pointer("/spec/volumes").and_then(Value::as_array);
    let has_empty_dir = volumes.is_some_and(|v| v.iter().any(|v| v.get("emptyDir").is_some_and(|e| !e.is_null())));
    if !has_empty_dir || finished(pod) {
        return Verdict::Okay;
    }
    if !options.delete_emptydir_data {
        return Verdict::Error(LOCAL_STORAGE_FATAL.into());
    }
    Verdict::Warning { delete: true, message: LOCAL_STORAGE_WARNING.into() }
}

fn unreplicated(options: &Options, pod: &Value) -> Verdict {
    if finished(pod) || controller_of(pod).is_some() {
        return Verdict::Okay;
    }
    if options.force {
        return Verdict::Warning { delete: true, message: UNMANAGED_WARNING.into() };
    }
    Verdict::Error(UNMANAGED_FATAL.into())
}

/// The pods with their verdicts (`PodDeleteList`).
pub struct Decisions(pub Vec<(Value, Verdict)>);

fn key(pod: &Value) -> String {
    let text = |p: &str| pod.pointer(p).and_then(Value::as_str).unwrap_or_default();
    format!("{}/{}", text("/metadata/namespace"), text("/metadata/name"))
}

/// Messages in first-seen order, each with its pods.
fn grouped<'a>(items: impl Iterator<Item = (&'a str, String)>) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for (message, pod) in items {
        match groups.iter_mut().find(|(m, _)| m == message) {
            Some((_, pods)) => pods.push(pod),
            None => groups.push((message.to_string(), vec![pod])),
        }
    }
    groups
}

impl Decisions {
    pub fn pods(&self) -> Vec<&Value> {
        self.0.iter().filter(|(_, v)| v.deletes()).map(|(p, _)| p).collect()
    }

    /// `Warnings()`: `message: ns/a, ns/b; message: …`.
    pub fn warnings(&self) -> String {
        let items = self.0.iter().filter_map(|(pod, v)| match v {
            Verdict::Warning { message, .. } => Some((message.as_str(), key(pod))),
            _ => None,
        });
        grouped(items).iter().map(|(m, pods)| format!("{m}: {}", pods.join(", "))).collect::<Vec<_>>().join("; ")
    }

    /// `errors()`: `cannot delete <message>: ns/a, ns/b`, one per message.
    pub fn errors(&self) -> Vec<String> {
        let items = self.0.iter().filter_map(|(pod, v)| match v {
            Verdict::Error(message) => {
                Some((if message.is_empty() { "unexpected error" } else { message.as_str() }, key(pod)))
            }
            _ => None,
        });
        grouped(items).iter().map(|(m, pods)| format!("cannot delete {m}: {}", pods.join(", "))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn options(force: bool, delete_emptydir_data: bool) -> Options {
        Options { force, ignore_daemonsets: false, delete_emptydir_data, skip_wait_for_delete_timeout: 0 }
    }

    #[test]
    fn unmanaged_and_local_storage_pods_need_their_flags() {
        let bare = json!({"metadata": {"name": "p", "namespace": "default"}, "status": {"phase": "Running"}});
        assert_eq!(unreplicated(&options(false, false), &bare), Verdict::Error(UNMANAGED_FATAL.into()));
        assert!(unreplicated(&options(true, false), &bare).deletes());
        let done = json!({"status": {"phase": "Succeeded"}});
        assert_eq!(unreplicated(&options(false, false), &done), Verdict::Okay);
        let scratch = json!({"spec": {"volumes": [{"name": "s", "emptyDir": {}}]}, "status": {"phase": "Running"}});
        assert_eq!(local_storage(&options(false, false), &scratch), Verdict::Error(LOCAL_STORAGE_FATAL.into()));
        assert_eq!(
            local_storage(&options(false, true), &scratch),
            Verdict::Warning { delete: true, message: LOCAL_STORAGE_WARNING.into() }
        );
    }

    #[test]
    fn warnings_and_errors_group_pods_by_message() {
        let pod = |name: &str| json!({"metadata": {"name": name, "namespace": "ns"}});
        let warn = |m: &str| Verdict::Warning { delete: true, message: m.into() };
        let decisions = Decisions(vec![
            (pod("a"), warn("w1")),
            (pod("b"), Verdict::Error("e".into())),
            (pod("c"), warn("w1")),
            (pod("d"), warn("w2")),
        ]);
        assert_eq!(decisions.warnings(), "w1: ns/a, ns/c; w2: ns/d");
        assert_eq!(decisions.errors(), ["cannot delete e: ns/b"]);
        assert_eq!(decisions.pods().len(), 3);
    }
}
