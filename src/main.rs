use std::process::ExitCode;

// The control plane moves many small JSON values between threads; mimalloc keeps that
// allocation cheaper than glibc's per-thread arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

extern "C" {
    // mimalloc's own option setter (in the linked library; the option numbers are
    // mimalloc.h's `mi_option_e`).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

fn main() -> ExitCode {
    // Return freed memory to the OS at once rather than after a delay, so the resident set
    // follows the load down. (Transparent huge pages are off for the same reason: the
    // `no_thp` feature; with them an idle apiserver was 60 MB resident instead of 23.)
    // SAFETY: a plain setter of a global option, called before any other thread exists.
    unsafe {
        mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
    kctl::cli::main()
}
