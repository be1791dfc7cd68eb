//! `kctl describe`: not built yet.

use std::process::ExitCode;

use clap::Args;

use crate::client::ConnectionFlags;

#[derive(Args, Debug, Clone)]
pub struct DescribeArgs {
    /// TYPE [NAME_PREFIX] | TYPE/NAME
    pub args: Vec<String>,
}

pub fn run(_flags: &ConnectionFlags, _args: &DescribeArgs) -> ExitCode {
    eprintln!("error: kctl describe is not implemented yet");
    ExitCode::FAILURE
}
