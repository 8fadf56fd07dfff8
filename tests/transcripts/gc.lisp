(gc.policy)
;=> :default
(gc.set-policy! ':manual)
;=> :manual
(gc.set-policy! "between-ticks")
;=> :between-ticks
(gc.set-policy! 'default)
;=> :default
(gc.set-policy! 'bogus)
;!! gc.set-policy!: expected :default, :between-ticks, :manual, or :fail-on-tick-gc
(gc.set-policy! 1)
;!! gc.set-policy!: expected string or symbol
(heap-stats 1)
;!! heap-stats: expected 0 arguments, got 1
