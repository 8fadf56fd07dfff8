; bt.md 8: the event log. Job time is 0 here (nothing sleeps), so unix_ms is 0 and the run id
; is run-0; everything else is as the reference writes it.
(define (len l) (if (null? l) 0 (+ 1 (len (cdr l)))))
(define (nth l n) (if (= n 0) (car l) (nth (cdr l) (- n 1))))
(define d (bt.compile '(invert (act bb-put-int hits 1))))
(define i (bt.new-instance d))
(bt.tick i)
;=> failure
(define lines (events.dump))
(len lines)
;=> 12
(nth lines 0)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"run_start\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":1,\"data\":{\"git_sha\":\"unknown\",\"host\":{\"name\":\"muesli-bt\",\"version\":\"dev\",\"platform\":\"native\"},\"contract_version\":\"1.0.0\",\"contract_id\":\"runtime-contract-v1.0.0\",\"tick_hz\":50,\"tree_hash\":\"fnv1a64:0caf1ec6ff0240e8\",\"capabilities\":{\"reset\":true}}}"
(nth lines 1)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"bt_def\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":2,\"data\":{\"tree_name\":\"bt\",\"dsl\":\"(invert (act bb-put-int hits 1))\",\"tree_hash\":\"fnv1a64:0caf1ec6ff0240e8\",\"source_hash\":\"fnv1a64:0caf1ec6ff0240e8\",\"canonical_dsl_hash\":\"fnv1a64:0caf1ec6ff0240e8\",\"nodes\":[{\"id\":0,\"kind\":\"act\",\"name\":\"bb-put-int\"},{\"id\":1,\"kind\":\"invert\",\"name\":\"node-1\"}],\"edges\":[{\"parent\":1,\"child\":0,\"index\":0}]}}"
(nth lines 2)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"tick_begin\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":3,\"tick\":1,\"data\":{\"tick_budget_ms\":20}}"
(nth lines 3)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"node_enter\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":4,\"tick\":1,\"data\":{\"node_id\":1}}"
(nth lines 4)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"node_enter\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":5,\"tick\":1,\"data\":{\"node_id\":0}}"
(nth lines 5)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"bb_write\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":6,\"tick\":1,\"data\":{\"key\":\"hits\",\"value_digest\":\"fnv1a64:44bd5ad473cd4776\",\"preview\":1}}"
(nth lines 6)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"node_exit\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":7,\"tick\":1,\"data\":{\"node_id\":0,\"status\":\"success\",\"dur_ms\":0}}"
(nth lines 7)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"node_status\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":8,\"tick\":1,\"data\":{\"node_id\":0,\"status\":\"success\",\"dur_ms\":0}}"
(nth lines 8)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"node_exit\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":9,\"tick\":1,\"data\":{\"node_id\":1,\"status\":\"failure\",\"dur_ms\":0}}"
(nth lines 9)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"node_status\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":10,\"tick\":1,\"data\":{\"node_id\":1,\"status\":\"failure\",\"dur_ms\":0}}"
(nth lines 10)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"tick_end\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":11,\"tick\":1,\"data\":{\"root_status\":\"failure\",\"tick_ms\":0,\"tick_budget_ms\":20}}"
(nth lines 11)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"tick_ok\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":12,\"tick\":1,\"data\":{\"schema_version\":\"runtime_outcome.v1\",\"outcome\":\"tick_ok\",\"source\":\"bt.tick\",\"node_id\":1}}"
; the payloads by type (data only), for the rest of this file
(define (data-of line) (map.get (json.decode line) "data" nil))
(define (type-of line) (map.get (json.decode line) "type" nil))
(define (types lines) (if (null? lines) nil (cons (type-of (car lines)) (types (cdr lines)))))
; events.dump n: the last n lines; 0 or more than stored: all of them
(len (events.dump 3))
;=> 3
(types (events.dump 2))
;=> ("tick_end" "tick_ok")
(len (events.dump 0))
;=> 12
(len (events.dump 1000))
;=> 12
; bt_def of a bt form has no canonical text; tree_hash is the structural hash
(define j (bt.new-instance (bt (seq (cond always-true) (act always-success)))))
(nth (events.dump 1) 0)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"bt_def\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":13,\"data\":{\"tree_name\":\"bt\",\"dsl\":\"<runtime-definition>\",\"tree_hash\":\"fnv1a64:4a89db8174f35e95\",\"nodes\":[{\"id\":0,\"kind\":\"cond\",\"name\":\"always-true\"},{\"id\":1,\"kind\":\"act\",\"name\":\"always-success\"},{\"id\":2,\"kind\":\"seq\",\"name\":\"node-2\"}],\"edges\":[{\"parent\":2,\"child\":0,\"index\":0},{\"parent\":2,\"child\":1,\"index\":1}]}}"
; disabling drops records but still consumes sequence numbers
(events.enable #f)
;=> nil
(bt.tick j)
;=> success
(events.enable #t)
;=> nil
(bt.tick j)
;=> success
(map.get (json.decode (nth (events.dump 12) 0)) "seq" nil)
;=> 26
(types (events.dump 12))
;=> ("tick_begin" "node_enter" "node_enter" "node_exit" "node_status" "node_enter" "node_exit" "node_status" "node_exit" "node_status" "tick_end" "tick_ok")
; ring size: shrinking keeps the newest; 0 stores nothing
(events.set-ring-size 3)
;=> nil
(types (events.dump))
;=> ("node_status" "tick_end" "tick_ok")
(events.set-ring-size 0)
;=> nil
(bt.tick j)
;=> success
(events.dump)
;=> nil
(events.set-ring-size 8192)
;=> nil
(bt.tick j)
;=> success
(types (events.dump))
;=> ("tick_begin" "node_enter" "node_enter" "node_exit" "node_status" "node_enter" "node_exit" "node_status" "node_exit" "node_status" "tick_end" "tick_ok")
; a blackboard snapshot at the next tick (first 256 entries, or all with #t)
(define k (bt.new-instance (bt (act bb-put-int n 1))))
(bt.tick k '((b 2) (a "x") (v (1 2.5))))
;=> success
(events.snapshot-bb)
;=> nil
(bt.tick k)
;=> success
(nth (events.dump 8) 1)
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"bb_snapshot\",\"run_id\":\"run-0\",\"unix_ms\":0,\"seq\":71,\"tick\":2,\"data\":{\"entries\":[[\"n\",1],[\"v\",[1,2.5]],[\"a\",\"x\"],[\"b\",2]]}}"
(events.snapshot-bb #t)
;=> nil
(events.snapshot-bb 1)
;!! events.snapshot-bb: expected boolean when argument is provided
(events.snapshot-bb #t #f)
;!! events.snapshot-bb: expected 0 or 1 arguments
; tick audit: one tick_audit.v1 record after tick_ok
(events.enable-tick-audit #t)
;=> nil
(bt.tick k)
;=> success
(types (events.dump 3))
;=> ("tick_end" "tick_ok" "tick_audit")
(define audit (data-of (nth (events.dump 1) 0)))
(list (map.get audit "schema_version" nil) (map.get audit "tick_id" nil) (map.get audit "root_status" nil) (map.get audit "node_path" nil) (map.get audit "violation" nil) (map.get audit "deadline_missed" nil))
;=> ("tick_audit.v1" 3 "success" (0) "none" #f)
(events.enable-tick-audit #f)
;=> nil
; with the audit on, tick_ok names the deepest node reached; off, the root
(define deep (bt.new-instance (bt (sel (seq (fail) (succeed)) (invert (invert (succeed)))))))
(bt.tick deep)
;=> success
(map.get (data-of (nth (events.dump 1) 0)) "node_id" nil)
;=> 6
(events.enable-tick-audit #t)
;=> nil
(bt.tick deep)
;=> success
(map.get (data-of (nth (events.dump 2) 0)) "node_id" nil)
;=> 3
(map.get (data-of (nth (events.dump 1) 0)) "node_path" nil)
;=> (6 5 4 3)
(events.enable-tick-audit #f)
;=> nil
; the file sink appends every line from now on; it is written at each tick_end
(events.set-path "logs/run.jsonl")
;=> nil
(define f (bt.new-instance (bt (succeed))))
(bt.tick f)
;=> success
(len (events.dump 7))
;=> 7
;lines> logs/run.jsonl 7
(events.set-flush-each-message #t)
;=> nil
(events.set-flush-each-message 1)
;!! events.set-flush-each-message: expected boolean
; argument errors
(events.enable 1)
;!! events.enable: expected boolean
(events.enable)
;!! events.enable: expected 1 arguments, got 0
(events.set-ring-size -1)
;!! events.set-ring-size: expected non-negative integer
(events.set-ring-size 1.5)
;!! events.set-ring-size: expected integer
(events.dump 'x)
;!! events.dump: expected integer
(events.dump -2)
;!! events.dump: expected non-negative integer
(events.dump 1 2)
;!! events.dump: expected 0 or 1 arguments
(events.set-path 'x)
;!! events.set-path: expected string path
(events.enable-tick-audit nil)
;!! events.enable-tick-audit: expected boolean
; an empty path is an ordinary error here (the reference's REPL exits on it)
(events.set-path "")
;!! events.set-path: path must not be empty
