; Behaviour-tree tick loop with Lisp callbacks: a 4-ary sequence/fallback tree of depth 3
; whose 64 leaves are Lisp conditions and actions (bt.define-condition/-action) reading and
; writing a counter map; 8,000 ticks, event log off. Every tick calls back into Lisp for each
; leaf (flow builtins resuming the tree).
(events.enable false)
(define st (map.make))
(map.set! st 'ticks 0)
(bt.define-condition 'ok? (lambda (inst) (>= (map.get st 'ticks 0) 0)))
(bt.define-action 'bump (lambda (inst) (map.set! st 'ticks (+ (map.get st 'ticks 0) 1)) 'success))
(define leaves (list '(cond ok?) '(act bump) '(cond ok?) '(act bump)))
(define (node depth)
  (if (= depth 1) (cons 'seq leaves)
      (list 'seq (node (- depth 1)) (node (- depth 1)) (node (- depth 1)) (node (- depth 1)))))
(define inst (bt.new-instance (bt.compile (node 3))))
(define (loop n last) (if (= n 0) last (loop (- n 1) (bt.tick inst))))
(list (loop 8000 nil) (map.get st 'ticks 0))
