//! Type and name arguments as kubectl reads them: `TYPE[,TYPE…] [NAME…]` or
//! `TYPE/NAME …`, resolved through discovery (refreshed once when a cached copy does not
//! know a type, as kubectl's deferred mapper does).

use super::{ApiResource, ClientError, Discovery, Session};

/// One resource type to act on, with the names asked for (none: the whole collection).
#[derive(Debug, Clone)]
pub struct Target {
    pub resource: ApiResource,
    pub names: Vec<String>,
}

/// Splits the arguments into type arguments and their names, without the server.
pub fn split_args(args: &[String]) -> Result<Vec<(String, Vec<String>)>, ClientError> {
    if args.iter().any(|a| a.contains('/')) {
        let mut pairs: Vec<(String, Vec<String>)> = Vec::new();
        for arg in args {
            let (kind, name) = arg.split_once('/').ok_or_else(|| {
                ClientError::Usage(
                    "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'".to_string(),
                )
            })?;
            if kind.is_empty() || name.is_empty() {
                return Err(ClientError::Usage(
                    "arguments in resource/name form must have a single resource and name".to_string(),
                ));
            }
            match pairs.iter_mut().find(|(k, _)| k == kind) {
                Some((_, names)) => names.push(name.to_string()),
                None => pairs.push((kind.to_string(), vec![name.to_string()])),
            }
        }
        return Ok(pairs);
    }
    let Some((types, names)) = args.split_first() else { return Ok(Vec::new()) };
    Ok(types.split(',').filter(|t| !t.is_empty()).map(|t| (t.to_string(), names.to_vec())).collect())
}

/// Resolves split arguments to resources; a category expands to its members.
pub async fn resolve(
    session: &Session,
    discovery: &mut Discovery,
    pairs: &[(String, Vec<String>)],
) -> Result<Vec<Target>, ClientError> {
    let mut targets: Vec<Target> = Vec::new();
    for (kind, names) in pairs {
        let resources = match discovery.resolve(kind) {
            Some(found) => found,
            None if discovery.from_cache => {
                *discovery = Discovery::refresh(session).await?;
                discovery.resolve(kind).ok_or_else(|| ClientError::UnknownType(kind.clone()))?
            }
            None => return Err(ClientError::UnknownType(kind.clone())),
        };
        for resource in resources {
            match targets.iter_mut().find(|t| t.resource == resource) {
                Some(target) => target.names.extend(names.iter().cloned()),
                None => targets.push(Target { resource, names: names.clone() }),
            }
        }
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn comma_lists_share_the_names() {
        let pairs = split_args(&strings(&["pods,svc", "a"])).unwrap();
        assert_eq!(pairs, vec![("pods".to_string(), strings(&["a"])), ("svc".to_string(), strings(&["a"]))]);
    }

    #[test]
    fn type_slash_name_groups_by_type() {
        let pairs = split_args(&strings(&["pod/a", "svc/b", "pod/c"])).unwrap();
        assert_eq!(pairs, vec![("pod".to_string(), strings(&["a", "c"])), ("svc".to_string(), strings(&["b"]))]);
    }
}
