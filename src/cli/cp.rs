//! `kctl cp SRC DEST`, one of them `[namespace/]pod:path`: as kubectl, a tar stream over
//! `pods/exec` — `tar -xmf - -C DIR` in the container to upload (into a directory that
//! exists, under the source's name), `tar cf - PATH` to download, unpacked here under the
//! source path's prefix (entries outside it, or climbing with `..`, are skipped).

use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::client::attachable::default_container;
use crate::client::stream::{remote_command, Ended, Streams, REMOTE_COMMAND};
use crate::client::{objects, ClientError, ConnectionFlags, Session};

#[derive(Args, Debug, Clone)]
pub struct CpArgs {
    /// SRC DEST: a local path and [namespace/]pod:path, either way round
    #[arg(add = crate::cli::complete::pods())]
    pub args: Vec<String>,
    /// Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen
    #[arg(short = 'c', long)]
    pub container: Option<String>,
    /// The copied file/directory's ownership and permissions will not be preserved in the container
    #[arg(long = "no-preserve")]
    pub no_preserve: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum CpError {
    #[error("source and destination are required")]
    Arguments,
    #[error("one of src or dest must be a local file specification")]
    BothRemote,
    #[error("one of src or dest must be a remote file specification")]
    BothLocal,
    #[error("filepath can not be empty")]
    EmptyPath,
    #[error("{0} doesn't exist in local filesystem")]
    NoSource(String),
    #[error("{0}")]
    Remote(String),
    #[error("{0}")]
    Local(#[from] std::io::Error),
}

/// One side of the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileSpec {
    Local(String),
    Remote { namespace: Option<String>, pod: String, file: String },
}

pub fn parse_spec(text: &str) -> Result<FileSpec, CpError> {
    let Some((pod, file)) = text.split_once(':') else { return Ok(FileSpec::Local(text.to_string())) };
    if file.is_empty() {
        return Err(CpError::EmptyPath);
    }
    let (namespace, pod) = match pod.split_once('/') {
        Some((namespace, pod)) => (Some(namespace.to_string()), pod.to_string()),
        None => (None, pod.to_string()),
    };
    Ok(FileSpec::Remote { namespace, pod, file: file.to_string() })
}

pub fn run(flags: &ConnectionFlags, args: &CpArgs) -> ExitCode {
    crate::cli::exit::block_on(cp(flags, args))
}

/// The pod a copy runs in.
struct Remote<'a> {
    session: &'a Session,
    namespace: String,
    pod: String,
    container: String,
}

impl Remote<'_> {
    /// Runs `command` with `stdin`; its stdout, and how it ended (its stderr goes to ours).
    async fn exec(&self, command: &[&str], stdin: Option<Vec<u8>>) -> Result<(Vec<u8>, Ended), ClientError> {
        let mut query = vec![("container", self.container.clone())];
        query.extend(command.iter().map(|c| ("command", c.to_string())));
        query.extend([("stdout", "true".to_string()), ("stderr", "true".to_string())]);
        if stdin.is_some() {
            query.push(("stdin", "true".to_string()));
        }
        let path = format!("/api/v1/namespaces/{}/pods/{}/exec{}", self.namespace, self.pod, objects::query(&query));
        let (socket, protocol) = self.session.upgrade(&path, &REMOTE_COMMAND).await?;
        let mut stdout = Vec::new();
        let streams = Streams {
            stdin: stdin.map(std::io::Cursor::new),
            stdout: &mut stdout,
            stderr: Some(tokio::io::stderr()),
            resize: None,
        };
        let ended = remote_command(socket, &protocol, streams).await?;
        Ok((stdout, ended))
    }
}

fn failed(ended: Ended) -> Option<CpError> {
    match ended {
        Ended::Success => None,
        Ended::Exit(code) => Some(CpError::Remote(format!("command terminated with exit code {code}"))),
        Ended::Failure(message) => Some(CpError::Remote(message)),
    }
}

async fn cp(flags: &ConnectionFlags, args: &CpArgs) -> anyhow::Result<ExitCode> {
    let [source, destination] = args.args.as_slice() else { return Err(CpError::Arguments.into()) };
    let (source, destination) = (parse_spec(source)?, parse_spec(destination)?);
    let (namespace, pod) = match (&source, &destination) {
        (FileSpec::Remote { .. }, FileSpec::Remote { .. }) => return Err(CpError::BothRemote.into()),
        (FileSpec::Local(_), FileSpec::Local(_)) => return Err(CpError::BothLocal.into()),
        (FileSpec::Remote { namespace, pod, .. }, _) | (_, FileSpec::Remote { namespace, pod, .. }) => {
            (namespace.clone(), pod.clone())
        }
    };
    if let FileSpec::Local(path) = &source {
        if !Path::new(path).exists() {
            return Err(CpError::NoSource(path.clone()).into());
        }
    }
    let session = Session::connect(flags).await?;
    let namespace = namespace.unwrap_or_else(|| session.namespace.clone());
    let pod_json = session.get_json(&format!("/api/v1/namespaces/{namespace}/pods/{pod}"), "application/json").await?;
    let container = match &args.container {
        Some(container) => container.clone(),
        None => default_container(&pod_json, false).unwrap_or_default(),
    };
    let remote = Remote { session: &session, namespace, pod, container };
    match (source, destination) {
        (FileSpec::Local(from), FileSpec::Remote { file, .. }) => {
            upload(&remote, &from, &file, args.no_preserve).await?
        }
        (FileSpec::Remote { file, .. }, FileSpec::Local(to)) => download(&remote, &file, &to).await?,
        _ => {}
    }
    Ok(ExitCode::SUCCESS)
}

async fn upload(remote: &Remote<'_>, from: &str, to: &str, no_preserve: bool) -> anyhow::Result<()> {
    let source = Path::new(from);
    let source_name = source.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // Into a directory that exists: under the source's name, as `cp` does.
    let into_dir = matches!(remote.exec(&["test", "-d", to], None).await?.1, Ended::Success);
    let destination = if into_dir { format!("{}/{source_name}", to.trim_end_matches('/')) } else { to.to_string() };
    let destination = destination.trim_end_matches('/');
    let (dir, base) = match destination.rsplit_once('/') {
        Some(("", base)) => ("/", base),
        Some((dir, base)) => (dir, base),
        None => ("", destination),
    };
    let mut archive = tar::Builder::new(Vec::new());
    archive.follow_symlinks(false);
    if source.is_dir() {
        archive.append_dir_all(base, source)?;
    } else {
        archive.append_path_with_name(source, base)?;
    }
    let bytes = archive.into_inner()?;
    let mut command = vec!["tar"];
    if no_preserve {
        command.extend(["--no-same-permissions", "--no-same-owner"]);
    }
    command.extend(["-xmf", "-"]);
    if !dir.is_empty() {
        command.extend(["-C", dir]);
    }
    let (_, ended) = remote.exec(&command, Some(bytes)).await?;
    match failed(ended) {
        Some(err) => Err(err.into()),
        None => Ok(()),
    }
}

/// `path` without `.` and `..` and leading slashes, as kubectl's prefix of tar entries.
fn entry_prefix(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

async fn download(remote: &Remote<'_>, from: &str, to: &str) -> anyhow::Result<()> {
    let (bytes, ended) = remote.exec(&["tar", "cf", "-", from], None).await?;
    if let Some(err) = failed(ended) {
        return Err(err.into());
    }
    let prefix = entry_prefix(from);
    let mut archive = tar::Archive::new(std::io::Cursor::new(bytes));
    for entry in archive.entries()? {
        let mut entry = entry?;
        let name = entry.path()?.to_string_lossy().trim_end_matches('/').to_string();
        let Some(rest) = name.strip_prefix(&prefix) else { continue };
        if !(rest.is_empty() || rest.starts_with('/')) {
            continue;
        }
        let relative = Path::new(rest.trim_start_matches('/'));
        if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
            continue;
        }
        let target: PathBuf =
            if relative.as_os_str().is_empty() { PathBuf::from(to) } else { Path::new(to).join(relative) };
        if entry.header().entry_type().is_dir() {
            std::fs::create_dir_all(&target)?;
            continue;
        }
        if !entry.header().entry_type().is_file() {
            continue;
        }
        if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        entry.unpack(&target)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_name_a_pod_and_a_path_or_a_local_path() {
        assert_eq!(parse_spec("./a").unwrap(), FileSpec::Local("./a".into()));
        assert_eq!(
            parse_spec("ns/web:/tmp/x").unwrap(),
            FileSpec::Remote { namespace: Some("ns".into()), pod: "web".into(), file: "/tmp/x".into() }
        );
        assert!(matches!(parse_spec("web:"), Err(CpError::EmptyPath)));
        assert_eq!(entry_prefix("/tmp/../tmp/./tree/"), "tmp/tree");
    }
}
