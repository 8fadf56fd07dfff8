(define m (map.make))
(map.set! m 'b 2)
;=> 2
(map.set! m 'a 1)
(map.set! m "a" 'str)
(map.set! m 1 'int)
(map.set! m 1.0 'float)
(map.set! m -0.0 'zero)
(map.get m 'a 0)
;=> 1
(map.get m "a" 0)
;=> str
(map.get m 1 0)
;=> int
(map.get m 1.0 0)
;=> float
(map.get m 0.0 0)
;=> zero
(map.get m 'missing 'dflt)
;=> dflt
(map.keys m)
;=> (b a "a" 1 1.0 0.0)
m
;=> <map:6>
(map.has? m 'a)
;=> #t
(map.del! m 'a)
;=> #t
(map.del! m 'a)
;=> #f
(map.has? m 'a)
;=> #f
(map.keys m)
;=> (b "a" 1 1.0 0.0)
(map.get m 'a)
;!! map.get: expected 3 arguments, got 2
(map.make 1)
;!! map.make: expected 0 arguments, got 1
(map.get 5 'a 0)
;!! map.get: expected map
(map.set! m (list 1) 2)
;!! map.set!: expected key as symbol, string, integer, or float
(map.set! m (/ 0 0) 2)
;!! map.set!: float keys must not be NaN
(map.has? m nil)
;!! map.has?: expected key as symbol, string, integer, or float
