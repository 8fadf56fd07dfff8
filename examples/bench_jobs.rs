//! Job engine + VLA front end benchmark (`cargo run --release --example bench_jobs`).
//!
//! 1. 1000 `rt2-stub` jobs at speed 1.0 (real job time from the wall clock), each submitted
//!    and polled to a terminal state, sleeping until the engine's next due time between polls;
//!    CPU time is what matters (the stub itself needs 3 job-ms per job). The same loop on a
//!    manual clock (time jumps straight to the next due time) gives the pure CPU cost.
//! 2. Per-operation cost of `vla.poll`, an idle `advance`, and a submit→done cycle with 10,
//!    1 000 and 100 000 finished jobs already in the engine.

use std::hint::black_box;
use std::time::{Duration, Instant};

use granola::jobs::{Clock, Engine};
use granola::lang::Datum;
use granola::vla;

fn sym_map(entries: Vec<(&str, Datum)>) -> Datum {
    Datum::Map(entries.into_iter().map(|(k, v)| (Datum::sym(k), v)).collect())
}

/// The seed pages' request.
fn request() -> Datum {
    sym_map(vec![
        ("task_id", Datum::str("task")),
        ("instruction", Datum::str("move")),
        (
            "observation",
            sym_map(vec![
                ("state", Datum::list(vec![Datum::Float(0.1)])),
                ("timestamp_ms", Datum::Int(100)),
                ("frame_id", Datum::str("base")),
            ]),
        ),
        (
            "action_space",
            sym_map(vec![
                ("type", Datum::sym(":continuous")),
                ("dims", Datum::Int(1)),
                ("bounds", Datum::list(vec![Datum::list(vec![Datum::Float(-1.0), Datum::Float(1.0)])])),
            ]),
        ),
        ("constraints", sym_map(vec![("max_abs_value", Datum::Float(1.0)), ("max_delta", Datum::Float(1.0))])),
        ("model", sym_map(vec![("name", Datum::str("rt2-stub")), ("version", Datum::str("stub-1"))])),
    ])
}

/// CPU time of this (single-threaded) process so far, in seconds.
fn cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn status_of(p: &Datum) -> String {
    match p.get_sym("status") {
        Some(Datum::Sym(s)) => s.clone(),
        _ => String::new(),
    }
}

fn terminal(status: &str) -> bool {
    matches!(status, ":done" | ":error" | ":timeout" | ":cancelled")
}

fn submit(e: &mut Engine, req: &Datum) -> i64 {
    match vla::submit(e, req) {
        Ok(id) => id as i64,
        other => panic!("submit: {other:?}"),
    }
}

fn poll(e: &mut Engine, id: i64) -> Datum {
    vla::poll(e, id as u64)
}

/// 1000 jobs, one after the other, polled to the end. `realtime`: job time follows the wall
/// clock at speed 1.0 and the loop sleeps until the next due time; otherwise job time jumps.
fn thousand_jobs(realtime: bool) -> (Duration, Option<f64>, u64, usize) {
    let req = request();
    let mut e = Engine::default();
    let start = Instant::now();
    let wall_ms = || start.elapsed().as_secs_f64() * 1000.0;
    let clock = Clock::new(1.0, wall_ms());
    let cpu0 = cpu_seconds();
    let mut polls = 0u64;
    let mut done = 0usize;
    for _ in 0..1000 {
        let id = submit(&mut e, &req);
        loop {
            let now = if realtime { clock.job_time(wall_ms()) } else { e.now() };
            e.advance(now);
            let p = poll(&mut e, id);
            polls += 1;
            let st = status_of(&p);
            if terminal(&st) {
                done += usize::from(st == ":done");
                break;
            }
            let Some(due) = e.next_due() else { break };
            if realtime {
                let wait = clock.wall_until(due, wall_ms());
                if wait > 0.0 {
                    std::thread::sleep(Duration::from_secs_f64(wait / 1000.0));
                }
            } else {
                e.advance(due);
            }
        }
    }
    let cpu = match (cpu0, cpu_seconds()) {
        (Some(a), Some(b)) => Some(b - a),
        _ => None,
    };
    (start.elapsed(), cpu, polls, done)
}

/// An engine holding `n` finished stub jobs, with job time past every deadline.
fn engine_with_finished(n: usize) -> Engine {
    let req = request();
    let mut e = Engine::default();
    for i in 0..n {
        submit(&mut e, &req);
        if i % 2 == 1 {
            let t = e.now() + 3.0;
            e.advance(t);
        }
    }
    let t = e.now() + 1000.0;
    e.advance(t);
    assert_eq!(e.active_count(), 0);
    e
}

/// Nanoseconds per call of `f`: the best of five rounds (the machine is shared, so the
/// minimum is the least disturbed figure).
fn per_op(iters: u32, mut f: impl FnMut(u32)) -> f64 {
    let mut best = f64::INFINITY;
    for round in 0..5u32 {
        let t = Instant::now();
        for i in 0..iters {
            f(round.wrapping_mul(iters).wrapping_add(i));
        }
        best = best.min(t.elapsed().as_secs_f64() * 1e9 / f64::from(iters));
    }
    best
}

fn main() {
    println!("== 1000 rt2-stub jobs, each submitted and polled to a terminal state ==");
    for (label, realtime) in [("speed 1.0 (wall clock)", true), ("manual clock (time jumps)", false)] {
        let (wall, cpu, polls, done) = thousand_jobs(realtime);
        let cpu = cpu.map_or("n/a".to_string(), |c| format!("{:.3} s", c));
        println!("{label:<28} wall {:>8.3} s   CPU {cpu:>9}   polls {polls:>6}   done {done}/1000", wall.as_secs_f64());
    }
    println!("(reference muslisp: 1.7 s wall, 0.21 s CPU for its 1000-job program)");
    println!();
    println!("== per-operation cost with N finished jobs in the engine (ns/op) ==");
    println!(
        "{:>10} {:>12} {:>14} {:>14} {:>16} {:>14}",
        "finished", "poll (same)", "poll (spread)", "advance idle", "cancel (ended)", "submit->done"
    );
    for n in [10usize, 1_000, 100_000] {
        let mut e = engine_with_finished(n);
        let ids: Vec<i64> = (1..=n as i64).collect();
        let iters = 100_000u32;
        let same = ids[ids.len() / 2];
        let same_ns = per_op(iters, |_| {
            black_box(vla::poll(&e, same as u64));
        });
        let poll_ns = per_op(iters, |i| {
            let id = ids[(i as usize * 7919) % ids.len()];
            black_box(vla::poll(&e, id as u64));
        });
        let adv_ns = per_op(iters, |_| {
            let t = e.now() + 0.25;
            e.advance(black_box(t));
        });
        let cancel_ns = per_op(iters, |i| {
            let id = ids[(i as usize * 104_729) % ids.len()];
            black_box(vla::cancel(&mut e, id as u64));
        });
        let req = request();
        let cycles = 5_000u32;
        let cycle_ns = per_op(cycles, |_| {
            let id = submit(&mut e, &req);
            for _ in 0..4 {
                let t = e.now() + 1.0;
                e.advance(t);
            }
            black_box(poll(&mut e, id));
        });
        println!("{n:>10} {same_ns:>12.0} {poll_ns:>14.0} {adv_ns:>14.0} {cancel_ns:>16.0} {cycle_ns:>14.0}");
    }
    println!("(poll (same) polls one job again and again; poll (spread) walks all N jobs, so its");
    println!(" growth is memory-cache misses, not work: every lookup is an index into a vector.");
    println!(" submit->done = vla.submit + 4 advances of 1 job-ms + vla.poll of the done job)");
}
