//! The user's editor as kubectl finds and runs it: `KUBE_EDITOR`, then `EDITOR`, then
//! `vi`; a command with spaces is split on them, and one with quotes or backslashes is
//! handed to `$SHELL -c` (default `/bin/bash`). The text to edit goes into a temp file
//! named `<program>-edit-<random><ext>` that is left behind when kubectl keeps it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum EditorError {
    #[error("unable to launch the editor {0:?}")]
    NotFound(String),
    #[error("there was a problem with the editor {0:?}")]
    Failed(String),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The command line that opens a file, before the file's path is added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Editor {
    args: Vec<String>,
    /// The last argument is a shell command line: the path is appended quoted.
    shell: bool,
}

impl Editor {
    /// The editor named by the environment, as kubectl reads it.
    pub fn from_env() -> Editor {
        let named =
            ["KUBE_EDITOR", "EDITOR"].iter().filter_map(|name| std::env::var(name).ok()).find(|v| !v.is_empty());
        let shell = std::env::var("SHELL").ok().filter(|s| !s.is_empty());
        Editor::parse(named.as_deref().unwrap_or("vi"), shell.as_deref())
    }

    fn parse(editor: &str, shell: Option<&str>) -> Editor {
        if !editor.contains(' ') {
            return Editor { args: vec![editor.to_string()], shell: false };
        }
        if !editor.contains(['"', '\'', '\\']) {
            return Editor { args: editor.split(' ').map(str::to_string).collect(), shell: false };
        }
        // Rather than parse shell quoting, let the shell do it (as kubectl).
        let shell = shell.unwrap_or("/bin/bash").to_string();
        Editor { args: vec![shell, "-c".to_string(), editor.to_string()], shell: true }
    }

    fn args_for(&self, path: &Path) -> Vec<String> {
        let mut args = self.args.clone();
        let path = path.display().to_string();
        match (self.shell, args.last_mut()) {
            (true, Some(last)) => *last = format!("{last} {path:?}"),
            _ => args.push(path),
        }
        args
    }

    /// Runs the editor on `path` with the terminal handed over, and waits for it.
    pub fn launch(&self, path: &Path) -> Result<(), EditorError> {
        let args = self.args_for(&std::path::absolute(path)?);
        let joined = self.args.join(" ");
        let Some((program, rest)) = args.split_first() else { return Err(EditorError::NotFound(joined)) };
        match Command::new(program).args(rest).status() {
            Ok(status) if status.success() => Ok(()),
            Ok(_) => Err(EditorError::Failed(joined)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Err(EditorError::NotFound(joined)),
            Err(_) => Err(EditorError::Failed(joined)),
        }
    }

    /// Writes `text` to a new temp file, opens it in the editor and returns what was saved,
    /// with the file's path (the caller decides whether the file stays).
    pub fn launch_temp_file(
        &self,
        prefix: &str,
        extension: &str,
        text: &[u8],
    ) -> (Result<Vec<u8>, EditorError>, PathBuf) {
        let path = match create_temp_file(prefix, extension, text) {
            Ok(path) => path,
            Err(err) => return (Err(err.into()), PathBuf::new()),
        };
        let result = self.launch(&path).and_then(|()| Ok(std::fs::read(&path)?));
        (result, path)
    }
}

/// `<tmp>/<prefix><digits><extension>`, created exclusively and readable only by the user.
fn create_temp_file(prefix: &str, extension: &str, text: &[u8]) -> std::io::Result<PathBuf> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = std::env::temp_dir();
    let mut last_error = None;
    for _ in 0..100 {
        let digits = uuid::Uuid::new_v4().as_u128() % 10_000_000_000;
        let path = dir.join(format!("{prefix}{digits}{extension}"));
        match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path) {
            Ok(mut file) => {
                file.write_all(text)?;
                return Ok(path);
            }
            Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => last_error = Some(err),
            Err(err) => return Err(err),
        }
    }
    Err(last_error.unwrap_or_else(|| std::io::Error::other("no free temp file name")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_command_gets_the_path_as_its_argument() {
        let editor = Editor::parse("nano", None);
        assert_eq!(editor.args_for(Path::new("/tmp/f.yaml")), ["nano", "/tmp/f.yaml"]);
    }

    #[test]
    fn spaces_split_the_command_without_a_shell() {
        let editor = Editor::parse("code --wait", None);
        assert_eq!(editor.args_for(Path::new("/tmp/f.yaml")), ["code", "--wait", "/tmp/f.yaml"]);
    }

    #[test]
    fn quotes_hand_the_command_to_the_shell() {
        let editor = Editor::parse("sed -i 's/a/b/'", Some("/bin/sh"));
        assert_eq!(editor.args_for(Path::new("/tmp/f.yaml")), ["/bin/sh", "-c", "sed -i 's/a/b/' \"/tmp/f.yaml\""]);
    }
}
