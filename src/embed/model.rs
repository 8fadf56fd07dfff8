//! The embed's pure parts, compiled natively too so they have unit tests: the options a page
//! gives, how the page's dark mode is read, how a snippet's output is shown and capped, what a
//! run printed (for the expected-output check), how job time is paced while a snippet sleeps,
//! and the rows of a snippet's job list. The browser side ([`super::page`], [`super::snippet`],
//! [`super::run`]) only moves these into the DOM.

use crate::jobs::{Engine, JobId};

/// Blocks that become snippets unless the page says otherwise: fenced `lisp` code as Markdown
/// renderers write it (`<pre><code class="language-lisp">`, also inside MkDocs' and Material's
/// `<div class="highlight">` wrappers), and Pygments' `<div class="language-lisp highlight">`.
pub const DEFAULT_SELECTOR: &str =
    "pre > code.language-lisp, pre > code.language-muslisp, .language-lisp.highlight pre > code";

/// An element right after a snippet's block that holds one of these is its expected output.
pub const DEFAULT_EXPECTED: &str =
    "pre > code.language-output, .language-output.highlight pre > code, pre.granola-output";

/// Job time, in job-ms per wall-ms, while a snippet's jobs run (a VLA stub job's three stages
/// take 300 ms of wall time, slow enough to watch them stream and cancel one).
pub const DEFAULT_SPEED: f64 = 0.01;

/// A sleep never takes longer than this in wall ms: a long `time.sleep-ms` runs job time
/// faster than [`DEFAULT_SPEED`] so the page never waits long.
pub const MAX_SLEEP_WALL_MS: f64 = 1500.0;

/// The step budget of one run: a runaway program is stopped with a clear message.
pub const DEFAULT_BUDGET: u64 = 50_000_000;

/// Shown output of one run is capped at this many lines ...
pub const MAX_LINES: usize = 400;
/// ... and this many characters (the rest is counted, not shown).
pub const MAX_CHARS: usize = 100_000;
/// What a run printed is kept (for the expected-output check) up to this many bytes.
pub const MAX_LOG_BYTES: usize = 1 << 20;
/// The job list shows at most this many jobs of a snippet.
pub const MAX_JOB_ROWS: usize = 12;

/// Whether snippets share one evaluator (definitions carry over, as in a notebook) or each run
/// starts afresh, like `granola FILE` (job ids from 1, exactly the reference pages' output).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Isolated,
    Shared,
}

impl Mode {
    pub fn parse(s: &str) -> Option<Mode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "isolated" | "separate" | "none" => Some(Mode::Isolated),
            "shared" | "notebook" | "page" => Some(Mode::Shared),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Mode::Isolated => "isolated",
            Mode::Shared => "shared session",
        }
    }
}

/// The page's choice of colours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeChoice {
    /// Follow the page's hints, else the system (`prefers-color-scheme`).
    Auto,
    Light,
    Dark,
}

/// What a page configures (the script tag's `data-*` attributes, `window.GranolaEmbedOptions`,
/// or the object given to `GranolaEmbed.scan`).
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// CSS selector of the `code` (or `pre`) elements to turn into snippets.
    pub selector: String,
    /// CSS selector that marks the expected-output block after a snippet.
    pub expected: String,
    /// The page's default mode (a `data-granola-session` attribute on a block or an ancestor
    /// chooses for the blocks under it).
    pub mode: Mode,
    /// Run every snippet once when the page has loaded (in page order).
    pub autorun: bool,
    /// Job-ms per wall-ms.
    pub speed: f64,
    pub theme: ThemeChoice,
    /// Where the editor bundle is (the loader sets it next to `granola-embed.js`).
    pub editor_url: String,
    /// Steps one run may take.
    pub budget: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            selector: DEFAULT_SELECTOR.to_string(),
            expected: DEFAULT_EXPECTED.to_string(),
            mode: Mode::Isolated,
            autorun: false,
            speed: DEFAULT_SPEED,
            theme: ThemeChoice::Auto,
            editor_url: "granola-editor.js".to_string(),
            budget: DEFAULT_BUDGET,
        }
    }
}

fn flag(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "" | "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl Options {
    /// Options from named settings (`selector`, `expected`, `session`, `autorun`, `speed`,
    /// `theme`, `editorUrl`, `budget`); missing or unreadable ones keep their defaults.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Options {
        let mut o = Options::default();
        if let Some(s) = get("selector").filter(|s| !s.trim().is_empty()) {
            o.selector = s;
        }
        if let Some(s) = get("expected").filter(|s| !s.trim().is_empty()) {
            o.expected = s;
        }
        if let Some(m) = get("session").as_deref().and_then(Mode::parse) {
            o.mode = m;
        }
        if let Some(b) = get("autorun").as_deref().and_then(flag) {
            o.autorun = b;
        }
        if let Some(x) = get("speed").and_then(|s| s.trim().parse::<f64>().ok()).filter(|x| x.is_finite() && *x > 0.0) {
            o.speed = x;
        }
        o.theme = match get("theme").map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("light") => ThemeChoice::Light,
            Some("dark") => ThemeChoice::Dark,
            _ => ThemeChoice::Auto,
        };
        if let Some(u) = get("editorUrl").filter(|s| !s.trim().is_empty()) {
            o.editor_url = u;
        }
        if let Some(b) = get("budget").and_then(|s| s.trim().parse::<u64>().ok()).filter(|b| *b > 0) {
            o.budget = b;
        }
        o
    }
}

/// What the page says about its colours: the `class`, `data-theme` (also `data-bs-theme`,
/// `data-color-mode`) and Material for MkDocs' `data-md-color-scheme` of `<html>` and `<body>`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ThemeHints {
    pub classes: String,
    pub data_theme: String,
    pub md_scheme: String,
    /// `prefers-color-scheme: dark`.
    pub prefers_dark: bool,
}

/// Dark or light? An explicit option wins; then the page's `data-theme`-like attributes, then
/// Material's scheme (`slate` is dark), then classes (`dark`, `dark-mode`, `theme-dark`, and
/// mdBook's dark themes `coal`, `navy`, `ayu`; `light`... say light), then the system.
pub fn is_dark(choice: ThemeChoice, hints: &ThemeHints) -> bool {
    match choice {
        ThemeChoice::Light => return false,
        ThemeChoice::Dark => return true,
        ThemeChoice::Auto => {}
    }
    for word in hints.data_theme.split_whitespace() {
        let w = word.to_ascii_lowercase();
        if w.contains("dark") {
            return true;
        }
        if w.contains("light") {
            return false;
        }
    }
    for word in hints.md_scheme.split_whitespace() {
        match word {
            "slate" => return true,
            "default" => return false,
            _ => {}
        }
    }
    for word in hints.classes.split_whitespace() {
        match word.to_ascii_lowercase().as_str() {
            "dark" | "dark-mode" | "theme-dark" | "dark-theme" | "coal" | "navy" | "ayu" => return true,
            "light" | "light-mode" | "theme-light" | "light-theme" | "rust" => return false,
            _ => {}
        }
    }
    hints.prefers_dark
}

/// A block's text as the snippet's source (or an expected block's text): one newline right
/// after the opening tag is dropped (HTML does so for `<pre>`, not for `<code>` inside it), and
/// the text ends with exactly one newline (as a Markdown fence's text does), unless empty.
pub fn block_text(raw: &str) -> String {
    let t = raw.strip_prefix("\r\n").or_else(|| raw.strip_prefix('\n')).unwrap_or(raw);
    let t = t.replace("\r\n", "\n");
    let body = t.trim_end_matches(['\n', ' ', '\t']);
    if body.is_empty() {
        String::new()
    } else {
        format!("{body}\n")
    }
}

/// What a run printed, as `granola FILE` prints it: output and each top-level value on its own
/// line, then `fatal: ...` if it failed. Kept up to [`MAX_LOG_BYTES`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunLog {
    pub stdout: String,
    pub error: Option<String>,
    pub stopped: bool,
}

impl RunLog {
    fn push(&mut self, text: &str) {
        if self.stdout.len() >= MAX_LOG_BYTES {
            return;
        }
        let room = MAX_LOG_BYTES - self.stdout.len();
        let mut cut = text.len().min(room);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        self.stdout.push_str(&text[..cut]);
    }

    pub fn output(&mut self, text: &str) {
        self.push(text);
    }

    pub fn value(&mut self, printed: &str) {
        self.push(printed);
        self.push("\n");
    }

    /// Everything `granola FILE` would print for this run.
    pub fn script_output(&self) -> String {
        let mut out = self.stdout.clone();
        if let Some(e) = &self.error {
            out.push_str("fatal: ");
            out.push_str(e);
            out.push('\n');
        }
        out
    }

    /// Compare with an expected-output block the way the reference pages do
    /// (`docs::output_matches`, after [`block_text`] on both sides): `Err` lists the lines that
    /// differ. A stopped run never matches.
    pub fn check(&self, expected: &str) -> Result<(), String> {
        if self.stopped {
            return Err("the run was stopped before the end".to_string());
        }
        let (e, a) = (block_text(expected), block_text(&self.script_output()));
        if crate::docs::output_matches(&e, &a) {
            Ok(())
        } else {
            Err(crate::docs::output_diff(&e, &a))
        }
    }
}

/// Caps what one run shows: at most [`MAX_LINES`] lines and [`MAX_CHARS`] characters; the rest
/// is counted so the view can say how much was left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shown {
    lines: usize,
    chars: usize,
    hidden_lines: usize,
    full: bool,
}

impl Shown {
    /// The part of `text` to show (`None`: nothing more is shown).
    pub fn admit(&mut self, text: &str, whole_line: bool) -> Option<String> {
        let new_lines = text.matches('\n').count() + usize::from(whole_line);
        if self.full {
            self.hidden_lines += new_lines.max(1);
            return None;
        }
        let mut out = String::new();
        for ch in text.chars() {
            if self.lines >= MAX_LINES || self.chars >= MAX_CHARS {
                self.full = true;
                break;
            }
            out.push(ch);
            self.chars += 1;
            if ch == '\n' {
                self.lines += 1;
            }
        }
        if self.full {
            let shown_lines = out.matches('\n').count();
            self.hidden_lines += new_lines.saturating_sub(shown_lines).max(1);
        } else if whole_line {
            self.lines += 1;
        }
        Some(out)
    }

    /// Lines (or pieces) left out so far.
    pub fn hidden(&self) -> usize {
        self.hidden_lines
    }
}

/// Job-ms per wall-ms while a program sleeps `job_ms`: the page's speed, or faster so that no
/// sleep takes longer than [`MAX_SLEEP_WALL_MS`].
pub fn sleep_rate(job_ms: f64, speed: f64) -> f64 {
    let s = if speed.is_finite() && speed > 0.0 { speed } else { DEFAULT_SPEED };
    if job_ms.is_finite() && job_ms > 0.0 {
        s.max(job_ms / MAX_SLEEP_WALL_MS)
    } else {
        s
    }
}

/// Job time, as a job list shows it (`0.50 ms`, `12 ms`, `2.5 s`).
pub fn fmt_ms(ms: f64) -> String {
    if !ms.is_finite() || ms < 0.0 {
        "–".to_string()
    } else if ms < 10.0 {
        format!("{ms:.2} ms")
    } else if ms < 1000.0 {
        format!("{} ms", ms.round())
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

/// Text for HTML (`&`, `<`, `>`, `"`).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// One job of a snippet, as its job list shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct JobRow {
    pub id: JobId,
    pub kind: &'static str,
    pub state: &'static str,
    pub active: bool,
    pub cancel_requested: bool,
    pub label: String,
    pub progress: Option<(u64, u64)>,
    pub elapsed_ms: f64,
}

/// The jobs with ids in `from..to` (`to`: `None` while the run goes on), oldest first.
pub fn job_rows(engine: &Engine, from: JobId, to: Option<JobId>) -> Vec<JobRow> {
    let now = engine.now();
    engine
        .jobs()
        .filter(|j| j.id >= from && to.is_none_or(|t| j.id < t))
        .map(|j| {
            let s = j.summary();
            JobRow {
                id: j.id,
                kind: j.kind,
                state: j.state.name(),
                active: j.state.is_active(),
                cancel_requested: j.cancel_requested,
                label: s.label,
                progress: s.progress,
                elapsed_ms: j.elapsed(now),
            }
        })
        .collect()
}

/// The id the next submitted job gets (ids only grow).
pub fn next_job_id(engine: &Engine) -> JobId {
    engine.jobs().map(|j| j.id).max().map_or(1, |m| m + 1)
}

/// The job list's header (`Jobs 3 · 1 active`).
pub fn jobs_head(rows: &[JobRow]) -> String {
    let active = rows.iter().filter(|r| r.active).count();
    let hidden = rows.len().saturating_sub(MAX_JOB_ROWS);
    let more = if hidden > 0 { format!(" · {hidden} earlier not shown") } else { String::new() };
    format!("Jobs <span class=\"ge-dim\">{} · {} active{more}</span>", rows.len(), active)
}

/// The rows the list shows: the newest [`MAX_JOB_ROWS`].
pub fn shown_rows(rows: &[JobRow]) -> &[JobRow] {
    &rows[rows.len().saturating_sub(MAX_JOB_ROWS)..]
}

/// The inside of one job's row: id, kind, label, state (and progress), the job time it took
/// once ended, and a Cancel button (`data-cancel="<id>"`) while it is active. An active row
/// only changes when its state or progress does, so a Cancel button is not replaced under the
/// pointer while job time moves.
pub fn row_html(r: &JobRow) -> String {
    let progress = match r.progress {
        Some((d, t)) => format!(" {d}/{t}"),
        None => String::new(),
    };
    let label =
        if r.label.is_empty() { String::new() } else { format!(" <span class=\"ge-jl\">{}</span>", esc(&r.label)) };
    let tail = if !r.active {
        format!("<span class=\"ge-dim\">{}</span>", fmt_ms(r.elapsed_ms))
    } else if r.cancel_requested {
        "<span class=\"ge-dim\">cancelling…</span>".to_string()
    } else {
        format!("<button type=\"button\" class=\"ge-cancel\" data-cancel=\"{id}\" aria-label=\"Cancel job {id}\">Cancel</button>", id = r.id)
    };
    format!(
        "<span class=\"ge-jid\">#{id}</span> <span class=\"ge-jk\">{kind}</span>{label} <span class=\"ge-js ge-s-{st}\">{st}{progress}</span> {tail}",
        id = r.id,
        st = r.state,
        kind = esc(r.kind),
    )
}

/// The whole job list as HTML (header and rows; empty when there are no jobs).
pub fn jobs_html(rows: &[JobRow]) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut out = format!("<div class=\"ge-head\">{}</div><ul class=\"ge-joblist\">", jobs_head(rows));
    for r in shown_rows(rows) {
        out.push_str(&format!("<li data-job=\"{}\" data-state=\"{}\">{}</li>", r.id, r.state, row_html(r)));
    }
    out.push_str("</ul>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_from_settings() {
        let o = Options::from_lookup(|k| match k {
            "session" => Some("shared".into()),
            "autorun" => Some("".into()),
            "speed" => Some("0.5".into()),
            "theme" => Some("Dark".into()),
            "selector" => Some("pre.x > code".into()),
            _ => None,
        });
        assert_eq!(o.mode, Mode::Shared);
        assert!(o.autorun);
        assert_eq!(o.speed, 0.5);
        assert_eq!(o.theme, ThemeChoice::Dark);
        assert_eq!(o.selector, "pre.x > code");
        assert_eq!(o.expected, DEFAULT_EXPECTED);
        let bad = Options::from_lookup(|k| match k {
            "speed" => Some("-1".into()),
            "session" => Some("whatever".into()),
            "autorun" => Some("no".into()),
            "selector" => Some("  ".into()),
            _ => None,
        });
        assert_eq!(bad, Options::default());
    }

    #[test]
    fn dark_mode_follows_the_page() {
        let h = |classes: &str, data: &str, md: &str, sys: bool| ThemeHints {
            classes: classes.into(),
            data_theme: data.into(),
            md_scheme: md.into(),
            prefers_dark: sys,
        };
        assert!(is_dark(ThemeChoice::Auto, &h("", "", "", true)));
        assert!(!is_dark(ThemeChoice::Auto, &h("", "", "", false)));
        assert!(is_dark(ThemeChoice::Auto, &h("page dark", "", "", false)), "Tailwind's .dark");
        assert!(!is_dark(ThemeChoice::Auto, &h("js light", "", "", true)), "mdBook's light theme");
        assert!(is_dark(ThemeChoice::Auto, &h("coal", "", "", false)), "mdBook's coal theme");
        assert!(is_dark(ThemeChoice::Auto, &h("", "dark", "", false)), "Docusaurus' data-theme");
        assert!(!is_dark(ThemeChoice::Auto, &h("dark", "light", "", true)), "data-theme wins over classes");
        assert!(is_dark(ThemeChoice::Auto, &h("", "", "slate", false)), "Material's slate scheme");
        assert!(!is_dark(ThemeChoice::Auto, &h("", "", "default", true)));
        assert!(!is_dark(ThemeChoice::Light, &h("dark", "dark", "slate", true)));
        assert!(is_dark(ThemeChoice::Dark, &h("", "", "", false)));
    }

    #[test]
    fn block_texts_end_with_one_newline() {
        assert_eq!(block_text("\n(+ 1 2)\n\n"), "(+ 1 2)\n");
        assert_eq!(block_text("3"), "3\n");
        assert_eq!(block_text("a\r\nb\r\n"), "a\nb\n");
        assert_eq!(block_text("\n"), "");
        assert_eq!(block_text("  x\n"), "  x\n");
    }

    #[test]
    fn a_run_log_is_what_granola_file_prints() {
        let mut log = RunLog::default();
        log.output("hi");
        log.value("3");
        assert_eq!(log.script_output(), "hi3\n");
        assert!(log.check("hi3").is_ok());
        assert!(log.check("\nhi3\n\n").is_ok());
        let diff = log.check("hi4\n").unwrap_err();
        assert!(diff.contains("line 1"), "{diff}");
        log.error = Some("line 2, column 1: unbound symbol: x".into());
        assert_eq!(log.script_output(), "hi3\nfatal: line 2, column 1: unbound symbol: x\n");
        log.stopped = true;
        assert!(log.check(&log.script_output()).is_err());
    }

    #[test]
    fn run_log_is_capped() {
        let mut log = RunLog::default();
        let big = "é".repeat(MAX_LOG_BYTES);
        log.output(&big);
        log.output("more");
        assert!(log.stdout.len() <= MAX_LOG_BYTES);
        assert!(log.stdout.chars().all(|c| c == 'é'));
    }

    #[test]
    fn shown_output_is_capped_and_counted() {
        let mut s = Shown::default();
        assert_eq!(s.admit("a\nb\n", false).as_deref(), Some("a\nb\n"));
        let many = "x\n".repeat(MAX_LINES);
        let shown = s.admit(&many, false).unwrap();
        assert_eq!(shown.matches('\n').count(), MAX_LINES - 2);
        assert!(s.hidden() >= 2);
        assert_eq!(s.admit("y\n", false), None);
        let h = s.hidden();
        assert_eq!(s.admit("v", true), None);
        assert_eq!(s.hidden(), h + 1);
        let mut c = Shown::default();
        let long = "z".repeat(MAX_CHARS + 10);
        assert_eq!(c.admit(&long, false).unwrap().len(), MAX_CHARS);
        assert!(c.hidden() >= 1);
    }

    #[test]
    fn sleeps_are_paced_but_bounded() {
        assert_eq!(sleep_rate(2.0, 0.01), 0.01);
        let long = sleep_rate(60_000.0, 0.01);
        assert!((60_000.0 / long - MAX_SLEEP_WALL_MS).abs() < 1e-6);
        assert_eq!(sleep_rate(5.0, f64::NAN), DEFAULT_SPEED);
        assert_eq!(sleep_rate(0.0, 2.0), 2.0);
    }

    #[test]
    fn job_rows_and_their_html() {
        use crate::jobs::{Step, StepCtx, SubmitOptions, Summary, Work};
        #[derive(Debug)]
        struct Slow;
        impl Work for Slow {
            fn kind(&self) -> &'static str {
                "slow<1>"
            }
            fn step(&mut self, ctx: &StepCtx) -> Step {
                if ctx.cancel_requested {
                    Step::Finish(crate::jobs::State::Cancelled)
                } else {
                    Step::Continue { after_ms: 10.0, partial: false }
                }
            }
            fn summary(&self) -> Summary {
                Summary { label: "a & b".into(), ..Summary::default() }
            }
            fn as_any(&self) -> &dyn std::any::Any {
                self
            }
            fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
                self
            }
        }
        let mut e = Engine::default();
        assert_eq!(next_job_id(&e), 1);
        let a = e.submit(Box::new(Slow), SubmitOptions::default());
        let b = e.submit(Box::new(Slow), SubmitOptions::default());
        e.advance(1.0);
        assert_eq!(next_job_id(&e), b + 1);
        let rows = job_rows(&e, b, None);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].id, b);
        assert_eq!(job_rows(&e, a, Some(b)).len(), 1);
        let html = jobs_html(&job_rows(&e, a, None));
        assert!(html.contains(&format!("data-cancel=\"{a}\"")), "{html}");
        assert!(html.contains("slow&lt;1&gt;") && html.contains("a &amp; b"), "{html}");
        e.cancel(a);
        e.advance(20.0);
        let html = jobs_html(&job_rows(&e, a, None));
        assert!(!html.contains(&format!("data-cancel=\"{a}\"")), "{html}");
        assert!(html.contains("cancelled"), "{html}");
        assert_eq!(jobs_html(&[]), "");
    }

    #[test]
    fn job_times_read_well() {
        assert_eq!(fmt_ms(0.5), "0.50 ms");
        assert_eq!(fmt_ms(12.4), "12 ms");
        assert_eq!(fmt_ms(2500.0), "2.5 s");
        assert_eq!(fmt_ms(f64::NAN), "–");
    }
}
