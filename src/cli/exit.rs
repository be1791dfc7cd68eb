//! How a verb ends: its future runs on a fresh runtime, an error is printed in kubectl's
//! words with a non-zero exit, and a closed stdout (`kctl get pods | head`) is a normal end.

use std::future::Future;
use std::process::ExitCode;

use crate::client::error;

/// Runs a verb's future on a fresh single-threaded runtime.
pub fn block_on(work: impl Future<Output = anyhow::Result<ExitCode>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return error::report(&err.into()),
    };
    let result = runtime.block_on(work);
    // A read of stdin still blocked (exec -i after the command ended) must not hold the exit.
    runtime.shutdown_background();
    match result {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => error::report(&err),
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}
