//! The sandbox image: kctl itself (`kctl pause` sleeps until SIGTERM) and the shared
//! libraries `ldd` lists, FROM scratch, built once per kctl binary through the engine's
//! build API, so no image has to be pulled for a pod to get a network namespace.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use bollard::query_parameters::BuildImageOptions;
use futures::StreamExt;
use sha2::{Digest, Sha256};

use super::runtime::{docker_message, Runtime};
use super::KubeletError;

/// The sandbox's resolv.conf (the pause process writes it over the engine's; the pod's
/// containers share the sandbox's file).
pub const RESOLV_CONF_ENV: &str = "KCTL_RESOLV_CONF";
/// `NETWORK/PREFIX via GATEWAY`: the route of the service range the pause process adds.
pub const SERVICE_ROUTE_ENV: &str = "KCTL_SERVICE_ROUTE";

/// `10.96.0.0/16 via 172.18.0.2` → its three parts.
pub fn parse_route(text: &str) -> Option<(std::net::Ipv4Addr, u8, std::net::Ipv4Addr)> {
    let (range, gateway) = text.split_once(" via ")?;
    let (network, prefix) = range.split_once('/')?;
    Some((network.trim().parse().ok()?, prefix.parse().ok().filter(|p: &u8| *p <= 32)?, gateway.trim().parse().ok()?))
}

/// What the pause process does before it sleeps: the pod's resolv.conf and its service
/// route, from the environment the kubelet gave the sandbox.
pub async fn set_up_pod_network() -> Result<(), KubeletError> {
    if let Ok(text) = std::env::var(RESOLV_CONF_ENV) {
        std::fs::write("/etc/resolv.conf", text)
            .map_err(|source| KubeletError::Io { what: "writing /etc/resolv.conf".into(), source })?;
    }
    if let Ok(route) = std::env::var(SERVICE_ROUTE_ENV) {
        let (network, prefix, gateway) = parse_route(&route).ok_or_else(|| KubeletError::Runtime {
            what: SERVICE_ROUTE_ENV.into(),
            message: format!("{route:?} is not NETWORK/PREFIX via GATEWAY"),
        })?;
        crate::kubelet::network::routes::add_via(network, prefix, gateway)
            .await
            .map_err(|err| KubeletError::Runtime { what: "the service route".into(), message: err.to_string() })?;
    }
    Ok(())
}

const DOCKERFILE: &str = "FROM scratch\nCOPY rootfs/ /\nENTRYPOINT [\"/kctl\", \"pause\"]\n";

/// `kctl/pause:<version>-<binary fingerprint>`: a rebuilt kctl gets a new image.
pub fn image_tag(binary: &Path) -> Result<String, KubeletError> {
    let meta =
        std::fs::metadata(binary).map_err(|source| KubeletError::Io { what: binary.display().to_string(), source })?;
    let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).unwrap_or_default();
    let fingerprint = Sha256::digest(format!("{}/{}/{}", binary.display(), meta.len(), modified.as_nanos()));
    Ok(format!("kctl/pause:{}-{}", env!("CARGO_PKG_VERSION"), &hex::encode(fingerprint)[..12]))
}

/// The absolute paths of the shared libraries (and loader) in `ldd`'s answer.
pub fn shared_libraries(ldd_output: &str) -> Vec<PathBuf> {
    ldd_output
        .lines()
        .filter_map(|line| {
            let path = match line.split_once("=>") {
                Some((_, target)) => target.trim().split_whitespace().next()?,
                None => line.trim().split_whitespace().next()?,
            };
            path.starts_with('/').then(|| PathBuf::from(path))
        })
        .collect()
}

/// The build context: Dockerfile and rootfs/ with the binary as /kctl and its libraries.
fn context(binary: &Path) -> Result<Vec<u8>, KubeletError> {
    let io = |what: &str| {
        let what = what.to_string();
        move |source| KubeletError::Io { what, source }
    };
    let ldd = Command::new("ldd").arg(binary).output().map_err(io("running ldd"))?;
    let mut archive = tar::Builder::new(Vec::new());
    // The engine's (legacy) builder takes no GNU sparse entries.
    archive.sparse(false);
    let mut header = tar::Header::new_gnu();
    header.set_size(DOCKERFILE.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    archive.append_data(&mut header, "Dockerfile", DOCKERFILE.as_bytes()).map_err(io("writing the Dockerfile"))?;
    archive.append_path_with_name(binary, "rootfs/kctl").map_err(io("adding kctl"))?;
    // A statically linked kctl has no libraries (ldd says so and fails).
    for library in shared_libraries(&String::from_utf8_lossy(&ldd.stdout)) {
        let inside = Path::new("rootfs").join(library.strip_prefix("/").unwrap_or(&library));
        archive.append_path_with_name(&library, inside).map_err(io("adding a shared library"))?;
    }
    let mut bytes = archive.into_inner().map_err(io("finishing the build context"))?;
    bytes.flush().map_err(io("finishing the build context"))?;
    Ok(bytes)
}

/// The sandbox image for this kctl, built unless the engine has it.
pub async fn ensure_image(runtime: &Runtime) -> Result<String, KubeletError> {
    let binary = std::env::current_exe().map_err(|source| KubeletError::Io { what: "finding kctl".into(), source })?;
    let tag = image_tag(&binary)?;
    if runtime.image(&tag).await?.is_some() {
        return Ok(tag);
    }
    let context = tokio::task::spawn_blocking(move || context(&binary))
        .await
        .map_err(|err| KubeletError::Runtime { what: "building the pause image".into(), message: err.to_string() })??;
    let options =
        BuildImageOptions { t: Some(tag.clone()), dockerfile: "Dockerfile".into(), rm: true, ..Default::default() };
    let mut build = runtime.docker.build_image(options, None, Some(bollard::body_full(context.into())));
    while let Some(step) = build.next().await {
        let message = match step {
            Ok(info) => info.error_detail.and_then(|d| d.message),
            Err(err) => Some(docker_message(&err)),
        };
        if let Some(message) = message {
            return Err(KubeletError::Runtime { what: format!("building {tag}"), message });
        }
    }
    tracing::info!(%tag, "pause image built");
    prune_old_images(runtime, &tag).await;
    Ok(tag)
}

/// How old another kctl's pause image must be before it is removed.
const PRUNE_AFTER: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// Removes pause images of earlier kctl builds (each is the size of kctl), best effort:
/// only those over an hour old, and never one a container still uses (no force). A
/// kubelet whose image went rebuilds it before its next sandbox.
async fn prune_old_images(runtime: &Runtime, keep: &str) {
    use bollard::query_parameters::{ListImagesOptions, RemoveImageOptions};
    let repository = keep.split(':').next().unwrap_or(keep);
    let filters = std::collections::HashMap::from([("reference".to_string(), vec![repository.to_string()])]);
    let options = ListImagesOptions { filters: Some(filters), ..Default::default() };
    let Ok(images) = runtime.docker.list_images(Some(options)).await else { return };
    let cutoff = (chrono::Utc::now() - PRUNE_AFTER).timestamp();
    for image in images.into_iter().filter(|i| i.created < cutoff) {
        for tag in image.repo_tags.iter().filter(|t| t.as_str() != keep) {
            let options = RemoveImageOptions { force: false, noprune: false, platforms: None };
            let _ = runtime.docker.remove_image(tag, Some(options), None).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_routes_parse() {
        let route = parse_route("10.96.0.0/16 via 172.18.0.2").expect("a route");
        assert_eq!(route, ("10.96.0.0".parse().unwrap(), 16, "172.18.0.2".parse().unwrap()));
        assert_eq!(parse_route("10.96.0.0/16"), None);
    }

    #[test]
    fn ldd_lines_give_library_paths() {
        let output = "\tlinux-vdso.so.1 (0x00007f)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f)\n";
        assert_eq!(
            shared_libraries(output),
            vec![PathBuf::from("/lib/x86_64-linux-gnu/libc.so.6"), PathBuf::from("/lib64/ld-linux-x86-64.so.2")]
        );
        assert!(shared_libraries("\tnot a dynamic executable\n").is_empty());
    }
}
