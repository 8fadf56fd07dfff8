; Printed forms (reference section 2)
1.0
;=> 1.0
0.1
;=> 0.1
(+ 0.1 0.2)
;=> 0.3
(/ 1 3)
;=> 0.333333333333333
(sqrt 2)
;=> 1.4142135623731
-0.0
;=> -0.0
1e14
;=> 100000000000000.0
1e15
;=> 1e+15
1e20
;=> 1e+20
1.5e-7
;=> 1.5e-07
0.0001
;=> 0.0001
0.00001
;=> 1e-05
1234567890123456.0
;=> 1.23456789012346e+15
(/ 0 0)
;=> nan
(/ -1 0)
;=> -inf
#t
;=> #t
#f
;=> #f
nil
;=> nil
-42
;=> -42
car
;=> <primitive:car>
int?
;=> <primitive:int?>
(lambda (x) x)
;=> <closure>
(vec.make)
;=> <vec:0>
(map.make)
;=> <map:0>
(pq.make)
;=> <pq:0>
(rng.make 1)
;=> <rng>
(cons 1 2)
;=> (1 . 2)
(cons 1 (cons 2 3))
;=> (1 2 . 3)
(list 1 (list 2 (list 3)) "s")
;=> (1 (2 (3)) "s")
(list "tab\there" "cr\r")
;=> ("tab\there" "cr\r")
true
;=> #t
false
;=> #f
