//! `kctl replace` beside the real kubectl: a PUT over the stored object (with the stored
//! resource version when the file has none), `--force` delete-and-create, `--save-config`,
//! dry runs, output formats and the failures kubectl reports.

mod cli_common;
mod support;

use cli_common::mutate::{both, same_objects, start};

const CONFIG_MAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {mode: first}\n";
const CHANGED: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, labels: {v: two}}\ndata: {mode: second}\n";
const MISSING: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: absent}\ndata: {a: b}\n";

#[test]
fn replace_matches_kubectl() {
    let server = start();
    server.write("cm.yaml", CONFIG_MAP);
    server.write("changed.yaml", CHANGED);
    server.write("missing.yaml", MISSING);
    both(&server, &["create", "-f", "cm.yaml"], None);
    for args in [
        &["replace", "-f", "changed.yaml", "--dry-run=client", "-o", "yaml"][..],
        &["replace", "-f", "changed.yaml", "--dry-run=server"],
        &["replace", "-f", "changed.yaml"],
        &["replace", "-f", "changed.yaml", "-o", "name"],
        &["replace", "-f", "changed.yaml", "--save-config"],
        &["replace", "-f", "missing.yaml"],
        &["replace", "-f", "cm.yaml", "--force"],
        &["replace", "-f", "cm.yaml", "--force", "--dry-run=server"],
        &["replace"],
        &["replace", "-f", "nosuchfile.yaml"],
    ] {
        both(&server, args, None);
        same_objects(&server, "configmap", "settings");
    }
    // From stdin, with -o yaml.
    both(&server, &["replace", "-f", "-", "-o", "yaml"], Some(CHANGED));
    same_objects(&server, "configmap", "settings");
}
