#![cfg(not(target_arch = "wasm32"))]
//! The interface front ends build on: flow builtins that call Lisp procedures and resume
//! (with the value or the error), syntax rows with unevaluated arguments that bind in the
//! current environment, extensions whose values the collector keeps, and handle values.
//! A small test front end (`t.*`) is composed with the core table.

use granola::lang::builtins::CORE;
use granola::lang::{
    Builtin, Ctx, Driven, ErrorKind, Extension, Flow, FrontEnd, HandleKind, Host, Interp, Limits, LispError, Outcome,
    Pacer, Resume, RunLoop, ScriptRun, Table, Value, Wait,
};
use std::sync::OnceLock;

static THING: HandleKind = HandleKind { name: "thing", json: None };
static PIC: HandleKind = HandleKind { name: "pic", json: Some(HandleKind::type_and_id) };

static ROWS: &[Builtin] = &[
    Builtin::flow("t.call", "t", 2, Some(2), "(t.call f x) -> (status value)", "Call f with x.", t_call),
    Builtin::flow("t.twice", "t", 2, Some(2), "(t.twice f x) -> value", "(f (f x)).", t_twice),
    Builtin::flow("t.call-fail", "t", 1, Some(1), "(t.call-fail f) -> never", "Call f, then fail.", t_call_fail),
    Builtin::syntax("t.defconst", "t", 2, Some(2), "(t.defconst name form) -> form", "Bind name to form.", t_defconst),
    Builtin::syntax("t.len", "t", 1, Some(1), "(t.len form) -> integer", "Length of the unevaluated form.", t_len),
    Builtin::plain("t.thing", "t", 1, Some(1), "(t.thing id) -> thing", "A thing handle.", t_thing),
    Builtin::plain("t.pic", "t", 1, Some(1), "(t.pic id) -> pic", "A pic handle.", t_pic),
    Builtin::plain("t.thing-id", "t", 1, Some(1), "(t.thing-id h) -> integer", "A thing's id.", t_thing_id),
    Builtin::plain("t.keep!", "t", 1, Some(1), "(t.keep! v) -> nil", "Keep v in the extension.", t_keep),
    Builtin::plain("t.kept", "t", 0, Some(0), "(t.kept) -> list", "What was kept.", t_kept),
    Builtin::plain("t.read", "t", 1, Some(1), "(t.read text) -> list", "The data in text.", t_read),
    Builtin::plain("t.bytes", "t", 1, Some(1), "(t.bytes path) -> list", "Write then read 3 bytes.", t_bytes),
];

fn t_read(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let text = c.text(a[0]).ok_or("t.read: expected string")?.to_string();
    let items = c.read_all(&text).map_err(|e| format!("t.read: {}", e.located()))?;
    Ok(c.list(&items))
}

fn t_bytes(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    let path = c.text(a[0]).ok_or("t.bytes: expected string")?.to_string();
    let files = c.files().ok_or("t.bytes: no files here")?;
    files.write_bytes(&path, &[0, 255, 7])?;
    files.append(&format!("{path}.log"), "a")?;
    files.append(&format!("{path}.log"), "b")?;
    let (_, bytes) = files.read_bytes(&path, 100)?;
    let (_, log) = files.read(&format!("{path}.log"), 100)?;
    let mut items: Vec<Value> = bytes.iter().map(|b| Value::Int(*b as i64)).collect();
    items.push(c.string(log));
    Ok(c.list(&items))
}

static TEST_FE: FrontEnd = FrontEnd { name: "t", groups: &[ROWS], handles: &[&THING, &PIC], install: Some(install) };

fn install(interp: &mut Interp) {
    interp.install(Keeper::default());
}

#[derive(Default)]
struct Keeper {
    kept: Vec<Value>,
}

impl Extension for Keeper {
    fn trace(&self, roots: &mut Vec<Value>) {
        roots.extend(self.kept.iter().copied());
    }
}

fn t_keep(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    c.ext::<Keeper>().ok_or("t.keep!: no keeper")?.kept.push(a[0]);
    Ok(Value::Nil)
}

fn t_kept(c: &mut Ctx, _: &[Value]) -> Result<Value, String> {
    let kept = c.exts.get::<Keeper>().ok_or("t.kept: no keeper")?.kept.clone();
    Ok(c.list(&kept))
}

/// Resume with `(:ok value)` or `(:err "message" line)`, holding a fresh list across the
/// call (so the collector must see it through `trace`).
struct Report {
    held: Value,
}

impl Resume for Report {
    fn resume(self: Box<Self>, c: &mut Ctx, r: Result<Value, LispError>) -> Result<Flow, String> {
        let out = match r {
            Ok(v) => {
                let ok = c.intern(":ok");
                c.list(&[ok, v, self.held])
            }
            Err(e) => {
                let err = c.intern(":err");
                let msg = c.string(e.message);
                let line = Value::Int(e.pos.map(|p| p.line as i64).unwrap_or(0));
                c.list(&[err, msg, line, self.held])
            }
        };
        Ok(Flow::Return(out))
    }
    fn trace(&self, roots: &mut Vec<Value>) {
        roots.push(self.held);
    }
}

fn t_call(c: &mut Ctx, a: &[Value]) -> Result<Flow, String> {
    let one = c.string("held".into());
    let held = c.list(&[one]);
    Ok(Flow::Call { callee: a[0], args: vec![a[1]], then: Box::new(Report { held }) })
}

struct Again {
    f: Value,
}

impl Resume for Again {
    fn resume(self: Box<Self>, _: &mut Ctx, r: Result<Value, LispError>) -> Result<Flow, String> {
        let v = r.map_err(|e| format!("t.twice: {}", e.message))?;
        Ok(Flow::Call { callee: self.f, args: vec![v], then: Box::new(Done) })
    }
    fn trace(&self, roots: &mut Vec<Value>) {
        roots.push(self.f);
    }
}

struct Done;

impl Resume for Done {
    fn resume(self: Box<Self>, _: &mut Ctx, r: Result<Value, LispError>) -> Result<Flow, String> {
        r.map(Flow::Return).map_err(|e| format!("t.twice: {}", e.message))
    }
}

fn t_twice(_: &mut Ctx, a: &[Value]) -> Result<Flow, String> {
    Ok(Flow::Call { callee: a[0], args: vec![a[1]], then: Box::new(Again { f: a[0] }) })
}

struct Fail;

impl Resume for Fail {
    fn resume(self: Box<Self>, _: &mut Ctx, _: Result<Value, LispError>) -> Result<Flow, String> {
        Err("t.call-fail: failed after the call".into())
    }
}

fn t_call_fail(_: &mut Ctx, a: &[Value]) -> Result<Flow, String> {
    Ok(Flow::Call { callee: a[0], args: vec![], then: Box::new(Fail) })
}

fn t_defconst(c: &mut Ctx, a: &[Value]) -> Result<Flow, String> {
    if c.symbol_name(a[0]).is_none() {
        return Err("t.defconst: first argument must be a symbol".into());
    }
    c.define(a[0], a[1])?;
    Ok(Flow::Return(a[1]))
}

fn t_len(c: &mut Ctx, a: &[Value]) -> Result<Flow, String> {
    let n = c.list_items(a[0]).ok_or("t.len: expected a list")?.len();
    Ok(Flow::Return(Value::Int(n as i64)))
}

fn id_arg(a: &[Value]) -> Result<u32, String> {
    match a[0] {
        Value::Int(n) if n > 0 => Ok(n as u32),
        _ => Err("expected positive integer".into()),
    }
}

fn t_thing(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    c.handle(&THING, id_arg(a)?)
}

fn t_pic(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    c.handle(&PIC, id_arg(a)?)
}

fn t_thing_id(c: &mut Ctx, a: &[Value]) -> Result<Value, String> {
    c.handle_id(&THING, a[0]).map(|id| Value::Int(id as i64)).ok_or_else(|| "t.thing-id: expected thing".into())
}

fn table() -> &'static Table {
    static T: OnceLock<Table> = OnceLock::new();
    T.get_or_init(|| Table::compose(&[&CORE, &TEST_FE]))
}

fn interp(limits: Limits) -> Interp {
    let mut it = Interp::with_limits(table(), limits);
    table().install(&mut it);
    it
}

/// Job time that jumps to each wake-up (the interpreter's own manual time).
struct Jump(granola::lang::ManualTime);

impl Pacer for Jump {
    fn wait(&mut self, until_ms: f64) -> Wait {
        self.0.advance(until_ms);
        Wait::Ready
    }
}

fn run_with(src: &str, limits: Limits, slice: u64) -> ScriptRun {
    let mut it = interp(limits);
    it.set_files(Box::new(granola::lang::MemFiles::default()));
    let time = granola::lang::ManualTime::default();
    it.set_time(Box::new(time.clone()));
    if let Err(e) = it.load(src) {
        return ScriptRun { stdout: String::new(), error: Some(e) };
    }
    RunLoop::new(slice, Some(50_000_000)).run_to_end(&mut it, &mut Jump(time))
}

fn run(src: &str) -> String {
    run_with(src, Limits::default(), 1_000_000).transcript()
}

#[test]
fn a_flow_builtin_calls_a_procedure_and_resumes_with_its_value() {
    assert_eq!(run("(t.call (lambda (x) (* x 2)) 21)"), "(:ok 42 (\"held\"))\n");
    // builtins can be called too, and the call nests inside ordinary expressions
    assert_eq!(run("(+ 1 (car (cdr (t.call car '(5 6)))))"), "6\n");
    // several calls in turn
    assert_eq!(run("(t.twice (lambda (x) (* x 3)) 2)"), "18\n");
    // a flow builtin inside the called procedure
    assert_eq!(run("(t.call (lambda (x) (t.twice (lambda (y) (+ y 1)) x)) 1)"), "(:ok 3 (\"held\"))\n");
}

#[test]
fn the_callees_error_is_delivered_to_the_continuation_and_evaluation_goes_on() {
    let out = run("(define r (t.call (lambda (x)\n  (car x)) 1))\n(print \"after\")\nr");
    assert_eq!(
        out,
        "(:err \"car: expected cons\" 2 (\"held\"))\n\"after\"\nnil\n(:err \"car: expected cons\" 2 (\"held\"))\n"
    );
    // unbound symbols and arity errors of the call itself are delivered too
    assert_eq!(run("(car (t.call (lambda () 1) 2))"), ":err\n");
    assert_eq!(run("(car (cdr (t.call 5 2)))"), "\"attempt to call non-function value\"\n");
    // an inner flow's error goes to the inner continuation only
    assert_eq!(
        run("(car (cdr (t.call (lambda (x) (car (t.call (lambda (y) (nope)) x))) 0)))"),
        ":err\n",
        "the inner t.call turned the error into a value, so the outer one sees :ok with it"
    );
    assert_eq!(run("(car (t.call (lambda (x) (car (t.call (lambda (y) (nope)) x))) 0))"), ":ok\n");
}

#[test]
fn an_error_raised_by_the_continuation_fails_the_form_at_the_builtin() {
    let r = run_with("(print 1)\n(list 1\n  (t.call-fail (lambda () 2)))\n(print 3)", Limits::default(), 1000);
    assert_eq!(r.stdout, "1\nnil\n");
    assert_eq!(r.error.unwrap().located(), "line 3, column 3: t.call-fail: failed after the call");
    // and a t.twice whose callee fails reports it as its own error
    let r = run_with("(t.twice car 1)", Limits::default(), 1000);
    assert_eq!(r.error.unwrap().message, "t.twice: car: expected cons");
}

#[test]
fn sleeping_fuel_and_the_depth_limit_work_inside_the_call() {
    // time.sleep-ms inside the callee suspends the whole run
    assert_eq!(run("(t.call (lambda (x) (time.sleep-ms 100) (+ x (time.now-ms))) 5)"), "(:ok 105 (\"held\"))\n");
    // a long callee runs across many small slices
    let src =
        "(define (count n acc) (if (= n 0) acc (count (- n 1) (+ acc 1))))\n(t.call (lambda (n) (count n 0)) 100000)";
    assert_eq!(run_with(src, Limits::default(), 1000).transcript(), "<closure>\n(:ok 100000 (\"held\"))\n");
    // the depth limit is not delivered to the continuation: it ends the form
    let deep = "(define (down n) (if (= n 0) 0 (+ 1 (down (- n 1)))))\n(t.call down 100000)";
    let r = run_with(deep, Limits { max_depth: 1000, ..Limits::default() }, 1_000_000);
    let e = r.error.unwrap();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert_eq!(e.message, "maximum recursion depth exceeded (1000 frames)");
}

#[test]
fn stop_abandons_a_running_call() {
    struct Null;
    impl Host for Null {
        fn print(&mut self, _: &str) {}
    }
    let mut it = interp(Limits::default());
    it.load("(define (spin) (spin))\n(t.call (lambda (x) (spin)) 1)\n(+ 1 2)").unwrap();
    assert!(matches!(it.run(&mut Null, 1000), Outcome::Value { .. }));
    assert_eq!(it.run(&mut Null, 1000), Outcome::OutOfFuel);
    it.stop();
    assert!(it.is_idle());
    it.load("(t.call (lambda (x) x) 7)").unwrap();
    assert!(matches!(it.run(&mut Null, 1000), Outcome::Value { ref printed, .. } if printed == "(:ok 7 (\"held\"))"));
}

#[test]
fn values_held_by_a_continuation_or_an_extension_survive_collections() {
    // The callee allocates enough to collect several times while `held` is only reachable
    // from the continuation; the kept list only from the extension.
    let src = "(t.keep! (list 1 2 3))\n\
               (define (churn n) (if (= n 0) 'done (begin (list n n n) (churn (- n 1)))))\n\
               (t.call churn 300000)\n\
               (gc-stats)\n\
               (t.kept)";
    let out = run(src);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "nil");
    assert_eq!(lines[2], "(:ok done (\"held\"))");
    assert_eq!(lines.last(), Some(&"((1 2 3))"));
    let collections: u64 =
        out.lines().find_map(|l| l.strip_prefix("collection count: ")).and_then(|n| n.parse().ok()).unwrap_or(0);
    assert!(collections >= 2, "{out}");
}

#[test]
fn syntax_rows_get_their_arguments_unevaluated_and_bind_in_the_current_environment() {
    assert_eq!(run("(t.len (a b (c d)))"), "3\n");
    assert_eq!(run("(t.defconst k (x y))\nk"), "(x y)\n(x y)\n");
    // inside a function body the binding is local
    let r = run_with("(define (f) (t.defconst k2 (1 2)) k2)\n(f)\nk2", Limits::default(), 1000);
    assert_eq!(r.stdout, "<closure>\n(1 2)\n");
    assert_eq!(r.error.unwrap().message, "unbound symbol: k2");
    // a special form whatever the symbol is bound to
    assert_eq!(run("(define t.len 5)\n(t.len (1 2))\nt.len"), "5\n2\n5\n");
    // arity and the row's own errors
    assert_eq!(
        run_with("(t.defconst k)", Limits::default(), 10).error.unwrap().message,
        "t.defconst: expected 2 arguments, got 1"
    );
    assert_eq!(
        run_with("(t.defconst 1 2)", Limits::default(), 10).error.unwrap().message,
        "t.defconst: first argument must be a symbol"
    );
    // the table lists syntax rows with the special forms, and help says so
    assert!(table().is_special_form("t.defconst"));
    assert!(table().special_forms().any(|b| b.name == "t.len"));
    assert!(table().lookup("t.len").is_none());
    assert_eq!(
        run("(help 't.len)"),
        "(t.len form) -> integer\n  Length of the unevaluated form.\n  (special form)\nnil\n"
    );
}

#[test]
fn handles_print_compare_by_identity_and_refuse_to_be_written() {
    assert_eq!(run("(t.thing 3)"), "<thing:3>\n");
    assert_eq!(
        run("(define a (t.thing 1))\n(list (eq? a a) (eq? a (t.thing 1)) (eq? a (t.thing 2)) (eq? a (t.pic 1)))"),
        "<thing:1>\n(#t #t #f #f)\n"
    );
    assert_eq!(run("(t.thing-id (t.thing 9))"), "9\n");
    let err = |src: &str| run_with(src, Limits::default(), 1000).error.unwrap().message;
    assert_eq!(err("(t.thing-id (t.pic 9))"), "t.thing-id: expected thing");
    assert_eq!(err("(write (t.thing 1))"), "write: cannot serialise thing as readable data");
    assert_eq!(err("(write-to-string (list (t.pic 1)))"), "write: cannot serialise pic as readable data");
    assert_eq!(err("(json.encode (t.thing 1))"), "json.encode: unsupported value type: thing");
    assert_eq!(run("(json.encode (list (t.pic 7) 1))"), "\"[{\\\"type\\\":\\\"pic\\\",\\\"id\\\":7},1]\"\n");
    // map values and print
    assert_eq!(
        run("(define m (map.make))\n(map.set! m 'h (t.pic 2))\n(print m (map.get m 'h nil))"),
        "<map:0>\n<pic:2>\n<map:1> <pic:2>\nnil\n"
    );
    assert!(table().data_types().contains(&"thing"));
}

#[test]
fn the_run_loop_hands_control_back_when_the_pacer_asks() {
    struct Later;
    impl Pacer for Later {
        fn wait(&mut self, _: f64) -> Wait {
            Wait::Later
        }
        fn should_yield(&mut self) -> bool {
            true
        }
    }
    struct Null;
    impl Host for Null {
        fn print(&mut self, _: &str) {}
    }
    let mut it = interp(Limits::default());
    it.load("(define (count n) (if (= n 0) 'done (count (- n 1))))\n(count 5000)\n(time.sleep-ms 10)").unwrap();
    let mut run = RunLoop::new(1000, None);
    let mut seen = Vec::new();
    for _ in 0..50 {
        let d = run.next(&mut it, &mut Null, &mut Later);
        let stop = matches!(d, Driven::Waiting { .. });
        seen.push(d);
        if stop {
            break;
        }
    }
    assert!(seen.iter().filter(|d| **d == Driven::Yield).count() >= 5, "{seen:?}");
    assert_eq!(seen.last(), Some(&Driven::Waiting { until_ms: 10.0 }));
    let mut budget = RunLoop::new(100, Some(1000));
    it.stop();
    it.load("(count 100000)").unwrap();
    let mut last = Driven::Idle;
    for _ in 0..100 {
        last = budget.next(&mut it, &mut Null, &mut Later);
        if !matches!(last, Driven::Yield) {
            break;
        }
    }
    assert_eq!(last, Driven::BudgetSpent { steps: 1000 });
}

#[test]
fn front_ends_can_read_data_and_use_binary_files() {
    assert_eq!(run("(t.read \"(a 1) \\\"s\\\" 2.5\")"), "((a 1) \"s\" 2.5)\n");
    assert_eq!(
        run_with("(t.read \"(a\")", Limits::default(), 100).error.unwrap().message,
        "t.read: line 1, column 3: unterminated list"
    );
    assert_eq!(run("(t.bytes \"/b.bin\")"), "(0 255 7 \"ab\")\n");
}
