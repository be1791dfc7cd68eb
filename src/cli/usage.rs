//! Command-line mistakes in kubectl's words: cobra's `Error: unknown flag: --x` and
//! `See 'kubectl get --help' for usage.`, exit 1 — not clap's own text and exit 2.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::Command;

/// What kubectl prints for a usage error, or `None` where clap's output stands (help,
/// version, which exit 0).
pub fn message(err: &clap::Error, command: &Command, args: &[String]) -> Option<String> {
    let context = |kind| match err.get(kind) {
        Some(ContextValue::String(value)) => value.clone(),
        _ => String::new(),
    };
    let flag = context(ContextKind::InvalidArg);
    let first = match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return None
        }
        ErrorKind::InvalidSubcommand => {
            let name = context(ContextKind::InvalidSubcommand);
            let mut text = format!("Error: unknown command \"{name}\" for \"{}\"\n", command.get_name());
            if let Some(ContextValue::Strings(suggested)) = err.get(ContextKind::SuggestedSubcommand) {
                text.push_str("\nDid you mean this?\n");
                for suggestion in suggested {
                    text.push_str(&format!("\t{suggestion}\n"));
                }
                text.push('\n');
            }
            return Some(text);
        }
        ErrorKind::UnknownArgument => match flag.strip_prefix('-') {
            Some(short) if !short.starts_with('-') => {
                let typed = args.iter().find(|a| a.starts_with(&flag) && !a.starts_with("--")).unwrap_or(&flag);
                format!("unknown shorthand flag: '{short}' in {typed}")
            }
            _ => format!("unknown flag: {}", flag.split('=').next().unwrap_or(&flag)),
        },
        ErrorKind::InvalidValue if context(ContextKind::InvalidValue).is_empty() => {
            format!("flag needs an argument: {}", typed_flag(&flag, args))
        }
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let value = context(ContextKind::InvalidValue);
            let reason = std::error::Error::source(err).map(|e| format!(": {e}")).unwrap_or_default();
            format!("invalid argument \"{value}\" for \"{}\" flag{reason}", long_name(&flag))
        }
        _ => {
            let rendered = err.render().to_string();
            let line = rendered.lines().next().unwrap_or_default();
            line.strip_prefix("error: ").unwrap_or(line).to_string()
        }
    };
    Some(format!("Error: {first}\nSee '{} --help' for usage.\n", verb_path(command, args)))
}

/// `--output` from clap's `-o, --output <OUTPUT>` or `--output <OUTPUT>`.
fn long_name(flag: &str) -> &str {
    let name = flag.split_whitespace().find(|w| w.starts_with("--")).unwrap_or(flag);
    name.trim_end_matches(',')
}

/// The flag as the user typed it, in cobra's words: `'o' in -o` or `--output`. (A flag
/// short of its value is the last word typed.)
fn typed_flag(flag: &str, args: &[String]) -> String {
    match args.last().and_then(|last| last.strip_prefix('-')) {
        Some(short) if short.chars().count() == 1 && short != "-" => format!("'{short}' in -{short}"),
        _ => long_name(flag).to_string(),
    }
}

/// `kctl rollout status`: the command words the user typed, down the subcommand tree.
fn verb_path(command: &Command, args: &[String]) -> String {
    let mut path = vec![command.get_name().to_string()];
    let mut current = command;
    for arg in args.iter().skip(1).filter(|a| !a.starts_with('-')) {
        match current.find_subcommand(arg) {
            Some(sub) => {
                path.push(sub.get_name().to_string());
                current = sub;
            }
            None => break,
        }
    }
    path.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn usage_error(words: &[&str]) -> String {
        let args: Vec<String> = words.iter().map(|w| w.to_string()).collect();
        let command = crate::cli::Cli::command();
        let err = command.clone().try_get_matches_from(&args).expect_err("a usage error");
        message(&err, &command, &args).expect("kubectl's words")
    }

    #[test]
    fn unknown_flags_are_named_as_cobra_names_them() {
        assert_eq!(
            usage_error(&["kctl", "get", "pods", "--bogus"]),
            "Error: unknown flag: --bogus\nSee 'kctl get --help' for usage.\n"
        );
        assert_eq!(
            usage_error(&["kctl", "get", "pods", "-xyz"]),
            "Error: unknown shorthand flag: 'x' in -xyz\nSee 'kctl get --help' for usage.\n"
        );
        assert_eq!(
            usage_error(&["kctl", "rollout", "status", "deploy/x", "--bogus"]),
            "Error: unknown flag: --bogus\nSee 'kctl rollout status --help' for usage.\n"
        );
    }

    #[test]
    fn a_flag_without_its_value_needs_an_argument() {
        assert_eq!(
            usage_error(&["kctl", "get", "pods", "-o"]),
            "Error: flag needs an argument: 'o' in -o\nSee 'kctl get --help' for usage.\n"
        );
    }

    #[test]
    fn an_unknown_verb_is_an_unknown_command() {
        assert!(usage_error(&["kctl", "xqzzy"]).starts_with("Error: unknown command \"xqzzy\" for \"kctl\"\n"));
    }
}
