; A guarded VLA policy: the first branch is a guard that holds still while 'estop is set.
; Otherwise the tree takes the VLA model's answer once it is in (source 2); with no answer
; yet, a planner writes an interim command (source 1) and the request starts the next job.
; Watch the VLA nodes in the tree view: they show their job and its status, and link to the
; jobs panel; cancel the job there and the next tick falls back to the planner.
(defbt policy
  (reactive-sel
    (seq (cond bb-truthy estop) (act bb-put-float cmd 0.0))
    (seq (vla-wait :name "arm" :action_key cmd :meta_key arm-meta)
         (act bb-put-int source 2))
    (seq (plan-action :name "interim" :state_key q :action_key cmd :work_max 200 :budget_ms 10)
         (act bb-put-int source 1)
         (vla-request :name "arm" :instruction "reach" :state_key q :deadline_ms 2000)
         (running))
    (seq (act bb-put-float cmd 0.0)
         (act bb-put-int source 0))))

(define robot (bt.new-instance policy))

; one tick every 100 job-ms; print (tick status source cmd job)
(define (run i n inputs)
  (if (> i n)
      'done
      (let ((st (bt.tick robot inputs)))
        (print (list i st (bt.blackboard.get robot 'source -1) (bt.blackboard.get robot 'cmd nil)
                     (bt.blackboard.get robot 'arm.job_id nil)))
        (time.sleep-ms 100)
        (run (+ i 1) n '()))))

(run 1 7 '((q 0.2)))
; the emergency stop: the guard takes over and the VLA branch is halted (its job cancelled)
(run 8 9 '((estop #t)))
