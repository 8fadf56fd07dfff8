; bt-host.md 2.7 and 3: the plan-action leaf. Seeds derive from the planner's base seed, the
; node name and the tick; the same seed and an iteration cap give the reference's digits. The
; planner's modelled time is job time: a tick with a planning leaf takes that long.
(define (message-of line) (map.get (map.get (json.decode line) "data" nil) "message" nil))
(define (said? text)
  (define (walk lines)
    (if (null? lines) #f
        (let ((m (message-of (car lines))))
          (if (if (null? m) #f (= (hash64 m) (hash64 text))) #t (walk (cdr lines))))))
  (walk (events.dump)))
(define (types-of lines) (if (null? lines) nil (cons (map.get (json.decode (car lines)) "type" nil) (types-of (cdr lines)))))
;=> <closure>

; the verified transcript: name "pl", ticks 1 and 2 (seeds 178485435294584680 and ...683)
(define i (bt.new-instance (bt (plan-action :name "pl" :state_key s :action_key a :meta_key pm :work_max 100 :budget_ms 1000))))
(bt.tick i (list (list 's 0.0)))
;=> success
(bt.blackboard.get i 'a nil)
;=> 0.917696957308584
(bt.blackboard.get i 'pm nil)
;=> "{\"schema_version\":\"planner.v1\",\"planner\":\"mcts\",\"status\":\"ok\",\"tick_index\":1,\"seed\":178485435294584680,\"budget_ms\":1000,\"time_used_ms\":0,\"work_done\":100,\"confidence\":0.19,\"action\":{\"action_schema\":\"action.u.v1\",\"u\":[0.917697]},\"trace\":{\"root_visits\":100,\"root_children\":20,\"widen_added\":100,\"top_k\":[{\"action\":{\"action_schema\":\"action.u.v1\",\"u\":[0.917697]},\"visits\":19,\"q\":-1.44956},{\"action\":{\"action_schema\":\"action.u.v1\",\"u\":[0.703417]},\"visits\":9,\"q\":-1.80414},{\"action\":{\"action_schema\":\"action.u.v1\",\"u\":[0.976996]},\"visits\":9,\"q\":-1.70886}]}}"
(bt.tick i)
;=> success
(bt.blackboard.get i 'a nil)
;=> 0.724737862050405
(map.get (json.decode (bt.blackboard.get i 'pm nil)) "seed" nil)
;=> 178485435294584683
(types-of (events.dump 12))
;=> ("tick_begin" "node_enter" "planner_call_start" "planner_v1" "planner_call_end" "bb_write" "bb_write" "error" "node_exit" "node_status" "tick_end" "tick_ok")
(said? "planner=mcts status=ok action=0.724738 confidence=0.14 work=100 time_ms=0")
;=> #t

; a budget of 0 gives the safe action (noaction): written, yet the leaf fails
(define z (bt.new-instance (bt (plan-action :name "pl" :state_key s :action_key a :meta_key pm :budget_ms 0 :safe_action 0.5))))
(list (bt.tick z '((s 0.0))) (bt.blackboard.get z 'a nil) (map.get (json.decode (bt.blackboard.get z 'pm nil)) "status" nil))
;=> (failure 0.5 "noaction")
(said? "plan-action: planner status is not :ok")
;=> #t
; :fallback_action is :safe_action; :iters_max is :work_max
(define z2 (bt.new-instance (bt (plan-action :state_key s :budget_ms 0 :fallback_action -0.25 :iters_max 5))))
(list (bt.tick z2 '((s 0.0))) (bt.blackboard.get z2 'action nil))
;=> (failure -0.25)

; :seed_key overrides the derived seed: ptz-track, 100 iterations, seed 7
(define p (bt.new-instance (bt (plan-action :name "ptz" :model_service "ptz-track" :state_key s :action_key a :seed_key sd :work_max 100 :budget_ms 1000))))
(list (bt.tick p '((s (0.0 0.0 0.5 -0.3)) (sd 7))) (bt.blackboard.get p 'a nil))
;=> (success (0.218863255560854 -0.235948136293447))
; the same seed and cap give the same action again
(list (bt.tick p) (bt.blackboard.get p 'a nil))
;=> (success (0.218863255560854 -0.235948136293447))

; bt.md 7: string keys and the :iters_max alias
(define q (bt.new-instance (bt (plan-action "state-key" s action-key a :iters_max 10))))
(list (bt.tick q '((s 0))) (number? (bt.blackboard.get q 'a)))
;=> (success #t)

; the default search (MCTS, 2000 iterations on toy-1d) takes about 7 ms of job time
(define d (bt.new-instance (bt (plan-action :state_key s))))
(define t0 (time.now-ms))
(bt.tick d '((s 0.0)))
;=> success
(list (- (time.now-ms) t0) (bt.stats d))
;=> (7 "tick_count=1\ntick_overrun_count=0\ntick_last_ns=6848001\ntick_max_ns=6848001\ntick_total_ns=6848001\nnode 0 (node-0) success=1 failure=0 running=0 last_ns=6848001 max_ns=6848001\n")

; MPPI and iLQR through the leaf
(define m (bt.new-instance (bt (plan-action :planner mppi :n_samples 64 :state_key s :work_max 64 :budget_ms 1000))))
(list (bt.tick m '((s 0.0))) (bt.blackboard.get m 'action nil))
;=> (success 0.0208323337995365)
(define l (bt.new-instance (bt (plan-action :planner "ILQR" :state_key s :budget_ms 1000 :meta_key pm))))
(list (bt.tick l '((s 0.0))) (bt.blackboard.get l 'action nil))
;=> (success 1.0)
(bt.blackboard.get l 'pm nil)
;=> "{\"schema_version\":\"planner.v1\",\"planner\":\"ilqr\",\"status\":\"ok\",\"tick_index\":1,\"seed\":14559744130450051596,\"budget_ms\":1000,\"time_used_ms\":0,\"work_done\":4,\"confidence\":1,\"action\":{\"action_schema\":\"action.u.v1\",\"u\":[1]},\"trace\":{\"iters\":4,\"cost_init\":20,\"cost_final\":0.875,\"reg_final\":0.0001}}"

; bt-host.md 3: a planner that burns its 3 ms budget under a 1 ms tick budget; the second
; planner finds no budget left (the decision-point gate) and the tick overruns
(define b (bt.new-instance (bt (seq (sel (plan-action :name "burn" :budget_ms 3 :work_max 100000000 :state_key s) (succeed))
                                    (plan-action :name "second" :state_key s :action_key a2 :work_max 10)))))
(bt.tick b (list (list 's 0.0)))
;=> success
(bt.set-tick-budget-ms b 1)
;=> nil
(bt.tick b)
;=> failure
(said? "budget blocked decision point: planner_call_start node=3")
;=> #t
(list (bt.blackboard.get b 'a2 'absent) (map.get (json.decode (car (events.dump 1))) "type" nil))
;=> (0.755483493180656 "tick_deadline_missed")

; problems: each logged, the leaf fails, nothing written
(define (fails form inputs) (bt.tick (bt.new-instance (bt.compile form)) inputs))
(fails '(plan-action) '())
;=> failure
(said? "plan-action: missing state key: state")
;=> #t
(fails '(plan-action) '((state "up")))
;=> failure
(said? "plan-action: state must be int, float, or float vector")
;=> #t
(fails '(plan-action :model_service "nope") '((state 0.0)))
;=> failure
(said? "plan-action: planner returned empty action: planner model not found: nope")
;=> #t
(fails '(plan-action :bogus 1) '((state 0.0)))
;=> failure
(said? "plan-action failed: plan-action: unknown option: :bogus")
;=> #t
(fails '(plan-action :planner rrt) '((state 0.0)))
;=> failure
(said? "plan-action failed: plan-action: unsupported planner: rrt")
;=> #t
(fails '(plan-action :derivatives magic) '((state 0.0)))
;=> failure
(said? "plan-action failed: plan-action: unsupported derivatives mode: magic")
;=> #t
(fails '(plan-action :budget_ms 2.0) '((state 0.0)))
;=> failure
(said? "plan-action failed: plan-action :budget_ms: expected integer value")
;=> #t
(fails '(plan-action 5 1) '((state 0.0)))
;=> failure
(said? "plan-action failed: plan-action: expected symbol or string")
;=> #t
; ptz-track with a one-value state: the planner's error, its safe zero action written
(list (fails '(plan-action :model_service "ptz-track" :work_max 10) '((state 0.0))))
;=> (failure)
(said? "plan-action: planner status is not :ok: planner state validation failed")
;=> #t

; the base seed changes derived seeds (and only those)
(planner.set-base-seed 42)
;=> nil
(define s1 (bt.new-instance (bt (plan-action :name "pl" :state_key s :meta_key pm :work_max 20))))
(bt.tick s1 '((s 0.0)))
;=> success
(map.get (json.decode (bt.blackboard.get s1 'pm nil)) "seed" nil)
;=> 714967072859754679
