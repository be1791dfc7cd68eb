//! Data volumes (configMap, secret, downwardAPI, projected with service-account tokens), as
//! upstream's volume plugins and atomic writer. The kubelet may run inside a node container
//! while pod containers are siblings on the host engine, so files go through the engine, as emptyDirs do: each
//! data volume is an engine volume (like an emptyDir), mounted writable in the sandbox at
//! `/volumes/<name>` and read-only in the containers; the kubelet uploads its files
//! into the sandbox as a tar archive. As upstream's atomic writer, the files live in a
//! timestamped `..<time>` directory, `..data` links to it and each top-level name links
//! through `..data`, so an update (a new directory, then `..data` replaced) is seen whole.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{KeyToPath, Pod, Volume};

use super::env::{self, Sources};

/// Where the sandbox mounts the pod's data volumes.
pub const SANDBOX_ROOT: &str = "/volumes";

/// One file of a volume: its path inside the volume, bytes and mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub data: Vec<u8>,
    pub mode: u32,
}

/// Whether the kubelet writes this volume's files (rather than the engine providing it).
pub fn is_data_volume(volume: &Volume) -> bool {
    volume.config_map.is_some()
        || volume.secret.is_some()
        || volume.downward_api.is_some()
        || volume.projected.is_some()
}

/// Upstream's default modes: 0644 for every data volume.
const DEFAULT_MODE: i32 = 0o644;

/// Selects `items` (or every key), with each file's mode.
fn project(
    data: &BTreeMap<String, Vec<u8>>,
    items: Option<&Vec<KeyToPath>>,
    mode: i32,
    optional: bool,
    kind: &str,
    name: &str,
    files: &mut Vec<File>,
) -> Result<(), String> {
    match items {
        None => {
            for (key, value) in data {
                files.push(File { path: key.clone(), data: value.clone(), mode: mode as u32 });
            }
        }
        Some(items) => {
            for item in items {
                match data.get(&item.key) {
                    Some(value) => files.push(File {
                        path: item.path.clone(),
                        data: value.clone(),
                        mode: item.mode.unwrap_or(mode) as u32,
                    }),
                    None if optional => {}
                    // Upstream's words for each plugin.
                    None if kind == "secret" => {
                        return Err(format!("references non-existent secret key: {} (secret {name})", item.key))
                    }
                    None => {
                        return Err(format!(
                            "configmap references non-existent config key: {} (configmap {name})",
                            item.key
                        ))
                    }
                }
            }
        }
    }
    Ok(())
}

/// The files a data volume holds now; upstream's message when a source is missing.
pub async fn files(context: &env::PodContext<'_>, volume: &Volume, sources: &mut Sources) -> Result<Vec<File>, String> {
    let namespace = context.pod.metadata.namespace.as_deref().unwrap_or("default");
    let client = context.client;
    let mut files = Vec::new();
    let as_bytes = |data: &BTreeMap<String, String>| -> BTreeMap<String, Vec<u8>> {
        data.iter().map(|(k, v)| (k.clone(), v.as_bytes().to_vec())).collect()
    };
    if let Some(source) = &volume.config_map {
        let optional = source.optional == Some(true);
        let mode = source.default_mode.unwrap_or(DEFAULT_MODE);
        match sources.config_map(client, namespace, &source.name).await.map_err(|e| e.to_string())? {
            Some(data) => {
                project(&as_bytes(data), source.items.as_ref(), mode, optional, "configmap", &source.name, &mut files)?
            }
            None if optional => {}
            None => return Err(format!("configmap \"{}\" not found", source.name)),
        }
    }
    if let Some(source) = &volume.secret {
        let optional = source.optional == Some(true);
        let mode = source.default_mode.unwrap_or(DEFAULT_MODE);
        let name = source.secret_name.clone().unwrap_or_default();
        match sources.secret(client, namespace, &name).await.map_err(|e| e.to_string())? {
            Some(data) => project(&as_bytes(data), source.items.as_ref(), mode, optional, "secret", &name, &mut files)?,
            None if optional => {}
            None => return Err(format!("secret \"{name}\" not found")),
        }
    }
    if let Some(source) = &volume.downward_api {
        let mode = source.default_mode.unwrap_or(DEFAULT_MODE);
        downward(context, source.items.iter().flatten(), mode, &mut files)?;
    }
    if let Some(projected) = &volume.projected {
        let mode = projected.default_mode.unwrap_or(DEFAULT_MODE);
        for source in projected.sources.iter().flatten() {
            if let Some(source) = &source.config_map {
                let optional = source.optional == Some(true);
                match sources.config_map(client, namespace, &source.name).await.map_err(|e| e.to_string())? {
                    Some(data) => project(
                        &as_bytes(data),
                        source.items.as_ref(),
                        mode,
                        optional,
                        "configmap",
                        &source.name,
                        &mut files,
                    )?,
                    None if optional => {}
                    None => return Err(format!("configmap \"{}\" not found", source.name)),
                }
            }
            if let Some(source) = &source.secret {
                let optional = source.optional == Some(true);
                match sources.secret(client, namespace, &source.name).await.map_err(|e| e.to_string())? {
                    Some(data) => project(
                        &as_bytes(data),
                        source.items.as_ref(),
                        mode,
                        optional,
                        "secret",
                        &source.name,
                        &mut files,
                    )?,
                    None if optional => {}
                    None => return Err(format!("secret \"{}\" not found", source.name)),
                }
            }
            if let Some(source) = &source.downward_api {
                downward(context, source.items.iter().flatten(), mode, &mut files)?;
            }
            if let Some(source) = &source.service_account_token {
                let token = super::service_account_token::TOKENS.token(client, context.pod, source).await?;
                files.push(File { path: source.path.clone(), data: token.into_bytes(), mode: mode as u32 });
            }
        }
    }
    Ok(files)
}

fn downward<'a>(
    context: &env::PodContext<'_>,
    items: impl Iterator<Item = &'a k8s_openapi::api::core::v1::DownwardAPIVolumeFile>,
    mode: i32,
    files: &mut Vec<File>,
) -> Result<(), String> {
    for item in items {
        let value = match &item.field_ref {
            Some(field) => env::field_value(context.pod, &field.field_path, context.pod_ip, context.host_ip)?,
            // resourceFieldRef in volumes is not supported here yet.
            None => String::new(),
        };
        files.push(File { path: item.path.clone(), data: value.into_bytes(), mode: item.mode.unwrap_or(mode) as u32 });
    }
    Ok(())
}

/// The tar archive that lays `files` out as upstream's atomic writer does, under the
/// timestamped directory `stamp` (`..2026_12_07_19_33_00.000000001`).
pub fn archive(files: &[File], stamp: &str) -> Result<Vec<u8>, std::io::Error> {
    let mut builder = tar::Builder::new(Vec::new());
    let header = |kind: tar::EntryType, mode: u32, size: u64| {
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_mode(mode);
        header.set_size(size);
        header.set_mtime(0);
        header
    };
    let mut dirs: Vec<String> = vec![stamp.to_string()];
    for file in files {
        let mut parent = std::path::Path::new(&file.path).parent();
        while let Some(dir) = parent.filter(|d| !d.as_os_str().is_empty()) {
            dirs.push(format!("{stamp}/{}", dir.display()));
            parent = dir.parent();
        }
    }
    dirs.sort();
    dirs.dedup();
    for dir in &dirs {
        let mut entry = header(tar::EntryType::Directory, 0o755, 0);
        builder.append_data(&mut entry, format!("{dir}/"), std::io::empty())?;
    }
    for file in files {
        let mut entry = header(tar::EntryType::Regular, file.mode, file.data.len() as u64);
        builder.append_data(&mut entry, format!("{stamp}/{}", file.path), file.data.as_slice())?;
    }
    // `..data` replaced last: readers see the old or the new set, never a mix.
    let mut tops: Vec<&str> = files.iter().filter_map(|f| f.path.split('/').next()).collect();
    tops.sort();
    tops.dedup();
    for top in tops {
        let mut entry = header(tar::EntryType::Symlink, 0o777, 0);
        builder.append_link(&mut entry, top, format!("..data/{top}"))?;
    }
    let mut entry = header(tar::EntryType::Symlink, 0o777, 0);
    builder.append_link(&mut entry, "..data", stamp)?;
    builder.into_inner()
}

/// The directory name of a write at `now`, as upstream's (`..2006_01_02_15_04_05.<nanos>`).
pub fn stamp(now: chrono::DateTime<chrono::Utc>) -> String {
    now.format("..%Y_%m_%d_%H_%M_%S.%f").to_string()
}

/// The local driver's options of an emptyDir: medium Memory is a tmpfs (sized by its
/// sizeLimit), shared by the pod's containers as any engine volume.
pub fn empty_dir_options(
    source: &k8s_openapi::api::core::v1::EmptyDirVolumeSource,
) -> Option<std::collections::HashMap<String, String>> {
    if source.medium.as_deref() != Some("Memory") {
        return None;
    }
    let mut options = std::collections::HashMap::from([
        ("type".to_string(), "tmpfs".to_string()),
        ("device".to_string(), "tmpfs".to_string()),
    ]);
    let size = source.size_limit.as_ref().and_then(|q| crate::machinery::quantity::parse_value(&q.0).ok());
    if let Some(size) = size.filter(|s| *s > 0) {
        options.insert("o".to_string(), format!("size={size}"));
    }
    Some(options)
}

/// The pod's data volumes, by name.
pub fn data_volumes(pod: &Pod) -> Vec<&Volume> {
    pod.spec.iter().flat_map(|s| s.volumes.iter().flatten()).filter(|v| is_data_volume(v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archives_lay_files_out_as_the_atomic_writer() {
        let files = vec![
            File { path: "a".into(), data: b"1".to_vec(), mode: 0o644 },
            File { path: "dir/b".into(), data: b"2".to_vec(), mode: 0o400 },
        ];
        let bytes = archive(&files, "..stamp").unwrap();
        let mut archive = tar::Archive::new(bytes.as_slice());
        let entries: Vec<(String, Option<String>)> = archive
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let link = e.link_name().unwrap().map(|l| l.display().to_string());
                (e.path().unwrap().display().to_string(), link)
            })
            .collect();
        let names: Vec<&str> = entries.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["..stamp/", "..stamp/dir/", "..stamp/a", "..stamp/dir/b", "a", "dir", "..data"]);
        assert_eq!(entries[4].1.as_deref(), Some("..data/a"));
        assert_eq!(entries[6].1.as_deref(), Some("..stamp"));
        assert!(stamp(chrono::Utc::now()).starts_with(".."));
    }
}
