//! What the evaluator needs from its host: where output goes ([`Host`]), job time
//! ([`JobTime`]) and file access ([`Files`]).

use std::cell::Cell;
use std::rc::Rc;

/// Where a program's output goes (passed to each [`Interp::run`](super::Interp::run)).
pub trait Host {
    /// Program output, exactly as produced (each `print` call ends with a newline).
    fn print(&mut self, text: &str);
    /// A monotonic nanosecond clock used only to report GC pause times; `None` (the
    /// default) reports 0, which keeps output deterministic.
    fn monotonic_ns(&mut self) -> Option<u64> {
        None
    }
}

/// Job time, the only time Lisp sees (`time.now-ms`, `time.sleep-ms`). The runtime installs
/// the job engine's clock ([`Interp::set_time`](super::Interp::set_time)); without one an
/// interpreter uses a [`ManualTime`] at 0.
pub trait JobTime {
    /// Current job time in milliseconds.
    fn now_ms(&self) -> f64;
}

/// A job time that only moves when told to (for interpreters without a job engine).
#[derive(Clone, Debug, Default)]
pub struct ManualTime(Rc<Cell<f64>>);

impl ManualTime {
    /// Move job time forward to `ms` (never back).
    pub fn advance(&self, ms: f64) {
        if ms.is_finite() && ms > self.0.get() {
            self.0.set(ms);
        }
    }
}

impl JobTime for ManualTime {
    fn now_ms(&self) -> f64 {
        self.0.get()
    }
}

/// File access for `load` and `save`. Native hosts install one with
/// [`Interp::set_files`](super::Interp::set_files); without one (the browser) both builtins
/// give a clear error.
pub trait Files {
    /// The name a path resolves to (shown in `load: <name>: ...`); default: unchanged.
    fn resolve(&self, path: &str) -> String {
        path.to_string()
    }
    /// Read `path` (already joined with the loading file's directory when relative), at most
    /// `max_bytes + 1` bytes of it (the evaluator refuses a file longer than `max_bytes`, so a
    /// reader must stop there: `/dev/zero` never ends). Returns the resolved name (used in
    /// `load: <name>: ...` messages) and the text; `Err` is the message, e.g.
    /// `failed to open file: /x/a.lisp`.
    fn read(&mut self, path: &str, max_bytes: usize) -> Result<(String, String), String>;
    /// Write `text` to `path`. `Err` is the message.
    fn write(&mut self, path: &str, text: &str) -> Result<(), String>;
    /// [`Files::read`] for binary files. Default: the text's bytes.
    fn read_bytes(&mut self, path: &str, max_bytes: usize) -> Result<(String, Vec<u8>), String> {
        self.read(path, max_bytes).map(|(name, text)| (name, text.into_bytes()))
    }
    /// Write binary data. Default: as text when it is UTF-8, else an error.
    fn write_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        match std::str::from_utf8(bytes) {
            Ok(text) => self.write(path, text),
            Err(_) => Err(format!("failed to open file for write: {path}")),
        }
    }
    /// Append `text` to `path` (creating it). Default: read what is there, write it back
    /// with `text` added.
    fn append(&mut self, path: &str, text: &str) -> Result<(), String> {
        let old = self.read(path, usize::MAX - 1).map(|(_, t)| t).unwrap_or_default();
        self.write(path, &(old + text))
    }
}

/// An in-memory file system for `load`/`save`: deterministic, no host access. `run_script`
/// uses a fresh one per script, so a docs example can `save` a file and `load` it back; a
/// browser host can install one for the same behaviour.
#[derive(Default, Clone, Debug)]
pub struct MemFiles {
    files: std::collections::BTreeMap<String, Vec<u8>>,
}

impl MemFiles {
    /// Pre-populate a file.
    pub fn insert(&mut self, path: &str, text: &str) {
        self.files.insert(path.to_string(), text.as_bytes().to_vec());
    }
    /// Contents of a text file, if present.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).and_then(|b| std::str::from_utf8(b).ok())
    }
    /// Contents of a file as bytes, if present.
    pub fn get_bytes(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }
}

impl Files for MemFiles {
    fn read(&mut self, path: &str, _max_bytes: usize) -> Result<(String, String), String> {
        match self.files.get(path).map(|b| String::from_utf8(b.clone())) {
            Some(Ok(t)) => Ok((path.to_string(), t)),
            _ => Err(format!("failed to open file: {path}")),
        }
    }
    fn write(&mut self, path: &str, text: &str) -> Result<(), String> {
        self.files.insert(path.to_string(), text.as_bytes().to_vec());
        Ok(())
    }
    fn read_bytes(&mut self, path: &str, _max_bytes: usize) -> Result<(String, Vec<u8>), String> {
        match self.files.get(path) {
            Some(b) => Ok((path.to_string(), b.clone())),
            None => Err(format!("failed to open file: {path}")),
        }
    }
    fn write_bytes(&mut self, path: &str, bytes: &[u8]) -> Result<(), String> {
        self.files.insert(path.to_string(), bytes.to_vec());
        Ok(())
    }
    fn append(&mut self, path: &str, text: &str) -> Result<(), String> {
        self.files.entry(path.to_string()).or_default().extend_from_slice(text.as_bytes());
        Ok(())
    }
}
