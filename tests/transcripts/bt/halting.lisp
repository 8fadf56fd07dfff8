; bt.md 3.5: halting. There is no halt record: a halt shows through its side effects
; (scheduler jobs cancelled, warnings, node memory zeroed).
(define (data-of line) (map.get (json.decode line) "data" nil))
(define (type-of line) (map.get (json.decode line) "type" nil))
(define (summary lines)
  (if (null? lines)
      nil
      (let ((t (type-of (car lines))) (d (data-of (car lines))))
        (cons (list t (map.get d "node_id" (map.get d "job_id" nil)) (map.get d "message" (map.get d "outcome" (map.get d "status" nil))))
              (summary (cdr lines))))))
; a higher-priority branch succeeds: the running sleep is cancelled (bt.md 8.3)
(define i (bt.new-instance (bt (reactive-sel (cond bb-truthy stop) (act async-sleep-ms 50)))))
(list (bt.tick i) (bt.tick i) (bt.tick i '((stop #t))))
;=> (running running success)
(summary (events.dump 11))
;=> (("tick_begin" nil nil) ("node_enter" 2 nil) ("node_enter" 0 nil) ("node_exit" 0 "success") ("node_status" 0 "success") ("error" 1 "scheduler cancelled by halt_subtree (reactive-sel switched to higher priority)") ("sched_cancel" "1" "cancelled") ("node_exit" 2 "success") ("node_status" 2 "success") ("tick_end" nil nil) ("tick_ok" 2 "tick_ok"))
(bt.scheduler.stats)
;=> "submitted=1\nstarted=0\ncompleted=0\nfailed=0\ncancelled=1\nqueue_delay_last_ns=0\nrun_time_last_ns=0\n"
; the first tick's submission, as recorded
(define j (bt.new-instance (bt (act async-sleep-ms 5))))
(bt.tick j)
;=> running
(summary (events.dump 8))
;=> (("tick_begin" nil nil) ("node_enter" 0 nil) ("error" 0 "scheduler submitted task async-sleep-ms") ("sched_submit" "2" nil) ("node_exit" 0 "running") ("node_status" 0 "running") ("tick_end" nil nil) ("tick_ok" 0 "tick_ok"))
(time.sleep-ms 1)
(bt.tick j)
;=> running
(summary (events.dump 6))
;=> (("error" 0 "scheduler started task async-sleep-ms") ("sched_start" "2" nil) ("node_exit" 0 "running") ("node_status" 0 "running") ("tick_end" nil nil) ("tick_ok" 0 "tick_ok"))
(time.sleep-ms 10)
(bt.tick j)
;=> success
(summary (events.dump 6))
;=> (("error" 0 "scheduler finished task async-sleep-ms") ("sched_finish" "2" "ok") ("node_exit" 0 "success") ("node_status" 0 "success") ("tick_end" nil nil) ("tick_ok" 0 "tick_ok"))
; bt.reset halts from the root: each node, then its children last to first
(define r (bt.new-instance (bt (reactive-sel (seq (cond bb-truthy x) (act async-sleep-ms 50)) (act async-sleep-ms 50)))))
(bt.tick r '((x #t)))
;=> running
(bt.tick r '((x #f)))
;=> running
(bt.reset r)
;=> nil
(summary (events.dump 4))
;=> (("error" 3 "scheduler cancelled by halt_subtree (reset)") ("sched_cancel" "4" "cancelled") ("error" 1 "scheduler cancelled by halt_subtree (reset)") ("sched_cancel" "3" "cancelled"))
(map.get (json.decode (car (events.dump 1))) "tick" nil)
;=> 2
; a node whose job already ended (unseen) cannot be cancelled: one warning per node until reset
(define w (bt.new-instance (bt (reactive-sel (cond bb-truthy stop) (act async-sleep-ms 1)))))
(bt.tick w)
;=> running
(time.sleep-ms 5)
(bt.tick w '((stop #t)))
;=> success
(summary (events.dump 5))
;=> (("error" 1 "halt_subtree: no halt hook/job id for running node 1") ("node_exit" 2 "success") ("node_status" 2 "success") ("tick_end" nil nil) ("tick_ok" 2 "tick_ok"))
; completion halts: mem-seq, mem-sel and async-seq halt all their children when they succeed
(define m (bt.new-instance (bt (mem-seq (repeat 1 (succeed)) (succeed)))))
(list (bt.tick m) (bt.tick m))
;=> (success success)
(define s (bt.new-instance (bt (seq (repeat 1 (succeed)) (succeed)))))
(list (bt.tick s) (bt.tick s))
;=> (success success)
; reset returns an instance to its first-tick behaviour and keeps its counters
(define q (bt.new-instance (bt (seq (act running-then-success 2) (act bb-put-int k 1)))))
(list (bt.tick q) (bt.tick q) (bt.tick q))
;=> (running running success)
(bt.reset q)
;=> nil
(list (bt.tick q) (bt.tick q) (bt.tick q))
;=> (running running success)
(bt.blackboard.get q 'k)
;=> 1
(bt.reset 5)
;!! bt.reset: expected bt_instance
(bt.reset)
;!! bt.reset: expected 1 arguments, got 0
