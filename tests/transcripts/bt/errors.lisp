; Every builtin's argument errors (bt.md 3.1, 5; the others are in the other transcripts).
(define d (bt (succeed)))
(define i (bt.new-instance d))
(bt.new-instance)
;!! bt.new-instance: expected 1 arguments, got 0
(bt.new-instance i)
;!! bt.new-instance: expected bt_def
(bt.new-instance 'd)
;!! bt.new-instance: expected bt_def
(bt.tick)
;!! bt.tick: expected 1 or 2 arguments
(bt.tick i nil nil)
;!! bt.tick: expected 1 or 2 arguments
(bt.tick d)
;!! bt.tick: expected bt_instance
(bt.tick 1)
;!! bt.tick: expected bt_instance
(bt.reset d)
;!! bt.reset: expected bt_instance
(bt.status->symbol 'success)
;=> success
(list (bt.status->symbol 'failure) (bt.status->symbol 'running) (eq? (bt.status->symbol 'running) 'running))
;=> (failure running #t)
(bt.status->symbol "success")
;!! bt.status->symbol: expected symbol
(bt.status->symbol ':success)
;!! bt.status->symbol: expected success/failure/running
(bt.status->symbol 'ok)
;!! bt.status->symbol: expected success/failure/running
(bt.status->symbol 1)
;!! bt.status->symbol: expected symbol
(bt.status->symbol)
;!! bt.status->symbol: expected 1 arguments, got 0
(bt.to-dsl i)
;!! bt.to-dsl: expected bt_def
(bt.to-dsl)
;!! bt.to-dsl: expected 1 arguments, got 0
(bt.to-dsl d)
;=> (succeed)
(bt.export-dot i "x.dot")
;!! bt.export-dot: expected bt_def
(bt.load-dsl)
;!! bt.load-dsl: expected 1 arguments, got 0
(bt.blackboard.dump)
;!! bt.blackboard.dump: expected 1 arguments, got 0
(bt.blackboard.put i 'k)
;!! bt.blackboard.put: expected 3 arguments, got 2
(bt.scheduler-stats)
;!! unbound symbol: bt.scheduler-stats
(bt.define-condition)
;!! bt.define-condition: expected 2 arguments, got 0
(bt.node-memory)
;!! bt.node-memory: expected 1 arguments, got 0
(bt.node-memory d)
;!! bt.node-memory: expected bt_instance
