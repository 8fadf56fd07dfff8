; Drive the robot of the built-in 2-D world to its goal, headless:
;   granola examples/drive_robot.lisp
; (the "Drive the robot" guide explains each part). Set 'realtime to #t to watch it take
; its 14 seconds.

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

(define (policy obs)
  (cmd (* 0.8 (clamp (- 1.0 (map.get obs 'obstacle_front 0.0)) 0.2 1.0))
       (clamp (+ (* 2.0 (map.get obs 'goal_bearing 0.0))
                 (push (map.get obs 'ranges nil) (map.get obs 'ray_angles nil)))
              -2.0 2.0)))

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
(map.set! cfg 'max_ticks 2000)
(map.set! cfg 'realtime #f)
(map.set! cfg 'safe_action (cmd 0.0 0.0))
(map.set! cfg 'observer report)

(define result (env.run-loop cfg policy))
(define final (map.get result 'final_obs nil))
(print (map.get result 'status nil) (map.get result 'message nil))
(print 'ticks (map.get result 'ticks 0) 'collisions (map.get final 'collisions 0))
(print 'at (map.get final 'x 0) (map.get final 'y 0) 'goal (map.get final 'goal nil))
