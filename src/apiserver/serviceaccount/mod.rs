//! Service accounts' identities (upstream's `pkg/serviceaccount`): the user name and groups
//! of a service account, the JWTs that stand for it (`tokens`) and the TokenRequest API
//! that issues them (`token_request`).

pub mod admission;
pub mod token_request;
pub mod tokens;

const PREFIX: &str = "system:serviceaccount:";

/// `system:serviceaccount:NS:NAME` → (NS, NAME).
pub fn split_username(user: &str) -> Option<(&str, &str)> {
    let (namespace, name) = user.strip_prefix(PREFIX)?.split_once(':')?;
    (!namespace.is_empty() && !name.is_empty() && !name.contains(':')).then_some((namespace, name))
}

pub fn username(namespace: &str, name: &str) -> String {
    format!("{PREFIX}{namespace}:{name}")
}

/// The groups of every service account of `namespace` (upstream's `MakeGroupNames`).
pub fn groups_of(namespace: &str) -> Vec<String> {
    vec!["system:serviceaccounts".into(), format!("system:serviceaccounts:{namespace}")]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_account_user_names_split_into_namespace_and_name() {
        assert_eq!(split_username("system:serviceaccount:ns:sa"), Some(("ns", "sa")));
        assert_eq!(split_username(&username("a", "b")), Some(("a", "b")));
        assert_eq!(split_username("system:serviceaccount:ns"), None);
        assert_eq!(split_username("alice"), None);
    }
}
