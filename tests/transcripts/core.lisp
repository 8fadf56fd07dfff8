; Core list/pair builtins, eq?, hash64
(cons 1 '(2))
;=> (1 2)
(car '(1 2))
;=> 1
(cdr '(1 2))
;=> (2)
(cdr '(1))
;=> nil
(car nil)
;!! car: expected cons
(cdr 5)
;!! cdr: expected cons
(cons 1)
;!! cons: expected 2 arguments, got 1
(list)
;=> nil
(list 1 2 3)
;=> (1 2 3)
(null? nil)
;=> #t
(null? '())
;=> #t
(null? #f)
;=> #f
(null? 0)
;=> #f
(eq? 1 1.0)
;=> #t
(eq? "a" "a")
;=> #f
(eq? 'a 'a)
;=> #t
(eq? (list 1) (list 1))
;=> #f
(eq? '() nil)
;=> #t
(eq? #t #t)
;=> #t
(eq? car car)
;=> #t
(eq? 1 2)
;=> #f
(eq? 1)
;!! eq?: expected 2 arguments, got 1
(hash64 "abc")
;=> 7018861466891099901
(hash64 'abc)
;=> 7018861466891099901
(hash64 "")
;=> 1469598103934665603
(hash64 1)
;!! hash64: expected string or symbol
(5 1)
;!! attempt to call non-function value
("f")
;!! attempt to call non-function value
undefined-thing
;!! unbound symbol: undefined-thing
:done
;!! unbound symbol: :done (keywords are symbols: write ':done)
(eq? ':done ':done)
;=> #t
