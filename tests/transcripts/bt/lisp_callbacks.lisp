; Granola: conditions and actions written in Lisp. A callback is called with the instance and
; the leaf's arguments; it reads and writes the blackboard, keeps state in its node memory,
; and may be told when it is halted.
(define (battery-ok inst)
  (> (bt.blackboard.get inst 'battery 0) 20))
(bt.define-condition 'battery-ok battery-ok)
;=> battery-ok
(defbt patrol
  (sel (seq (cond battery-ok) (act bb-put-int mode 1))
       (act bb-put-int mode 2)))
(define p (bt.new-instance patrol))
(bt.tick p '((battery 80)))
;=> success
(bt.blackboard.get p 'mode)
;=> 1
(bt.tick p '((battery 5)))
;=> success
(bt.blackboard.get p 'mode)
;=> 2
; the leaf's arguments follow the instance
(bt.define-condition "above" (lambda (inst key limit) (> (bt.blackboard.get inst key 0) limit)))
;=> above
(define a (bt.new-instance (bt (cond above speed 3))))
(list (bt.tick a '((speed 5))) (bt.tick a '((speed 2))))
;=> (success failure)
; an action returns success, failure or running (#t and #f also work) and keeps state
(define (count-to inst n)
  (let ((k (+ 1 (or (bt.node-memory inst) 0))))
    (bt.set-node-memory! inst k)
    (bt.blackboard.put inst 'count k)
    (if (< k n) 'running 'success)))
(bt.define-action 'count-to count-to)
;=> count-to
(define c (bt.new-instance (bt (seq (act count-to 3) (act count-to 2)))))
(list (bt.tick c) (bt.tick c) (bt.tick c) (bt.tick c))
;=> (running running running success)
; the write is by the leaf: its node, its name, this tick, and a bb_write record
(define (last-data lines type found)
  (if (null? lines)
      found
      (let ((e (json.decode (car lines))))
        (last-data (cdr lines) type (if (= (hash64 (map.get e "type" "")) (hash64 type)) (map.get e "data" nil) found)))))
(bt.blackboard.dump c)
;=> "count=2 type=int64 tick=4 ts_ns=0 writer_node=1 writer_name=count-to\n"
(map.get (last-data (events.dump 20) "bb_write" nil) "source_node" nil)
;=> 1
; halting: memory is zeroed, and the halt function (if any) is called first
(define (charging inst) (bt.blackboard.put inst 'charging #t) 'running)
(define (stop-charging inst) (bt.blackboard.put inst 'charging #f))
(bt.define-action 'charge charging stop-charging)
;=> charge
(define h (bt.new-instance (bt (reactive-sel (cond bb-truthy full) (act charge)))))
(bt.tick h)
;=> running
(bt.blackboard.get h 'charging)
;=> #t
(bt.tick h '((full #t)))
;=> success
(bt.blackboard.get h 'charging)
;=> #f
; callback errors fail the leaf, are logged as the reference logs a throwing callback, and
; the first one of each leaf is printed
(define (broken inst) (car 5))
(bt.define-condition 'broken broken)
;=> broken
(define e (bt.new-instance (bt (sel (cond broken) (succeed)))))
(bt.tick e)
;out> bt: node 0 (broken) at tick 1: condition threw: car: expected cons
;=> success
(bt.tick e)
;=> success
(map.get (last-data (events.dump 20) "error" nil) "message" nil)
;=> "condition threw: car: expected cons"
(bt.define-action 'bad-return (lambda (inst) 42))
;=> bad-return
(bt.tick (bt.new-instance (bt (act bad-return))))
;out> bt: node 0 (bad-return) at tick 1: action threw: action returned 42; expected success, failure or running
;=> failure
(bt.define-action 'wrong-arity (lambda () 'success))
;=> wrong-arity
(bt.tick (bt.new-instance (bt (act wrong-arity))))
;out> bt: node 0 (wrong-arity) at tick 1: action threw: closure call: expected 0 arguments, got 1
;=> failure
(bt.define-action 'halt-breaks (lambda (inst) 'running) (lambda (inst) (car 1)))
;=> halt-breaks
(define hb (bt.new-instance (bt (act halt-breaks))))
(bt.tick hb)
;=> running
(bt.reset hb)
;out> bt: halt callback threw for node 0: car: expected cons
;=> nil
; a Lisp definition replaces a demo callback of the same name
(bt.define-condition 'always-true (lambda (inst) #f))
;=> always-true
(bt.tick (bt.new-instance (bt (cond always-true))))
;=> failure
; ticking or resetting an instance from inside its own callback is an error
(bt.define-condition 'reenter (lambda (inst) (bt.tick inst)))
;=> reenter
(define re (bt.new-instance (bt (cond reenter))))
(bt.tick re)
;out> bt: node 0 (reenter) at tick 1: condition threw: bt.tick: <bt_instance:10> is already running a tick (called from one of its own callbacks)
;=> failure
; ticking another instance from a callback is fine
(define inner (bt.new-instance (bt (act bb-put-int seen 1))))
(bt.define-condition 'tick-inner (lambda (inst) (eq? (bt.tick inner) 'success)))
;=> tick-inner
(bt.tick (bt.new-instance (bt (cond tick-inner))))
;=> success
(bt.blackboard.get inner 'seen)
;=> 1
; callbacks run on the evaluator: they may sleep on job time
(bt.define-action 'nap (lambda (inst ms) (time.sleep-ms ms) 'success))
;=> nap
(define t0 (time.now-ms))
(bt.tick (bt.new-instance (bt (seq (act nap 3) (act nap 4)))))
;=> success
(- (time.now-ms) t0)
;=> 7
; node memory is only reachable while a callback of that instance runs
(bt.node-memory p)
;!! bt.node-memory: no callback of this instance is running
(bt.set-node-memory! p 1)
;!! bt.set-node-memory!: no callback of this instance is running
(bt.define-condition 'x 5)
;!! bt.define-condition: expected procedure
(bt.define-condition "" (lambda (i) #t))
;!! bt.define-condition: name must be a non-empty symbol or string
(bt.define-action 'y (lambda (i) 'success) 7)
;!! bt.define-action: expected procedure
(bt.define-action 'y)
;!! bt.define-action: expected 2 or 3 arguments
