; bt.md 6: the demo callbacks of the reference's CLI host.
(define (t1 tree inputs) (bt.tick (bt.new-instance (bt.compile tree)) inputs))
(define (ticks i n) (if (= n 0) nil (let ((s (bt.tick i))) (cons s (ticks i (- n 1))))))
; conditions
(list (t1 '(cond always-true) nil) (t1 '(cond always-false) nil) (t1 '(cond battery-ok) nil))
;=> (success failure success)
(list (t1 '(cond target-visible) '((target-visible #t))) (t1 '(cond target-visible) '((target-visible 3))) (t1 '(cond target-visible) '((target-visible 0))) (t1 '(cond target-visible) '((target-visible 1.0))) (t1 '(cond target-visible) '((target-visible "yes"))) (t1 '(cond target-visible) nil))
;=> (success success failure failure failure failure)
(list (t1 '(cond bb-has k) '((k nil))) (t1 '(cond bb-has "k") '((k 0))) (t1 '(cond bb-has k) nil) (t1 '(cond bb-has k extra args) '((k 1))))
;=> (success success failure success)
(t1 '(cond bb-has) nil)
;=> failure
(t1 '(cond bb-has 5) nil)
;=> failure
(list (t1 '(cond bb-truthy k) '((k ""))) (t1 '(cond bb-truthy k) '((k "0"))) (t1 '(cond bb-truthy k) '((k false))) (t1 '(cond bb-truthy k) '((k "no"))) (t1 '(cond bb-truthy k) '((k ()))) (t1 '(cond bb-truthy k) '((k (0)))) (t1 '(cond bb-truthy k) (list (list 'k (/ 0.0 0.0)))))
;=> (failure failure failure success failure success failure)
(list (t1 '(cond bb-truthy k) '((k 0))) (t1 '(cond bb-truthy k) '((k -1))) (t1 '(cond bb-truthy k) '((k 1e-10))) (t1 '(cond bb-truthy k) '((k 1e-8))) (t1 '(cond bb-truthy k) '((k #f))) (t1 '(cond bb-truthy k) nil))
;=> (failure success failure success failure failure)
(list (t1 '(cond goal-reached-1d) '((state 0.96))) (t1 '(cond goal-reached-1d) '((state 0.94))) (t1 '(cond goal-reached-1d) '((state (1.02 5)))) (t1 '(cond goal-reached-1d) '((state "1"))) (t1 '(cond goal-reached-1d) nil))
;=> (success failure success failure failure)
(list (t1 '(cond goal-reached-1d pos 2 0.5) '((pos 1.6))) (t1 '(cond goal-reached-1d pos 2) '((pos 1.6))) (t1 '(cond goal-reached-1d pos 2 1) '((pos 1))))
;=> (success failure success)
(t1 '(cond goal-reached-1d pos x) '((pos 1)))
;=> failure
(list (t1 '(cond ptz-target-centred) '((ptz-state (0 0 0.03 0.04)))) (t1 '(cond ptz-target-centred) '((ptz-state (0 0 0.03 0.05)))) (t1 '(cond ptz-target-centred) '((ptz-state (0 0 0.03)))) (t1 '(cond ptz-target-centred s 0.1) '((s (0 0 0.06 0.08)))))
;=> (success failure failure success)
; actions
(list (t1 '(act always-success) nil) (t1 '(act always-fail) nil) (t1 '(act grasp) nil))
;=> (success failure success)
(ticks (bt.new-instance (bt (act approach-target))) 4)
;=> (running success running success)
(define i (bt.new-instance (bt (act search-target))))
(bt.tick i)
;=> success
(bt.blackboard.dump i)
;=> "target-visible=#t type=bool tick=1 ts_ns=0 writer_node=0 writer_name=robot.search-target\n"
(ticks (bt.new-instance (bt (act running-then-success 3))) 5)
;=> (running running running success running)
(ticks (bt.new-instance (bt (act running-then-success))) 3)
;=> (running success running)
(define i (bt.new-instance (bt (seq (act bb-put-int k 7) (act bb-put-float f 3) (act bb-put-float g 0.5)))))
(bt.tick i)
;=> success
(list (bt.blackboard.get i 'k) (bt.blackboard.get i 'f) (bt.blackboard.get i 'g))
;=> (7 3.0 0.5)
(list (t1 '(act bb-put-int) nil) (t1 '(act bb-put-int k) nil) (t1 '(act bb-put-int k 1.5) nil) (t1 '(act bb-put-int 5 1) nil) (t1 '(act bb-put-float k) nil) (t1 '(act bb-put-float k "x") nil))
;=> (failure failure failure failure failure failure)
; select-action copies a numeric source (2 or more numbers) and records the branch
(define i (bt.new-instance (bt (act select-action src 3))))
(bt.tick i '((src (0.5 -0.5))))
;=> success
(list (bt.blackboard.get i 'action_vec) (bt.blackboard.get i 'active_branch))
;=> ((0.5 -0.5) 3)
(list (t1 '(act select-action src 1) '((src (1)))) (t1 '(act select-action src 1) '((src "x"))) (t1 '(act select-action src 1) nil) (t1 '(act select-action src 1.5) '((src (1 2)))) (t1 '(act select-action src 1 out) '((src (1 2)))))
;=> (failure failure failure failure success)
; apply-planned-1d: x0 + 0.25 * clamp(a0, -1, 1), written as a float
(define p (bt.new-instance (bt (act apply-planned-1d))))
(list (bt.tick p '((state 0) (action 0.5))) (bt.blackboard.get p 'state) (bt.tick p '((action 3))) (bt.blackboard.get p 'state) (bt.tick p '((action (-2 9)))) (bt.blackboard.get p 'state))
;=> (success 0.125 success 0.375 success 0.125)
(list (t1 '(act apply-planned-1d) '((state 0))) (t1 '(act apply-planned-1d s a) '((s 1) (a 1))) (t1 '(act apply-planned-1d) '((state "x") (action 1))))
;=> (failure success failure)
; apply-planned-ptz
(define z (bt.new-instance (bt (act apply-planned-ptz))))
(bt.tick z '((ptz-state (0 0 1 0.5)) (ptz-action (0.1 -0.5))))
;=> success
(bt.blackboard.get z 'ptz-state)
;=> (0.1 -0.25 0.885 0.7875 0.0 0.0)
(list (t1 '(act apply-planned-ptz) '((ptz-state (0 0 1)) (ptz-action (0 0)))) (t1 '(act apply-planned-ptz) '((ptz-state (0 0 1 1)) (ptz-action (0)))))
;=> (failure failure)
; async-sleep-ms: a scheduler job on job time; at least two ticks
(define a (bt.new-instance (bt (act async-sleep-ms 10))))
(bt.tick a)
;=> running
(time.sleep-ms 5)
(bt.tick a)
;=> running
(time.sleep-ms 10)
(bt.tick a)
;=> success
(define a0 (bt.new-instance (bt (act async-sleep-ms 0))))
(bt.tick a0)
;=> running
(time.sleep-ms 1)
(bt.tick a0)
;=> success
(list (t1 '(act async-sleep-ms 1.5) nil) (t1 '(act async-sleep-ms x) nil))
;=> (failure failure)
; cap-navigation-tick / -cancel drive the mock cap.navigation.v1 adapter
(define n (bt.new-instance (bt (act cap-navigation-tick))))
(list (bt.tick n '((nav_goal_x 1.5) (nav_goal_y 2))) (bt.tick n) (bt.tick n '((nav_mock_status "ok"))) (bt.tick n '((nav_mock_status "error"))))
;=> (running running success failure)
(list (bt.blackboard.get n 'nav_status) (bt.blackboard.get n 'nav_job_id) (bt.blackboard.get n 'active_branch) (bt.blackboard.get n 'nav_host_reached))
;=> ("error" "flagship-nav-goal-job" 2 #t)
(define n2 (bt.new-instance (bt (act cap-navigation-tick))))
(bt.tick n2)
;=> failure
(list (bt.blackboard.get n2 'nav_status) (bt.blackboard.get n2 'nav_error) (bt.blackboard.get n2 'nav_host_reached) (bt.blackboard.get n2 'active_branch))
;=> ("error" "cap-navigation-tick: nav_goal_x and nav_goal_y are required" #f 2)
(define c (bt.new-instance (bt (act cap-navigation-cancel))))
(bt.tick c)
;=> success
(bt.blackboard.dump c)
;=> ""
(bt.tick c '((nav_job_id "job-7")))
;=> success
(list (bt.blackboard.get c 'nav_status) (bt.blackboard.get c 'nav_job_id) (bt.blackboard.get c 'active_branch))
;=> ("cancelled" "" 1)
(bt.tick c '((nav_job_id "job-8") (nav_mock_cancel_status "failed")))
;=> success
(list (bt.blackboard.get c 'nav_status) (bt.blackboard.get c 'nav_job_id))
;=> ("rejected" "job-8")
; what the callbacks throw: the leaf fails and an `error` record says why
(define error-type (map.make))
(map.set! error-type "error" #t)
(define (messages lines)
  (if (null? lines)
      nil
      (let ((e (json.decode (car lines))))
        (if (map.get error-type (map.get e "type" "") #f)
            (cons (map.get (map.get e "data" nil) "message" "") (messages (cdr lines)))
            (messages (cdr lines))))))
(define (why tree inputs) (t1 tree inputs) (car (messages (events.dump 12))))
(why '(cond bb-has) nil)
;=> "condition threw: bb-has: missing key argument"
(why '(cond bb-truthy 5) nil)
;=> "condition threw: bb-truthy: key must be symbol or string"
(why '(cond goal-reached-1d pos x) '((pos 1)))
;=> "condition threw: goal-reached-1d: expected numeric argument"
(why '(cond goal-reached-1d) '((state "1")))
;=> "condition threw: goal-reached-1d: expected numeric or numeric-vector blackboard value"
(why '(cond ptz-target-centred) '((ptz-state #t)))
;=> "condition threw: ptz-target-centred state: expected numeric or numeric-vector blackboard value"
(why '(act bb-put-int) nil)
;=> "action threw: bb-put-int: missing key argument"
(why '(act bb-put-int k 1.5) nil)
;=> "action threw: bb-put-int: expected integer argument at index 1"
(why '(act bb-put-float k) nil)
;=> "action threw: bb-put-float: missing numeric argument"
(why '(act bb-put-float k "x") nil)
;=> "action threw: bb-put-float: expected numeric argument"
(why '(act running-then-success 1.5) nil)
;=> "action threw: running-then-success: expected integer argument at index 0"
(why '(act select-action src 1.5) '((src (1 2))))
;=> "action threw: select-action: expected integer argument at index 1"
(why '(act apply-planned-1d) '((state "x") (action 1)))
;=> "action threw: apply-planned-1d state: expected numeric or numeric-vector blackboard value"
(why '(act apply-planned-ptz) '((ptz-state (0 0 0 0)) (ptz-action "x")))
;=> "action threw: apply-planned-ptz action: expected numeric or numeric-vector blackboard value"
(why '(act async-sleep-ms x) nil)
;=> "action threw: async-sleep-ms: expected integer argument at index 0"
(why '(act no-such-thing) nil)
;=> "missing action callback: no-such-thing"
(why '(cond no-such-thing) nil)
;=> "missing condition callback: no-such-thing"
