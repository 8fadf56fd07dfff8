; Planning inside a tree: a plan-action leaf with the reference's defaults (MCTS on toy-1d,
; 2000 iterations per tick) drives a 1-D plant (apply-planned-1d) for 500 ticks, seeded per
; tick from the base seed, the leaf's name and the tick. The planner is charged its modelled
; time, calibrated on the reference (about 7 ms for a search from state 0, less near the goal,
; where rollouts end early): 1.7 s of job time for this run, about what the reference spends.
; The last line: the final state and the job time charged.
(define tree (bt (seq (plan-action :name "plan" :state_key s :action_key a)
                      (act apply-planned-1d s a s))))
(define inst (bt.new-instance tree))
(bt.tick inst '((s -2.0)))
(define t0 (time.now-ms))
(define (loop n) (if (= n 0) nil (begin (bt.tick inst) (loop (- n 1)))))
(loop 499)
(list (bt.blackboard.get inst (quote s)) (- (time.now-ms) t0))
