#![cfg(not(target_arch = "wasm32"))]
//! Property tests of the behaviour-tree core (no evaluator): random trees over every
//! composite, decorator and deterministic demo leaf, ticked with random blackboard inputs.
//!
//! - ticking never panics and always returns one of the three statuses;
//! - `bt.reset` gives first-tick behaviour (same statuses and per-tick traces as a fresh
//!   instance for the same inputs);
//! - the canonical DSL (`bt.to-dsl`) recompiles to the same nodes, and MBT1 save → load gives
//!   the same definition, so both tick identically.

use granola::bt::blackboard::BbValue;
use granola::bt::compile::{compile, to_dsl};
use granola::bt::events::Data;
use granola::bt::form::{Forms, Item};
use granola::bt::mbt1;
use granola::bt::model::{Def, Lit, Origin, Status};
use granola::bt::runtime::{BtRuntime, GcSnap, Progress};
use granola::jobs::Engine;
use proptest::prelude::*;

mod bt_support;

#[derive(Clone, Debug)]
enum T {
    Leaf(&'static str, Vec<Lit>),
    Util(&'static str),
    Comp(&'static str, Vec<T>),
    Dec(&'static str, i64, Box<T>),
}

fn leaf() -> impl Strategy<Value = T> {
    let key = prop_oneof![Just("a"), Just("b"), Just("c")];
    prop_oneof![
        Just(T::Util("succeed")),
        Just(T::Util("fail")),
        Just(T::Util("running")),
        Just(T::Leaf("cond", vec![Lit::Sym("always-true".into())])),
        Just(T::Leaf("cond", vec![Lit::Sym("always-false".into())])),
        key.clone().prop_map(|k| T::Leaf("cond", vec![Lit::Sym("bb-truthy".into()), Lit::Sym(k.into())])),
        key.clone().prop_map(|k| T::Leaf("cond", vec![Lit::Sym("bb-has".into()), Lit::Sym(k.into())])),
        Just(T::Leaf("act", vec![Lit::Sym("always-success".into())])),
        Just(T::Leaf("act", vec![Lit::Sym("always-fail".into())])),
        Just(T::Leaf("act", vec![Lit::Sym("approach-target".into())])),
        Just(T::Leaf("act", vec![Lit::Sym("no-such-callback".into())])),
        (0i64..4).prop_map(|n| T::Leaf("act", vec![Lit::Sym("running-then-success".into()), Lit::Int(n)])),
        (key, -3i64..3)
            .prop_map(|(k, v)| T::Leaf("act", vec![Lit::Sym("bb-put-int".into()), Lit::Sym(k.into()), Lit::Int(v)])),
    ]
}

fn tree() -> impl Strategy<Value = T> {
    leaf().prop_recursive(5, 48, 4, |inner| {
        let dec = prop_oneof![Just("invert"), Just("repeat"), Just("retry"), Just("slot")];
        prop_oneof![
            (bt_support::composite(), prop::collection::vec(inner.clone(), 1..4)).prop_map(|(k, c)| T::Comp(k, c)),
            (dec, 0i64..3, inner).prop_map(|(k, n, c)| T::Dec(k, n, Box::new(c))),
        ]
    })
}

fn to_forms(t: &T, f: &mut Forms) -> usize {
    match t {
        T::Util(k) => {
            let h = f.sym(k);
            f.list(vec![h])
        }
        T::Leaf(k, args) => {
            let mut e = vec![f.sym(k)];
            for a in args {
                e.push(f.atom(a.clone()));
            }
            f.push(Item::List(e))
        }
        T::Comp(k, cs) => {
            let mut e = vec![f.sym(k)];
            for c in cs {
                e.push(to_forms(c, f));
            }
            f.push(Item::List(e))
        }
        T::Dec(k, n, c) => {
            let mut e = vec![f.sym(k)];
            match *k {
                "repeat" | "retry" => e.push(f.atom(Lit::Int(*n))),
                "slot" => {
                    e.push(f.sym("s"));
                    e.push(f.sym(":contract"));
                    e.push(f.atom(Lit::Str("c.v1".into())));
                }
                _ => {}
            }
            e.push(to_forms(c, f));
            f.push(Item::List(e))
        }
    }
}

fn def_of(t: &T) -> Def {
    let mut f = Forms::new();
    let r = to_forms(t, &mut f);
    let (nodes, root) = compile(&f, r).expect("generated trees compile");
    Def { nodes, root, origin: Origin::Form, canonical: None }
}

type Inputs = Vec<Vec<(usize, u8)>>;

fn inputs() -> impl Strategy<Value = Inputs> {
    prop::collection::vec(prop::collection::vec((0usize..3, 0u8..4), 0..3), 1..8)
}

fn value(v: u8) -> BbValue {
    match v {
        0 => BbValue::Bool(false),
        1 => BbValue::Bool(true),
        2 => BbValue::Int(0),
        _ => BbValue::Nil,
    }
}

/// Tick `inst` once per input set; per tick: the root status and the `node:status` trace.
fn run(rt: &mut BtRuntime<()>, eng: &mut Engine, inst: u32, ins: &Inputs) -> Vec<(Status, String)> {
    let keys = ["a", "b", "c"];
    let mut out = Vec::new();
    for set in ins {
        for &(k, v) in set {
            rt.put_input(inst, keys[k], value(v), 0);
        }
        let status = match rt.tick_start(inst, eng, GcSnap::default()).expect("not busy") {
            Progress::Done(Some(s)) => s,
            _ => panic!("no Lisp callbacks here, so a tick finishes at once"),
        };
        let tick = rt.instance(inst).unwrap().tick;
        let trace: Vec<String> = rt
            .events
            .records()
            .filter(|e| e.inst == inst && e.tick == Some(tick))
            .filter_map(|e| match &e.data {
                Data::NodeExit { node, status, .. } => Some(format!("{node}:{}", status.name())),
                Data::Log { message, .. } => Some(message.to_string()),
                _ => None,
            })
            .collect();
        out.push((status, trace.join(" ")));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn ticks_always_give_a_status_and_reset_restarts(t in tree(), ins in inputs()) {
        let mut rt: BtRuntime<()> = BtRuntime::new(0.0);
        let mut eng = Engine::default();
        let d = rt.add_def(def_of(&t));
        let fresh = rt.new_instance(d, 0.0).unwrap();
        let first = run(&mut rt, &mut eng, fresh, &ins);
        for (s, _) in &first {
            prop_assert!(matches!(s, Status::Success | Status::Failure | Status::Running));
        }
        // Run more ticks, reset, run the same inputs again: the same behaviour as fresh.
        let again = run(&mut rt, &mut eng, fresh, &ins);
        prop_assert_eq!(again.len(), first.len());
        match rt.reset_start(fresh, &mut eng).unwrap() {
            Progress::Done(None) => {}
            _ => panic!("reset without Lisp finishes at once"),
        }
        let after_reset = run(&mut rt, &mut eng, fresh, &ins);
        prop_assert_eq!(&after_reset, &first);
    }

    #[test]
    fn dsl_and_mbt1_round_trips_tick_identically(t in tree(), ins in inputs()) {
        let def = def_of(&t);
        let (f, r) = to_dsl(&def.nodes, def.root);
        let (nodes, root) = compile(&f, r).expect("canonical DSL recompiles");
        prop_assert_eq!(&nodes, &def.nodes);
        prop_assert_eq!(root, def.root);
        let loaded = mbt1::load(&mbt1::save(&def)).expect("MBT1 loads back");
        prop_assert_eq!(&loaded.nodes, &def.nodes);
        let mut results = Vec::new();
        for d in [def.clone(), Def { nodes, root, origin: Origin::LoadDsl, canonical: None }, loaded] {
            let mut rt: BtRuntime<()> = BtRuntime::new(0.0);
            let mut eng = Engine::default();
            let id = rt.add_def(d);
            let inst = rt.new_instance(id, 0.0).unwrap();
            results.push(run(&mut rt, &mut eng, inst, &ins));
        }
        prop_assert_eq!(&results[0], &results[1]);
        prop_assert_eq!(&results[0], &results[2]);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_mbt1_loader(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let mut with_header = b"MBT1\x01\x00\x00\x00\x01\x00\x00\x00".to_vec();
        with_header.extend_from_slice(&bytes);
        for b in [&bytes, &with_header] {
            if let Ok(def) = mbt1::load(b) {
                let mut rt: BtRuntime<()> = BtRuntime::new(0.0);
                let mut eng = Engine::default();
                let id = rt.add_def(def);
                let inst = rt.new_instance(id, 0.0).unwrap();
                run(&mut rt, &mut eng, inst, &vec![vec![]; 3]);
            }
        }
    }
}
