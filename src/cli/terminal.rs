//! The local terminal of `exec -t` and `attach -t`: raw mode while attached (restored on
//! drop, also on errors), and its size for the resize channel.

use std::io::IsTerminal;

/// Whether stdin is a terminal (kubectl's `IsTerminalIn`).
pub fn stdin_is_terminal() -> bool {
    std::io::stdin().is_terminal()
}

/// The terminal's (width, height), if stdout is one.
pub fn size() -> Option<(u16, u16)> {
    // SAFETY: TIOCGWINSZ writes one `winsize` into the struct we own.
    let mut size: libc::winsize = unsafe { std::mem::zeroed() };
    let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) } == 0;
    (ok && size.ws_col > 0 && size.ws_row > 0).then_some((size.ws_col, size.ws_row))
}

/// Stdin in raw mode until dropped.
pub struct RawMode {
    original: libc::termios,
}

impl RawMode {
    pub fn enable() -> Option<RawMode> {
        // SAFETY: tcgetattr/tcsetattr read and write a `termios` we own, for fd 0.
        unsafe {
            let mut settings: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut settings) != 0 {
                return None;
            }
            let original = settings;
            libc::cfmakeraw(&mut settings);
            if libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &settings) != 0 {
                return None;
            }
            Some(RawMode { original })
        }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        // SAFETY: restores the settings read in `enable`.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &self.original);
        }
    }
}

/// The terminal's sizes: now, then at every SIGWINCH.
pub fn sizes() -> tokio::sync::mpsc::Receiver<(u16, u16)> {
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(async move {
        if let Some(size) = size() {
            let _ = tx.send(size).await;
        }
        let Ok(mut changes) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change()) else {
            return;
        };
        while changes.recv().await.is_some() {
            if let Some(size) = size() {
                if tx.send(size).await.is_err() {
                    return;
                }
            }
        }
    });
    rx
}
