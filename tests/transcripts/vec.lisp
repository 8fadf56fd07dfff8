(define v (vec.make))
(vec.len v)
;=> 0
(vec.push! v 'a)
;=> 0
(vec.push! v 'b)
;=> 1
(vec.get v 1)
;=> b
(vec.set! v 0 'z)
;=> z
(vec.get v 0)
;=> z
v
;=> <vec:2>
(vec.get v 2)
;!! vec.get: index out of range
(vec.get v -1)
;!! vec.get: index out of range
(vec.get v 1.0)
;!! vec.get: expected integer index
(vec.set! v 2 'c)
;!! vec.set!: index out of range
(vec.pop! v)
;=> b
(vec.clear! v)
;=> nil
(vec.pop! v)
;!! vec.pop!: vector is empty
(vec.reserve! v 100)
;=> nil
(vec.make 10)
;=> <vec:0>
(vec.make 1 2)
;!! vec.make: expected 0 or 1 arguments
(vec.make 'a)
;!! vec.make: expected integer capacity
(vec.make -1)
;!! vec.make: expected non-negative capacity
(vec.reserve! v -1)
;!! vec.reserve!: expected non-negative capacity
(vec.len 5)
;!! vec.len: expected vec
(vec.push! (map.make) 1)
;!! vec.push!: expected vec
