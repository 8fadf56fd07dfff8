; Error positions: an unbound symbol is located at the symbol itself; an error raised by a
; builtin or special form at that call's '('; never at a sibling form that already finished.
; Positions count from the first line of each chunk (each chunk is loaded on its own,
; comment lines included).
(vec.get (vec.make) 99999999999999999999)
;!! line 5, column 21: unbound symbol: 99999999999999999999
(list (car '(1))
foo)
;!! line 2, column 1: unbound symbol: foo
(+ 1 foo)
;!! line 1, column 6: unbound symbol: foo
(  nosuch 1)
;!! line 1, column 4: unbound symbol: nosuch
(
  nosuch)
;!! line 2, column 3: unbound symbol: nosuch
:done
;!! line 1, column 1: unbound symbol: :done (keywords are symbols: write ':done)
(list 1 2
      (car 3))
;!! line 2, column 7: car: expected cons
(list (list 1 (car '(1)))
      (list 2 (vec.get (vec.make) 0)))
;!! line 2, column 15: vec.get: index out of range
(begin (car '(1)) nope)
;!! line 1, column 19: unbound symbol: nope
(if (car '(1)) (vec.get (vec.make) 0))
;!! line 1, column 16: vec.get: index out of range
(if (car '(1)) missing 2)
;!! line 1, column 16: unbound symbol: missing
(if (cdr '(1)) 1 missing)
;!! line 1, column 18: unbound symbol: missing
(define x1 (car '(1)))
(define y1
  (car 2))
;!! line 3, column 3: car: expected cons
(define z1 (+ 0 0))
(define w1 z2)
;!! line 2, column 12: unbound symbol: z2
(let ((a (car '(1)))
      (b zz))
  a)
;!! line 2, column 10: unbound symbol: zz
(and (car '(1)) zz)
;!! line 1, column 17: unbound symbol: zz
(or (cdr '(1)) (car 7))
;!! line 1, column 16: car: expected cons
; cond: the else-last check runs after a test already returned: it points at the cond
(cond ((cdr '(1)) 2) (else 1) (#t 3))
;!! line 2, column 1: cond: else clause must be last
(cond ((cdr '(1)) 1)
      (undefined-test 2))
;!! line 2, column 8: unbound symbol: undefined-test
; quasiquote: a splice of a non-list points at the quasiquote form, not the finished (+ 1 2)
(list 1 `(a ,(car '(1)) ,@(+ 1 2)))
;!! line 2, column 9: unquote-splicing: expected list value
`(a ,undefined-u)
;!! line 1, column 6: unbound symbol: undefined-u
; inside closures called from elsewhere: the position is where the failing form is written
(define (inner v)
  (+ 1
     (vec.get v 5)))
(define (outer)
  (list (vec.make)
        (inner (vec.make))))
(outer)
;!! line 4, column 6: vec.get: index out of range
(define (uses-free) (* 2 free-var))
(list (uses-free))
;!! line 1, column 26: unbound symbol: free-var
(define (adder n) (lambda (k) (+ n k (car k))))
(define add2 (adder 2))
(list 0)
(add2 3)
;!! line 1, column 38: car: expected cons
(define (two-args a b) a)
(list 1
  (two-args 1))
;!! line 3, column 3: closure call: expected 2 arguments, got 1
(list 1 (5 6))
;!! line 1, column 9: attempt to call non-function value
((car '(1)) 2)
;!! line 1, column 1: attempt to call non-function value
(lambda)
;!! line 1, column 1: lambda: expected at least 2 arguments, got 0
(list 1 (let ((x)) x))
;!! line 1, column 9: let: each binding must contain exactly name and expression
(define (deep-err n) (if (= n 0) (car n) (+ 1 (deep-err (- n 1)))))
(list 0 (deep-err 50))
;!! line 1, column 34: car: expected cons
