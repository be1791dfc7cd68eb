//! `subPath` mounts. The engine (API 1.41) mounts whole volumes only, so a container
//! mounts each such volume whole at a hidden place, and its `mountPath` becomes a
//! symlink into it, written into the created container before it starts (the engine's
//! archive extraction replaces what the image has there, and makes missing parents).
//! For a writable volume the sub-directory is made first, as upstream's kubelet does.

/// Where a container sees the whole of a volume it mounts with subPaths.
pub fn hidden_mount(volume: &str) -> String {
    format!("/.kctl/volumes/{volume}")
}

/// Whether `sub_path` stays inside its volume (upstream's validation refuses the rest;
/// this guards what reaches the engine).
pub fn is_safe(sub_path: &str) -> bool {
    !sub_path.starts_with('/') && sub_path.split('/').all(|part| part != "..")
}

fn header(kind: tar::EntryType, mode: u32) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_size(0);
    header.set_mtime(0);
    header
}

/// The directory entries that make `sub_path` inside a volume (extracted at its hidden
/// mount).
pub fn directories(sub_paths: &[&str]) -> Result<Vec<u8>, std::io::Error> {
    let mut builder = tar::Builder::new(Vec::new());
    for sub_path in sub_paths {
        let mut entry = header(tar::EntryType::Directory, 0o777);
        builder.append_data(&mut entry, format!("{}/", sub_path.trim_end_matches('/')), std::io::empty())?;
    }
    builder.into_inner()
}

/// The symlinks (mount path → target), extracted at the container's root.
pub fn links(links: &[(String, String)]) -> Result<Vec<u8>, std::io::Error> {
    let mut builder = tar::Builder::new(Vec::new());
    for (path, target) in links {
        let mut entry = header(tar::EntryType::Symlink, 0o777);
        builder.append_link(&mut entry, path.trim_start_matches('/').trim_end_matches('/'), target)?;
    }
    builder.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_paths_stay_inside_their_volume() {
        assert!(is_safe("conf/nginx.conf"));
        assert!(!is_safe("../etc"));
        assert!(!is_safe("/etc"));
        assert!(!is_safe("a/../../b"));
    }

    #[test]
    fn links_are_relative_to_the_root_and_point_into_the_hidden_mount() {
        let archive =
            links(&[("/etc/app/app.conf".to_string(), "/.kctl/volumes/v/app.conf".to_string())]).expect("tar");
        let mut reader = tar::Archive::new(archive.as_slice());
        let entries: Vec<(String, String)> = reader
            .entries()
            .expect("entries")
            .map(|e| {
                let e = e.expect("entry");
                let path = e.path().expect("path").display().to_string();
                let target = e.link_name().expect("link").expect("target").display().to_string();
                (path, target)
            })
            .collect();
        assert_eq!(entries, [("etc/app/app.conf".to_string(), "/.kctl/volumes/v/app.conf".to_string())]);
    }
}
