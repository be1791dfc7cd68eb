//! kubectl's plugin mechanism: `kctl foo bar` with no built-in `foo` runs `kctl-foo-bar` or
//! `kctl-foo` (or the `kubectl-` ones, so krew's plugins work) from the `PATH`, replacing the
//! kctl process; `kctl plugin list` shows what is there. Mirrors kubectl's
//! `HandlePluginCommand` and `plugin list` (staging/src/k8s.io/kubectl/pkg/cmd).

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

/// The file name prefixes of plugins, searched in this order.
pub const PREFIXES: &[&str] = &["kctl", "kubectl"];

#[derive(Args, Debug)]
pub struct PluginArgs {
    #[command(subcommand)]
    pub command: PluginCommand,
}

#[derive(Subcommand, Debug)]
pub enum PluginCommand {
    /// List all visible plugin executables on a user's PATH.
    List(ListArgs),
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// If true, display only the binary name of each plugin, rather than its full path.
    #[arg(long = "name-only")]
    pub name_only: bool,
}

/// What became of a command line no built-in verb took.
pub enum Dispatch {
    /// No plugin matches: the usage error stands.
    NotFound,
    /// kubectl's refusal (`flags cannot be placed before plugin name: -n`), or a failed exec.
    Failed(String),
}

/// Runs the plugin for `args` (the words after `kctl`), trying the longest dash-joined name
/// first and never one shorter than `min_words` words. On success this does not return.
pub fn dispatch(args: &[String], min_words: usize) -> Dispatch {
    let words: Vec<String> =
        args.iter().take_while(|arg| !arg.starts_with('-')).map(|arg| arg.replace('-', "_")).collect();
    if words.is_empty() {
        return match args.first() {
            Some(first) => Dispatch::Failed(format!("flags cannot be placed before plugin name: {first}")),
            None => Dispatch::NotFound,
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    for used in (min_words.max(1)..=words.len()).rev() {
        let name = words[..used].join("-");
        let Some(found) = PREFIXES.iter().find_map(|prefix| lookup(&dirs, &format!("{prefix}-{name}"))) else {
            continue;
        };
        use std::os::unix::process::CommandExt;
        // exec, as kubectl does: the plugin gets kctl's stdio, environment and exit code.
        let err = std::process::Command::new(&found).arg0(&found).args(&args[used..]).exec();
        return Dispatch::Failed(err.to_string());
    }
    Dispatch::NotFound
}

/// The first executable file called `name` in `dirs` (Go's `exec.LookPath`).
fn lookup(dirs: &[PathBuf], name: &str) -> Option<PathBuf> {
    dirs.iter().map(|dir| dir.join(name)).find(|path| is_executable(path).unwrap_or(false))
}

fn is_executable(path: &Path) -> std::io::Result<bool> {
    let meta = std::fs::metadata(path)?;
    Ok(!meta.is_dir() && meta.permissions().mode() & 0o111 != 0)
}

/// `kctl plugin list`: every plugin file on the `PATH` with kubectl's warnings (not
/// executable, overshadowed, overwriting a built-in command); exit 1 when there is none or
/// any warning.
pub fn list(args: &ListArgs, root: &clap::Command, out: &mut dyn Write, err: &mut dyn Write) -> ExitCode {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut errors = Vec::new();
    let mut plugins = Vec::new();
    let mut seen_dirs = Vec::new();
    for dir in std::env::split_paths(&path) {
        if dir.as_os_str().to_string_lossy().trim().is_empty() || seen_dirs.contains(&dir) {
            continue;
        }
        seen_dirs.push(dir.clone());
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) => {
                let _ = writeln!(
                    err,
                    "Unable to read directory {:?} from your PATH: open {}: {}. Skipping...",
                    dir.display().to_string(),
                    dir.display(),
                    crate::machinery::gotext::io_error(&e)
                );
                continue;
            }
        };
        let mut names: Vec<(String, bool)> = entries
            .flatten()
            .map(|entry| {
                let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
                (entry.file_name().to_string_lossy().into_owned(), is_dir)
            })
            .collect();
        // Go's os.ReadDir returns entries sorted by name.
        names.sort();
        for (name, is_dir) in names {
            if !is_dir && PREFIXES.iter().any(|prefix| name.starts_with(&format!("{prefix}-"))) {
                plugins.push(dir.join(name));
            }
        }
    }
    if plugins.is_empty() {
        errors.push("error: unable to find any kubectl plugins in your PATH".to_string());
    } else {
        let _ = writeln!(out, "The following compatible plugins are available:\n");
    }
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    let mut warnings = 0;
    for plugin in &plugins {
        let name = plugin.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if args.name_only {
            let _ = writeln!(out, "{name}");
        } else {
            let _ = writeln!(out, "{}", plugin.display());
        }
        for warning in verify(plugin, &name, root, &mut seen) {
            let _ = writeln!(err, "  - {warning}");
            warnings += 1;
        }
    }
    match warnings {
        0 => {}
        1 => errors.push("error: one plugin warning was found".to_string()),
        n => errors.push(format!("error: {n} plugin warnings were found")),
    }
    if errors.is_empty() {
        return ExitCode::SUCCESS;
    }
    // kubectl joins the errors with newlines and prints them as one `error: …` message.
    let _ = write!(err, "{}\n", errors.join("\n"));
    ExitCode::FAILURE
}

/// kubectl's `CommandOverrideVerifier`.
fn verify(path: &Path, name: &str, root: &clap::Command, seen: &mut HashMap<String, PathBuf>) -> Vec<String> {
    let mut warnings = Vec::new();
    match is_executable(path) {
        Ok(true) => {}
        Ok(false) => warnings
            .push(format!("warning: {} identified as a kubectl plugin, but it is not executable", path.display())),
        Err(e) => warnings.push(format!(
            "error: unable to identify {} as an executable file: stat {}: {}",
            path.display(),
            path.display(),
            crate::machinery::gotext::io_error(&e)
        )),
    }
    match seen.get(name) {
        Some(existing) => warnings.push(format!(
            "warning: {} is overshadowed by a similarly named plugin: {}",
            path.display(),
            existing.display()
        )),
        None => {
            seen.insert(name.to_string(), path.to_path_buf());
        }
    }
    let words: Vec<&str> = name.split('-').skip(1).collect();
    if let Some(command_path) = builtin_path(root, &words) {
        warnings.push(format!("warning: {name} overwrites existing command: {command_path:?}"));
    }
    warnings
}

/// `kctl get` when the plugin's words start with a built-in verb (cobra's `Find` succeeds when
/// the first word is a command; later words are its arguments).
fn builtin_path(root: &clap::Command, words: &[&str]) -> Option<String> {
    let mut current = root.find_subcommand(words.first()?)?;
    let mut path = format!("{} {}", root.get_name(), current.get_name());
    for word in &words[1..] {
        match current.find_subcommand(word) {
            Some(sub) => {
                path = format!("{path} {}", sub.get_name());
                current = sub;
            }
            None => break,
        }
    }
    Some(path)
}
