#![cfg(not(target_arch = "wasm32"))]
//! `vla.*` and `cap.*` through the Rust functions their rows call (`jobs_support::call`), on a
//! manual clock.

mod jobs_support;

use granola::jobs::{Engine, State};
use granola::lang::Datum;
use granola::vla::VlaWork;
use jobs_support::*;

fn err(e: &mut Engine, name: &str, args: &[Datum]) -> String {
    match call(e, name, args) {
        Err(m) => m,
        Ok(v) => panic!("{name} should fail, gave {v:?}"),
    }
}

type Edit = Box<dyn Fn(&mut Datum)>;

fn submit_err(req: &Datum) -> String {
    let mut e = Engine::default();
    let msg = err(&mut e, "vla.submit", std::slice::from_ref(req));
    assert_eq!(e.issued(), 0, "a raising submit allocates no id");
    msg
}

// ---------- the seed pages ----------

#[test]
fn seed_poll_minimal_is_queued_right_after_submit() {
    let mut e = Engine::default();
    let id = submit(&mut e, &seed_request(&[0.0]));
    assert_eq!(id, 1);
    let p = poll(&mut e, id);
    assert_eq!(keys(&p), ["status", "stats"]);
    assert_eq!(status(&p), ":queued");
    assert_eq!(float(&p, &["stats", "latency_ms"]), 0.0);
    assert_eq!(float(&p, &["stats", "partial_count"]), 0.0);
    assert_eq!(keys(get(&p, &["stats"]).unwrap()), ["latency_ms", "partial_count", "request_hash"]);
}

#[test]
fn seed_poll_realistic_busy_poll_without_sleep_stays_queued() {
    // The page polls 32 times without sleeping: job time does not move, so the job is still queued.
    let mut e = Engine::default();
    let id = submit(&mut e, &seed_request(&[0.0]));
    let mut p = poll(&mut e, id);
    for _ in 0..32 {
        p = poll(&mut e, id);
        if status(&p) == ":done" {
            break;
        }
    }
    assert_eq!(status(&p), ":queued");
    // After a sleep (the host advances job time) it is done.
    e.advance(50.0);
    let p = poll(&mut e, id);
    assert_eq!(status(&p), ":done");
    assert_eq!(u(&p, &["final", "action", "u"]), vec![0.9]);
}

#[test]
fn seed_cancel_minimal_and_realistic() {
    let mut e = Engine::default();
    let id = submit(&mut e, &seed_request(&[0.0]));
    assert!(cancel(&mut e, id));
    let p = poll(&mut e, id);
    assert_eq!(status(&p), ":cancelled");
    assert_eq!(keys(&p), ["status", "final", "stats"]);
    let f = get(&p, &["final"]).unwrap();
    assert_eq!(keys(f), ["status", "action", "confidence", "model", "explanation", "stats"]);
    assert_eq!(get(f, &["status"]), Some(&sym(":cancelled")));
    assert_eq!(get(f, &["explanation"]), Some(&s("cancelled while queued")));
    assert_eq!(get(f, &["action"]), Some(&map(vec![("type", sym(":continuous")), ("u", Datum::Nil)])));
    assert_eq!(float(f, &["confidence"]), 0.0);
    assert_eq!(keys(get(f, &["stats"]).unwrap()), ["latency_ms"]);
    assert_eq!(get(f, &["model", "name"]), Some(&s("rt2-stub")));
    // A second cancel: already terminal.
    assert!(!cancel(&mut e, id));
    // Time passing changes nothing.
    e.advance(500.0);
    assert_eq!(status(&poll(&mut e, id)), ":cancelled");
}

#[test]
fn request_hash_covers_the_reference_fields_only() {
    let hash = |edit: &dyn Fn(&mut Datum)| {
        let mut e = Engine::default();
        let mut r = seed_request(&[0.1]);
        edit(&mut r);
        let id = submit(&mut e, &r);
        float(&poll(&mut e, id), &["stats", "request_hash"])
    };
    let base = hash(&|_| {});
    assert!((0.0..4294967296.0).contains(&base) && base.fract() == 0.0);
    // FNV-1a 64 of the reference's canonical text, low 32 bits.
    let text = "vla.rt2\ntask\nmove\n100\nbase\nstate:0.1,\ndims:1\n-1:1;\nmodel:rt2-stub:stub-1\ndeadline:200\nmax_abs:1 max_delta:1\n";
    assert_eq!(base, (granola::lang::fnv::fnv1a64_standard(text.as_bytes()) & 0xffff_ffff) as f64);
    // Not hashed: seed, run_id, node_name, tick_index, action_space.type, units, forbidden ranges.
    assert_eq!(hash(&|r| set(r, &["seed"], Datum::Int(7))), base);
    assert_eq!(hash(&|r| set(r, &["run_id"], s("x"))), base);
    assert_eq!(hash(&|r| set(r, &["action_space", "type"], s("discrete"))), base);
    assert_eq!(hash(&|r| set(r, &["constraints", "forbidden_ranges"], rows(&[(0.0, 0.1)]))), base);
    // Numbers are written with 6 significant digits, so tiny state differences collide.
    assert_eq!(hash(&|r| set(r, &["observation", "state"], floats(&[0.1000000001]))), base);
    // Hashed: instruction, state, deadline, model.
    assert_ne!(hash(&|r| set(r, &["instruction"], s("stop"))), base);
    assert_ne!(hash(&|r| set(r, &["observation", "state"], floats(&[0.2]))), base);
    assert_ne!(hash(&|r| set(r, &["deadline_ms"], Datum::Int(201))), base);
    assert_ne!(hash(&|r| set(r, &["model", "version"], s("stub-2"))), base);
    // An image or blob handle (as `image.make` / `blob.make` give them) is accepted and hashed
    // by its id.
    let image = |id| Datum::Handle { kind: "image_handle", id };
    let with_image = hash(&|r| set(r, &["observation", "image"], image(1)));
    assert_ne!(with_image, base);
    assert_ne!(hash(&|r| set(r, &["observation", "image"], image(2))), with_image);
    let blob = Datum::Handle { kind: "blob_handle", id: 1 };
    assert_ne!(hash(&|r| set(r, &["observation", "blob"], blob.clone())), base);
    let mut r = seed_request(&[0.1]);
    set(&mut r, &["observation", "image"], blob);
    assert_eq!(submit_err(&r), "vla.submit observation.image: expected image_handle");
}

// ---------- lifecycle at the right job times ----------

#[test]
fn each_transition_happens_at_its_job_time() {
    let mut e = Engine::default();
    e.advance(10.0);
    let id = submit(&mut e, &seed_request(&[0.1]));
    let cursor = e.event_cursor();
    assert_eq!(status(&poll(&mut e, id)), ":queued");

    e.advance(10.0); // picked up: stage 1 runs and emits partial 1 at once
    let p = poll(&mut e, id);
    assert_eq!(status(&p), ":streaming");
    assert_eq!(get(&p, &["partial", "sequence"]), Some(&Datum::Int(1)));
    assert_eq!(get(&p, &["partial", "text_chunk"]), Some(&s("encode observation")));
    assert_eq!(float(&p, &["partial", "confidence"]), 0.20);
    assert_eq!(u(&p, &["partial", "action_candidate", "u"]), vec![0.0]);
    assert!(get(&p, &["final"]).is_none());
    assert_eq!(float(&p, &["stats", "partial_count"]), 1.0);

    e.advance(10.999);
    assert_eq!(get(&poll(&mut e, id), &["partial", "sequence"]), Some(&Datum::Int(1)));
    e.advance(11.0);
    let p = poll(&mut e, id);
    assert_eq!(get(&p, &["partial", "sequence"]), Some(&Datum::Int(2)));
    assert_eq!(get(&p, &["partial", "text_chunk"]), Some(&s("decode action prior")));
    assert_eq!(float(&p, &["partial", "confidence"]), 0.55);
    assert_close(&u(&p, &["partial", "action_candidate", "u"]), &[0.9]);
    assert_eq!(float(&p, &["stats", "latency_ms"]), 1.0);
    assert_eq!(float(&p, &["stats", "partial_count"]), 2.0);

    e.advance(12.0);
    let p = poll(&mut e, id);
    assert_eq!(status(&p), ":streaming");
    assert_eq!(get(&p, &["partial", "text_chunk"]), Some(&s("finalize structured action")));
    assert_eq!(float(&p, &["partial", "confidence"]), 0.75);
    assert_close(&u(&p, &["partial", "action_candidate", "u"]), &[0.81]);
    assert!(get(&p, &["final"]).is_none());
    e.advance(12.999);
    assert_eq!(status(&poll(&mut e, id)), ":streaming");
    e.advance(13.0); // the final, one job-ms after the third partial
    let p = poll(&mut e, id);
    assert_eq!(status(&p), ":done");
    assert_eq!(keys(&p), ["status", "partial", "final", "stats"]);
    assert_eq!(float(&p, &["stats", "partial_count"]), 3.0);
    let f = get(&p, &["final"]).unwrap();
    assert_eq!(get(f, &["status"]), Some(&sym(":ok")));
    assert_close(&u(f, &["action", "u"]), &[0.81]);
    assert_eq!(float(f, &["confidence"]), 0.75);
    assert_eq!(get(f, &["explanation"]), Some(&s("rt2-style stub output")));
    assert_eq!(get(f, &["model"]), Some(&map(vec![("name", s("rt2-stub")), ("version", s("stub-1"))])));
    assert_eq!(
        get(f, &["stats"]),
        Some(&map(vec![("latency_ms", Datum::Float(3.0)), ("partials", Datum::Float(3.0))]))
    );
    assert_eq!(float(&p, &["stats", "latency_ms"]), 3.0);

    // Latency stops growing once finished.
    e.advance(100.0);
    assert_eq!(float(&poll(&mut e, id), &["stats", "latency_ms"]), 3.0);

    let evs: Vec<_> = e.events_since(cursor).iter().map(|ev| (ev.from, ev.to, ev.at, ev.partial_seq)).collect();
    assert_eq!(
        evs,
        vec![
            (Some(State::Queued), State::Running, 10.0, 0),
            (Some(State::Running), State::Streaming, 10.0, 1),
            (Some(State::Streaming), State::Streaming, 11.0, 2),
            (Some(State::Streaming), State::Streaming, 12.0, 3),
            (Some(State::Streaming), State::Done, 13.0, 3),
        ]
    );
}

#[test]
fn a_job_streams_from_its_pick_up() {
    // What people watching a job see: queued -> streaming -> done (running lasts no job time).
    let mut e = Engine::default();
    let id = submit(&mut e, &seed_request(&[0.1]));
    assert_eq!(status(&poll(&mut e, id)), ":queued");
    e.advance(0.5);
    let p = poll(&mut e, id);
    assert_eq!(status(&p), ":streaming");
    assert_eq!(float(&p, &["stats", "latency_ms"]), 0.5);
    assert_eq!(float(&p, &["stats", "partial_count"]), 1.0);
    e.advance(2.5);
    assert_eq!(status(&poll(&mut e, id)), ":streaming");
    e.advance(3.0);
    assert_eq!(status(&poll(&mut e, id)), ":done");
    let seen: Vec<State> = e.events_since(0).iter().filter(|ev| ev.from != Some(ev.to)).map(|ev| ev.to).collect();
    assert_eq!(seen, [State::Queued, State::Running, State::Streaming, State::Done]);
}

#[test]
fn third_job_waits_for_a_slot_and_no_submit_supersedes_another() {
    let mut e = Engine::default();
    let a = submit(&mut e, &seed_request(&[0.1]));
    let b = submit(&mut e, &seed_request(&[0.1]));
    let c = submit(&mut e, &seed_request(&[0.1]));
    assert_eq!((a, b, c), (1, 2, 3));
    e.advance(0.0);
    assert_eq!(status(&poll(&mut e, a)), ":streaming");
    assert_eq!(status(&poll(&mut e, b)), ":streaming");
    assert_eq!(status(&poll(&mut e, c)), ":queued");
    e.advance(2.5);
    assert_eq!(status(&poll(&mut e, c)), ":queued");
    e.advance(3.0);
    assert_eq!(status(&poll(&mut e, a)), ":done");
    assert_eq!(status(&poll(&mut e, c)), ":streaming");
    e.advance(6.0);
    for id in [a, b, c] {
        let p = poll(&mut e, id);
        assert_eq!(status(&p), ":done");
        // No result cache: every identical request streamed its own three partials.
        assert_eq!(float(&p, &["stats", "partial_count"]), 3.0);
    }
    assert_eq!(float(&poll(&mut e, c), &["stats", "latency_ms"]), 6.0);
}

#[test]
fn unknown_ids_and_bad_ids() {
    let mut e = Engine::default();
    let p = poll(&mut e, 999);
    assert_eq!(p, map(vec![("status", sym(":error")), ("stats", Datum::Map(vec![]))]));
    assert!(!cancel(&mut e, 999));
    for name in ["vla.poll", "vla.cancel"] {
        assert_eq!(err(&mut e, name, &[s("1")]), format!("{name}: expected integer"));
        assert_eq!(err(&mut e, name, &[Datum::Float(1.0)]), format!("{name}: expected integer"));
        assert_eq!(err(&mut e, name, &[Datum::Int(-1)]), format!("{name}: expected non-negative integer"));
        assert_eq!(err(&mut e, name, &[Datum::Int(0)]), format!("{name}: job id must be > 0"));
        assert_eq!(err(&mut e, name, &[]), format!("{name}: expected 1 arguments, got 0"));
    }
}

// ---------- cancellation in every state ----------

#[test]
fn cancel_before_the_pick_up_or_after_it() {
    // Cancelled before a slot picks it up: cancelled while queued, no partial.
    let mut e = Engine::default();
    let id = submit(&mut e, &seed_request(&[0.1]));
    assert!(cancel(&mut e, id));
    e.advance(1.0);
    let p = poll(&mut e, id);
    assert_eq!(status(&p), ":cancelled");
    assert!(get(&p, &["partial"]).is_none());
    assert_eq!(get(&p, &["final", "explanation"]), Some(&s("cancelled while queued")));
    // Cancelled right after the pick-up: stage 1 already ran; seen before stage 2.
    let id = submit(&mut e, &seed_request(&[0.1]));
    e.advance(1.0);
    assert_eq!(status(&poll(&mut e, id)), ":streaming");
    assert!(cancel(&mut e, id));
    // Status unchanged until the job's next step.
    assert_eq!(status(&poll(&mut e, id)), ":streaming");
    assert!(cancel(&mut e, id), "a repeated request on a running job is still accepted");
    e.advance(1.99);
    assert_eq!(status(&poll(&mut e, id)), ":streaming");
    e.advance(2.0);
    let p = poll(&mut e, id);
    assert_eq!(status(&p), ":cancelled");
    assert_eq!(get(&p, &["partial", "sequence"]), Some(&Datum::Int(1)));
    let f = get(&p, &["final"]).unwrap();
    assert_eq!(get(f, &["explanation"]), Some(&s("cancelled before completion")));
    assert_eq!(
        get(f, &["stats"]),
        Some(&map(vec![("latency_ms", Datum::Float(1.0)), ("partials", Datum::Float(1.0))]))
    );
    assert!(!cancel(&mut e, id));
}

#[test]
fn cancel_while_streaming_is_seen_at_the_next_stage() {
    let mut e = Engine::default();
    let id = submit(&mut e, &seed_request(&[0.1]));
    e.advance(1.5);
    assert!(cancel(&mut e, id));
    // Status unchanged until the job's next step.
    assert_eq!(status(&poll(&mut e, id)), ":streaming");
    e.advance(1.99);
    assert_eq!(status(&poll(&mut e, id)), ":streaming");
    e.advance(2.0);
    let p = poll(&mut e, id);
    assert_eq!(status(&p), ":cancelled");
    assert_eq!(get(&p, &["partial", "sequence"]), Some(&Datum::Int(2)));
    let f = get(&p, &["final"]).unwrap();
    assert_eq!(get(f, &["status"]), Some(&sym(":cancelled")));
    assert_eq!(get(f, &["explanation"]), Some(&s("cancelled before completion")));
    assert_eq!(u(f, &["action", "u"]), Vec::<f64>::new());
    assert_eq!(float(f, &["confidence"]), 0.0);
    assert_eq!(
        get(f, &["stats"]),
        Some(&map(vec![("latency_ms", Datum::Float(2.0)), ("partials", Datum::Float(2.0))]))
    );
    assert!(!cancel(&mut e, id));
}

#[test]
fn cancel_after_the_third_partial_drops_the_answer() {
    // The final comes one job-ms after the third partial; a cancel in that job-ms is seen at
    // the completion: the finished answer is dropped (explanation `cancelled`, action kept).
    let mut e = Engine::default();
    let id = submit(&mut e, &seed_request(&[0.1]));
    e.advance(2.5);
    assert_eq!(get(&poll(&mut e, id), &["partial", "sequence"]), Some(&Datum::Int(3)));
    assert!(cancel(&mut e, id));
    e.advance(3.0);
    let p = poll(&mut e, id);
    assert_eq!(status(&p), ":cancelled");
    let f = get(&p, &["final"]).unwrap();
    assert_eq!(get(f, &["explanation"]), Some(&s("cancelled")));
    assert_close(&u(f, &["action", "u"]), &[0.81]);
    assert_eq!(float(f, &["stats", "partials"]), 3.0);
    assert_eq!(float(f, &["stats", "latency_ms"]), 3.0);
}

#[test]
fn cancel_of_terminal_jobs_returns_false() {
    let mut e = Engine::default();
    let done = submit(&mut e, &seed_request(&[0.1]));
    let mut r = seed_request(&[0.1]);
    set(&mut r, &["deadline_ms"], Datum::Int(1));
    let timed_out = submit(&mut e, &r);
    let mut r = seed_request(&[0.1]);
    set(&mut r, &["instruction"], s(""));
    let failed = submit(&mut e, &r);
    e.advance(10.0);
    assert_eq!(status(&poll(&mut e, done)), ":done");
    assert_eq!(status(&poll(&mut e, timed_out)), ":timeout");
    assert_eq!(status(&poll(&mut e, failed)), ":error");
    for id in [done, timed_out, failed] {
        assert!(!cancel(&mut e, id));
    }
    assert_eq!(status(&poll(&mut e, done)), ":done");
}

#[test]
fn ids_of_other_job_kinds_look_unknown() {
    use granola::jobs::{Step, StepCtx, SubmitOptions, Work};
    struct Other;
    impl Work for Other {
        fn kind(&self) -> &'static str {
            "other"
        }
        fn step(&mut self, _: &StepCtx) -> Step {
            Step::Continue { after_ms: 5.0, partial: false }
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
        fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
            self
        }
    }
    let mut e = Engine::default();
    let other = e.submit(Box::new(Other), SubmitOptions::default());
    let id = submit(&mut e, &seed_request(&[0.1]));
    assert_eq!(id, other + 1, "ids are shared by every job kind");
    assert_eq!(status(&poll(&mut e, other)), ":error");
    assert!(!cancel(&mut e, other));
    assert_eq!(e.job(other).unwrap().state, State::Queued);
}

// ---------- deadlines ----------

#[test]
fn deadline_one_times_out_after_stage_one() {
    // language.md 5.4: `deadline_ms 1` times out after stage 1 with `partials` 1, the final
    // action being stage 1's proposal. Deadlines fire before a step due at the same job time.
    let mut r = seed_request(&[0.1]);
    set(&mut r, &["deadline_ms"], Datum::Int(1));
    let p = run_to_end(&r);
    assert_eq!(status(&p), ":timeout");
    assert_eq!(get(&p, &["partial", "sequence"]), Some(&Datum::Int(1)));
    let f = get(&p, &["final"]).unwrap();
    assert_eq!(get(f, &["status"]), Some(&sym(":timeout")));
    assert_eq!(get(f, &["explanation"]), Some(&s("deadline exceeded")));
    assert_eq!(u(f, &["action", "u"]), vec![0.0]);
    assert_eq!(float(f, &["confidence"]), 0.0);
    assert_eq!(
        get(f, &["stats"]),
        Some(&map(vec![("latency_ms", Datum::Float(1.0)), ("partials", Datum::Float(1.0))]))
    );
    assert_eq!(float(&p, &["stats", "partial_count"]), 1.0);
    assert_eq!(float(&p, &["stats", "latency_ms"]), 1.0);
    // One job-ms more lets stage 2 run first.
    let mut r = seed_request(&[0.1]);
    set(&mut r, &["deadline_ms"], Datum::Int(2));
    let p = run_to_end(&r);
    assert_eq!(status(&p), ":timeout");
    assert_eq!(float(&p, &["final", "stats", "partials"]), 2.0);
    assert_close(&u(&p, &["final", "action", "u"]), &[0.9]);
}

#[test]
fn deadline_equal_to_the_run_time_times_out_with_the_unclamped_proposal() {
    let mut r = seed_request(&[-3.0]);
    set(&mut r, &["deadline_ms"], Datum::Int(3));
    let p = run_to_end(&r);
    assert_eq!(status(&p), ":timeout");
    // All three stages ran; the completion (due at 3) does not: stage 3's proposal, not
    // clamped towards the state.
    assert_close(&u(&p, &["final", "action", "u"]), &[0.9]);
    assert_eq!(float(&p, &["final", "stats", "partials"]), 3.0);
    let mut r = seed_request(&[0.1]);
    set(&mut r, &["deadline_ms"], Datum::Int(4));
    assert_eq!(status(&run_to_end(&r)), ":done");
}

#[test]
fn a_queued_job_times_out_from_its_submit_time() {
    let mut e = Engine::default();
    let a = submit(&mut e, &seed_request(&[0.1]));
    let b = submit(&mut e, &seed_request(&[0.1]));
    let mut r = seed_request(&[0.1]);
    set(&mut r, &["deadline_ms"], Datum::Int(2));
    let c = submit(&mut e, &r);
    e.advance(1.5);
    assert_eq!(status(&poll(&mut e, c)), ":queued");
    e.advance(2.0);
    let p = poll(&mut e, c);
    assert_eq!(status(&p), ":timeout");
    assert!(get(&p, &["partial"]).is_none());
    assert_eq!(u(&p, &["final", "action", "u"]), Vec::<f64>::new());
    assert_eq!(float(&p, &["final", "stats", "partials"]), 0.0);
    e.advance(10.0);
    assert_eq!(status(&poll(&mut e, a)), ":done");
    assert_eq!(status(&poll(&mut e, b)), ":done");
    assert_eq!(status(&poll(&mut e, c)), ":timeout");
}

#[test]
fn default_deadline_is_200_ms_from_submit() {
    let mut e = Engine::new(1);
    let mut ids = Vec::new();
    for _ in 0..100 {
        ids.push(submit(&mut e, &seed_request(&[0.1])));
    }
    e.advance(1000.0);
    // One slot, 3 ms a job: jobs that cannot finish by t = 200 time out.
    let done = ids.iter().filter(|id| status(&poll(&mut e, **id)) == ":done").count();
    assert_eq!(done, 66);
    let p = poll(&mut e, ids[66]);
    assert_eq!(status(&p), ":timeout");
    assert_eq!(float(&p, &["stats", "latency_ms"]), 200.0);
    assert_eq!(status(&poll(&mut e, ids[99])), ":timeout");
}

// ---------- validation ----------

#[test]
fn raise_time_validation_messages() {
    let base = || request(&[0.1], 1);
    let cases: Vec<(Edit, &str)> = vec![
        (Box::new(|r| *r = Datum::Int(3)), "vla.submit: expected request map"),
        (Box::new(|r| set(r, &["capability"], Datum::Int(1))), "vla.submit capability: expected string or symbol"),
        (Box::new(|r| set(r, &["task_id"], Datum::Int(1))), "vla.submit task_id: expected string or symbol"),
        (Box::new(|r| set(r, &["instruction"], Datum::Nil)), "vla.submit instruction: expected string or symbol"),
        (Box::new(|r| set(r, &["deadline_ms"], Datum::Float(10.0))), "vla.submit deadline_ms: expected integer"),
        (Box::new(|r| set(r, &["deadline_ms"], Datum::Int(0))), "vla.submit: deadline_ms must be > 0"),
        (Box::new(|r| set(r, &["deadline_ms"], Datum::Int(-5))), "vla.submit: deadline_ms must be > 0"),
        (Box::new(|r| set(r, &["run_id"], Datum::Float(1.0))), "vla.submit run_id: expected string or symbol"),
        (Box::new(|r| set(r, &["node_name"], Datum::Bool(true))), "vla.submit node_name: expected string or symbol"),
        (Box::new(|r| set(r, &["tick_index"], s("1"))), "vla.submit tick_index: expected integer"),
        (Box::new(|r| set(r, &["seed"], Datum::Int(-1))), "vla.submit seed: seed must be non-negative"),
        (Box::new(|r| set(r, &["seed"], Datum::Float(-0.5))), "vla.submit seed: seed must be non-negative finite"),
        (
            Box::new(|r| set(r, &["seed"], Datum::Float(f64::INFINITY))),
            "vla.submit seed: seed must be non-negative finite",
        ),
        (Box::new(|r| set(r, &["seed"], Datum::Nil)), "vla.submit: unsupported seed type"),
        (Box::new(|r| set(r, &["model"], s("rt2"))), "vla.submit model: expected map"),
        (Box::new(|r| set(r, &["model", "name"], Datum::Int(2))), "vla.submit model.name: expected string or symbol"),
        (
            Box::new(|r| set(r, &["model", "version"], Datum::Int(2))),
            "vla.submit model.version: expected string or symbol",
        ),
        (Box::new(|r| set(r, &["observation"], floats(&[0.1]))), "vla.submit observation: expected map"),
        (
            Box::new(|r| set(r, &["observation", "image"], Datum::Int(1))),
            "vla.submit observation.image: expected image_handle",
        ),
        (
            Box::new(|r| set(r, &["observation", "blob"], Datum::Opaque("<image_handle:1>".into()))),
            "vla.submit observation.blob: expected blob_handle",
        ),
        (
            Box::new(|r| set(r, &["observation", "state"], s("x"))),
            "vla.submit observation.state: expected numeric list or number",
        ),
        (
            Box::new(|r| set(r, &["observation", "state"], Datum::list(vec![Datum::Float(0.1), s("x")]))),
            "vla.submit observation.state: expected numeric value",
        ),
        (
            Box::new(|r| set(r, &["observation", "timestamp_ms"], Datum::Float(1.0))),
            "vla.submit observation.timestamp_ms: expected integer",
        ),
        (
            Box::new(|r| set(r, &["observation", "frame_id"], Datum::Int(1))),
            "vla.submit observation.frame_id: expected string or symbol",
        ),
        (Box::new(|r| unset(r, &["action_space"])), "vla.submit: missing action_space"),
        (Box::new(|r| set(r, &["action_space"], Datum::Int(1))), "vla.submit action_space: expected map"),
        (
            Box::new(|r| set(r, &["action_space", "type"], Datum::Int(1))),
            "vla.submit action_space.type: expected string or symbol",
        ),
        (
            Box::new(|r| set(r, &["action_space", "frame_id"], Datum::Int(1))),
            "vla.submit action_space.frame_id: expected string or symbol",
        ),
        (
            Box::new(|r| set(r, &["action_space", "dims"], Datum::Float(1.0))),
            "vla.submit action_space.dims: expected integer",
        ),
        (Box::new(|r| unset(r, &["action_space", "dims"])), "vla.submit: action_space.dims must be > 0"),
        (Box::new(|r| set(r, &["action_space", "dims"], Datum::Int(0))), "vla.submit: action_space.dims must be > 0"),
        (
            Box::new(|r| set(r, &["action_space", "dims"], Datum::Int(1 << 40))),
            "vla.submit: action_space.dims must be <= 65536",
        ),
        (
            Box::new(|r| set(r, &["action_space", "bounds"], Datum::Int(1))),
            "vla.submit action_space.bounds: expected list of [lo hi] pairs",
        ),
        (
            Box::new(|r| set(r, &["action_space", "bounds"], floats(&[1.0]))),
            "vla.submit action_space.bounds: bounds row must be a 2-item list",
        ),
        (
            Box::new(|r| set(r, &["action_space", "bounds"], Datum::list(vec![floats(&[1.0, 2.0, 3.0])]))),
            "vla.submit action_space.bounds: each bounds row must have exactly 2 items",
        ),
        (
            Box::new(|r| set(r, &["action_space", "bounds"], Datum::list(vec![Datum::Nil]))),
            "vla.submit action_space.bounds: each bounds row must have exactly 2 items",
        ),
        (
            Box::new(|r| {
                set(r, &["action_space", "bounds"], Datum::list(vec![Datum::list(vec![s("a"), Datum::Int(1)])]))
            }),
            "vla.submit action_space.bounds: expected numeric value",
        ),
        (
            Box::new(|r| set(r, &["action_space", "bounds"], rows(&[(1.0, -1.0)]))),
            "vla.submit action_space.bounds: bounds values must be finite and ordered",
        ),
        (
            Box::new(|r| set(r, &["action_space", "bounds"], rows(&[(f64::NEG_INFINITY, 1.0)]))),
            "vla.submit action_space.bounds: bounds values must be finite and ordered",
        ),
        (
            Box::new(|r| set(r, &["action_space", "bounds"], rows(&[(-1.0, 1.0), (-1.0, 1.0)]))),
            "vla.submit: action_space.bounds length must match dims",
        ),
        (Box::new(|r| set(r, &["action_space", "units"], s("m"))), "vla.submit action_space.units: expected list"),
        (
            Box::new(|r| set(r, &["action_space", "units"], Datum::list(vec![Datum::Int(1)]))),
            "vla.submit action_space.units: expected string or symbol",
        ),
        (
            Box::new(|r| set(r, &["action_space", "semantic"], Datum::list(vec![Datum::Int(1)]))),
            "vla.submit action_space.semantic: expected string or symbol",
        ),
        (Box::new(|r| set(r, &["constraints"], Datum::Nil)), "vla.submit constraints: expected map"),
        (
            Box::new(|r| set(r, &["constraints", "max_abs_value"], s("1"))),
            "vla.submit constraints.max_abs_value: expected numeric value",
        ),
        (
            Box::new(|r| set(r, &["constraints", "max_delta"], s("1"))),
            "vla.submit constraints.max_delta: expected numeric value",
        ),
        (
            Box::new(|r| set(r, &["constraints", "forbidden_ranges"], s("x"))),
            "vla.submit constraints.forbidden_ranges: expected list of [lo hi] pairs",
        ),
        (
            Box::new(|r| set(r, &["constraints", "forbidden_ranges"], Datum::list(vec![Datum::Int(0)]))),
            "vla.submit constraints.forbidden_ranges: bounds row must be a 2-item list",
        ),
        (
            Box::new(|r| set(r, &["constraints", "forbidden_ranges"], rows(&[(0.5, 0.1)]))),
            "vla.submit constraints.forbidden_ranges: bounds values must be finite and ordered",
        ),
    ];
    for (edit, want) in cases {
        let mut r = base();
        edit(&mut r);
        assert_eq!(submit_err(&r), want);
    }
    let mut e = Engine::default();
    assert_eq!(err(&mut e, "vla.submit", &[]), "vla.submit: expected 1 arguments, got 0");
}

#[test]
fn accepted_field_forms() {
    // A bare number as state, symbols as text, an int/float mix, an empty bounds list (the
    // default), units/semantic lists, a string seed, image and blob handles.
    let mut r = request(&[], 1);
    set(&mut r, &["observation", "state"], Datum::Int(0));
    set(&mut r, &["observation", "image"], Datum::Opaque("<image_handle:3>".into()));
    set(&mut r, &["observation", "blob"], Datum::Opaque("<blob_handle:1>".into()));
    set(&mut r, &["task_id"], sym("pick"));
    set(&mut r, &["seed"], s("abc"));
    set(&mut r, &["action_space", "bounds"], Datum::Nil);
    set(&mut r, &["action_space", "units"], Datum::list(vec![s("m"), sym("rad")]));
    set(&mut r, &["constraints", "max_delta"], Datum::Int(2));
    let p = run_to_end(&r);
    assert_eq!(status(&p), ":done");
    assert_close(&u(&p, &["final", "action", "u"]), &[0.9]);
}

#[test]
fn keys_are_normalised() {
    let r = Datum::Map(vec![
        (sym(":instruction"), s("move")),
        (s("action-space"), map(vec![("dims", Datum::Int(1))])),
        (sym("observation"), Datum::Map(vec![(s(":state"), floats(&[0.1]))])),
        (sym("deadline-ms"), Datum::Int(1)),
        (Datum::Int(7), Datum::Int(7)),
    ]);
    let p = run_to_end(&r);
    assert_eq!(status(&p), ":timeout", "deadline-ms was read");
    let mut e = Engine::default();
    let r = Datum::Map(vec![(s("instruction"), s("go")), (sym(":action_space"), map(vec![("dims", Datum::Int(2))]))]);
    let id = submit(&mut e, &r);
    e.advance(10.0);
    assert_close(&u(&poll(&mut e, id), &["final", "action", "u"]), &[0.0, 0.0]);
}

#[test]
fn shape_errors_make_an_immediately_failed_job() {
    let cases: Vec<(Edit, &str)> = vec![
        (Box::new(|r| unset(r, &["instruction"])), "request.instruction is required"),
        (Box::new(|r| set(r, &["instruction"], s(""))), "request.instruction is required"),
        (Box::new(|r| set(r, &["task_id"], s(""))), "request.task_id is required"),
        (Box::new(|r| set(r, &["action_space", "type"], s(""))), "request.action_space.type is required"),
        (Box::new(|r| set(r, &["model", "name"], s(""))), "request.model.name and request.model.version are required"),
        (
            Box::new(|r| set(r, &["model", "version"], sym(""))),
            "request.model.name and request.model.version are required",
        ),
    ];
    for (edit, want) in cases {
        let mut e = Engine::default();
        e.advance(7.0);
        let mut r = seed_request(&[0.1]);
        edit(&mut r);
        let id = submit(&mut e, &r);
        let p = poll(&mut e, id);
        assert_eq!(status(&p), ":error", "{want}");
        assert_eq!(keys(&p), ["status", "final", "stats"]);
        let f = get(&p, &["final"]).unwrap();
        assert_eq!(get(f, &["status"]), Some(&sym(":error")));
        assert_eq!(get(f, &["explanation"]), Some(&s(want)));
        assert_eq!(get(f, &["stats"]), Some(&Datum::Map(vec![])));
        assert_eq!(float(f, &["confidence"]), 0.0);
        assert_eq!(u(f, &["action", "u"]), Vec::<f64>::new());
        assert_eq!(float(&p, &["stats", "latency_ms"]), 0.0);
        assert_eq!(float(&p, &["stats", "partial_count"]), 0.0);
        e.advance(500.0);
        assert_eq!(poll(&mut e, id), p, "an error job never changes");
        // The next id is still allocated in order.
        assert_eq!(submit(&mut e, &seed_request(&[0.1])), id + 1);
    }
}

// ---------- clamping (the fact sheet's observed examples) ----------

fn clamp_case(state: &[f64], dims: i64, edit: impl Fn(&mut Datum)) -> Vec<f64> {
    let mut r = request(state, dims);
    edit(&mut r);
    let p = run_to_end(&r);
    assert_eq!(status(&p), ":done", "{p:?}");
    u(&p, &["final", "action", "u"])
}

#[test]
fn clamping_matches_the_observed_examples() {
    assert_close(&clamp_case(&[0.1], 1, |_| {}), &[0.81]);
    assert_close(&clamp_case(&[0.5], 1, |_| {}), &[0.45]);
    assert_close(&clamp_case(&[-3.0], 1, |_| {}), &[-1.0]);
    assert_close(&clamp_case(&[], 2, |_| {}), &[0.0, 0.0]);
    let four = [0.2, 0.3, 0.9, -0.9];
    assert_close(&clamp_case(&four, 3, |_| {}), &[0.315, -0.315, 0.81]);
    assert_close(
        &clamp_case(&four, 3, |r| set(r, &["constraints", "max_abs_value"], Datum::Float(0.1))),
        &[0.1, -0.1, 0.1],
    );
    assert_close(
        &clamp_case(&four, 3, |r| set(r, &["constraints", "max_delta"], Datum::Float(0.05))),
        &[0.25, 0.25, 0.85],
    );
    assert_close(&clamp_case(&[0.0], 1, |r| set(r, &["action_space", "bounds"], rows(&[(-0.2, 0.2)]))), &[0.2]);
}

#[test]
fn dimensions_past_the_state_read_as_zero() {
    // dims 3 with a 2-long state: rule 4 for d = 2 reads 0.0 (defined here, UB in the reference).
    assert_close(&clamp_case(&[0.5, -0.5], 3, |_| {}), &[0.45, -0.45, 0.0]);
}

#[test]
fn forbidden_range_makes_the_job_fail_invalid() {
    let mut r = request(&[0.1], 1);
    set(&mut r, &["constraints", "forbidden_ranges"], rows(&[(0.8, 0.85)]));
    let p = run_to_end(&r);
    assert_eq!(status(&p), ":error");
    let f = get(&p, &["final"]).unwrap();
    assert_eq!(get(f, &["status"]), Some(&sym(":invalid")));
    assert_eq!(get(f, &["explanation"]), Some(&s("response.action intersects forbidden range")));
    assert_close(&u(f, &["action", "u"]), &[0.81]);
    assert_eq!(float(f, &["confidence"]), 0.75);
    // The range ends are inclusive, and the check uses the max_abs-clamped value.
    let mut r = request(&[0.1], 1);
    set(&mut r, &["constraints", "max_abs_value"], Datum::Float(0.5));
    set(&mut r, &["constraints", "forbidden_ranges"], rows(&[(0.5, 0.6)]));
    let p = run_to_end(&r);
    assert_eq!(get(&p, &["final", "status"]), Some(&sym(":invalid")));
    assert_close(&u(&p, &["final", "action", "u"]), &[0.5]);
    // Outside the range it passes.
    let mut r = request(&[0.1], 1);
    set(&mut r, &["constraints", "forbidden_ranges"], rows(&[(-0.5, 0.5), (0.82, 0.9)]));
    assert_eq!(status(&run_to_end(&r)), ":done");
}

#[test]
fn max_delta_is_not_rechecked_against_max_abs() {
    // state 0.95, dims 1: stub 0.05*0.9 = 0.045; |0.045-0.95| > 0.5 -> 0.45; within bounds.
    let v = clamp_case(&[0.95], 1, |r| set(r, &["constraints", "max_delta"], Datum::Float(0.5)));
    assert_close(&v, &[0.45]);
    // max_delta pulls the value past max_abs, which is not re-applied.
    let v = clamp_case(&[-0.9, 0.0], 2, |r| {
        set(r, &["constraints", "max_abs_value"], Datum::Float(0.1));
        set(r, &["constraints", "max_delta"], Datum::Float(0.2));
    });
    // stub: (-0.9*0.9, 0) = (-0.81, 0); max_abs -> (-0.1, 0); delta |-0.1+0.9| = 0.8 > 0.2 -> -0.7.
    assert_close(&v, &[-0.7, 0.0]);
}

#[test]
fn frame_id_and_model_are_echoed() {
    let mut r = request(&[0.1], 1);
    set(&mut r, &["action_space", "frame_id"], s("tool0"));
    set(&mut r, &["model", "name"], s("foo"));
    let p = run_to_end(&r);
    assert_eq!(get(&p, &["final", "action", "frame_id"]), Some(&s("tool0")));
    assert_eq!(get(&p, &["partial", "action_candidate", "frame_id"]), Some(&s("tool0")));
    assert_eq!(keys(get(&p, &["final", "action"]).unwrap()), ["type", "frame_id", "u"]);
    assert_eq!(get(&p, &["final", "model"]), Some(&map(vec![("name", s("foo")), ("version", s("stub-1"))])));
}

// ---------- summary ----------

#[test]
fn summary_for_the_jobs_panel() {
    let mut e = Engine::default();
    let id = submit(&mut e, &seed_request(&[0.1]));
    let sm = e.job(id).unwrap().summary();
    assert_eq!(sm.label, "rt2-stub \"move\"");
    assert_eq!((sm.text.as_str(), sm.confidence, sm.partial_seq), ("", None, 0));
    e.advance(1.0);
    let sm = e.job(id).unwrap().summary();
    assert_eq!((sm.text.as_str(), sm.confidence, sm.partial_seq), ("decode action prior", Some(0.55), 2));
    assert_eq!(sm.progress, Some((2, 3)));
    // Finished: the final's explanation, not the last partial's text.
    e.advance(3.0);
    let sm = e.job(id).unwrap().summary();
    assert_eq!((sm.text.as_str(), sm.confidence, sm.partial_seq), ("rt2-style stub output", Some(0.75), 3));
    assert_eq!(sm.progress, Some((3, 3)));
    let q = submit(&mut e, &seed_request(&[0.1]));
    e.cancel(q);
    e.advance(3.0);
    let r = e.job(q).unwrap();
    assert_eq!(r.state, State::Cancelled);
    let sm = r.summary();
    assert!(sm.text.starts_with("cancelled"), "{}", sm.text);
    assert_eq!(e.job(id).unwrap().kind, "vla");
    assert!(e.job(id).unwrap().work::<VlaWork>().is_some());
}

// ---------- capabilities ----------

#[test]
fn cap_list_is_the_stock_list() {
    let mut e = Engine::default();
    let l = call(&mut e, "cap.list", &[]).unwrap();
    let want = [
        "cap.echo.v1",
        "cap.model.world.rollout.v1",
        "cap.model.world.score_trajectory.v1",
        "cap.motion.v1",
        "cap.navigation.v1",
        "cap.tamp.v1",
        "vla.rt2",
    ];
    assert_eq!(l, Datum::list(want.iter().map(|n| s(n)).collect()));
    // Every listed name can be described.
    for n in want {
        let d = call(&mut e, "cap.describe", &[s(n)]).unwrap();
        assert_eq!(get(&d, &["name"]), Some(&s(n)));
        let k = keys(&d);
        assert_eq!(&k[..5], ["name", "safety_class", "cost_category", "request_schema", "response_schema"]);
        assert_eq!(&k[k.len() - 2..], ["supports_cancellation", "supports_replay"]);
    }
}

#[test]
fn cap_describe_vla_rt2_and_fixtures() {
    let mut e = Engine::default();
    let d = call(&mut e, "cap.describe", &[s("vla.rt2")]).unwrap();
    assert_eq!(
        keys(&d),
        [
            "name",
            "safety_class",
            "cost_category",
            "request_schema",
            "response_schema",
            "supports_cancellation",
            "supports_replay"
        ]
    );
    assert_eq!(get(&d, &["safety_class"]), Some(&s("restricted")));
    assert_eq!(get(&d, &["cost_category"]), Some(&s("high")));
    let field = |n: &str, t: &str| map(vec![("name", s(n)), ("type", s(t)), ("required", Datum::Bool(true))]);
    assert_eq!(
        get(&d, &["request_schema"]),
        Some(&Datum::list(vec![
            field("task_id", "string"),
            field("instruction", "string"),
            field("observation", "map"),
            field("action_space", "map"),
            field("constraints", "map"),
            field("deadline_ms", "int"),
            field("model", "map"),
        ]))
    );
    assert_eq!(
        get(&d, &["response_schema"]),
        Some(&Datum::list(vec![
            field("status", "keyword"),
            field("action", "map"),
            field("confidence", "float"),
            field("model", "map"),
            field("stats", "map"),
        ]))
    );
    assert_eq!(get(&d, &["supports_cancellation"]), Some(&Datum::Bool(false)));
    // Symbol argument.
    assert_eq!(call(&mut e, "cap.describe", &[sym("vla.rt2")]).unwrap(), d);

    let echo = call(&mut e, "cap.describe", &[s("cap.echo.v1")]).unwrap();
    assert_eq!((get(&echo, &["safety_class"]), get(&echo, &["cost_category"])), (Some(&s("safe")), Some(&s("low"))));
    for (name, adapter) in [
        ("cap.navigation.v1", "mock-nav2"),
        ("cap.motion.v1", "mock-moveit"),
        ("cap.tamp.v1", "mock-pddlstream-pybullet"),
    ] {
        let d = call(&mut e, "cap.describe", &[s(name)]).unwrap();
        assert_eq!(get(&d, &["safety_class"]), Some(&s("mock_adapter")));
        assert_eq!(get(&d, &["cost_category"]), Some(&s("low")));
        assert_eq!(get(&d, &["adapter_id"]), Some(&s(adapter)));
        assert_eq!(get(&d, &["default_timeout_ms"]), Some(&Datum::Int(1000)));
        assert_eq!(get(&d, &["supports_cancellation"]), Some(&Datum::Bool(true)));
        assert_eq!(get(&d, &["supports_replay"]), Some(&Datum::Bool(true)));
    }
    for name in ["cap.model.world.rollout.v1", "cap.model.world.score_trajectory.v1"] {
        let d = call(&mut e, "cap.describe", &[s(name)]).unwrap();
        assert_eq!(get(&d, &["safety_class"]), Some(&s("model_proposal")));
        assert_eq!(get(&d, &["cost_category"]), Some(&s("model")));
        assert!(get(&d, &["default_timeout_ms"]).is_none());
    }
    assert_eq!(err(&mut e, "cap.describe", &[s("nope")]), "cap.describe: unknown capability");
    assert_eq!(err(&mut e, "cap.describe", &[Datum::Int(1)]), "cap.describe: expected string or symbol");
}
