; A tree with VLA leaves, a planning leaf and a safe fallback:
;   granola examples/vla_planner_tree.lisp
; A guard stops everything when `estop` is set. Otherwise the tree takes the VLA model's
; answer once it is in (source 2). Without a job in flight, a planner writes an interim
; command (source 1) and the request starts the model's next job; the interim command holds
; while the job streams. If the planner has nothing to offer, the last branch holds still
; (source 0). (The guide "A VLA policy inside a tree" explains the parts.)

(defbt policy
  (reactive-sel
    (seq (cond bb-truthy estop) (act bb-put-float cmd 0.0))
    (seq (vla-wait :name "arm" :action_key cmd :meta_key arm-meta)
         (act bb-put-int source 2))
    (seq (plan-action :name "interim" :state_key q :action_key cmd :work_max 200 :budget_ms 10)
         (act bb-put-int source 1)
         (vla-request :name "arm" :instruction "reach" :state_key q :deadline_ms 200)
         (running))
    (seq (act bb-put-float cmd 0.0)
         (act bb-put-int source 0))))

(define robot (bt.new-instance policy))

(define (source) (bt.blackboard.get robot 'source -1))
(define (job-status)
  (let ((m (bt.blackboard.get robot 'arm-meta nil)))
    (if (null? m) "-" (map.get (json.decode m) "status" "-"))))

; one tick per job-ms; print (tick status source cmd job meta-status)
(define (run i n inputs)
  (if (> i n)
      'done
      (let ((st (bt.tick robot inputs)))
        (begin
          (print (list i st (source) (bt.blackboard.get robot 'cmd nil) (bt.blackboard.get robot 'arm.job_id nil) (job-status)))
          (time.sleep-ms 1)
          (run (+ i 1) n '())))))

(run 1 6 '((q 0.2)))
; the emergency stop halts the VLA branch: its job is cancelled, the stop command stays
(run 7 8 '((estop #t)))
(print 'jobs (map.get (vla.poll 1) 'status nil) (map.get (vla.poll 2) 'status nil))
