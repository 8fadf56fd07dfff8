; Drive the robot of the built-in 2-D world to its goal with a behaviour tree. In the
; playground the world canvas and the tree view show under the output; on the command line:
;   granola examples/drive_robot_tree.lisp
; The tree dodges what is close ahead, otherwise plans the next command with a plan-action
; leaf, and stands still when the planner has nothing to offer (the "Drive the robot" guide
; explains each part). The loop does not wait for the world's clock ('realtime #f), so the
; drive takes a moment; set 'realtime to #t (and, in the page, the job clock to real time)
; to watch it take its 12 seconds.

(env.attach "sim2d")

(define (cmd v w)
  (let ((a (map.make)))
    (map.set! a 'action_schema "sim2d.cmd.v1")
    (map.set! a 'u (list v w))
    a))

; every ray that sees something closer than 1 m pushes the heading away from its side
(define (push ranges angles)
  (if (null? ranges)
      0.0
      (+ (if (< (car ranges) 1.0)
             (* (if (< (car angles) 0.0) 2.0 -2.0) (- 1.0 (car ranges)))
             0.0)
         (push (cdr ranges) (cdr angles)))))

(bt.define-condition 'blocked (lambda (inst) (> (bt.blackboard.get inst 'front 0.0) 0.4)))
(bt.define-action 'dodge
  (lambda (inst)
    (begin
      (bt.blackboard.put inst 'action
        (list 0.3 (clamp (push (bt.blackboard.get inst 'ranges nil) (bt.blackboard.get inst 'angles nil)) -2.0 2.0)))
      'success)))
(bt.define-action 'stop (lambda (inst) (begin (bt.blackboard.put inst 'action (list 0.0 0.0)) 'success)))

(defbt drive
  (sel (seq (cond blocked) (act dodge))
       (plan-action :name "drive" :model_service "toy-unicycle" :state_key state :action_key action
                    :work_max 150 :budget_ms 20)
       (act stop)))

(define robot (bt.new-instance drive))

(define (on-tick obs)
  (begin
    (bt.tick robot (list (list 'state (map.get obs 'planner_state nil))
                         (list 'front (map.get obs 'obstacle_front 0.0))
                         (list 'ranges (map.get obs 'ranges nil))
                         (list 'angles (map.get obs 'ray_angles nil))))
    (let ((u (bt.blackboard.get robot 'action nil)))
      (cmd (car u) (car (cdr u))))))

; print where the robot is every two seconds of simulated time (40 ticks)
(define counter (map.make))
(define (report record)
  (let ((n (+ 1 (map.get counter 'n 0))) (obs (map.get record 'obs nil)))
    (if (= n 40)
        (begin
          (map.set! counter 'n 0)
          (print 't_ms (map.get obs 't_ms 0) 'x (map.get obs 'x 0) 'y (map.get obs 'y 0)))
        (map.set! counter 'n n))))

(define cfg (map.make))
(map.set! cfg 'tick_hz 20)
(map.set! cfg 'max_ticks 1500)
(map.set! cfg 'realtime #f)
(map.set! cfg 'safe_action (cmd 0.0 0.0))
(map.set! cfg 'observer report)

(define result (env.run-loop cfg on-tick))
(define final (map.get result 'final_obs nil))
(print (map.get result 'status nil) (map.get result 'message nil))
(print 'ticks (map.get result 'ticks 0) 'collisions (map.get final 'collisions 0))
(print 'at (map.get final 'x 0) (map.get final 'y 0) 'goal (map.get final 'goal nil))
(print 'tree (bt.stats robot))
