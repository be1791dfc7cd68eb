use std::process::ExitCode;

// The control plane moves many small JSON values between threads; mimalloc keeps that
// allocation cheaper and the resident set smaller than glibc's per-thread arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    kctl::cli::main()
}
