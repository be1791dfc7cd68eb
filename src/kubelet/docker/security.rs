//! A container's securityContext (merged over the pod's, as upstream's
//! DetermineEffectiveSecurityContext) as the engine's options: user and groups,
//! read-only root filesystem, capabilities, privileged, no-new-privileges; and
//! runAsNonRoot checked against the image's user before the container is made.

use k8s_openapi::api::core::v1::{Container, Pod};

/// What the engine is told of a container's identity and privileges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineSecurity {
    /// `uid[:gid]`, or None for the image's user.
    pub user: Option<String>,
    pub group_add: Vec<String>,
    pub read_only_rootfs: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub privileged: bool,
    pub security_opt: Vec<String>,
}

/// The engine's options for `container`, whose image runs as `image_user` (Docker's
/// `user[:group]`, "" for root); upstream's error when runAsNonRoot cannot hold.
pub fn engine_security(pod: &Pod, container: &Container, image_user: &str) -> Result<EngineSecurity, String> {
    let pod_context = pod.spec.as_ref().and_then(|s| s.security_context.as_ref());
    let context = container.security_context.as_ref();
    let run_as_user = context.and_then(|c| c.run_as_user).or_else(|| pod_context.and_then(|p| p.run_as_user));
    let run_as_group = context.and_then(|c| c.run_as_group).or_else(|| pod_context.and_then(|p| p.run_as_group));
    let non_root = context.and_then(|c| c.run_as_non_root).or_else(|| pod_context.and_then(|p| p.run_as_non_root));
    if non_root == Some(true) {
        verify_non_root(pod, container, run_as_user, image_user)?;
    }
    let user = match (run_as_user, run_as_group) {
        (Some(uid), Some(gid)) => Some(format!("{uid}:{gid}")),
        (Some(uid), None) => Some(uid.to_string()),
        // The image's user with another group.
        (None, Some(gid)) => {
            let image_uid = image_user.split(':').next().filter(|u| !u.is_empty()).unwrap_or("0");
            Some(format!("{image_uid}:{gid}"))
        }
        (None, None) => None,
    };
    let mut group_add: Vec<String> =
        pod_context.and_then(|p| p.supplemental_groups.as_ref()).into_iter().flatten().map(|g| g.to_string()).collect();
    if let Some(fs_group) = pod_context.and_then(|p| p.fs_group) {
        group_add.push(fs_group.to_string());
    }
    let capabilities = context.and_then(|c| c.capabilities.as_ref());
    let names = |list: Option<&Vec<String>>| list.into_iter().flatten().cloned().collect::<Vec<_>>();
    let mut security_opt = Vec::new();
    if context.and_then(|c| c.allow_privilege_escalation) == Some(false) {
        security_opt.push("no-new-privileges".to_string());
    }
    Ok(EngineSecurity {
        user,
        group_add,
        read_only_rootfs: context.and_then(|c| c.read_only_root_filesystem).unwrap_or(false),
        cap_add: names(capabilities.and_then(|c| c.add.as_ref())),
        cap_drop: names(capabilities.and_then(|c| c.drop.as_ref())),
        privileged: context.and_then(|c| c.privileged).unwrap_or(false),
        security_opt,
    })
}

/// upstream's verifyRunAsNonRoot.
fn verify_non_root(pod: &Pod, container: &Container, run_as_user: Option<i64>, image_user: &str) -> Result<(), String> {
    let (pod, name) = (super::sync::pod_display(pod), &container.name);
    if let Some(uid) = run_as_user {
        return match uid {
            0 => Err(format!("container's runAsUser breaks non-root policy (pod: \"{pod}\", container: {name})")),
            _ => Ok(()),
        };
    }
    let user = image_user.split(':').next().unwrap_or_default();
    match user.parse::<i64>() {
        _ if user.is_empty() => {
            Err(format!("container has runAsNonRoot and image will run as root (pod: \"{pod}\", container: {name})"))
        }
        Ok(0) => Err(format!("container has runAsNonRoot and image will run as root (pod: \"{pod}\", container: {name})")),
        Ok(_) => Ok(()),
        Err(_) => Err(format!(
            "container has runAsNonRoot and image has non-numeric user ({user}), cannot verify user is non-root (pod: \"{pod}\", container: {name})"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(spec: serde_json::Value) -> Pod {
        serde_json::from_value(json!({"metadata": {"name": "p", "namespace": "default", "uid": "u"}, "spec": spec}))
            .expect("pod")
    }

    #[test]
    fn the_containers_context_overrides_the_pods() {
        let pod = pod(json!({"securityContext": {"runAsUser": 1000, "runAsGroup": 3000, "fsGroup": 2000,
            "supplementalGroups": [4000]},
            "containers": [{"name": "c", "securityContext": {"runAsUser": 1001, "readOnlyRootFilesystem": true,
            "allowPrivilegeEscalation": false, "capabilities": {"add": ["NET_ADMIN"], "drop": ["ALL"]}}}]}));
        let container = &pod.spec.as_ref().expect("spec").containers[0];
        let security = engine_security(&pod, container, "").expect("allowed");
        assert_eq!(security.user.as_deref(), Some("1001:3000"));
        assert_eq!(security.group_add, ["4000", "2000"]);
        assert!(security.read_only_rootfs);
        assert_eq!((security.cap_add, security.cap_drop), (vec!["NET_ADMIN".to_string()], vec!["ALL".to_string()]));
        assert_eq!(security.security_opt, ["no-new-privileges"]);
    }

    #[test]
    fn run_as_non_root_refuses_root_images_as_upstream_says() {
        let pod = pod(json!({"securityContext": {"runAsNonRoot": true}, "containers": [{"name": "c"}]}));
        let container = &pod.spec.as_ref().expect("spec").containers[0];
        assert_eq!(
            engine_security(&pod, container, "").unwrap_err(),
            "container has runAsNonRoot and image will run as root (pod: \"p_default(u)\", container: c)"
        );
        assert!(engine_security(&pod, container, "nobody").unwrap_err().contains("non-numeric user (nobody)"));
        assert!(engine_security(&pod, container, "65534").is_ok());
    }
}
