use std::process::ExitCode;

fn main() -> ExitCode {
    kctl::cli::main()
}
