//! The REPL's input side, shared by the CLI and the browser: lines accumulate until the
//! reader says the entry is complete, with the `:q` and `:clear` commands.

use super::reader::Scanner;

/// What one line of input amounts to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// `:q`, `:quit` or `:exit` at the main prompt.
    Quit,
    /// `:clear`: the unfinished entry was dropped.
    Cleared,
    /// The entry is unfinished (an open list, string or quote): read another line.
    More,
    /// A complete entry to evaluate (its lines as given).
    Ready(String),
}

/// The lines of an unfinished entry. Checking completeness costs time linear in the
/// input, however many lines an entry spans.
#[derive(Clone, Debug, Default)]
pub struct ReplInput {
    buffer: String,
    scan: Scanner,
    scanned: usize,
}

impl ReplInput {
    /// `muslisp> ` for a new entry, `......> ` while one continues.
    pub fn prompt(&self) -> &'static str {
        if self.buffer.is_empty() {
            "muslisp> "
        } else {
            "......> "
        }
    }

    /// Whether an entry is under way.
    pub fn is_empty(&self) -> bool {
        self.buffer.is_empty()
    }

    /// Add one line (with its newline, if it had one).
    pub fn push(&mut self, line: &str) -> Entry {
        match line.trim() {
            ":q" | ":quit" | ":exit" if self.buffer.is_empty() => return Entry::Quit,
            ":clear" => {
                self.clear();
                return Entry::Cleared;
            }
            _ => {}
        }
        self.buffer.push_str(line);
        self.scan.feed(line);
        self.scanned += line.len();
        if self.scan.needs_more() {
            return Entry::More;
        }
        self.scan = Scanner::default();
        Entry::Ready(std::mem::take(&mut self.buffer))
    }

    /// At the end of input: the unfinished entry, if it holds more than whitespace.
    pub fn finish(&mut self) -> Option<String> {
        self.scan = Scanner::default();
        let text = std::mem::take(&mut self.buffer);
        (!text.trim().is_empty()).then_some(text)
    }

    /// Bytes examined to decide completeness since this input began: each byte once, so a
    /// long entry costs time linear in its length.
    pub fn scanned(&self) -> usize {
        self.scanned
    }

    /// Drop the unfinished entry.
    pub fn clear(&mut self) {
        self.buffer.clear();
        self.scan = Scanner::default();
    }
}
