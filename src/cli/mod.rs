//! The command line: one clap definition that also generates shell completions, and a
//! dispatcher that hands each verb to its module.

pub mod apply;
pub mod auth;
pub mod certificate;
pub mod cluster;
pub mod complete;
pub mod completion;
pub mod config;
pub mod cp;
pub mod create;
pub mod delete;
pub mod describe;
pub mod drain;
pub mod edit;
pub mod editor;
pub mod events;
pub mod exec;
pub mod exit;
pub mod expose;
pub mod get;
pub mod info;
pub mod label;
pub mod logs;
pub mod node;
pub mod patch;
pub mod pause;
pub mod plugin;
pub mod port_forward;
pub mod replace;
pub mod rollout;
pub mod run;
pub mod scale;
pub mod server;
pub mod set;
pub mod taint;
pub mod terminal;
pub mod usage;
pub mod wait;

use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "kctl", version, about = "kctl controls Kubernetes clusters, and runs local ones", long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOptions,
    #[command(subcommand)]
    pub command: Command,
}

/// kubectl's global flags, accepted before or after the verb.
#[derive(Args, Debug, Clone, Default)]
pub struct GlobalOptions {
    /// Path to the kubeconfig file to use for CLI requests.
    #[arg(long, global = true, env = "KUBECONFIG_FILE_ONLY", hide_env = true)]
    pub kubeconfig: Option<String>,
    /// The name of the kubeconfig context to use.
    #[arg(long, global = true)]
    pub context: Option<String>,
    /// If present, the namespace scope for this CLI request.
    #[arg(short = 'n', long, global = true, add = complete::namespaces())]
    pub namespace: Option<String>,
    /// Number for the log level verbosity.
    #[arg(short = 'v', long = "v", global = true, default_value_t = 0)]
    pub verbosity: u8,
    /// The name of the kubeconfig cluster to use.
    #[arg(long, global = true)]
    pub cluster: Option<String>,
    /// The name of the kubeconfig user to use.
    #[arg(long, global = true)]
    pub user: Option<String>,
    /// The address and port of the Kubernetes API server.
    #[arg(short = 's', long, global = true)]
    pub server: Option<String>,
    /// Bearer token for authentication to the API server.
    #[arg(long, global = true)]
    pub token: Option<String>,
    /// Username to impersonate for the operation. User could be a regular user or a service account in a namespace.
    #[arg(long = "as", global = true)]
    pub as_user: Option<String>,
    /// Group to impersonate for the operation, this flag can be repeated to specify multiple groups.
    #[arg(long = "as-group", global = true)]
    pub as_group: Vec<String>,
    /// If true, the server's certificate will not be checked for validity.
    #[arg(long = "insecure-skip-tls-verify", global = true)]
    pub insecure_skip_tls_verify: bool,
    /// The length of time to wait before giving up on a single server request (e.g. 1s, 2m, 3h; 0: no timeout).
    #[arg(long = "request-timeout", global = true)]
    pub request_timeout: Option<String>,
}

impl GlobalOptions {
    /// The flags the client core reads.
    pub fn connection(&self) -> crate::client::ConnectionFlags {
        crate::client::ConnectionFlags {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            cluster: self.cluster.clone(),
            user: self.user.clone(),
            namespace: self.namespace.clone(),
            server: self.server.clone(),
            token: self.token.clone(),
            as_user: self.as_user.clone(),
            as_group: self.as_group.clone(),
            insecure_skip_tls_verify: self.insecure_skip_tls_verify,
            request_timeout: self.request_timeout.clone(),
            verbosity: self.verbosity,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Display one or many resources.
    Get(get::GetArgs),
    /// Show details of a specific resource or group of resources.
    Describe(describe::DescribeArgs),
    /// Apply a configuration to a resource by file name or stdin.
    Apply(apply::ApplyArgs),
    /// Create a resource from a file or from stdin.
    Create(create::CreateArgs),
    /// Delete resources by file names, stdin, resources and names, or by resources and label selector.
    Delete(delete::DeleteArgs),
    /// Run a particular image on the cluster.
    Run(run::RunArgs),
    /// Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service.
    Expose(expose::ExposeArgs),
    /// Print the logs for a container in a pod.
    Logs(logs::LogsArgs),
    /// Execute a command in a container.
    Exec(exec::ExecArgs),
    /// Copy files and directories to and from containers.
    Cp(cp::CpArgs),
    /// Forward one or more local ports to a pod.
    PortForward(port_forward::PortForwardArgs),
    /// Manage the rollout of a resource.
    Rollout(rollout::RolloutArgs),
    /// Set specific features on objects.
    Set(set::SetArgs),
    /// Set a new size for a deployment, replica set, or replication controller.
    Scale(scale::ScaleArgs),
    /// Update the labels on a resource.
    Label(label::MetadataArgs),
    /// Update the annotations on a resource.
    Annotate(label::MetadataArgs),
    /// Update fields of a resource.
    Patch(patch::PatchArgs),
    /// Edit a resource on the server.
    Edit(edit::EditArgs),
    /// Wait for a specific condition on one or many resources.
    Wait(wait::WaitArgs),
    /// Modify kubeconfig files.
    Config(config::ConfigArgs),
    /// Print the client and server version information.
    Version(info::VersionArgs),
    /// Print the supported API resources on the server.
    ApiResources(info::ApiResourcesArgs),
    /// Print the supported API versions on the server, in the form of "group/version".
    ApiVersions(info::NoArgs),
    /// Display cluster information.
    ClusterInfo(info::NoArgs),
    /// Create, delete and list local clusters (kind-compatible).
    Cluster(cluster::ClusterArgs),
    /// Output shell completion code for the specified shell.
    Completion(completion::CompletionArgs),
    /// Run kctl's control plane (apiserver, store, controllers, scheduler) on this machine.
    Server(server::ServerArgs),
    /// Run one cluster node: the control plane and/or a kubelet (inside a node container).
    Node(node::NodeArgs),
    /// Replace a resource by file name or stdin.
    Replace(replace::ReplaceArgs),
    /// List events.
    Events(events::EventsArgs),
    /// Modify certificate resources.
    Certificate(certificate::CertificateArgs),
    /// Inspect authorization.
    Auth(auth::AuthArgs),
    /// Provides utilities for interacting with plugins.
    Plugin(plugin::PluginArgs),
    /// Mark node as unschedulable.
    Cordon(drain::CordonArgs),
    /// Mark node as schedulable.
    Uncordon(drain::CordonArgs),
    /// Drain node in preparation for maintenance.
    Drain(drain::DrainArgs),
    /// Update the taints on one or more nodes.
    Taint(taint::TaintArgs),
    /// Sleep until SIGTERM: the process of a pod's sandbox container.
    #[command(hide = true)]
    Pause,
}

/// Parses the command line, runs the verb, and turns its error into kubectl's `error: …`.
pub fn main() -> ExitCode {
    // A shell asking for completions (`KCTL_COMPLETE=bash kctl -- kctl get …`) is answered here.
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(completion::COMPLETE_VAR)
        .shells(complete::shells())
        .complete();
    init_logging();
    end_quietly_on_a_closed_stdout();
    crate::machinery::tls::install_crypto_provider();
    let args: Vec<String> = std::env::args().collect();
    let command = Cli::command();
    let matches = match command.clone().try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(err) if err.kind() == clap::error::ErrorKind::InvalidSubcommand => {
            // No built-in verb by that name: a plugin's, as kubectl's plugin handler finds it.
            let words = &args[1.min(args.len())..];
            let create = words.first().is_some_and(|w| w == "create");
            match plugin::dispatch(words, if create { 2 } else { 1 }) {
                plugin::Dispatch::Failed(reason) => {
                    eprintln!("Error: {reason}");
                    return ExitCode::FAILURE;
                }
                plugin::Dispatch::NotFound => match usage::message(&err, &command, &args) {
                    Some(message) => {
                        eprint!("{message}");
                        return ExitCode::FAILURE;
                    }
                    None => err.exit(),
                },
            }
        }
        Err(err) => match usage::message(&err, &command, &args) {
            Some(message) => {
                eprint!("{message}");
                return ExitCode::FAILURE;
            }
            None => err.exit(),
        },
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => err.exit(),
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Completion(args) => completion::run(&args, &mut std::io::stdout()),
        Command::Server(args) => server::run(&args),
        Command::Pause => pause::run(),
        Command::Plugin(args) => match args.command {
            plugin::PluginCommand::List(list) => {
                Ok(plugin::list(&list, &Cli::command(), &mut std::io::stdout(), &mut std::io::stderr()))
            }
        },
        Command::Cluster(args) => cluster::run(&args, &cli.global),
        Command::Node(args) => node::run(&args),
        Command::Get(args) => Ok(get::run(&cli.global.connection(), &args)),
        Command::Apply(args) => Ok(apply::run(&cli.global.connection(), &args)),
        Command::Delete(args) => Ok(delete::run(&cli.global.connection(), &args)),
        Command::Create(args) => {
            let mut connection = cli.global.connection();
            // As in kubectl, a binding's own `--user` (a subject) shadows the global one.
            if args.binds_users() {
                connection.user = None;
            }
            Ok(create::run(&connection, &args))
        }
        Command::Run(args) => Ok(run::run(&cli.global.connection(), &args)),
        Command::Describe(args) => Ok(describe::run(&cli.global.connection(), &args)),
        Command::Config(args) => config::run(&args, &cli.global, &mut std::io::stdout(), &mut std::io::stderr()),
        Command::Logs(args) => Ok(logs::run(&cli.global.connection(), &args)),
        Command::Exec(args) => Ok(exec::run(&cli.global.connection(), &args)),
        Command::Cp(args) => Ok(cp::run(&cli.global.connection(), &args)),
        Command::PortForward(args) => Ok(port_forward::run(&cli.global.connection(), &args)),
        Command::Label(args) => Ok(label::run(&cli.global.connection(), &args, label::Field::Labels)),
        Command::Annotate(args) => Ok(label::run(&cli.global.connection(), &args, label::Field::Annotations)),
        Command::Patch(args) => Ok(patch::run(&cli.global.connection(), &args)),
        Command::Version(args) => Ok(info::version(&cli.global.connection(), &args)),
        Command::ApiVersions(_) => Ok(info::api_versions(&cli.global.connection())),
        Command::ApiResources(args) => Ok(info::api_resources(&cli.global.connection(), &args)),
        Command::ClusterInfo(_) => Ok(info::cluster_info(&cli.global.connection())),
        Command::Wait(args) => Ok(wait::run(&cli.global.connection(), &args)),
        Command::Rollout(args) => Ok(rollout::run(&cli.global.connection(), &args)),
        Command::Set(args) => Ok(set::run(&cli.global.connection(), &args)),
        Command::Scale(args) => Ok(scale::run(&cli.global.connection(), &args)),
        Command::Edit(args) => Ok(edit::run(&cli.global.connection(), &args)),
        Command::Expose(args) => Ok(expose::run(&cli.global.connection(), &args)),
        Command::Replace(args) => Ok(replace::run(&cli.global.connection(), &args)),
        Command::Events(args) => Ok(events::run(&cli.global.connection(), &args)),
        Command::Certificate(args) => Ok(certificate::run(&cli.global.connection(), &args)),
        Command::Auth(args) => Ok(auth::run(&cli.global.connection(), &args)),
        Command::Cordon(args) => Ok(drain::cordon(&cli.global.connection(), &args, true)),
        Command::Uncordon(args) => Ok(drain::cordon(&cli.global.connection(), &args, false)),
        Command::Drain(args) => Ok(drain::drain(&cli.global.connection(), &args)),
        Command::Taint(args) => Ok(taint::run(&cli.global.connection(), &args)),
    }
}

/// `kctl get pods | head`: a verb that prints with `println!` after the reader has gone
/// would panic on the broken pipe; like kubectl, kctl then just ends (quietly, exit 0,
/// as the verbs that write through `emit` do). Other panics keep the default report.
fn end_quietly_on_a_closed_stdout() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
}

/// Logs go to stderr, filtered by `KCTL_LOG` (e.g. `KCTL_LOG=debug`); warnings by default.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KCTL_LOG")
        // kube-rs logs failures kctl reports itself in kubectl's words.
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,kube_client=off"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
