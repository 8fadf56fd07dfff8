; Math and comparison (reference section 4.2)
(+)
;=> 0
(+ 1 2 3)
;=> 6
(+ 1 2.0)
;=> 3.0
(+ 9223372036854775807 1)
;!! +: integer overflow
(+ 1 'a)
;!! +: expected number
(- 5)
;=> -5
(- 0.0)
;=> -0.0
(- 10 1 2)
;=> 7
(-)
;!! -: expected at least 1 arguments, got 0
(- -9223372036854775807 2)
;!! -: integer overflow
(- (- -9223372036854775807 1))
;!! -: integer overflow
(*)
;=> 1
(* 2 3 4)
;=> 24
(* 2 1.5)
;=> 3.0
(* 9223372036854775807 2)
;!! *: integer overflow
(/ 6 3)
;=> 2.0
(/ 2)
;=> 0.5
(/ 1 0)
;=> inf
(/ 0)
;=> inf
(/)
;!! /: expected at least 1 arguments, got 0
(/ 1 "x")
;!! /: expected number
(= 1 1 1)
;=> #t
(= 1 1.0)
;=> #t
(< 1 2 3)
;=> #t
(< 1 3 2)
;=> #f
(< 2 1 'a)
;=> #f
(< 1 2 'a)
;!! <: expected number
(> 3 2 1)
;=> #t
(<= 1 1 2)
;=> #t
(>= 2 2 3)
;=> #f
(= 1)
;!! =: expected at least 2 arguments, got 1
(< (/ 0 0) 1)
;=> #f
(sqrt 16)
;=> 4.0
(sqrt -1)
;!! sqrt: expected x >= 0
(sqrt (/ 0 0))
;=> nan
(sqrt 'a)
;!! sqrt: expected number
(log 1)
;=> 0.0
(log 0)
;!! log: expected x > 0
(exp 0)
;=> 1.0
(exp 1000)
;=> inf
(atan2 1 1)
;=> 0.785398163397448
(atan2 1)
;!! atan2: expected 2 arguments, got 1
(abs -5)
;=> 5
(abs -2.5)
;=> 2.5
(abs -0.0)
;=> 0.0
(abs (- -9223372036854775807 1))
;!! abs: integer overflow
(abs "x")
;!! abs: expected number
(clamp 5 0 3)
;=> 3
(clamp -1 0 3)
;=> 0
(clamp 1.5 0 3)
;=> 1.5
(clamp 5 0.0 3)
;=> 3.0
(clamp 1 3 0)
;!! clamp: expected lo <= hi
