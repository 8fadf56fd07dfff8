; Behaviour-tree ticking: a 341-node tree (4-ary, depth 4: 85 seq nodes over 256 leaves
; alternating (cond always-true) and (act always-success)), ticked 2,000 times with the event
; log on (8192-record ring). Every tick visits all 341 nodes: 682,000 node visits, about
; 2 million event records. The reference takes about 6 s for this kind of run.
(define leaves (list '(cond always-true) '(act always-success) '(cond always-true) '(act always-success)))
(define (node depth)
  (if (= depth 1)
      (cons 'seq leaves)
      (list 'seq (node (- depth 1)) (node (- depth 1)) (node (- depth 1)) (node (- depth 1)))))
(define tree (bt.compile (node 4)))
(define inst (bt.new-instance tree))
(define (loop n last) (if (= n 0) last (loop (- n 1) (bt.tick inst))))
(loop 1999 nil)
(list (bt.tick inst) (map.get (json.decode (car (events.dump 1))) "seq" nil))
