//! Progress for fetches that take several requests.
//!
//! On a terminal: one line on stderr redrawn in place (`07459 [#####·····] 3/7`).
//! Elsewhere (a notebook, a log): one plain line per request. Nothing for a single
//! request.

use std::io::{IsTerminal, Write};
use std::time::Instant;

pub(crate) struct Progress {
    label: String,
    total: usize,
    done: usize,
    tty: bool,
    enabled: bool,
    start: Instant,
}

impl Progress {
    pub(crate) fn new(label: &str, total: usize, enabled: bool) -> Progress {
        let p = Progress {
            label: label.to_string(),
            total,
            done: 0,
            tty: std::io::stderr().is_terminal(),
            enabled: enabled && total > 1,
            start: Instant::now(),
        };
        if p.enabled && !p.tty {
            eprintln!("statbank: {}: {} requests (the query is split to stay under SSB's cell limit)", p.label, total);
        }
        p.draw_bar();
        p
    }

    /// One request done, answering `cells` cells.
    pub(crate) fn tick(&mut self, cells: usize, from_cache: bool) {
        self.done += 1;
        if !self.enabled {
            return;
        }
        if self.tty {
            self.draw_bar();
        } else {
            eprintln!(
                "statbank: {}: request {}/{} done ({cells} cells{}, {:.1} s)",
                self.label,
                self.done,
                self.total,
                if from_cache { ", from cache" } else { "" },
                self.start.elapsed().as_secs_f64()
            );
        }
    }

    fn draw_bar(&self) {
        if !self.enabled || !self.tty {
            return;
        }
        const W: usize = 30;
        let filled = W * self.done / self.total.max(1);
        let bar: String = "#".repeat(filled) + &"·".repeat(W - filled);
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r{} [{bar}] {}/{} requests", self.label, self.done, self.total);
        if self.done == self.total {
            let _ = writeln!(err, " ({:.1} s)", self.start.elapsed().as_secs_f64());
        }
        let _ = err.flush();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // End the bar's line if the fetch stopped early (an error).
        if self.enabled && self.tty && self.done < self.total {
            eprintln!();
        }
    }
}
