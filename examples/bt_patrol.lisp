; A patrol: a behaviour tree walks a robot round its waypoints and sends it to the dock to
; charge when the battery runs low. Run it, then watch the tree view below: press Tick or
; Run, scrub back through the ticks, click a blackboard key to see which node wrote it.
(define route '(hall kitchen lab hall dock))
(define (nth xs n) (if (= n 0) (car xs) (nth (cdr xs) (- n 1))))
(define (len xs) (if (null? xs) 0 (+ 1 (len (cdr xs)))))

(bt.define-condition 'needs-charge
  (lambda (inst)
    (or (bt.blackboard.get inst 'charging #f) (< (bt.blackboard.get inst 'battery 100) 30))))
(bt.define-action 'charge
  (lambda (inst)
    (let ((b (+ (bt.blackboard.get inst 'battery 0) 25)))
      (bt.blackboard.put inst 'at 'dock)
      (bt.blackboard.put inst 'battery (if (> b 100) 100 b))
      (bt.blackboard.put inst 'charging (< b 100))
      (if (< b 100) 'running 'success))))
(bt.define-action 'walk
  (lambda (inst)
    (let ((i (bt.blackboard.get inst 'leg 0)))
      (bt.blackboard.put inst 'at (nth route i))
      (bt.blackboard.put inst 'leg (if (= (+ i 1) (len route)) 0 (+ i 1)))
      (bt.blackboard.put inst 'battery (- (bt.blackboard.get inst 'battery 100) 12))
      'success)))

(defbt patrol
  (reactive-sel
    (seq (cond needs-charge) (act charge))
    (act walk)))

(define robot (bt.new-instance patrol))
(define (walk-for n)
  (if (> n 0)
      (begin
        (bt.tick robot)
        (print (bt.blackboard.get robot 'at nil) (bt.blackboard.get robot 'battery nil))
        (time.sleep-ms 200)
        (walk-for (- n 1)))
      (quote patrolled)))
(walk-for 14)
