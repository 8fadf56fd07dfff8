; bt.md 5.1-5.3 and bt-host.md 3: stats, the scheduler and the tick budget, on job time.
(define i (bt.new-instance (bt (sel (fail) (act running-then-success 1) (act never-reached)))))
(bt.stats i)
;=> "tick_count=0\ntick_overrun_count=0\ntick_last_ns=0\ntick_max_ns=0\ntick_total_ns=0\n"
(list (bt.tick i) (bt.tick i))
;=> (running success)
(bt.stats i)
;=> "tick_count=2\ntick_overrun_count=0\ntick_last_ns=0\ntick_max_ns=0\ntick_total_ns=0\nnode 0 (node-0) success=0 failure=2 running=0 last_ns=0 max_ns=0\nnode 1 (running-then-success) success=1 failure=0 running=1 last_ns=0 max_ns=0\nnode 3 (node-3) success=1 failure=0 running=1 last_ns=0 max_ns=0\n"
(print (bt.stats i))
;out> "tick_count=2\ntick_overrun_count=0\ntick_last_ns=0\ntick_max_ns=0\ntick_total_ns=0\nnode 0 (node-0) success=0 failure=2 running=0 last_ns=0 max_ns=0\nnode 1 (running-then-success) success=1 failure=0 running=1 last_ns=0 max_ns=0\nnode 3 (node-3) success=1 failure=0 running=1 last_ns=0 max_ns=0\n"
;=> nil
; counters survive bt.reset
(bt.reset i)
;=> nil
(bt.tick i)
;=> running
(bt.stats i)
;=> "tick_count=3\ntick_overrun_count=0\ntick_last_ns=0\ntick_max_ns=0\ntick_total_ns=0\nnode 0 (node-0) success=0 failure=3 running=0 last_ns=0 max_ns=0\nnode 1 (running-then-success) success=1 failure=0 running=2 last_ns=0 max_ns=0\nnode 3 (node-3) success=1 failure=0 running=2 last_ns=0 max_ns=0\n"
(bt.stats 5)
;!! bt.stats: expected bt_instance
(bt.stats)
;!! bt.stats: expected 1 arguments, got 0
; the scheduler: a 30 ms sleep ticked every 5 ms of job time (bt.md 5.2)
(define s (bt.new-instance (bt (act async-sleep-ms 30))))
(define (ticks n) (if (= n 0) nil (cons (begin (time.sleep-ms 5) (bt.tick s)) (ticks (- n 1)))))
(list (ticks 10) (bt.scheduler.stats))
;=> ((running running running running running running success running running running) "submitted=2\nstarted=2\ncompleted=1\nfailed=0\ncancelled=0\nqueue_delay_last_ns=0\nrun_time_last_ns=30000000\n")
(bt.scheduler.stats 1)
;!! bt.scheduler.stats: expected 0 arguments, got 1
; the budget: 20 ms of job time per tick unless set; overrunning never stops a tick
(define (slow inst ms) (time.sleep-ms ms) 'success)
(bt.define-action 'slow slow)
;=> slow
(define b (bt.new-instance (bt (act slow 25))))
(bt.tick b)
;=> success
(bt.stats b)
;=> "tick_count=1\ntick_overrun_count=1\ntick_last_ns=25000000\ntick_max_ns=25000000\ntick_total_ns=25000000\nnode 0 (slow) success=1 failure=0 running=0 last_ns=25000000 max_ns=25000000\n"
(define (type-of line) (map.get (json.decode line) "type" nil))
(define (types lines) (if (null? lines) nil (cons (type-of (car lines)) (types (cdr lines)))))
(types (events.dump 5))
;=> ("error" "budget_warning" "deadline_exceeded" "tick_end" "tick_deadline_missed")
(car (events.dump 4))
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"budget_warning\",\"run_id\":\"run-0\",\"unix_ms\":75,\"seq\":116,\"tick\":1,\"data\":{\"decision_point\":\"tick_end\",\"remaining_ms\":-5,\"threshold_ms\":0,\"reason\":\"tick_budget_overrun\"}}"
(car (events.dump 2))
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"tick_end\",\"run_id\":\"run-0\",\"unix_ms\":75,\"seq\":118,\"tick\":1,\"data\":{\"root_status\":\"success\",\"tick_ms\":25,\"tick_budget_ms\":20}}"
(car (events.dump 1))
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"tick_deadline_missed\",\"run_id\":\"run-0\",\"unix_ms\":75,\"seq\":119,\"tick\":1,\"data\":{\"schema_version\":\"runtime_outcome.v1\",\"outcome\":\"tick_deadline_missed\",\"source\":\"bt.tick\",\"node_id\":0,\"reason\":\"tick_budget_overrun\"}}"
(bt.set-tick-budget-ms b 30)
;=> nil
(bt.tick b)
;=> success
(car (events.dump 1))
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"tick_ok\",\"run_id\":\"run-0\",\"unix_ms\":100,\"seq\":125,\"tick\":2,\"data\":{\"schema_version\":\"runtime_outcome.v1\",\"outcome\":\"tick_ok\",\"source\":\"bt.tick\",\"node_id\":0}}"
(bt.set-tick-budget-ms b 0)
;=> nil
(bt.tick b)
;=> success
(map.get (json.decode (car (events.dump 6))) "data" nil)
;=> <map:0>
(car (events.dump 2))
;=> "{\"schema\":\"mbt.evt.v1\",\"contract_version\":\"1.0.0\",\"type\":\"tick_end\",\"run_id\":\"run-0\",\"unix_ms\":125,\"seq\":130,\"tick\":3,\"data\":{\"root_status\":\"success\",\"tick_ms\":25}}"
(bt.stats b)
;=> "tick_count=3\ntick_overrun_count=1\ntick_last_ns=25000000\ntick_max_ns=25000000\ntick_total_ns=75000000\nnode 0 (slow) success=3 failure=0 running=0 last_ns=25000000 max_ns=25000000\n"
(bt.set-tick-budget-ms b 1.5)
;!! bt.set-tick-budget-ms: expected integer milliseconds
(bt.set-tick-budget-ms 5 1)
;!! bt.set-tick-budget-ms: expected bt_instance
(bt.set-tick-budget-ms b 1 2)
;!! bt.set-tick-budget-ms: expected 2 arguments, got 3
; a negative budget is an ordinary error here (the reference's REPL exits on it)
(bt.set-tick-budget-ms b -1)
;!! bt.set-tick-budget-ms: tick budget must be non-negative
