; Granola's deliberate differences in the VLA leaves (docs/reference/guides/differences.md,
; "VLA leaves"); the tick-overrun and halt differences are in vla_cleanup.lisp.
(define (bbget t k) (bt.blackboard.get t k 'absent))
;=> <closure>

; An early-committed partial is clamped like a final answer: bounds +-0.3 give 0.3, where the
; reference writes the raw partial 0.9.
(define t (bt.new-instance (bt (sel (vla-wait :name "nav" :action_key cmd :early_commit #t :early_confidence 0.5)
  (seq (cond bb-truthy go) (vla-request :name "nav" :instruction "fwd" :state_key q :deadline_ms 500 :bound_lo -0.3 :bound_hi 0.3) (running))))))
(bt.tick t '((q 0.1) (go #t)))
;=> running
(list (bt.tick t '((go #f))) (bbget t 'cmd))
;=> (running absent)
(time.sleep-ms 1)
(list (bt.tick t) (bbget t 'cmd) (bbget t 'nav.job_id))
;=> (success 0.3 nil)
(time.sleep-ms 5)
(map.get (vla.poll 1) 'status nil)
;=> :cancelled
; with :cancel_on_early_commit #f the job runs on to its own (clamped) answer
(define t2 (bt.new-instance (bt (sel (vla-wait :name "nav" :action_key cmd :early_commit #t :early_confidence 0.5 :cancel_on_early_commit #f)
  (seq (cond bb-truthy go) (vla-request :name "nav" :instruction "fwd" :state_key q :deadline_ms 500 :bound_lo -0.3 :bound_hi 0.3) (running))))))
(bt.tick t2 '((q 0.1) (go #t)))
;=> running
(time.sleep-ms 1)
(list (bt.tick t2 '((go #f))) (bbget t2 'cmd))
;=> (success 0.3)
(time.sleep-ms 5)
(map.get (map.get (map.get (vla.poll 2) 'final nil) 'action nil) 'u nil)
;=> (0.3)
; a partial inside a forbidden range is refused (invalid_pose) instead of committed
(define t3 (bt.new-instance (bt (sel (vla-wait :name "nav" :action_key cmd :early_commit #t :early_confidence 0.5)
  (seq (cond bb-truthy go) (vla-request :name "nav" :instruction "fwd" :state_key q :deadline_ms 500 :forbidden_lo 0.85 :forbidden_hi 0.95) (running))))))
(bt.tick t3 '((q 0.1) (go #t)))
;=> running
(time.sleep-ms 1)
(list (bt.tick t3 '((go #f))) (bbget t3 'cmd) (bbget t3 'nav.job_id))
;=> (failure absent nil)

; An unnamed vla-wait or vla-cancel pairs with the tree's only unnamed vla-request (the
; reference names each after its own id, so they never meet).
(define u (bt.new-instance (bt (sel (vla-wait) (vla-request :instruction "go")))))
(bt.tick u '((state 0.1)))
;=> running
(bt.blackboard.get u 'vla-request-1.job_id)
;=> 4
(time.sleep-ms 5)
(list (bt.tick u) (bbget u 'action))
;=> (success 0.81)
(define uc (bt.new-instance (bt (sel (seq (cond bb-truthy stop) (vla-cancel)) (vla-request :instruction "go")))))
(bt.tick uc '((state 0.1)))
;=> running
(list (bt.tick uc '((stop #t))) (bbget uc 'vla-request-3.job_id))
;=> (success nil)
; with two unnamed requests there is no pairing: each leaf keeps its own id's name
(define u2 (bt.new-instance (bt (sel (vla-wait) (vla-request :instruction "a") (vla-request :instruction "b")))))
(bt.tick u2 '((state 0.1)))
;=> running
(time.sleep-ms 5)
(list (bt.tick u2) (bbget u2 'action))
;=> (running absent)

; An explicit :job_key wins over :name whatever the order (the reference's later :name resets
; the key to <name>.job_id).
(define k (bt.new-instance (bt (vla-request :job_key mine :name "p" :instruction "go"))))
(bt.tick k '((state 0.1)))
;=> running
(list (bbget k 'mine) (bbget k 'p.job_id))
;=> (7 absent)
