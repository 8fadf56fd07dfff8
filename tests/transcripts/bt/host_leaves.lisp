; plan-action and the VLA leaves: only their options' count is checked when compiling; they
; are stored, printed, saved, loaded and exported like every node (their ticking belongs to
; the planner and VLA features).
(define d (bt (sel (vla-wait :name p :action_key act :meta_key meta)
                   (seq (vla-request :name p :instruction "go right" :deadline_ms 500) (running))
                   (plan-action :state_key s :iters_max 10 "budget_ms" 3)
                   (vla-cancel))))
(bt.to-dsl d)
;=> (sel (vla-wait :name p :action_key act :meta_key meta) (seq (vla-request :name p :instruction "go right" :deadline_ms 500) (running)) (plan-action :state_key s :iters_max 10 "budget_ms" 3) (vla-cancel))
(bt.save d "host.mbt")
;=> #t
(bt.to-dsl (bt.load "host.mbt"))
;=> (sel (vla-wait :name p :action_key act :meta_key meta) (seq (vla-request :name p :instruction "go right" :deadline_ms 500) (running)) (plan-action :state_key s :iters_max 10 "budget_ms" 3) (vla-cancel))
(bt.save-dsl d "host.lisp")
;=> #t
(bt.to-dsl (bt.load-dsl "host.lisp"))
;=> (sel (vla-wait :name p :action_key act :meta_key meta) (seq (vla-request :name p :instruction "go right" :deadline_ms 500) (running)) (plan-action :state_key s :iters_max 10 "budget_ms" 3) (vla-cancel))
(bt.export-dot d "host.dot")
;=> #t
;text> host.dot digraph bt {\n  rankdir=TB;\n  node [shape=box, fontname="Helvetica"];\n  edge [fontname="Helvetica"];\n  n0 [label="id=0\\n[vla-wait]"];\n  n1 [label="id=1\\n[vla-request]"];\n  n2 [label="id=2\\n[running]"];\n  n3 [label="id=3\\n[seq]"];\n  n4 [label="id=4\\n[plan-action]"];\n  n5 [label="id=5\\n[vla-cancel]"];\n  n6 [label="id=6\\n[sel]", style="bold"];\n  n3 -> n1;\n  n3 -> n2;\n  n6 -> n0;\n  n6 -> n3;\n  n6 -> n4;\n  n6 -> n5;\n}\n
; the bt_def record spells their kinds with underscores
(bt.new-instance d)
;=> <bt_instance:1>
(define nodes (map.get (map.get (json.decode (car (events.dump 1))) "data" nil) "nodes" nil))
(map (lambda (n) (map.get n "kind" nil)) nodes)
;!! unbound symbol: map
(define (kinds ns) (if (null? ns) nil (cons (map.get (car ns) "kind" nil) (kinds (cdr ns)))))
(kinds nodes)
;=> ("vla_wait" "vla_request" "running" "seq" "plan_action" "vla_cancel" "sel")
(define (names ns) (if (null? ns) nil (cons (map.get (car ns) "name" nil) (names (cdr ns)))))
(names nodes)
;=> ("node-0" "node-1" "node-2" "node-3" "node-4" "node-5" "node-6")
