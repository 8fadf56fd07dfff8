#![cfg(not(target_arch = "wasm32"))]
//! Property test: random sequences of submit / poll / cancel / advance through `jobs_support::call`
//! keep the engine's invariants.

mod jobs_support;

use granola::jobs::Engine;
use granola::lang::Datum;
use jobs_support::*;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    /// state length, dims, deadline (None = default 200), rejected at submission
    Submit {
        state: Vec<f64>,
        dims: i64,
        deadline: Option<i64>,
        bad: bool,
    },
    Poll(usize),
    Cancel(usize),
    /// job-ms to advance by (0 = advance to the same time)
    Advance(f64),
    Slots(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (
            proptest::collection::vec(-3.0f64..3.0, 0..5),
            1i64..4,
            proptest::option::of(1i64..12),
            proptest::bool::weighted(0.1)
        )
            .prop_map(|(state, dims, deadline, bad)| Op::Submit { state, dims, deadline, bad }),
        2 => (0usize..64).prop_map(Op::Poll),
        2 => (0usize..64).prop_map(Op::Cancel),
        3 => prop_oneof![Just(0.0), 0.0f64..3.0, Just(1.0), 5.0f64..250.0].prop_map(Op::Advance),
        1 => (1usize..4).prop_map(Op::Slots),
    ]
}

const TERMINAL: [&str; 4] = [":done", ":error", ":timeout", ":cancelled"];

struct Seen {
    id: u64,
    submitted_at: f64,
    deadline: f64,
    status: String,
    partial_seq: i64,
    partial_count: f64,
    terminal_poll: Option<Datum>,
}

fn partial_seq(p: &Datum) -> i64 {
    match get(p, &["partial", "sequence"]) {
        Some(Datum::Int(n)) => *n,
        None => 0,
        other => panic!("bad sequence {other:?}"),
    }
}

fn check_job(e: &mut Engine, s: &mut Seen) -> Result<(), TestCaseError> {
    let p = poll(e, s.id);
    let st = status(&p);
    let stats = get(&p, &["stats"]).expect("stats");
    prop_assert!(get(stats, &["latency_ms"]).is_some(), "job {} lost: {:?}", s.id, p);
    if let Some(prev) = &s.terminal_poll {
        prop_assert_eq!(prev, &p, "terminal job {} changed", s.id);
    }
    let seq = partial_seq(&p);
    prop_assert!(seq >= s.partial_seq, "partial sequence went back on job {}", s.id);
    let count = float(&p, &["stats", "partial_count"]);
    prop_assert!(count >= s.partial_count);
    prop_assert!(seq as f64 == count, "latest partial is the last one accepted");
    prop_assert!(seq <= 3);
    let now = e.now();
    if now >= s.submitted_at + s.deadline {
        prop_assert!(TERMINAL.contains(&st.as_str()), "job {} past its deadline is {}", s.id, st);
    }
    if TERMINAL.contains(&st.as_str()) {
        prop_assert!(get(&p, &["final"]).is_some(), "terminal job {} has a final", s.id);
        s.terminal_poll = Some(p.clone());
    } else {
        prop_assert!(get(&p, &["final"]).is_none());
        prop_assert_eq!(float(&p, &["stats", "latency_ms"]), now - s.submitted_at);
    }
    s.status = st;
    s.partial_seq = seq;
    s.partial_count = count;
    Ok(())
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut e = Engine::default();
    let mut seen: Vec<Seen> = Vec::new();
    let mut last_id = 0u64;
    for op in ops {
        match op {
            Op::Submit { state, dims, deadline, bad } => {
                let mut r = request(&state, dims);
                if let Some(d) = deadline {
                    set(&mut r, &["deadline_ms"], Datum::Int(d));
                }
                if bad {
                    set(&mut r, &["instruction"], s(""));
                }
                let id = submit(&mut e, &r);
                prop_assert_eq!(id, last_id + 1, "ids are unique and increasing");
                last_id = id;
                let p = poll(&mut e, id);
                prop_assert_eq!(status(&p), if bad { ":error" } else { ":queued" });
                seen.push(Seen {
                    id,
                    submitted_at: e.now(),
                    deadline: deadline.unwrap_or(200) as f64,
                    status: status(&p),
                    partial_seq: 0,
                    partial_count: 0.0,
                    terminal_poll: None,
                });
            }
            Op::Poll(i) => {
                if let Some(s) = seen.get_mut(i) {
                    check_job(&mut e, s)?;
                } else {
                    let p = poll(&mut e, i as u64 + 1000);
                    prop_assert_eq!(status(&p), ":error");
                }
            }
            Op::Cancel(i) => {
                if let Some(s) = seen.get_mut(i) {
                    let before = status(&poll(&mut e, s.id));
                    let accepted = cancel(&mut e, s.id);
                    prop_assert_eq!(accepted, !TERMINAL.contains(&before.as_str()));
                    if before == ":queued" {
                        prop_assert_eq!(status(&poll(&mut e, s.id)), ":cancelled");
                    }
                    check_job(&mut e, s)?;
                } else {
                    prop_assert!(!cancel(&mut e, i as u64 + 1000));
                }
            }
            Op::Advance(dt) => {
                let t = e.now() + dt;
                e.advance(t);
                prop_assert_eq!(e.now(), t);
            }
            Op::Slots(n) => e.set_slots(n),
        }
        for s in seen.iter_mut() {
            check_job(&mut e, s)?;
        }
        prop_assert_eq!(e.issued(), seen.len() as u64);
        prop_assert_eq!(e.jobs().count(), seen.len(), "nothing lost");
        let active = seen.iter().filter(|s| !TERMINAL.contains(&s.status.as_str())).count();
        prop_assert_eq!(e.active_count(), active);
    }
    // Finally, once time passes every deadline, every job is terminal.
    let end = e.now() + 250.0;
    e.advance(end);
    for s in seen.iter_mut() {
        check_job(&mut e, s)?;
        prop_assert!(TERMINAL.contains(&s.status.as_str()));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_the_invariants(ops in proptest::collection::vec(op(), 1..40)) {
        run(ops)?;
    }
}
