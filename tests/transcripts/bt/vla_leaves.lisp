; bt-host.md 1: the VLA leaves over ticks on the job clock (a sleep moves job time by exactly
; its amount; a tick takes no job time). A job is picked up by a worker slot the first time a
; VLA leaf looks at it (or a sleep moves job time), emits partial 1 at once, partials 2 and 3
; one job-ms apart and its final one job-ms after that.
(define (bbget t k) (bt.blackboard.get t k 'absent))
(define (message-of line) (map.get (map.get (json.decode line) "data" nil) "message" nil))
(define (said? text)
  (define (walk lines)
    (if (null? lines) #f
        (let ((m (message-of (car lines))))
          (if (if (null? m) #f (= (hash64 m) (hash64 text))) #t (walk (cdr lines))))))
  (walk (events.dump)))
(define (meta-status t k)
  (let ((m (bbget t k)))
    (if (eq? m 'absent) 'absent (if (null? m) nil (map.get (json.decode m) "status" nil)))))
;=> <closure>

; 1.2: a request in front of its wait inside one seq keeps answering running (its key holds
; an id), so the wait is never reached
(define t (bt.new-instance (bt (reactive-sel
  (seq (vla-request :name "arm" :instruction "lift" :state_key q)
       (vla-wait :name "arm" :action_key cmd))
  (act bb-put-int halted 1)))))
(bt.tick t (list (list 'q 0.4)))
;=> running
(time.sleep-ms 50)
(list (bt.tick t) (bt.tick t) (bbget t 'arm.job_id) (bbget t 'cmd))
;=> (running running 1 absent)
(map.get (vla.poll 1) 'status nil)
;=> :done

; bt.md 7: the wait first, the request behind it; a 30 ms pause with a 500 ms deadline
(define i (bt.new-instance (bt (sel (vla-wait :name p :action_key act :meta_key meta) (seq (vla-request :name p :instruction "go right" :deadline_ms 500) (running))))))
(list (bt.tick i '((state (0.1 0.2)))) (bt.blackboard.get i 'p.job_id))
;=> (running 2)
(time.sleep-ms 30)
(list (bt.tick i) (bt.blackboard.get i 'p.job_id) (bt.blackboard.get i 'act))
;=> (success nil (0.09 0.18))
; with the default 20 ms deadline and a 40 ms pause the result is late: rejected
; (deadline_expired), the key cleared, and the request branch submits again in the same tick
(define i (bt.new-instance (bt (sel (vla-wait :name p :action_key act) (seq (vla-request :name p :instruction "go right") (running))))))
(list (bt.tick i '((state (0.1 0.2)))) (bt.blackboard.get i 'p.job_id))
;=> (running 3)
(time.sleep-ms 40)
(list (bt.tick i) (bt.blackboard.get i 'p.job_id) (bbget i 'act))
;=> (running 4 absent)
(said? "vla-wait: rejected final action: deadline_expired")
;=> #t

; 1.8 late poll: default deadline, 30 ms gap; the job itself finished
(define t (bt.new-instance (bt (sel (vla-wait :name "nav" :action_key cmd)
  (seq (cond bb-truthy go) (vla-request :name "nav" :instruction "fwd" :state_key q) (running))))))
(bt.tick t (list (list 'q 0.1) (list 'go #t)))
;=> running
(time.sleep-ms 30)
(list (bt.tick t (list (list 'go #f))) (bbget t 'nav.job_id) (bbget t 'cmd))
;=> (failure nil absent)
(map.get (vla.poll 5) 'status nil)
;=> :done

; 1.8 main probe: the wait first; the fallback writes a safe 0.0 and submits. 1 ms between
; ticks: streaming, streaming, streaming, then the answer 0.9 * (1 - 0.2) = 0.72. The second
; job is not answered from a cache (Granola has none), so it streams for three ticks too.
(defbt nav-guard
  (reactive-sel
    (seq (vla-wait :name "nav" :action_key cmd :meta_key nav-meta)
         (act bb-put-int applied 1))
    (seq (act bb-put-float cmd 0.0)
         (vla-request :name "nav" :instruction "advance" :state_key pose :deadline_ms 50)
         (running))))
(define inst (bt.new-instance nav-guard))
(define (row i st) (list i st (meta-status inst 'nav-meta) (bbget inst 'nav.job_id) (bbget inst 'cmd) (bbget inst 'applied)))
(define (run i n)
  (if (= i n) 'done
      (begin (print (row i (bt.tick inst))) (time.sleep-ms 1) (run (+ i 1) n))))
(bt.tick inst (list (list 'pose (list 0.2))))
;=> running
;out> (1 running "streaming" 6 0.0 absent)
;out> (2 running "streaming" 6 0.0 absent)
;out> (3 running "streaming" 6 0.0 absent)
;out> (4 success "done" nil 0.72 1)
;out> (5 running "done" 7 0.0 1)
;out> (6 running "streaming" 7 0.0 1)
;out> (7 running "streaming" 7 0.0 1)
;out> (8 success "done" nil 0.72 1)
(run 1 9)
;=> done

; streaming as the wait sees it, one tick per job-ms: the meta text follows the partials
(define s (bt.new-instance (bt (sel (vla-wait :name "v" :action_key u :meta_key m)
  (seq (cond bb-truthy go) (vla-request :name "v" :instruction "reach" :state_key q :deadline_ms 100) (running))))))
(bt.tick s '((q 0.1) (go #t)))
;=> running
(define (seq-of) (let ((m (bbget s 'm))) (map.get (map.get (json.decode m) "partial" nil) "sequence" nil)))
(list (bt.tick s '((go #f))) (seq-of) (meta-status s 'm))
;=> (running 1 "streaming")
(time.sleep-ms 1)
(list (bt.tick s) (seq-of) (meta-status s 'm))
;=> (running 2 "streaming")
(time.sleep-ms 1)
(list (bt.tick s) (seq-of) (meta-status s 'm))
;=> (running 3 "streaming")
(time.sleep-ms 1)
(list (bt.tick s) (seq-of) (meta-status s 'm) (bbget s 'u))
;=> (success 3 "done" 0.81)
(bbget s 'm)
;=> "{\"status\":\"done\",\"partial\":{\"sequence\":3,\"confidence\":0.75,\"text_chunk\":\"finalize structured action\",\"action_candidate\":{\"type\":\"continuous\",\"u\":[0.81]}},\"final\":{\"status\":\"ok\",\"confidence\":0.75,\"model\":{\"name\":\"rt2-stub\",\"version\":\"stub-1\"},\"explanation\":\"rt2-style stub output\",\"action\":{\"type\":\"continuous\",\"u\":[0.81]}}}"
(said? "vla-wait: committed final action")
;=> #t

; :deadline_ms 1: the job times out after stage 1; the meta says so and the wait fails
(define d (bt.new-instance (bt (sel (vla-wait :name "nav" :action_key cmd :meta_key m)
  (seq (cond bb-truthy go) (vla-request :name "nav" :instruction "fwd" :state_key q :deadline_ms 1) (running))))))
(bt.tick d (list (list 'q 0.1) (list 'go #t)))
;=> running
(list (bt.tick d (list (list 'go #f))) (meta-status d 'm))
;=> (running "streaming")
(time.sleep-ms 5)
(list (bt.tick d) (meta-status d 'm) (bbget d 'nav.job_id) (bbget d 'cmd))
;=> (failure "timeout" nil absent)
(said? "vla-wait: status=timeout deadline exceeded")
;=> #t
(bbget d 'm)
;=> "{\"status\":\"timeout\",\"partial\":{\"sequence\":1,\"confidence\":0.2,\"text_chunk\":\"encode observation\",\"action_candidate\":{\"type\":\"continuous\",\"u\":[0]}},\"final\":{\"status\":\"timeout\",\"confidence\":0,\"model\":{\"name\":\"rt2-stub\",\"version\":\"stub-1\"},\"explanation\":\"deadline exceeded\",\"action\":{\"type\":\"continuous\",\"u\":[0]}}}"

; three dimensions, bounds +-0.3, state (0.2 0.3 0.9 -0.9): (0.315 -0.315 0.81) clamped
(define m3 (bt.new-instance (bt (sel (vla-wait :name "a" :action_key cmd)
  (seq (cond bb-truthy go) (vla-request :name "a" :instruction "arm" :state_key q :dims 3 :bound_lo -0.3 :bound_hi 0.3 :deadline_ms 500) (running))))))
(bt.tick m3 '((q (0.2 0.3 0.9 -0.9)) (go #t)))
;=> running
(time.sleep-ms 10)
(list (bt.tick m3 '((go #f))) (bbget m3 'cmd))
;=> (success (0.3 -0.3 0.3))
; a forbidden range covering the answer: the job ends :error (:invalid) and the wait fails
(define fb (bt.new-instance (bt (sel (vla-wait :name "a" :action_key cmd)
  (seq (cond bb-truthy go) (vla-request :name "a" :instruction "arm" :state_key q :forbidden_lo 0.7 :forbidden_hi 0.9 :deadline_ms 500) (running))))))
(bt.tick fb '((q 0.1) (go #t)))
;=> running
(time.sleep-ms 10)
(list (bt.tick fb '((go #f))) (bbget fb 'cmd) (bbget fb 'a.job_id))
;=> (failure absent nil)
(said? "vla-wait: status=invalid response.action intersects forbidden range")
;=> #t

; :clear_job #f: the key keeps the id; later ticks of that wait succeed without polling
(define k (bt.new-instance (bt (sel (vla-wait :name "a" :action_key cmd :clear_job #f)
  (seq (cond bb-truthy go) (vla-request :name "a" :instruction "arm" :state_key q :deadline_ms 500) (running))))))
(bt.tick k '((q 0.1) (go #t)))
;=> running
(time.sleep-ms 10)
(list (bt.tick k '((go #f))) (bbget k 'a.job_id) (bbget k 'cmd))
;=> (success 12 0.81)
(bt.tick k '((cmd 0.5)))
;=> success
(list (bt.tick k) (bbget k 'cmd))
;=> (success 0.5)

; invocation_scoped needs a host validator, which Lisp cannot register: every result is
; rejected (host_policy_rejected), the key cleared, the action never written
(define v (bt.new-instance (bt (sel (vla-wait :name "a" :action_key cmd)
  (seq (cond bb-truthy go) (vla-request :name "a" :instruction "grasp" :state_key q :acceptance_policy invocation_scoped :context_key obj :deadline_ms 500) (running))))))
(bt.tick v '((q 0.1) (go #t) (obj "cup-1")))
;=> running
(time.sleep-ms 10)
(list (bt.tick v '((go #f))) (bbget v 'a.job_id) (bbget v 'cmd))
;=> (failure nil absent)
(said? "vla-wait: rejected final action: host_policy_rejected")
;=> #t
; without its context key the request fails at once; without :context_key it fails too
(define v2 (bt.new-instance (bt (vla-request :name "a" :instruction "grasp" :state_key q :acceptance_policy "invocation-scoped" :context_key obj))))
(bt.tick v2 '((q 0.1)))
;=> failure
(said? "vla-request: context_key must hold a non-empty string or integer: obj")
;=> #t
(bt.tick (bt.new-instance (bt (vla-request :instruction "grasp" :state_key q :acceptance_policy invocation_scoped))) '((q 0.1)))
;=> failure
(said? "vla-request: invocation_scoped acceptance requires :context_key")
;=> #t
; a changed context makes an invocation-scoped result stale; deadline_only ignores it
(define cc (bt.new-instance (bt (sel (vla-wait :name "a" :action_key cmd)
  (seq (cond bb-truthy go) (vla-request :name "a" :instruction "grasp" :state_key q :context_key obj :deadline_ms 500) (running))))))
(bt.tick cc '((q 0.1) (go #t) (obj "cup-1")))
;=> running
(time.sleep-ms 10)
(list (bt.tick cc '((go #f) (obj "cup-2"))) (bbget cc 'cmd))
;=> (success 0.81)
(define cs (bt.new-instance (bt (sel (vla-wait :name "a" :action_key cmd)
  (seq (cond bb-truthy go) (vla-request :name "a" :instruction "grasp" :state_key q :context_key obj :acceptance_policy invocation_scoped :deadline_ms 500) (running))))))
(bt.tick cs '((q 0.1) (go #t) (obj 7)))
;=> running
(time.sleep-ms 10)
(list (bt.tick cs '((go #f) (obj 8))) (bbget cs 'cmd))
;=> (failure absent)
(said? "vla-wait: rejected final action: context_changed")
;=> #t

; the wait's problems: no key, a key that holds no job id, a job id nobody issued
(bt.tick (bt.new-instance (bt (vla-wait :name "w"))))
;=> failure
(said? "vla-wait: missing job key: w.job_id")
;=> #t
(bt.tick (bt.new-instance (bt (vla-wait :job_key k))) '((k 2.0)))
;=> failure
(said? "vla-wait: job key does not hold a valid job id")
;=> #t
(bt.tick (bt.new-instance (bt (vla-wait :job_key k))) '((k 999)))
;=> failure
(said? "vla-wait: job status=error")
;=> #t
; a leaf can wait for a job vla.submit made (no invocation: no deadline check)
(define r (map.make))
(define sp (map.make))
(map.set! sp 'dims 1)
(map.set! r 'action_space sp)
(map.set! r 'instruction "go")
(define lisp-job (vla.submit r))
(time.sleep-ms 10)
(define w (bt.new-instance (bt (vla-wait :job_key k :action_key a))))
(list (bt.tick w (list (list 'k lisp-job))) (bbget w 'a) (bbget w 'k))
;=> (success 0.0 nil)

; the request's problems, each logged, each a failure
(define (req-fails inputs form)
  (bt.tick (bt.new-instance (bt.compile form)) inputs))
(req-fails '() '(vla-request :instruction "x"))
;=> failure
(said? "vla-request: missing state key: state")
;=> #t
(req-fails '((state "high")) '(vla-request :instruction "x"))
;=> failure
(said? "vla-request: invalid state: vla-request state: state must be int, float, or float vector")
;=> #t
(req-fails '((state 1)) '(vla-request))
;=> failure
(said? "vla-request: missing instruction key: instruction")
;=> #t
(req-fails '((state 1) (instruction 5)) '(vla-request))
;=> failure
(said? "vla-request: instruction must be string")
;=> #t
(req-fails '((state 1) (tk #t)) '(vla-request :instruction "x" :task_key tk))
;=> failure
(said? "vla-request: task_key must map to string or int")
;=> #t
(req-fails '((state 1)) '(vla-request :instruction "x" :bound_lo 1 :bound_hi 0))
;=> failure
(said? "vla-request: invalid bounds")
;=> #t
(req-fails '((state 1)) '(vla-request :instruction "x" :budget_ms 0))
;=> failure
(said? "vla-request: deadline_ms must be > 0")
;=> #t
(req-fails '((state 1)) '(vla-request :instruction "x" :forbidden_lo 0.5 :forbidden_hi 0.1))
;=> failure
(said? "vla-request: forbidden range must be ordered")
;=> #t
(req-fails '((state 1)) '(vla-request :instruction "x" :image_key cam))
;=> failure
(said? "vla-request: missing image key: cam")
;=> #t
(req-fails '((state 1) (cam 3)) '(vla-request :instruction "x" :image_key cam))
;=> failure
(said? "vla-request: image key does not hold image_handle")
;=> #t
(req-fails (list '(state 1) (list 'cam (image.make 2 2 1 "mono8" 0 "cam"))) '(vla-request :instruction "x" :image_key cam))
;=> running
(req-fails '((state 1)) '(vla-request :instruction "x" :bogus 1))
;=> failure
(said? "vla-request failed: vla-request: unknown option: :bogus")
;=> #t
(req-fails '((state 1)) '(vla-request :instruction "x" :deadline_ms 2.5))
;=> failure
(said? "vla-request failed: vla-request :deadline_ms: expected integer value")
;=> #t
(req-fails '((state 1)) '(vla-request :instruction "x" :seed -1))
;=> failure
(said? "vla-request failed: vla-request :seed: expected non-negative numeric/string/symbol")
;=> #t
(req-fails '((state 1)) '(vla-request :instruction "x" :acceptance_policy strict))
;=> failure
(said? "vla-request failed: vla-request :acceptance_policy: expected deadline_only or invocation_scoped")
;=> #t
(req-fails '() '(vla-wait :early_commit 1))
;=> failure
(said? "vla-wait failed: vla-wait :early_commit: expected boolean")
;=> #t
(req-fails '() '(vla-cancel :job_key 5))
;=> failure
(said? "vla-cancel failed: vla-cancel :job_key: expected symbol or string")
;=> #t
; a key holding any positive integer blocks a submit; 0, negatives and floats do not
(list (req-fails '((state 1) (j 99)) '(vla-request :instruction "x" :job_key j))
      (req-fails '((state 1) (j 0)) '(vla-request :instruction "x" :job_key j))
      (req-fails '((state 1) (j 2.0)) '(vla-request :instruction "x" :job_key j)))
;=> (running running running)
; vla.submit itself takes the image handle image.make gives (the reference page's request
; with an image); the stub does not look at it, so the job runs as without one
(define img-req (map.make))
(define img-obs (map.make))
(map.set! img-obs 'image (image.make 320 240 3 "rgb8" 1000 "cam0"))
(map.set! img-obs 'state (list 0.0))
(map.set! img-req 'instruction "track target")
(map.set! img-req 'observation img-obs)
(define img-space (map.make))
(map.set! img-space 'dims 1)
(map.set! img-req 'action_space img-space)
(define img-job (vla.submit img-req))
(time.sleep-ms 50)
(list (integer? img-job) (map.get (vla.poll img-job) 'status nil))
;=> (#t :done)
