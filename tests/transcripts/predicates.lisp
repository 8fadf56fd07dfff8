(number? 1)
;=> #t
(number? 1.5)
;=> #t
(number? "1")
;=> #f
(integer? 1)
;=> #t
(integer? 1.0)
;=> #f
(int? 1.0)
;=> #f
(int? 3)
;=> #t
(float? 1.0)
;=> #t
(float? 1)
;=> #f
(zero? 0)
;=> #t
(zero? -0.0)
;=> #t
(zero? 'a)
;=> #f
(zero? 1)
;=> #f
(zero?)
;!! zero?: expected 1 arguments, got 0
