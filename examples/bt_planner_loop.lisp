; A planner loop: each tick a plan-action leaf plans the next step towards x = 1 and the
; demo plant applies it (x grows by a quarter of the planned action), until the goal
; condition holds. The tree view shows the planner node with its plan's status and seed.
(defbt reach
  (sel (cond goal-reached-1d x 1.0 0.05)
       (seq (plan-action :name "step" :state_key x :action_key u :meta_key plan
                         :work_max 200 :budget_ms 10)
            (act apply-planned-1d x u)
            (running))))

(define p (bt.new-instance reach))
(define (go n inputs)
  (let ((st (bt.tick p inputs)))
    (print n st 'x (bt.blackboard.get p 'x nil) 'u (bt.blackboard.get p 'u nil))
    (time.sleep-ms 150)
    (if (or (eq? st 'success) (> n 30)) st (go (+ n 1) '()))))
(go 1 '((x 0.0)))
