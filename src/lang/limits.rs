//! Every resource limit of an evaluator session, in one place.

/// Evaluator limits. Hitting one is an [`ErrorKind::Limit`](super::ErrorKind::Limit) error
/// with a clear message, never a crash or unbounded memory. [`Limits::default`] is the
/// native setting; [`Limits::browser`] lowers the heap for a tab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Total evaluation steps of one run before [`RunLoop`](super::RunLoop) stops it
    /// (`None`: no budget). Default `None` (the CLI runs until done); `run_script` uses
    /// [`Limits::SCRIPT_STEPS`], the browser 50 million per run.
    pub step_budget: Option<u64>,
    /// Nested (non-tail) closure calls before `maximum recursion depth exceeded`. Default
    /// 100,000 (the reference runs 10,000 and crashes somewhere near 100,000; Granola's
    /// evaluation stack is its own, so it stops cleanly). The evaluation stack as a whole
    /// (calls plus pending argument lists and other frames) holds ten frames per level.
    pub max_depth: usize,
    /// Bytes of program output per `load` (every REPL entry, every script), echoed top-level
    /// values included, before `output limit exceeded`. Default 1 MiB.
    pub max_output_bytes: usize,
    /// Nesting of lists and quotes the reader accepts. Default 1,000,000 (so deep data stays
    /// readable; the reader is iterative, this only bounds its memory).
    pub max_read_depth: usize,
    /// Nesting `json.encode`/`json.decode` accept. Default 512.
    pub max_json_depth: usize,
    /// Nesting of data handed to a front end as a [`Datum`](super::Datum) (a request map).
    /// Default 64.
    pub max_data_depth: usize,
    /// Bytes the heap may hold (objects and their payloads, estimated as `heap-stats` counts
    /// them) before `heap limit exceeded`. Default 512 MiB; 192 MiB in the browser.
    pub max_heap_bytes: usize,
    /// Bytes of the largest file `load` reads (`/dev/zero` stops here). Default 16 MiB.
    pub max_file_bytes: usize,
    /// Files `load` may have open at once (a file that loads itself stops here). Default 64.
    pub max_load_depth: usize,
}

impl Limits {
    /// The step cap of `run_script` (scripts in tests and docs must end).
    pub const SCRIPT_STEPS: u64 = 100_000_000;

    /// Limits for a browser tab: a smaller heap.
    pub fn browser() -> Limits {
        Limits { max_heap_bytes: 192 << 20, ..Limits::default() }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            step_budget: None,
            max_depth: 100_000,
            max_output_bytes: 1 << 20,
            max_read_depth: 1_000_000,
            max_json_depth: 512,
            max_data_depth: 64,
            max_heap_bytes: 512 << 20,
            max_file_bytes: 16 << 20,
            max_load_depth: 64,
        }
    }
}
