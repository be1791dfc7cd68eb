//! `kctl config …`: kubeconfig management, as `kubectl config`. File selection, merging
//! and writing back live in `crate::machinery::kubeconfig`; this module is the verbs.

pub mod model;
pub mod set;
pub mod view;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand};

use super::GlobalOptions;
use crate::machinery::kubeconfig::{ConfigAccess, KubeconfigSet, Section};

#[derive(Args, Debug)]
pub struct ConfigArgs {
    #[command(subcommand)]
    pub command: Option<ConfigCommand>,
}

#[derive(Subcommand, Debug)]
pub enum ConfigCommand {
    /// Display merged kubeconfig settings or a specified kubeconfig file.
    View(view::ViewArgs),
    /// Describe one or many contexts.
    GetContexts(GetContextsArgs),
    /// Display the current-context.
    CurrentContext,
    /// Set the current-context in a kubeconfig file.
    #[command(alias = "use")]
    UseContext {
        /// Context name
        name: String,
    },
    /// Set a context entry in kubeconfig.
    SetContext(set::SetContextArgs),
    /// Delete the specified context from the kubeconfig.
    DeleteContext {
        /// Context name
        name: String,
    },
    /// Rename a context from the kubeconfig file.
    RenameContext {
        /// The context to rename
        context_name: String,
        /// Its new name
        new_name: String,
    },
    /// Display clusters defined in the kubeconfig.
    GetClusters,
    /// Display users defined in the kubeconfig.
    GetUsers,
    /// Delete the specified cluster from the kubeconfig.
    DeleteCluster {
        /// Cluster name
        name: String,
    },
    /// Delete the specified user from the kubeconfig.
    DeleteUser {
        /// User name
        name: String,
    },
    /// Set a cluster entry in kubeconfig.
    SetCluster(set::SetClusterArgs),
    /// Set a user entry in kubeconfig.
    SetCredentials(set::SetCredentialsArgs),
    /// Set an individual value in a kubeconfig file.
    Set(set::SetArgs),
    /// Unset an individual value in a kubeconfig file.
    Unset(set::UnsetArgs),
}

#[derive(Args, Debug, Clone)]
pub struct GetContextsArgs {
    /// Context names to show (all if none)
    pub names: Vec<String>,
    /// Output format. One of: (name).
    #[arg(short = 'o', long = "output", default_value = "")]
    pub output: String,
    /// When using the default output format, don't print headers.
    #[arg(long)]
    pub no_headers: bool,
}

/// Runs a sub-verb; without one, prints the help to stderr and fails, as kubectl.
pub fn run(
    args: &ConfigArgs,
    global: &GlobalOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<ExitCode> {
    let Some(command) = &args.command else {
        let mut cli = <super::Cli as clap::CommandFactory>::command();
        if let Some(config) = cli.find_subcommand_mut("config") {
            write!(err, "{}", config.render_help())?;
        }
        return Ok(ExitCode::FAILURE);
    };
    match run_command(command, global, out, err) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) => match error.downcast::<Aggregate>() {
            Ok(aggregate) => {
                writeln!(err, "{aggregate}")?;
                Ok(ExitCode::FAILURE)
            }
            Err(error) => Err(error),
        },
    }
}

fn run_command(
    command: &ConfigCommand,
    global: &GlobalOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<()> {
    let access = ConfigAccess::from_env(global.kubeconfig.as_deref());
    let mut set = access.load()?;
    match command {
        ConfigCommand::View(args) => view::run(args, &set, global.context.as_deref(), out),
        ConfigCommand::GetContexts(args) => get_contexts(args, &set, out),
        ConfigCommand::CurrentContext => current_context(&set, out),
        ConfigCommand::UseContext { name } => use_context(name, &mut set, out),
        ConfigCommand::SetContext(args) => set::set_context(args, global.namespace.as_deref(), &mut set, out),
        ConfigCommand::DeleteContext { name } => delete_context(name, &mut set, out, err),
        ConfigCommand::RenameContext { context_name, new_name } => {
            rename_context(context_name, new_name, &mut set, out)
        }
        ConfigCommand::GetClusters => list_names(&set, Section::Clusters, out),
        ConfigCommand::GetUsers => list_names(&set, Section::Users, out),
        ConfigCommand::DeleteCluster { name } => delete_cluster(name, &mut set, out),
        ConfigCommand::DeleteUser { name } => delete_user(name, &mut set, out),
        ConfigCommand::SetCluster(args) => set::set_cluster(args, &mut set, out),
        ConfigCommand::SetCredentials(args) => set::set_credentials(args, &mut set, out),
        ConfigCommand::Set(args) => set::set_property(args, &mut set, out),
        ConfigCommand::Unset(args) => set::unset_property(args, &mut set, out),
    }
}

/// Go's error text for a failed file operation: `open /x: no such file or directory`.
pub(crate) fn go_io_error(op: &str, path: &Path, err: &std::io::Error) -> String {
    let text = err.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    let lowered = match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    };
    format!("{op} {}: {lowered}", path.display())
}

fn current_context(set: &KubeconfigSet, out: &mut dyn Write) -> anyhow::Result<()> {
    match set.current_context() {
        Some(name) => writeln!(out, "{name}")?,
        None => bail!("current-context is not set"),
    }
    Ok(())
}

fn use_context(name: &str, set: &mut KubeconfigSet, out: &mut dyn Write) -> anyhow::Result<()> {
    if name.is_empty() {
        bail!("empty context names are not allowed");
    }
    if !set.contains(Section::Contexts, name) {
        bail!("no context exists with the name: {name:?}");
    }
    set.set_current_context(name)?;
    set.save()?;
    writeln!(out, "Switched to context {name:?}.")?;
    Ok(())
}

/// kubectl's tab writer (min width 6, padding 3); the last cell is printed as it is.
fn write_table(rows: &[Vec<String>], out: &mut dyn Write) -> std::io::Result<()> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns.saturating_sub(1))
        .map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count() + 3).max().unwrap_or(0).max(6))
        .collect();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if let Some(width) = widths.get(i).filter(|_| i + 1 < row.len()) {
                line.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
            }
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

fn get_contexts(args: &GetContextsArgs, set: &KubeconfigSet, out: &mut dyn Write) -> anyhow::Result<()> {
    const VALID: &[&str] = &[
        "",
        "json",
        "yaml",
        "wide",
        "name",
        "custom-columns",
        "custom-columns-file",
        "go-template",
        "go-template-file",
        "jsonpath",
        "jsonpath-file",
    ];
    let output = args.output.as_str();
    if !VALID.contains(&output) {
        bail!("output must be one of '' or 'name': {output}");
    }
    if !matches!(output, "" | "name") {
        bail!("--output {output} is not available in kubectl config get-contexts; resetting to default output format");
    }
    let name_only = output == "name";
    let mut errors = Vec::new();
    let mut entries = Vec::new();
    if args.names.is_empty() {
        entries = set.entries(Section::Contexts);
    } else {
        for name in &args.names {
            match set.entry(Section::Contexts, name) {
                Some(entry) => entries.push(entry),
                None => errors.push(format!("context {name} not found")),
            }
        }
        entries.sort_by(|a, b| a.name.cmp(b.name));
    }
    if name_only {
        for entry in &entries {
            writeln!(out, "{}", entry.name)?;
        }
    } else {
        let current = set.current_context().unwrap_or_default();
        let mut rows = Vec::new();
        if !args.no_headers {
            rows.push(["CURRENT", "NAME", "CLUSTER", "AUTHINFO", "NAMESPACE"].map(String::from).to_vec());
        }
        for entry in &entries {
            let context: model::Context = model::decode(entry.body)?;
            let marker = if entry.name == current { "*" } else { "" };
            rows.push(vec![marker.into(), entry.name.into(), context.cluster, context.user, context.namespace]);
        }
        write_table(&rows, out)?;
    }
    match errors.len() {
        0 => Ok(()),
        1 => bail!("{}", errors[0]),
        _ => Err(Aggregate(errors).into()),
    }
}

/// Several errors, which kubectl prints one a line without the `error: ` prefix.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.join("\n"))]
struct Aggregate(Vec<String>);

/// `get-clusters` / `get-users`: a NAME column, sorted.
fn list_names(set: &KubeconfigSet, section: Section, out: &mut dyn Write) -> anyhow::Result<()> {
    writeln!(out, "NAME")?;
    for entry in set.entries(section) {
        writeln!(out, "{}", entry.name)?;
    }
    Ok(())
}

fn delete_context(name: &str, set: &mut KubeconfigSet, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let file = set.display_file();
    if !set.contains(Section::Contexts, name) {
        bail!("cannot delete context {name}, not in {}", file.display());
    }
    if set.current_context() == Some(name) {
        writeln!(
            err,
            "warning: this removed your active context, use \"kubectl config use-context\" to select a different one"
        )?;
    }
    set.remove(Section::Contexts, name);
    set.save()?;
    writeln!(out, "deleted context {name} from {}", file.display())?;
    Ok(())
}

fn rename_context(old: &str, new: &str, set: &mut KubeconfigSet, out: &mut dyn Write) -> anyhow::Result<()> {
    if new.is_empty() {
        bail!("You must specify a new non-empty context name");
    }
    let file = set.display_file();
    if !set.contains(Section::Contexts, old) {
        bail!("cannot rename the context {old:?}, it's not in {}", file.display());
    }
    if set.contains(Section::Contexts, new) {
        bail!("cannot rename the context {old:?}, the context {new:?} already exists in {}", file.display());
    }
    set.rename(Section::Contexts, old, new);
    if set.current_context() == Some(old) {
        set.set_current_context(new)?;
    }
    set.save()?;
    writeln!(out, "Context {old:?} renamed to {new:?}.")?;
    Ok(())
}

fn delete_cluster(name: &str, set: &mut KubeconfigSet, out: &mut dyn Write) -> anyhow::Result<()> {
    let file = set.display_file();
    if !set.remove(Section::Clusters, name) {
        bail!("cannot delete cluster {name}, not in {}", file.display());
    }
    set.save()?;
    writeln!(out, "deleted cluster {name} from {}", file.display())?;
    Ok(())
}

fn delete_user(name: &str, set: &mut KubeconfigSet, out: &mut dyn Write) -> anyhow::Result<()> {
    let file = set.display_file();
    if !set.remove(Section::Users, name) {
        bail!("cannot delete user {name}, not in {}", file.display());
    }
    set.save()?;
    writeln!(out, "deleted user {name} from {}", file.display())?;
    Ok(())
}
