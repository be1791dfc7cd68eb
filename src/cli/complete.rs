//! Dynamic shell completion: the scripts from `kctl completion SHELL` call kctl back
//! (clap_complete's `KCTL_COMPLETE=<shell>` protocol, as cobra's `__complete` does for
//! kubectl) and these completers answer from the cluster: resource types from discovery
//! (the disk cache when warm), object names listed in the namespace, `TYPE/NAME`, pods
//! for `logs`, and namespaces for `-n`. Any failure just offers nothing.

use std::ffi::{OsStr, OsString};

use clap::CommandFactory;
use clap_complete::engine::{ArgValueCompleter, CompletionCandidate};
use clap_complete::env::EnvCompleter;

use crate::client::{ConnectionFlags, Discovery, Session};

/// The shells kctl registers with, each answering as kubectl's cobra completion does:
/// flags only once a `-` is typed (clap would offer them on every empty word).
pub fn shells() -> clap_complete::env::Shells<'static> {
    use clap_complete::env::{Bash, Fish, Powershell, Shells, Zsh};
    const SHELLS: &[&dyn EnvCompleter] =
        &[&FlagsAfterDash(Bash), &FlagsAfterDash(Zsh), &FlagsAfterDash(Fish), &FlagsAfterDash(Powershell)];
    Shells(SHELLS)
}

struct FlagsAfterDash<S>(S);

impl<S: EnvCompleter> EnvCompleter for FlagsAfterDash<S> {
    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn is(&self, name: &str) -> bool {
        self.0.is(name)
    }

    fn write_registration(
        &self,
        var: &str,
        name: &str,
        bin: &str,
        completer: &str,
        buf: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        self.0.write_registration(var, name, bin, completer, buf)
    }

    fn write_complete(
        &self,
        cmd: &mut clap::Command,
        args: Vec<OsString>,
        current_dir: Option<&std::path::Path>,
        buf: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let index = std::env::var("_CLAP_COMPLETE_INDEX").ok().and_then(|i| i.parse::<usize>().ok());
        let current = index.and_then(|i| args.get(i)).or(args.last()).map(|a| a.to_string_lossy().into_owned());
        let mut answer = Vec::new();
        self.0.write_complete(cmd, args, current_dir, &mut answer)?;
        if current.as_deref().is_some_and(|c| !c.is_empty()) {
            return buf.write_all(&answer);
        }
        let separator = std::env::var("_CLAP_IFS").unwrap_or_else(|_| "\n".to_string());
        let text = String::from_utf8_lossy(&answer);
        let kept: Vec<&str> =
            text.split(separator.as_str()).filter(|c| !c.starts_with('-') && !c.trim().is_empty()).collect();
        buf.write_all(kept.join(&separator).as_bytes())?;
        if separator == "\n" && !kept.is_empty() && text.ends_with('\n') {
            buf.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// What a positional argument of a verb names.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// Any type, then names of it (`get`, `describe`, `delete`, …).
    AnyType,
    /// One of these types, then names of it (`scale`, `rollout …`, `expose`).
    Types(&'static [&'static str]),
    /// Pod names (`logs`).
    Pods,
}

/// Completes `TYPE [NAME…]` and `TYPE/NAME` with any type the server serves.
pub fn resources() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| complete(Kind::AnyType, current))
}

/// Completes `TYPE [NAME]` and `TYPE/NAME` for the given types only.
pub fn types(allowed: &'static [&'static str]) -> ArgValueCompleter {
    ArgValueCompleter::new(move |current: &OsStr| complete(Kind::Types(allowed), current))
}

pub fn pods() -> ArgValueCompleter {
    ArgValueCompleter::new(|current: &OsStr| complete(Kind::Pods, current))
}

pub fn namespaces() -> ArgValueCompleter {
    names_at("/api/v1/namespaces")
}

/// Completes the names of the objects in a cluster-scoped collection (`certificate approve`).
pub fn names_at(collection: &'static str) -> ArgValueCompleter {
    ArgValueCompleter::new(move |current: &OsStr| {
        let context = Context::from_command_line();
        let prefix = current.to_string_lossy();
        let names = block_on(async {
            let session = Session::connect(&context.flags).await.ok()?;
            names_of(&session, collection).await
        });
        candidates(names.unwrap_or_default(), &prefix, "")
    })
}

/// The command line typed so far, as far as completion needs it.
#[derive(Debug, Default)]
struct Context {
    flags: ConnectionFlags,
    /// Positional arguments of the verb before the word being completed.
    positionals: Vec<String>,
}

impl Context {
    /// Reads the words the shell passed (after `--`), up to the one being completed.
    fn from_command_line() -> Context {
        let args: Vec<OsString> = std::env::args_os().collect();
        let words: Vec<String> = match args.iter().position(|a| a == "--") {
            Some(at) => args[at + 1..].iter().map(|a| a.to_string_lossy().into_owned()).collect(),
            None => Vec::new(),
        };
        // Bash passes every word and the cursor's index; the other shells stop at the cursor.
        let index = std::env::var("_CLAP_COMPLETE_INDEX").ok().and_then(|i| i.parse::<usize>().ok());
        let end = index.unwrap_or(words.len().saturating_sub(1)).min(words.len());
        Context::parse(&words[..end])
    }

    /// Walks the words (program first) with the clap definition, so that a flag's value
    /// is never taken for a positional argument.
    fn parse(words: &[String]) -> Context {
        let mut root = super::Cli::command();
        root.build();
        let mut command = &root;
        let mut context = Context::default();
        let mut iter = words.iter().skip(1);
        let mut only_positionals = false;
        while let Some(word) = iter.next() {
            if only_positionals || word == "-" || !word.starts_with('-') {
                if context.positionals.is_empty() && !only_positionals {
                    if let Some(sub) = command.find_subcommand(word) {
                        command = sub;
                        continue;
                    }
                }
                context.positionals.push(word.clone());
                continue;
            }
            if word == "--" {
                only_positionals = true;
                continue;
            }
            let (arg, inline) = if let Some(long) = word.strip_prefix("--") {
                let (name, value) = match long.split_once('=') {
                    Some((name, value)) => (name, Some(value.to_string())),
                    None => (long, None),
                };
                (command.get_arguments().find(|a| a.get_long() == Some(name)), value)
            } else {
                let mut chars = word.chars().skip(1);
                let short = chars.next();
                let rest: String = chars.collect();
                let rest = rest.strip_prefix('=').map(str::to_string).unwrap_or(rest);
                let found = command.get_arguments().find(|a| a.get_short() == short);
                (found, (!rest.is_empty()).then_some(rest))
            };
            let Some(arg) = arg else { continue };
            if !arg.get_action().takes_values() {
                continue;
            }
            let value = match inline {
                Some(value) => value,
                None => match iter.next() {
                    Some(value) => value.clone(),
                    None => break,
                },
            };
            match arg.get_id().as_str() {
                "namespace" => context.flags.namespace = Some(value),
                "kubeconfig" => context.flags.kubeconfig = Some(value),
                "context" => context.flags.context = Some(value),
                "cluster" => context.flags.cluster = Some(value),
                "user" => context.flags.user = Some(value),
                "server" => context.flags.server = Some(value),
                "token" => context.flags.token = Some(value),
                _ => {}
            }
        }
        if context.flags.kubeconfig.is_none() {
            context.flags.kubeconfig = std::env::var("KUBECONFIG_FILE_ONLY").ok();
        }
        // Completion must not hang the shell on an unreachable server.
        context.flags.request_timeout = Some("5s".to_string());
        context
    }
}

fn complete(kind: Kind, current: &OsStr) -> Vec<CompletionCandidate> {
    let context = Context::from_command_line();
    let current = current.to_string_lossy().into_owned();
    block_on(answer(kind, &context, &current)).unwrap_or_default()
}

fn block_on<T>(work: impl std::future::Future<Output = Option<T>>) -> Option<T> {
    crate::machinery::tls::install_crypto_provider();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
    runtime.block_on(work)
}

async fn answer(kind: Kind, context: &Context, current: &str) -> Option<Vec<CompletionCandidate>> {
    let session = Session::connect(&context.flags).await.ok()?;
    if let Kind::Pods = kind {
        if !context.positionals.is_empty() {
            return Some(Vec::new());
        }
        let names = names_of(&session, &format!("/api/v1/namespaces/{}/pods", session.namespace)).await?;
        return Some(candidates(names, current, ""));
    }
    // `TYPE/partial`: names of that type, offered with the type in front.
    if let Some((ty, partial)) = current.split_once('/') {
        let names = names_of_type(&session, ty).await?;
        return Some(candidates(names, partial, &format!("{ty}/")));
    }
    match context.positionals.first() {
        // The type comes first.
        None => {
            let types = match kind {
                Kind::Types(allowed) => allowed.iter().map(|t| t.to_string()).collect(),
                _ => Discovery::load(&session).await.ok()?.listable_types(),
            };
            Some(candidates(types, current, ""))
        }
        // After `TYPE/NAME` arguments, more `TYPE/NAME`s: offer the types again.
        Some(first) if first.contains('/') => None,
        Some(first) => {
            let ty = first.split(',').next().unwrap_or(first).to_string();
            let names = names_of_type(&session, &ty).await?;
            let fresh: Vec<String> = names.into_iter().filter(|n| !context.positionals[1..].contains(n)).collect();
            Some(candidates(fresh, current, ""))
        }
    }
}

/// The names of the objects of a type argument (`pods`, `deploy`, `deployments.apps`).
async fn names_of_type(session: &Session, ty: &str) -> Option<Vec<String>> {
    let mut discovery = Discovery::load(session).await.ok()?;
    let found = match discovery.resolve(ty) {
        Some(found) => found,
        None if discovery.from_cache => {
            discovery = Discovery::refresh(session).await.ok()?;
            discovery.resolve(ty)?
        }
        None => return None,
    };
    let resource = found.into_iter().next()?;
    let namespace = resource.namespaced.then_some(session.namespace.as_str());
    names_of(session, &resource.collection_path(namespace)).await
}

/// The names of the objects in a collection (one JSON list request).
async fn names_of(session: &Session, path: &str) -> Option<Vec<String>> {
    let list = session.get_json(path, "application/json").await.ok()?;
    Some(
        list["items"]
            .as_array()?
            .iter()
            .filter_map(|item| item["metadata"]["name"].as_str().map(str::to_string))
            .collect(),
    )
}

fn candidates(values: Vec<String>, prefix: &str, add: &str) -> Vec<CompletionCandidate> {
    values
        .into_iter()
        .filter(|v| v.starts_with(prefix))
        .map(|v| CompletionCandidate::new(format!("{add}{v}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn flag_values_are_not_positionals() {
        let context = Context::parse(&words("kctl -n kube-system get -o wide pods --selector=app=x web"));
        assert_eq!(context.flags.namespace.as_deref(), Some("kube-system"));
        assert_eq!(context.positionals, ["pods", "web"]);
    }

    #[test]
    fn nested_verbs_and_inline_short_values_are_understood() {
        let context = Context::parse(&words("kctl rollout status -nprod deployment"));
        assert_eq!(context.flags.namespace.as_deref(), Some("prod"));
        assert_eq!(context.positionals, ["deployment"]);
    }
}
