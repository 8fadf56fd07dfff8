//! `<Runner>`: runs muslisp source on the core evaluator in slices on the main thread.
//!
//! Each Run makes a fresh interpreter that shares the session's job engine, loads the whole
//! source (parse errors show at once with line and column), then drives it with the
//! language's one run loop ([`RunLoop`]) in small slices. Between slices it yields to the browser (gloo-timers), so the
//! page stays responsive; Stop sets a flag the loop checks before every slice, so a run ends
//! within one slice. Values and printed output appear as they arrive. A per-run step budget
//! ends runaway programs with a clear message, and the shown output is capped with an
//! "N more lines" note so a huge print cannot hang the page.
//!
//! [`run_source`] is the same loop without a component (the JS API's `eval` uses it).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use yew::prelude::*;

use crate::lang::{Driven, ErrorKind, Host, Limits, LispError, Pacer, RunLoop, Wait};

use super::session::Session;

/// Steps per slice.
pub const SLICE_FUEL: u64 = 20_000;
/// Wall ms of evaluation per browser frame before yielding.
pub const FRAME_MS: f64 = 12.0;
/// Default step budget of one run.
pub const DEFAULT_BUDGET: u64 = 50_000_000;
/// Shown output is capped at this many lines per run ...
pub const MAX_LINES: usize = 400;
/// ... and this many characters.
pub const MAX_CHARS: usize = 100_000;
/// `stdout` in a [`RunReport`] keeps at most this many bytes.
pub const MAX_REPORT_BYTES: usize = 1 << 20;

/// What a finished run produced.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunReport {
    /// Everything `granola FILE` would print on stdout: printed output, and each top-level
    /// value in printer form on its own line.
    pub stdout: String,
    /// The error that ended the run, as `line L, column C: message` (like the CLI's
    /// `fatal:` line without the prefix); also set for Stop and the step budget.
    pub error: Option<String>,
    /// Each top-level value in printer form, in order.
    pub values: Vec<String>,
}

impl RunReport {
    /// Exactly what `granola FILE` prints for this run (stdout, then `fatal: ...` if it failed):
    /// the text an example's `output` block holds.
    pub fn script_output(&self) -> String {
        let mut out = self.stdout.clone();
        if let Some(e) = &self.error {
            // exactly like `lang::ScriptRun::transcript` (no newline is added before it)
            out.push_str("fatal: ");
            out.push_str(e);
            out.push('\n');
        }
        out
    }

    /// Does this run's output match an example's documented `output` block (`docs::output_matches`)?
    pub fn matches(&self, expected: &str) -> bool {
        crate::docs::output_matches(expected, &self.script_output())
    }
}

/// Options of one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunOptions {
    /// Total steps before the run is ended as runaway.
    pub budget: u64,
    /// Steps per slice.
    pub slice_fuel: u64,
    /// Run on a private engine whose job time jumps straight to the end of every
    /// `time.sleep-ms` (like `granola FILE` / `runtime::run_script`): the output is exactly what
    /// a docs page's `output` block holds (job ids from 1, exact latencies), but the jobs do
    /// not show in the page's job lists.
    pub isolated: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { budget: DEFAULT_BUDGET, slice_fuel: SLICE_FUEL, isolated: false }
    }
}

/// Something that happened during a run, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum RunEvent {
    /// Printed output, as produced.
    Output(String),
    /// A top-level form finished.
    Value { printed: String, line: u32, col: u32 },
    /// The run failed (parse error, runtime error, limit).
    Error { message: String, line: Option<u32>, col: Option<u32>, kind: &'static str },
    /// The program waits for job time (`time.sleep-ms`).
    Sleeping { until_ms: f64 },
    /// The run was stopped (Stop button) or ended by the step budget.
    Stopped { reason: String },
}

/// A cloneable stop flag for a run.
#[derive(Clone, Debug, Default)]
pub struct StopFlag(Rc<Cell<bool>>);

impl StopFlag {
    pub fn new() -> StopFlag {
        StopFlag::default()
    }
    pub fn stop(&self) {
        self.0.set(true);
    }
    pub fn is_stopped(&self) -> bool {
        self.0.get()
    }
}

struct Buf(String);

impl Host for Buf {
    fn print(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

fn error_text(e: &LispError) -> String {
    match &e.pos {
        Some(p) => format!("line {}, column {}: {}", p.line, p.col, e.message),
        None => e.message.clone(),
    }
}

fn error_event(e: &LispError) -> RunEvent {
    let kind = match e.kind {
        ErrorKind::Parse { .. } => "parse",
        ErrorKind::Runtime => "runtime",
        ErrorKind::Limit => "limit",
    };
    RunEvent::Error {
        message: e.message.clone(),
        line: e.pos.as_ref().map(|p| p.line),
        col: e.pos.as_ref().map(|p| p.col),
        kind,
    }
}

fn push_capped(out: &mut String, text: &str) {
    if out.len() < MAX_REPORT_BYTES {
        let room = MAX_REPORT_BYTES - out.len();
        if text.len() <= room {
            out.push_str(text);
        } else {
            let mut cut = room;
            while cut > 0 && !text.is_char_boundary(cut) {
                cut -= 1;
            }
            out.push_str(&text[..cut]);
        }
    }
}

/// How a browser run waits: job time jumps for isolated runs; otherwise the loop hands
/// control back and [`run_source`] awaits a timer. It also ends a frame every [`FRAME_MS`]
/// and reports the Stop button.
struct BrowserPacer {
    engine: Rc<RefCell<crate::jobs::Engine>>,
    isolated: bool,
    stop: StopFlag,
    frame_start: f64,
}

impl Pacer for BrowserPacer {
    fn wait(&mut self, until_ms: f64) -> Wait {
        if !self.isolated {
            return Wait::Later;
        }
        // job time jumps: no waiting (deterministic, like run_script)
        if let Ok(mut e) = self.engine.try_borrow_mut() {
            e.advance(until_ms);
        }
        Wait::Ready
    }
    fn should_yield(&mut self) -> bool {
        super::wall_now() - self.frame_start >= FRAME_MS
    }
    fn interrupted(&mut self) -> bool {
        self.stop.is_stopped()
    }
}

/// Run `source` on a fresh interpreter sharing `session`'s engine, in slices, yielding to
/// the browser between them. `on` receives the events of each slice batch as they happen.
pub async fn run_source(
    session: &Session,
    source: &str,
    opts: RunOptions,
    stop: &StopFlag,
    mut on: impl FnMut(Vec<RunEvent>),
) -> RunReport {
    let mut report = RunReport::default();
    let engine =
        if opts.isolated { Rc::new(RefCell::new(crate::jobs::Engine::default())) } else { session.engine.clone() };
    let mut interp = crate::runtime::new_interp(&engine, Limits::browser());
    if let Err(e) = interp.load(source) {
        report.error = Some(error_text(&e));
        on(vec![error_event(&e)]);
        return report;
    }
    let mut host = Buf(String::new());
    let mut batch: Vec<RunEvent> = Vec::new();
    let mut pacer = BrowserPacer {
        engine: engine.clone(),
        isolated: opts.isolated,
        stop: stop.clone(),
        frame_start: super::wall_now(),
    };
    let mut run = RunLoop::new(opts.slice_fuel, Some(opts.budget));
    loop {
        let driven = run.next(&mut interp, &mut host, &mut pacer);
        if !host.0.is_empty() {
            let text = std::mem::take(&mut host.0);
            push_capped(&mut report.stdout, &text);
            batch.push(RunEvent::Output(text));
        }
        match driven {
            Driven::Value { printed, pos } => {
                push_capped(&mut report.stdout, &printed);
                push_capped(&mut report.stdout, "\n");
                report.values.push(printed.clone());
                batch.push(RunEvent::Value { printed, line: pos.line, col: pos.col });
                if pacer.should_yield() {
                    on(std::mem::take(&mut batch));
                    TimeoutFuture::new(0).await;
                    pacer.frame_start = super::wall_now();
                }
            }
            Driven::Idle => break,
            Driven::Error(e) => {
                report.error = Some(error_text(&e));
                batch.push(error_event(&e));
                break;
            }
            Driven::Interrupted => {
                interp.stop();
                let reason = "Stopped.".to_string();
                report.error = Some(reason.clone());
                batch.push(RunEvent::Stopped { reason });
                break;
            }
            Driven::BudgetSpent { steps } => {
                interp.stop();
                let reason = format!(
                    "Stopped after {} steps: the step budget of one run is used up (an endless loop?).",
                    group_digits(steps)
                );
                report.error = Some(reason.clone());
                batch.push(RunEvent::Stopped { reason });
                break;
            }
            Driven::Waiting { until_ms } => {
                batch.push(RunEvent::Sleeping { until_ms });
                on(std::mem::take(&mut batch));
                wait_for_job_time(session, until_ms, stop).await;
                pacer.frame_start = super::wall_now();
            }
            Driven::Yield => {
                if !batch.is_empty() {
                    on(std::mem::take(&mut batch));
                }
                TimeoutFuture::new(0).await;
                pacer.frame_start = super::wall_now();
            }
        }
    }
    if !batch.is_empty() {
        on(batch);
    }
    super::driver::poke();
    report
}

/// Wait (yielding to the browser) until the session's engine reaches job time `until_ms`,
/// or the run is stopped. Advances the engine itself too, so it also works without a driver.
async fn wait_for_job_time(session: &Session, until_ms: f64, stop: &StopFlag) {
    // Let the page show what was submitted before the wait.
    super::driver::poke();
    loop {
        if stop.is_stopped() {
            return;
        }
        let now = session.advance();
        if now >= until_ms {
            return;
        }
        let wall = session.clock.borrow().wall_until(until_ms, super::wall_now());
        let wait = if wall.is_finite() { wall.clamp(4.0, 100.0) } else { 100.0 };
        TimeoutFuture::new(wait as u32).await;
    }
}

fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

// ---------------------------------------------------------------- the component

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Status {
    Idle,
    Running,
    Sleeping,
    Done,
    Failed,
    Stopped,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Idle => "idle",
            Status::Running => "running",
            Status::Sleeping => "sleeping",
            Status::Done => "done",
            Status::Failed => "error",
            Status::Stopped => "stopped",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Line {
    Out(String),
    Value { printed: String, line: u32 },
    Error { text: String },
    Note(String),
}

/// What the runner shows: capped lines of output, values and errors.
#[derive(Clone, Debug, PartialEq)]
struct Transcript {
    status: Status,
    lines: Vec<Line>,
    shown_lines: usize,
    shown_chars: usize,
    hidden_lines: usize,
    /// Whether the last Out line is still open (no newline yet).
    open: bool,
    error_at: Option<(u32, u32)>,
    report: Option<RunReport>,
    started_wall: f64,
    first_output_ms: Option<f64>,
    total_ms: Option<f64>,
    sleeping_until: Option<f64>,
}

impl Default for Transcript {
    fn default() -> Self {
        Transcript {
            status: Status::Idle,
            lines: Vec::new(),
            shown_lines: 0,
            shown_chars: 0,
            hidden_lines: 0,
            open: false,
            error_at: None,
            report: None,
            started_wall: 0.0,
            first_output_ms: None,
            total_ms: None,
            sleeping_until: None,
        }
    }
}

enum Act {
    Start(f64),
    Events(Vec<RunEvent>),
    Finish(RunReport),
}

impl Transcript {
    fn room(&self) -> bool {
        self.shown_lines < MAX_LINES && self.shown_chars < MAX_CHARS
    }

    fn push_line(&mut self, line: Line) {
        if !self.room() {
            self.hidden_lines += 1;
            return;
        }
        self.shown_lines += 1;
        self.shown_chars += match &line {
            Line::Out(s) | Line::Note(s) => s.len(),
            Line::Value { printed, .. } => printed.len(),
            Line::Error { text } => text.len(),
        };
        self.lines.push(line);
        self.open = false;
    }

    fn push_output(&mut self, text: &str) {
        let mut parts = text.split('\n').peekable();
        while let Some(part) = parts.next() {
            let ends_line = parts.peek().is_some();
            if self.open {
                if let Some(Line::Out(last)) = self.lines.last_mut() {
                    let room = MAX_CHARS.saturating_sub(self.shown_chars);
                    let take = part.len().min(room);
                    let mut cut = take;
                    while cut > 0 && !part.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    last.push_str(&part[..cut]);
                    self.shown_chars += cut;
                }
                self.open = !ends_line;
            } else if !part.is_empty() || ends_line {
                self.push_line(Line::Out(part.to_string()));
                self.open = !ends_line && self.room();
            }
        }
    }

    fn apply(&mut self, ev: RunEvent) {
        if self.first_output_ms.is_none() && !matches!(ev, RunEvent::Sleeping { .. }) {
            self.first_output_ms = Some(super::wall_now() - self.started_wall);
        }
        match ev {
            RunEvent::Output(text) => {
                self.status = Status::Running;
                self.sleeping_until = None;
                self.push_output(&text);
            }
            RunEvent::Value { printed, line, .. } => {
                self.status = Status::Running;
                self.sleeping_until = None;
                self.push_line(Line::Value { printed, line });
            }
            RunEvent::Error { message, line, col, kind } => {
                self.status = Status::Failed;
                let text = match (line, col) {
                    (Some(l), Some(c)) => {
                        self.error_at = Some((l, c));
                        format!("{kind} error at line {l}, column {c}: {message}")
                    }
                    _ => format!("{kind} error: {message}"),
                };
                self.open = false;
                // errors always show, even past the cap
                self.lines.push(Line::Error { text });
            }
            RunEvent::Sleeping { until_ms } => {
                self.status = Status::Sleeping;
                self.sleeping_until = Some(until_ms);
            }
            RunEvent::Stopped { reason } => {
                self.status = Status::Stopped;
                self.open = false;
                self.lines.push(Line::Note(reason));
            }
        }
    }
}

impl Reducible for Transcript {
    type Action = Act;
    fn reduce(self: Rc<Self>, act: Act) -> Rc<Self> {
        match act {
            Act::Start(wall) => {
                Rc::new(Transcript { status: Status::Running, started_wall: wall, ..Transcript::default() })
            }
            Act::Events(evs) => {
                let mut next = (*self).clone();
                for ev in evs {
                    next.apply(ev);
                }
                Rc::new(next)
            }
            Act::Finish(report) => {
                let mut next = (*self).clone();
                next.total_ms = Some(super::wall_now() - next.started_wall);
                next.sleeping_until = None;
                if next.status == Status::Running || next.status == Status::Sleeping {
                    next.status = Status::Done;
                }
                next.report = Some(report);
                Rc::new(next)
            }
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct RunnerProps {
    /// The muslisp source to run.
    pub source: AttrValue,
    /// DOM id of the runner's root element (tests and links find it by this).
    #[prop_or_default]
    pub id: AttrValue,
    /// The expected output (an example's `output` block); shown beside the result, with a
    /// match badge after a run.
    #[prop_or_default]
    pub expected: Option<String>,
    /// Called when a run ends (done, error, stopped).
    #[prop_or_default]
    pub on_done: Option<Callback<RunReport>>,
    /// Run once when mounted.
    #[prop_or(false)]
    pub autorun: bool,
    /// Show the source as a read-only code block (off when an editor is passed as children).
    #[prop_or(true)]
    pub show_source: bool,
    /// Shown above the controls (e.g. an editor). Ctrl/Cmd+Enter inside it runs.
    #[prop_or_default]
    pub children: Html,
    /// Step budget of one run (default [`DEFAULT_BUDGET`]).
    #[prop_or_default]
    pub budget: Option<u64>,
    /// Changing this to a new non-zero value starts a run (for Run buttons outside).
    #[prop_or_default]
    pub run_token: u64,
    /// Called with (line, column) when a run fails at a position (for editors to mark it).
    #[prop_or_default]
    pub on_error_at: Option<Callback<(u32, u32)>>,
    /// Run like `granola FILE`: a private engine, sleeps jump job time (see
    /// [`RunOptions::isolated`]); the output then matches a docs page's `output` block exactly.
    #[prop_or(false)]
    pub isolated: bool,
}

/// Runs muslisp source on the shared engine; see the module documentation.
#[function_component(Runner)]
pub fn runner(props: &RunnerProps) -> Html {
    // The never-changing session context: the runner does not re-render on driver ticks.
    let refs = use_context::<super::session::SessionRefs>();
    // Without a provider (e.g. a bare test mount) the runner gets a private session.
    let own = use_mut_ref(|| None::<Session>);
    let session = match refs {
        Some(r) => r.0,
        None => own.borrow_mut().get_or_insert_with(|| Session::new(1.0)).clone(),
    };
    let transcript = use_reducer(Transcript::default);
    let stop_flag = use_mut_ref(|| None::<StopFlag>);

    let start = {
        let source = props.source.clone();
        let budget = props.budget;
        let isolated = props.isolated;
        let on_done = props.on_done.clone();
        let on_error_at = props.on_error_at.clone();
        let dispatcher = transcript.dispatcher();
        let stop_flag = stop_flag.clone();
        let engine = session.engine.clone();
        let bridge = session.bridge.clone();
        let clock = session.clock.clone();
        Callback::from(move |_: ()| {
            if let Some(old) = stop_flag.borrow_mut().take() {
                old.stop();
            }
            let flag = StopFlag::new();
            *stop_flag.borrow_mut() = Some(flag.clone());
            dispatcher.dispatch(Act::Start(super::wall_now()));
            let session = Session { engine: engine.clone(), bridge: bridge.clone(), clock: clock.clone(), version: 0 };
            let source = source.clone();
            let dispatcher = dispatcher.clone();
            let on_done = on_done.clone();
            let on_error_at = on_error_at.clone();
            let opts = RunOptions { budget: budget.unwrap_or(DEFAULT_BUDGET), isolated, ..RunOptions::default() };
            wasm_bindgen_futures::spawn_local(async move {
                let d = dispatcher.clone();
                let err_at: Rc<RefCell<Option<(u32, u32)>>> = Rc::new(RefCell::new(None));
                let err_at2 = err_at.clone();
                let report = run_source(&session, &source, opts, &flag, move |evs| {
                    for ev in &evs {
                        if let RunEvent::Error { line: Some(l), col: Some(c), .. } = ev {
                            *err_at2.borrow_mut() = Some((*l, *c));
                        }
                    }
                    d.dispatch(Act::Events(evs));
                })
                .await;
                dispatcher.dispatch(Act::Finish(report.clone()));
                if let (Some(cb), Some(at)) = (&on_error_at, *err_at.borrow()) {
                    cb.emit(at);
                }
                if let Some(cb) = &on_done {
                    cb.emit(report);
                }
            });
        })
    };

    let stop = {
        let stop_flag = stop_flag.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(f) = stop_flag.borrow().as_ref() {
                f.stop();
            }
        })
    };

    // Stop the run when unmounted.
    {
        let stop_flag = stop_flag.clone();
        use_effect_with((), move |_| {
            move || {
                if let Some(f) = stop_flag.borrow().as_ref() {
                    f.stop();
                }
            }
        });
    }
    {
        let start = start.clone();
        use_effect_with(props.autorun, move |auto| {
            if *auto {
                start.emit(());
            }
        });
    }
    {
        let start = start.clone();
        use_effect_with(props.run_token, move |t| {
            if *t != 0 {
                start.emit(());
            }
        });
    }

    let onkeydown = {
        let start = start.clone();
        Callback::from(move |e: KeyboardEvent| {
            if (e.ctrl_key() || e.meta_key()) && e.key() == "Enter" {
                e.prevent_default();
                start.emit(());
            }
        })
    };
    let run_click = {
        let start = start.clone();
        Callback::from(move |_: MouseEvent| start.emit(()))
    };

    let t = &*transcript;
    let busy = matches!(t.status, Status::Running | Status::Sleeping);
    let error_line = t.error_at.map(|(l, _)| l);
    let caret_col = t.error_at.map(|(_, c)| c.saturating_sub(1) as usize).unwrap_or(0).min(400);
    let caret = format!("{}^\n", " ".repeat(caret_col));
    let source_view = if props.show_source {
        html! {
            <pre class="runner-source" tabindex="0" aria-label="Source (Ctrl/Cmd+Enter runs)"><code>
                { for props.source.trim_end_matches('\n').split('\n').enumerate().map(|(i, text)| {
                    let n = i as u32 + 1;
                    let err = error_line == Some(n);
                    html! {
                        <span class={classes!("src-line", err.then_some("src-error"))} data-line={n.to_string()}>
                            { text }{ "\n" }
                            if err {
                                <span class="src-caret" aria-hidden="true">
                                    { caret.clone() }
                                </span>
                            }
                        </span>
                    }
                }) }
            </code></pre>
        }
    } else {
        Html::default()
    };
    let status_text = match t.status {
        Status::Idle => "Ready. Ctrl/Cmd+Enter runs.".to_string(),
        Status::Running => "Running…".to_string(),
        Status::Sleeping => format!(
            "Sleeping until job time {} (the job clock in the header sets the pace)…",
            super::driver::fmt_ms(t.sleeping_until.unwrap_or(0.0))
        ),
        Status::Done => format!("Done in {:.0} ms.", t.total_ms.unwrap_or(0.0)),
        Status::Failed => "Failed.".to_string(),
        Status::Stopped => "Stopped.".to_string(),
    };
    let matches = match (&props.expected, &t.report) {
        (Some(exp), Some(rep)) => Some(rep.matches(exp)),
        _ => None,
    };
    html! {
        <div class={classes!("runner", format!("runner-{}", t.status.name()))} id={props.id.clone()}
             data-status={t.status.name()}
             data-first-output-ms={t.first_output_ms.map(|m| format!("{m:.1}"))}
             {onkeydown}>
            { props.children.clone() }
            { source_view }
            <div class="runner-bar">
                <button class="run" onclick={run_click} title="Run (Ctrl/Cmd+Enter)">{ if busy { "Restart" } else { "Run" } }</button>
                <button class="stop" onclick={stop} disabled={!busy} title="Stop this run">{ "Stop" }</button>
                <span class="runner-status" role="status">{ status_text }</span>
                if let Some(m) = matches {
                    <span class={classes!("match", if m { "match-ok" } else { "match-diff" })}>
                        { if m { "✓ matches expected output" } else { "≠ differs from expected output" } }
                    </span>
                }
            </div>
            <div class="runner-io">
                <pre class="runner-output" aria-live="polite">
                    { for t.lines.iter().map(|l| match l {
                        Line::Out(s) => html! { <span class="out">{ s }{ "\n" }</span> },
                        Line::Value { printed, line } => html! {
                            <span class="value" data-line={line.to_string()}><span class="arrow" aria-hidden="true">{ "⇒ " }</span>{ printed }{ "\n" }</span>
                        },
                        Line::Error { text } => html! { <span class="error">{ text }{ "\n" }</span> },
                        Line::Note(s) => html! { <span class="note">{ s }{ "\n" }</span> },
                    }) }
                    if t.hidden_lines > 0 {
                        <span class="note more">{ format!("… {} more lines not shown", t.hidden_lines) }</span>
                    }
                </pre>
                if let Some(exp) = &props.expected {
                    <div class="runner-expected">
                        <div class="label">{ "Expected" }</div>
                        <pre>{ exp }</pre>
                    </div>
                }
            </div>
        </div>
    }
}
