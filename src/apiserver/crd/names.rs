//! Name acceptance: a CRD's plural, singular, short names, kind and list kind must not be
//! taken by another CRD of its group (upstream's NamingConditionController). CRDs are
//! considered oldest first, so the one that came first keeps its names.

use std::collections::HashSet;

use serde_json::Value;

/// The NamesAccepted verdict: `Ok` or the condition's reason and message.
pub type Verdict = Result<(), (&'static str, String)>;

#[derive(Default)]
pub struct TakenNames {
    /// (group, name) of plurals, singulars and short names.
    resources: HashSet<(String, String)>,
    /// (group, kind) of kinds and list kinds.
    kinds: HashSet<(String, String)>,
}

fn text<'a>(crd: &'a Value, pointer: &str) -> &'a str {
    crd.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

impl TakenNames {
    /// Starts with the built-in resources' names taken, so no CRD can shadow one (a CRD
    /// of `events.k8s.io` with plural `events` would share its storage).
    pub fn with_builtins() -> TakenNames {
        let mut taken = TakenNames::default();
        for resource in crate::registry::RESOURCES {
            let group = resource.group.to_string();
            for name in [resource.plural, resource.singular].iter().chain(resource.short_names) {
                taken.resources.insert((group.clone(), name.to_string()));
            }
            taken.kinds.insert((group.clone(), resource.kind.to_string()));
            taken.kinds.insert((group, format!("{}List", resource.kind)));
        }
        taken
    }

    /// Checks `crd`'s names and, when accepted, takes them.
    pub fn accept(&mut self, crd: &Value) -> Verdict {
        let group = text(crd, "/spec/group").to_string();
        let names = |key: &str| crd.pointer(&format!("/spec/names/{key}")).and_then(Value::as_str).unwrap_or_default();
        let short: Vec<String> = crd
            .pointer("/spec/names/shortNames")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let taken = |name: &str| self.resources.contains(&(group.clone(), name.to_string()));
        let kind_taken = |kind: &str| self.kinds.contains(&(group.clone(), kind.to_string()));
        if taken(names("plural")) {
            return Err(("PluralConflict", format!("{:?} is already in use", names("plural"))));
        }
        if taken(names("singular")) {
            return Err(("SingularConflict", format!("{:?} is already in use", names("singular"))));
        }
        if let Some(name) = short.iter().find(|s| taken(s)) {
            return Err(("ShortNamesConflict", format!("{name:?} is already in use")));
        }
        if kind_taken(names("kind")) {
            return Err(("KindConflict", format!("{:?} is already in use", names("kind"))));
        }
        if kind_taken(names("listKind")) {
            return Err(("ListKindConflict", format!("{:?} is already in use", names("listKind"))));
        }
        for name in [names("plural"), names("singular")].into_iter().chain(short.iter().map(String::as_str)) {
            if !name.is_empty() {
                self.resources.insert((group.clone(), name.to_string()));
            }
        }
        for kind in [names("kind"), names("listKind")] {
            self.kinds.insert((group.clone(), kind.to_string()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn later_crds_of_a_group_cannot_reuse_names() {
        let crd = |plural: &str, kind: &str, group: &str| json!({"spec": {"group": group, "names": {"plural": plural, "singular": plural.trim_end_matches('s'), "kind": kind, "listKind": format!("{kind}List")}}});
        let mut taken = TakenNames::default();
        assert_eq!(taken.accept(&crd("widgets", "Widget", "a.io")), Ok(()));
        assert_eq!(
            taken.accept(&crd("widgets", "Other", "a.io")),
            Err(("PluralConflict", "\"widgets\" is already in use".into()))
        );
        assert_eq!(taken.accept(&crd("things", "Widget", "a.io")).unwrap_err().0, "KindConflict");
        assert_eq!(taken.accept(&crd("widgets", "Widget", "b.io")), Ok(()));
        let mut taken = TakenNames::with_builtins();
        assert_eq!(taken.accept(&crd("events", "Happening", "events.k8s.io")).unwrap_err().0, "PluralConflict");
    }
}
