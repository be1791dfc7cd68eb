//! Link layout of the kctl executable, for short CLI runs (`kctl get pods` should cost a
//! fraction of kubectl's memory):
//! - non-PIE, as Go links kubectl: a PIE's tens of thousands of relative relocations are
//!   applied at every start, dirtying ~1 MB of pages and reading another 1 MB. The objects
//!   stay position-independent; only the final link fixes the address.
//! - the functions the CLI runs first in .text (link/cli-symbols.txt, made by
//!   scripts/order-cli-symbols): the kernel maps code 64 KB around each page fault, and
//!   with CLI code spread among the server's, a `get` faulted in 10 of the 24 MB.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() != Ok("linux") {
        return;
    }
    println!("cargo:rustc-link-arg-bins=-no-pie");
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let order = Path::new(&manifest).join("link/cli-symbols.txt");
    println!("cargo:rerun-if-changed={}", order.display());
    if order.exists() && links_with_lld() {
        println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}", order.display());
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

/// Only lld takes an ordering file: Rust's own linker on x86_64 Linux since 1.90, unless
/// the build picks another.
fn links_with_lld() -> bool {
    let target = std::env::var("TARGET").unwrap_or_default();
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if target != "x86_64-unknown-linux-gnu" || flags.contains("linker") || flags.contains("link-self-contained") {
        return false;
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc).arg("-V").output().map(|o| o.stdout).unwrap_or_default();
    // "rustc 1.95.0 (…)"
    let minor = String::from_utf8_lossy(&version)
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.strip_prefix("1.")?.split('.').next()?.parse::<u32>().ok());
    minor.is_some_and(|minor| minor >= 90)
}
