//! `<Runner>`: runs muslisp source with [`run_source`] and shows it as it goes: values and
//! printed output as they arrive, errors with their position (and a caret under the source
//! when it is shown), Run/Restart and Stop, a status line, and a match badge against an
//! example's expected output. Shown output is capped ([`MAX_LINES`], [`MAX_CHARS`]) with an
//! "N more lines" note, so a huge print cannot hang the page; when a limit (the output cap,
//! the step budget, the cap on shown lines) ends or cuts a run, the message also shows above
//! the output, where it is seen without scrolling. Esc inside the runner stops a run.

use std::cell::RefCell;
use std::rc::Rc;

use yew::prelude::*;

use crate::lang::{pretty, ErrorKind, LispError, Pos};
use crate::web::runner::{run_source_in, RunEvent, RunOptions, RunReport, StopFlag, DEFAULT_BUDGET};
use crate::web::session::Session;
use crate::web::studio;
use crate::web::util::{fmt_ms, wall_now};

use super::copy_button::CopyButton;
use super::editor::ErrorMark;

/// Shown output is capped at this many lines per run ...
pub const MAX_LINES: usize = 400;
/// ... and this many characters.
pub const MAX_CHARS: usize = 100_000;

/// How an error kind reads in the output (`parse error at line 2, column 5: ...`).
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Parse { .. } => "parse",
        ErrorKind::Runtime => "runtime",
        ErrorKind::Limit => "limit",
    }
}

/// Where a parse error's character at fault is, when it is not where the reader reports the
/// error (the end of the text for an unclosed list, just after a stray `)`).
fn fault_hint(message: &str, at: Pos, reported: Pos) -> String {
    if at == reported {
        return String::new();
    }
    let (l, c) = (at.line, at.col);
    match message {
        "unterminated list" => format!(" (the '(' at line {l}, column {c} is never closed)"),
        "unexpected ')'" => format!(" (the ')' at line {l}, column {c} closes nothing)"),
        "unterminated string" => format!(" (the string that starts at line {l}, column {c} is never closed)"),
        _ => format!(" (see line {l}, column {c})"),
    }
}

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
    /// Where the error is: the character at fault (see `lang::pretty::fault_position`).
    error_at: Option<ErrorMark>,
    /// A limit ended or cut the run: said above the output too.
    alert: Option<String>,
    /// The source of the run (to find a parse error's character at fault).
    source: AttrValue,
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
            alert: None,
            source: AttrValue::default(),
            report: None,
            started_wall: 0.0,
            first_output_ms: None,
            total_ms: None,
            sleeping_until: None,
        }
    }
}

enum Act {
    Start(f64, AttrValue),
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
            self.first_output_ms = Some(wall_now() - self.started_wall);
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
                let kind_text = kind_name(kind);
                let text = match (line, col) {
                    (Some(l), Some(c)) => {
                        let err = LispError { message: message.clone(), pos: Some(Pos { line: l, col: c }), kind };
                        let at = pretty::fault_position(&self.source, &err).unwrap_or(Pos { line: l, col: c });
                        self.error_at = Some(ErrorMark { line: at.line, col: at.col, message: message.clone() });
                        let hint = fault_hint(&message, at, Pos { line: l, col: c });
                        format!("{kind_text} error at line {l}, column {c}: {message}{hint}")
                    }
                    _ => format!("{kind_text} error: {message}"),
                };
                if kind == ErrorKind::Limit {
                    self.alert = Some(format!("Stopped by a limit: {message}."));
                }
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
                if reason.contains("budget") {
                    self.alert = Some(reason.clone());
                }
                self.lines.push(Line::Note(reason));
            }
        }
    }
}

impl Reducible for Transcript {
    type Action = Act;
    fn reduce(self: Rc<Self>, act: Act) -> Rc<Self> {
        match act {
            Act::Start(wall, source) => {
                Rc::new(Transcript { status: Status::Running, started_wall: wall, source, ..Transcript::default() })
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
                next.total_ms = Some(wall_now() - next.started_wall);
                next.sleeping_until = None;
                if next.status == Status::Running || next.status == Status::Sleeping {
                    next.status = Status::Done;
                }
                if next.hidden_lines > 0 && next.alert.is_none() {
                    next.alert = Some(format!(
                        "Output cut: the first {} lines are shown; {} more lines are not.",
                        next.shown_lines, next.hidden_lines
                    ));
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
    /// Called when a run fails at a position, with the character at fault and the message (for
    /// editors to mark it).
    #[prop_or_default]
    pub on_error_at: Option<Callback<ErrorMark>>,
    /// Called with every top-level value so far as (line, column, printed): empty when a run
    /// starts, then after each batch of values (for showing values inline).
    #[prop_or_default]
    pub on_values: Option<Callback<Vec<(u32, u32, String)>>>,
    /// Run like `granola FILE`: a private engine, sleeps jump job time (see
    /// [`RunOptions::isolated`]); the output then matches a docs page's `output` block exactly.
    #[prop_or(false)]
    pub isolated: bool,
}

/// Runs muslisp source on the shared engine; see the module documentation.
#[function_component(Runner)]
pub fn runner(props: &RunnerProps) -> Html {
    // The never-changing session context: the runner does not re-render on driver ticks.
    let shared = use_context::<Session>();
    // Without a provider (e.g. a bare test mount) the runner gets a private session.
    let own = use_mut_ref(|| None::<Session>);
    let session = match shared {
        Some(s) => s,
        None => own.borrow_mut().get_or_insert_with(|| Session::new(1.0)).clone(),
    };
    let transcript = use_reducer(Transcript::default);
    let stop_flag = use_mut_ref(|| None::<StopFlag>);
    // The last run, for the live tree view (programs that make trees or drive the world).
    let live = use_state(|| None::<Rc<studio::Live>>);

    let start = {
        let source = props.source.clone();
        let budget = props.budget;
        let isolated = props.isolated;
        let on_done = props.on_done.clone();
        let on_error_at = props.on_error_at.clone();
        let on_values = props.on_values.clone();
        let dispatcher = transcript.dispatcher();
        let stop_flag = stop_flag.clone();
        let session = session.clone();
        let live = live.clone();
        Callback::from(move |_: ()| {
            if let Some(old) = stop_flag.borrow_mut().take() {
                old.stop();
            }
            let flag = StopFlag::new();
            *stop_flag.borrow_mut() = Some(flag.clone());
            dispatcher.dispatch(Act::Start(wall_now(), source.clone()));
            if let Some(cb) = &on_values {
                cb.emit(Vec::new());
            }
            let session = session.clone();
            let source = source.clone();
            let dispatcher = dispatcher.clone();
            let on_done = on_done.clone();
            let on_error_at = on_error_at.clone();
            let on_values = on_values.clone();
            let opts = RunOptions { budget: budget.unwrap_or(DEFAULT_BUDGET), isolated, ..RunOptions::default() };
            let wants = studio::wants_studio(&source);
            if !wants {
                live.set(None);
            }
            let live = live.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let d = dispatcher.clone();
                let err_at: Rc<RefCell<Option<ErrorMark>>> = Rc::new(RefCell::new(None));
                let err_at2 = err_at.clone();
                let values: Rc<RefCell<Vec<(u32, u32, String)>>> = Rc::new(RefCell::new(Vec::new()));
                let values2 = values.clone();
                let src = source.clone();
                let this_run: Rc<RefCell<Option<Rc<studio::Live>>>> = Rc::default();
                let attach = {
                    let session = session.clone();
                    let this_run = this_run.clone();
                    move |interp: &Rc<RefCell<crate::lang::Interp>>, engine: &Rc<RefCell<crate::jobs::Engine>>| {
                        if wants {
                            let l = studio::attach(interp, engine, &session, isolated);
                            *this_run.borrow_mut() = Some(l.clone());
                            live.set(Some(l));
                        }
                    }
                };
                let report = run_source_in(
                    &session,
                    &source,
                    opts,
                    &flag,
                    move |evs| {
                        let mut new_values = false;
                        for ev in &evs {
                            match ev {
                                RunEvent::Error { message, line: Some(l), col: Some(c), kind } => {
                                    let err = LispError {
                                        message: message.clone(),
                                        pos: Some(Pos { line: *l, col: *c }),
                                        kind: *kind,
                                    };
                                    let at = pretty::fault_position(&src, &err).unwrap_or(Pos { line: *l, col: *c });
                                    *err_at2.borrow_mut() =
                                        Some(ErrorMark { line: at.line, col: at.col, message: message.clone() });
                                }
                                RunEvent::Value { printed, line, col } if values2.borrow().len() < 2000 => {
                                    values2.borrow_mut().push((*line, *col, printed.clone()));
                                    new_values = true;
                                }
                                _ => {}
                            }
                        }
                        if new_values {
                            if let Some(cb) = &on_values {
                                cb.emit(values2.borrow().clone());
                            }
                        }
                        d.dispatch(Act::Events(evs));
                    },
                    attach,
                )
                .await;
                if let Some(l) = this_run.borrow().as_ref() {
                    l.program_running.set(false);
                }
                dispatcher.dispatch(Act::Finish(report.clone()));
                if let (Some(cb), Some(at)) = (&on_error_at, err_at.borrow().clone()) {
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
        let stop_flag = stop_flag.clone();
        Callback::from(move |e: KeyboardEvent| {
            if (e.ctrl_key() || e.meta_key()) && e.key() == "Enter" {
                e.prevent_default();
                start.emit(());
            } else if e.key() == "Escape" {
                // Esc stops a run (a no-op when nothing runs); the editor also takes it to
                // give Tab back to moving focus.
                if let Some(f) = stop_flag.borrow().as_ref() {
                    f.stop();
                }
            }
        })
    };
    let run_click = {
        let start = start.clone();
        Callback::from(move |_: MouseEvent| start.emit(()))
    };

    let t = &*transcript;
    let busy = matches!(t.status, Status::Running | Status::Sleeping);
    let error_line = t.error_at.as_ref().map(|e| e.line);
    let caret_col = t.error_at.as_ref().map(|e| e.col.saturating_sub(1) as usize).unwrap_or(0).min(400);
    let caret = format!("{}^\n", " ".repeat(caret_col));
    let source_view = if props.show_source {
        html! {
            <div class="code-block">
            <CopyButton text={props.source.clone()} what="program" />
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
            </div>
        }
    } else {
        Html::default()
    };
    let status_text = match t.status {
        Status::Idle => "Ready. Ctrl/Cmd+Enter runs.".to_string(),
        Status::Running => "Running… Esc or Stop ends it.".to_string(),
        Status::Sleeping => format!(
            "Sleeping until job time {} (the job clock in the header sets the pace)…",
            fmt_ms(t.sleeping_until.unwrap_or(0.0))
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
                <button class="stop" onclick={stop} disabled={!busy} title="Stop this run (Esc)" aria-keyshortcuts="Escape">{ "Stop" }</button>
                <span class="runner-status" role="status">{ status_text }</span>
                if let Some(m) = matches {
                    <span class={classes!("match", if m { "match-ok" } else { "match-diff" })}>
                        { if m { "✓ matches expected output" } else { "≠ differs from expected output" } }
                    </span>
                }
            </div>
            if let Some(a) = &t.alert {
                <p class="runner-alert" role="alert">{ a }</p>
            }
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
            if let Some(l) = &*live {
                <studio::TreeStudio key={format!("{:p}", Rc::as_ptr(l))} source={studio::Source::Live(l.clone())} />
            }
        </div>
    }
}
