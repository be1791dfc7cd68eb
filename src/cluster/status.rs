//! kind's status lines: a step starts (` • msg` or a spinner on a terminal) and ends as
//! ` ✓ msg`, or ` ✗ msg` on failure. Colour and the spinner only on a terminal.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

pub struct Status {
    terminal: bool,
    current: Option<String>,
    spinner: Option<ProgressBar>,
}

impl Default for Status {
    fn default() -> Self {
        Status::new()
    }
}

impl Status {
    pub fn new() -> Status {
        Status { terminal: std::io::stderr().is_terminal(), current: None, spinner: None }
    }

    /// A line of its own (e.g. a note), between steps.
    pub fn line(&mut self, text: &str) {
        match &self.spinner {
            Some(spinner) => spinner.println(text),
            None => eprintln!("{text}"),
        }
    }

    /// Starts a step, ending the previous one as done.
    pub fn start(&mut self, message: impl Into<String>) {
        self.end(true);
        let message = message.into();
        if self.terminal {
            let spinner = ProgressBar::new_spinner();
            let style = ProgressStyle::with_template(" {spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner())
                .tick_strings(&[
                    "⠈⠁", "⠈⠑", "⠈⠱", "⠈⡱", "⢀⡱", "⢄⡱", "⢄⡱", "⢆⡱", "⢎⡱", "⢎⡰", "⢎⡠", "⢎⡀", "⢎⠁", "⠎⠁", "⠊⠁", "✓",
                ]);
            spinner.set_style(style);
            spinner.set_message(message.clone());
            spinner.enable_steady_tick(Duration::from_millis(100));
            self.spinner = Some(spinner);
        } else {
            eprintln!(" • {message}  ...");
        }
        self.current = Some(message);
    }

    /// Ends the current step (if any) as done or failed.
    pub fn end(&mut self, ok: bool) {
        let Some(message) = self.current.take() else { return };
        if let Some(spinner) = self.spinner.take() {
            spinner.finish_and_clear();
        }
        let line = match (ok, self.terminal) {
            (true, true) => format!(" \x1b[32m✓\x1b[0m {message}"),
            (false, true) => format!(" \x1b[31m✗\x1b[0m {message}"),
            (true, false) => format!(" ✓ {message}"),
            (false, false) => format!(" ✗ {message}"),
        };
        eprintln!("{line}");
        let _ = std::io::stderr().flush();
    }
}
