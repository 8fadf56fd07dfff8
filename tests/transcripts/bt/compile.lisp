; bt.md 2: the DSL entry points and every compile error, in order.
(bt q)
;!! bt: BT form must be a list
(bt ())
;!! bt: BT form must be a list
(bt 5)
;!! bt: BT form must be a list
(bt ("seq" (succeed)))
;!! bt: BT form head must be a symbol
(bt ((seq) (succeed)))
;!! bt: BT form head must be a symbol
(bt 'x)
;!! bt: unknown BT form: quote
(bt (Seq (succeed)))
;!! bt: unknown BT form: Seq
(bt)
;!! bt: expected 1 arguments, got 0
(bt (succeed) (fail))
;!! bt: expected 1 arguments, got 2
(defbt x)
;!! defbt: expected 2 arguments, got 1
(defbt "x" (succeed))
;!! defbt: first argument must be a symbol
(bt.compile)
;!! bt.compile: expected 1 arguments, got 0
; composites need a child
(bt (seq))
;!! bt: seq: expects at least one child
(bt (sel))
;!! bt: sel: expects at least one child
(bt (mem-seq))
;!! bt: mem-seq: expects at least one child
(bt (mem-sel))
;!! bt: mem-sel: expects at least one child
(bt (async-seq))
;!! bt: async-seq: expects at least one child
(bt (reactive-seq))
;!! bt: reactive-seq: expects at least one child
(bt (reactive-sel))
;!! bt: reactive-sel: expects at least one child
; decorators
(bt (invert))
;!! bt: invert: expected 1 arguments, got 0
(bt (invert (succeed) (fail)))
;!! bt: invert: expected 1 arguments, got 2
(bt (repeat (succeed)))
;!! bt: repeat: expected 2 arguments, got 1
(bt (retry 1 2 (succeed)))
;!! bt: retry: expected 2 arguments, got 3
(bt (repeat 1.0 (succeed)))
;!! bt: repeat: repeat/retry count must be integer
(bt (retry x (succeed)))
;!! bt: retry: repeat/retry count must be integer
(bt (repeat -1 (succeed)))
;!! bt: repeat: count must be non-negative
(bt (retry -3 (foo)))
;!! bt: retry: count must be non-negative
(bt (repeat 0 (foo)))
;!! bt: unknown BT form: foo
(bt (slot s (succeed)))
;!! bt: slot: expects name, option key/value pairs, and one child
(bt (slot s :k (succeed)))
;!! bt: slot: expected option key/value pairs before child
(bt (slot 5 :k v (succeed)))
;!! bt: slot: name must be symbol or string
(bt (slot s :k (1 2) (succeed)))
;!! bt: leaf args must be literals or symbols
(bt (slot s :k v (foo)))
;!! bt: unknown BT form: foo
(bt (slot "named by a string" :contract "c.v1" (succeed)))
;=> <bt_def:1>
; leaves
(bt (cond))
;!! bt: cond: expects at least a leaf name
(bt (act))
;!! bt: act: expects at least a leaf name
(bt (cond 5))
;!! bt: cond: leaf name must be symbol or string
(bt (act (f)))
;!! bt: act: leaf name must be symbol or string
(bt (act f (1 2)))
;!! bt: leaf args must be literals or symbols
(bt.compile (list 'act 'f (map.make)))
;!! bt.compile: leaf args must be literals or symbols
(bt.compile (list 'act 'f (lambda () 1)))
;!! bt.compile: leaf args must be literals or symbols
(bt (act nosuch-callback 1 2.5 "s" sym #t #f nil))
;=> <bt_def:2>
(bt (cond ""))
;=> <bt_def:3>
(bt (succeed 1))
;!! bt: succeed: expected 0 arguments, got 1
(bt (fail x y))
;!! bt: fail: expected 0 arguments, got 2
(bt (running 0))
;!! bt: running: expected 0 arguments, got 1
; host leaves: options are only counted here
(bt (vla-request :name))
;!! bt: vla-request: expected key/value pairs
(bt.compile '(vla-wait :name p :x))
;!! bt.compile: vla-wait: expected key/value pairs
(bt (plan-action :bogus 1 :budget_ms "x"))
;=> <bt_def:4>
(bt (vla-cancel))
;=> <bt_def:5>
(bt (vla-wait :name "w" :job_key (1)))
;!! bt: leaf args must be literals or symbols
; the first error met, depth first, left to right
(bt (seq (fail) (repeat -1 (succeed)) (foo)))
;!! bt: repeat: count must be non-negative
(bt (sel (seq (succeed) (act a (x))) (invert)))
;!! bt: leaf args must be literals or symbols
(bt.compile '(seq (succeed) (bar)))
;!! bt.compile: unknown BT form: bar
; improper lists built with cons
(bt.compile (cons 'seq 'x))
;!! expected proper list
(bt.compile (list 'seq (cons 'succeed 1)))
;!! expected proper list
; DSL heads are not Lisp bindings
(seq (succeed))
;!! unbound symbol: seq
; bt.compile only differs in identity metadata: infinite floats cannot be written
(bt (act f (/ 1.0 0.0)))
;!! bt: leaf args must be literals or symbols
(bt.compile (list 'act 'f (/ 1.0 0.0)))
;!! write: non-finite floats are not readable
(bt.compile (list 'act 'f 1.5))
;=> <bt_def:6>
; defbt binds in the current environment, also locally
(define (local-tree)
  (defbt inner (succeed))
  inner)
(local-tree)
;=> <bt_def:7>
inner
;!! unbound symbol: inner
(defbt outer (invert (fail)))
;=> <bt_def:8>
outer
;=> <bt_def:8>
(let ((x 1)) (defbt in-let (succeed)) in-let)
;=> <bt_def:9>
; a bt form in a function body compiles afresh on every call
(define (mk) (bt (running)))
(list (mk) (mk))
;=> (<bt_def:10> <bt_def:11>)
; unknown callback names are not compile errors: the leaf fails at tick time
(define i (bt.new-instance (bt (seq (act always-true)))))
(bt.tick i)
;=> failure
