; bt-host.md 1.7: what vla-cancel, a halt, bt.reset and a tick overrun do to the jobs the VLA
; leaves track, and the vla_* / async_* records they leave in the event log.
(define (bbget t k) (bt.blackboard.get t k 'absent))
(define (status id) (map.get (vla.poll id) 'status nil))
(define (explanation id) (map.get (map.get (vla.poll id) 'final nil) 'explanation nil))
(define (types-of lines)
  (if (null? lines) nil (cons (map.get (json.decode (car lines)) "type" nil) (types-of (cdr lines)))))
(define (message-of line) (map.get (map.get (json.decode line) "data" nil) "message" nil))
(define (said? text)
  (define (walk lines)
    (if (null? lines) #f
        (let ((m (message-of (car lines))))
          (if (if (null? m) #f (= (hash64 m) (hash64 text))) #t (walk (cdr lines))))))
  (walk (events.dump)))
(define (vla-types lines)
  (if (null? lines) nil
      (let ((ty (map.get (json.decode (car lines)) "type" nil)))
        (if (= (hash64 (if (null? ty) "" ty)) (hash64 "node_enter"))
            (vla-types (cdr lines))
            (if (= (hash64 (if (null? ty) "" ty)) (hash64 "node_exit"))
                (vla-types (cdr lines))
                (if (= (hash64 (if (null? ty) "" ty)) (hash64 "node_status"))
                    (vla-types (cdr lines))
                    (cons ty (vla-types (cdr lines)))))))))
;=> <closure>

; vla-cancel first in a sel: with `abort` set it cancels the job the wait adopted and clears
; the job key; the job ends :cancelled at its next step
(define c (bt.new-instance (bt (sel (seq (cond bb-truthy abort) (vla-cancel :name "nav"))
                                    (vla-wait :name "nav" :action_key cmd :meta_key m)
                                    (seq (cond bb-truthy go) (vla-request :name "nav" :instruction "fwd" :state_key q :deadline_ms 500) (running))))))
(bt.tick c '((q 0.1) (go #t) (cmd 0.3)))
;=> running
(list (bt.tick c '((go #f))) (bbget c 'nav.job_id) (status 1))
;=> (running 1 :streaming)
(list (bt.tick c '((abort #t))) (bbget c 'nav.job_id) (bbget c 'm) (bbget c 'cmd))
;=> (success nil nil 0.3)
(said? "vla-cancel: cancelled job=1")
;=> #t
(time.sleep-ms 5)
(list (status 1) (explanation 1))
;=> (:cancelled "cancelled before completion")
; nothing to cancel: success, a non-id value is cleared
(list (bt.tick c) (bt.tick (bt.new-instance (bt (vla-cancel :job_key j))) '((j "x"))))
;=> (success success)

; 1.8 halt by a guard: estop wins the reactive-sel, the running wait is halted, its job
; revoked and cancelled, its job key and the meta it wrote cleared
(define t (bt.new-instance (bt (reactive-sel
  (seq (cond bb-truthy estop) (act bb-put-int stopped 1))
  (vla-wait :name "nav" :action_key cmd :meta_key nav-meta)
  (seq (vla-request :name "nav" :instruction "fwd" :state_key q :deadline_ms 500) (running))))))
(bt.tick t (list (list 'q 0.1) (list 'cmd 0.3)))
;=> running
(list (bt.tick t) (bbget t 'nav.job_id) (bbget t 'cmd) (map.get (json.decode (bbget t 'nav-meta)) "status" nil))
;=> (running 2 0.3 "streaming")
(list (bt.tick t (list (list 'estop #t))) (bbget t 'nav.job_id) (bbget t 'cmd) (bbget t 'nav-meta))
;=> (success nil 0.3 nil)
(time.sleep-ms 10)
(explanation 2)
;=> "cancelled before completion"
(vla-types (events.dump 22))
;=> ("tick_begin" "bb_write" "async_authority_revoked" "async_cancel_requested" "async_cancel_acknowledged" "cancel_acknowledged" "bb_delete" "bb_delete" "tick_end" "tick_ok")

; bt.reset right after a submit: the job is cancelled, the blackboard emptied
(define u (bt.new-instance (bt (seq (vla-request :name "r" :instruction "fwd" :state_key q) (running)))))
(bt.tick u '((q 0.1)))
;=> running
(bt.reset u)
;=> nil
(bt.blackboard.dump u)
;=> ""
(time.sleep-ms 5)
(list (status 3) (explanation 3))
;=> (:cancelled "cancelled before completion")
; after a reset the request submits afresh
(list (bt.tick u '((q 0.1))) (bbget u 'r.job_id))
;=> (running 4)

; a second request on the same key supersedes the first: the old job is cancelled
(define g (bt.new-instance (bt (seq (vla-request :name "g" :instruction "fwd" :state_key q :deadline_ms 500) (running)))))
(bt.tick g '((q 0.1)))
;=> running
(bt.tick g '((g.job_id nil)))
;=> running
(list (bbget g 'g.job_id) (begin (time.sleep-ms 5) (status 5)) (status 6))
;=> (6 :cancelled :done)
(said? "submitted job=6 capability=vla.rt2 model=rt2-stub deadline_ms=500 generation=2 acceptance_policy=deadline_only")
;=> #t

; a tick overrun revokes and cancels the jobs in flight. Here a callback sleeps 25 ms, past
; the 20 ms budget, before the wait; the wait finds no budget left and answers running without
; polling. Granola also clears the job key of a revoked job, so the next tick starts over (the
; reference keeps the key: the wait then fails and the request answers running forever).
(bt.define-action 'slow (lambda (inst) (time.sleep-ms 25) 'success))
;=> slow
(define o (bt.new-instance (bt (sel (seq (sel (cond bb-truthy lazy) (act slow))
                                         (vla-wait :name "nav" :action_key cmd))
                                    (seq (vla-request :name "nav" :instruction "fwd" :state_key q :deadline_ms 500)
                                         (running))))))
(list (bt.tick o '((q 0.1) (lazy #t))) (bbget o 'nav.job_id))
;=> (running 7)
(list (bt.tick o '((lazy #f))) (bbget o 'nav.job_id))
;=> (running nil)
(said? "budget blocked decision point: vla_poll node=3")
;=> #t
(said? "tick budget overrun")
;=> #t
; (the job itself had finished during the 25 ms sleep; its answer is simply not used)
(list (status 7) (explanation 7))
;=> (:done "rt2-style stub output")
(list (bt.tick o '((lazy #t))) (bbget o 'nav.job_id))
;=> (running 8)
(time.sleep-ms 5)
(list (bt.tick o) (bbget o 'cmd))
;=> (success 0.81)

; the tick audit counts the jobs in flight
(events.enable-tick-audit #t)
;=> nil
(define a (bt.new-instance (bt (seq (vla-request :name "a" :instruction "fwd" :state_key q :deadline_ms 500) (running)))))
(bt.tick a '((q 0.1)))
;=> running
(map.get (map.get (json.decode (car (events.dump 1))) "data" nil) "active_async_jobs" nil)
;=> 1
(events.enable-tick-audit #f)
;=> nil
