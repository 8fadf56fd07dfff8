(rng.uniform (rng.make 42) 0 1)
;=> 0.741564878771823
(rng.int (rng.make 42) 10)
;=> 3
(rng.normal (rng.make 42) 0 1)
;=> 0.414719750431531
(define r (rng.make 42))
(rng.normal r 0 1)
;=> 0.414719750431531
(rng.normal r 0 1)
;=> 0.652681222151943
(rng.uniform r 5 5)
;=> 5.0
(rng.normal r 3 0)
;=> 3.0
(rng.uniform r 2 1)
;!! rng.uniform: expected lo <= hi
(rng.int r 0)
;!! rng.int: expected n > 0
(rng.normal r 0 -1)
;!! rng.normal: expected sigma >= 0
(rng.make 1.5)
;!! rng.make: expected integer
(rng.int 5 3)
;!! rng.int: expected rng
(rng.make -1)
;=> <rng>
