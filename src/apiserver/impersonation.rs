//! Impersonation (upstream's `endpoints/filters/impersonation.go`): `Impersonate-User`,
//! `-Group`, `-Uid` and `Impersonate-Extra-*` headers make a request act as another user,
//! each asked of the authorizer with the `impersonate` verb first.

use http::HeaderMap;

use super::auth::{self, Attributes, UserInfo};
use super::status::ApiError;
use super::ApiState;

const USER: &str = "impersonate-user";
const GROUP: &str = "impersonate-group";
const UID: &str = "impersonate-uid";
const EXTRA_PREFIX: &str = "impersonate-extra-";

/// The user `requestor` acts as by the request's impersonation headers (itself when
/// there are none); 403 when it may not impersonate what they ask.
pub fn impersonate(state: &ApiState, requestor: UserInfo, headers: &HeaderMap) -> Result<UserInfo, ApiError> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let user = text(USER);
    let groups: Vec<String> =
        headers.get_all(GROUP).iter().filter_map(|v| v.to_str().ok()).map(str::to_string).collect();
    let uid = text(UID);
    let mut extras: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        if let Some(key) = name.as_str().strip_prefix(EXTRA_PREFIX) {
            let key = percent_decode(key);
            extras.push((key, value.to_str().unwrap_or_default().to_string()));
        }
    }
    if user.is_empty() {
        if !groups.is_empty() || !extras.is_empty() || !uid.is_empty() {
            return Err(ApiError::internal(
                "requested impersonation of groups, extra or uid without impersonating a user",
            ));
        }
        return Ok(requestor);
    }
    let check = |resource: &str, subresource: &str, namespace: &str, name: &str, group: &str| {
        let attributes =
            Attributes { verb: "impersonate", api_group: group, resource, subresource, namespace, name, path: "" };
        auth::authorize(state, &requestor, &attributes)
    };
    let mut impersonated = UserInfo { name: user.clone(), uid: uid.clone(), ..UserInfo::default() };
    match super::serviceaccount::split_username(&user) {
        Some((namespace, name)) => {
            check("serviceaccounts", "", namespace, name, "")?;
            if groups.is_empty() {
                impersonated.groups = super::serviceaccount::groups_of(namespace);
            }
        }
        None => check("users", "", "", &user, "")?,
    }
    for group in &groups {
        check("groups", "", "", group, "")?;
        impersonated.groups.push(group.clone());
    }
    for (key, value) in extras {
        check("userextras", &key, "", &value, "authentication.k8s.io")?;
        impersonated.extra.entry(key).or_default().push(value);
    }
    if !uid.is_empty() {
        check("uids", "", "", &uid, "authentication.k8s.io")?;
    }
    let (authenticated, unauthenticated) = (auth::AUTHENTICATED.to_string(), auth::UNAUTHENTICATED.to_string());
    if user != auth::ANONYMOUS {
        if !impersonated.groups.contains(&authenticated) && !impersonated.groups.contains(&unauthenticated) {
            impersonated.groups.push(authenticated);
        }
    } else if !impersonated.groups.contains(&unauthenticated) {
        impersonated.groups.push(unauthenticated);
    }
    Ok(impersonated)
}

/// `%XX` sequences of an extra key decoded, as upstream's `unescapeExtraKey`.
fn percent_decode(key: &str) -> String {
    let decoded: Vec<u8> = form_urlencoded::parse(format!("k={}", key.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned().into_bytes())
        .unwrap_or_else(|| key.as_bytes().to_vec());
    String::from_utf8(decoded).unwrap_or_else(|_| key.to_string())
}
