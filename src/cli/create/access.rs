//! `kctl create serviceaccount|rolebinding|clusterrolebinding`, as kubectl's generators
//! build them.

use clap::Args;
use serde_json::{json, Value};

use crate::client::ClientError;

#[derive(Args, Debug, Clone)]
pub struct RoleBindingArgs {
    pub name: Option<String>,
    /// ClusterRole this binding should reference.
    #[arg(long)]
    pub clusterrole: Option<String>,
    /// Role this RoleBinding should reference.
    #[arg(long)]
    pub role: Option<String>,
    /// Usernames to bind to the role. The flag can be repeated to add multiple users.
    #[arg(long)]
    pub user: Vec<String>,
    /// Groups to bind to the role. The flag can be repeated to add multiple groups.
    #[arg(long)]
    pub group: Vec<String>,
    /// Service accounts to bind to the role, in the format <namespace>:<name>. The flag can be repeated to add multiple service accounts.
    #[arg(long)]
    pub serviceaccount: Vec<String>,
}

#[derive(Args, Debug, Clone)]
pub struct ClusterRoleBindingArgs {
    pub name: Option<String>,
    /// ClusterRole this ClusterRoleBinding should reference.
    #[arg(long)]
    pub clusterrole: Option<String>,
    /// Usernames to bind to the clusterrole. The flag can be repeated to add multiple users.
    #[arg(long)]
    pub user: Vec<String>,
    /// Groups to bind to the clusterrole. The flag can be repeated to add multiple groups.
    #[arg(long)]
    pub group: Vec<String>,
    /// Service accounts to bind to the clusterrole, in the format <namespace>:<name>. The flag can be repeated to add multiple service accounts.
    #[arg(long)]
    pub serviceaccount: Vec<String>,
}

pub fn service_account(name: &Option<String>) -> Result<Value, ClientError> {
    let name = super::required_name(name, "serviceaccount")?;
    Ok(json!({"kind": "ServiceAccount", "apiVersion": "v1", "metadata": {"name": name, "creationTimestamp": null}}))
}

pub fn role_binding(args: &RoleBindingArgs) -> Result<Value, ClientError> {
    let name = super::required_name(&args.name, "rolebinding")?;
    let role = args.role.as_deref().unwrap_or_default();
    let cluster_role = args.clusterrole.as_deref().unwrap_or_default();
    if role.is_empty() == cluster_role.is_empty() {
        return Err(ClientError::Usage("exactly one of clusterrole or role must be specified".into()));
    }
    let (kind, role_name) = if role.is_empty() { ("ClusterRole", cluster_role) } else { ("Role", role) };
    binding("RoleBinding", &name, kind, role_name, &args.user, &args.group, &args.serviceaccount)
}

pub fn cluster_role_binding(args: &ClusterRoleBindingArgs) -> Result<Value, ClientError> {
    let name = super::required_name(&args.name, "clusterrolebinding")?;
    let cluster_role = args.clusterrole.as_deref().unwrap_or_default();
    if cluster_role.is_empty() {
        return Err(ClientError::Usage("required flag(s) \"clusterrole\" not set".into()));
    }
    binding("ClusterRoleBinding", &name, "ClusterRole", cluster_role, &args.user, &args.group, &args.serviceaccount)
}

/// A binding's roleRef and subjects: users, then groups, then service accounts.
fn binding(
    kind: &str,
    name: &str,
    role_kind: &str,
    role_name: &str,
    users: &[String],
    groups: &[String],
    service_accounts: &[String],
) -> Result<Value, ClientError> {
    let mut subjects = Vec::new();
    for user in users {
        subjects.push(json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}));
    }
    for group in groups {
        subjects.push(json!({"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group}));
    }
    for account in service_accounts {
        match account.split(':').collect::<Vec<_>>().as_slice() {
            [namespace, name] if !namespace.is_empty() && !name.is_empty() => {
                subjects.push(json!({"kind": "ServiceAccount", "name": name, "namespace": namespace}))
            }
            _ => return Err(ClientError::Usage("serviceaccount must be <namespace>:<name>".into())),
        }
    }
    let mut object = json!({
        "kind": kind, "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": {"name": name, "creationTimestamp": null},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
    });
    if !subjects.is_empty() {
        object["subjects"] = json!(subjects);
    }
    Ok(object)
}
