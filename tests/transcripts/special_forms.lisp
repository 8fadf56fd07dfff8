; The 13 core special forms (reference section 3.4)
(quote a)
;=> a
(quote)
;!! quote: expected 1 arguments, got 0
(quote a b)
;!! quote: expected 1 arguments, got 2
(if #t 1 2)
;=> 1
(if #f 1)
;=> nil
(if nil 1 2)
;=> 2
(if 0 'yes 'no)
;=> yes
(if "" 'yes 'no)
;=> yes
(if 1)
;!! if: expected 2 or 3 arguments
(if 1 2 3 4)
;!! if: expected 2 or 3 arguments
(define x 10)
;=> 10
(define (sq n) (* n n))
;=> <closure>
(sq 4)
;=> 16
(define)
;!! define: expected at least 2 arguments, got 0
(define y)
;!! define: expected at least 2 arguments, got 1
(define y 1 2)
;!! define: expected 2 arguments, got 3
(define (1 x) x)
;!! define: function name must be a symbol
(define (f 1) x)
;!! lambda: parameters must be symbols
(define () 1)
;!! define: first argument must be symbol or function signature
(define 1 2)
;!! define: first argument must be symbol or function signature
(define (f . x) x)
(f 1 2)
;=> 2
((lambda (a b) (+ a b)) 1 2)
;=> 3
(lambda (x))
;!! lambda: expected at least 2 arguments, got 1
(lambda args 1)
;!! lambda: parameter list must be a proper list
(lambda (a 1) 1)
;!! lambda: parameters must be symbols
((lambda (a) a))
;!! closure call: expected 1 arguments, got 0
((lambda (a a) a) 1 2)
;=> 2
(begin)
;=> nil
(begin 1 2 3)
;=> 3
(begin (define inner 5) inner)
;=> 5
(let ((x 1) (y 2)) (+ x y))
;=> 3
(let ((x 1) (y x)) y)
;=> 10
(let () 7)
;=> 7
(let ((x 1)))
;!! let: expected at least 2 arguments, got 1
(let x 1)
;!! let: expected binding list
(let (x) 1)
;!! let: each binding must be a (name expr) pair
(let ((x)) 1)
;!! let: each binding must contain exactly name and expression
(let ((x 1 2)) 1)
;!! let: each binding must contain exactly name and expression
(let ((1 2)) 1)
;!! let: binding name must be a symbol
(let ((z 1)) (define w 2) (+ z w))
;=> 3
(cond ((= 1 2) 'a) ((= 1 1) 'b) (else 'c))
;=> b
(cond (1))
;=> 1
(cond (else))
;=> nil
(cond (#f 1))
;=> nil
(cond)
;=> nil
(cond (else 1) (#t 2))
;!! cond: else clause must be last
(cond ())
;!! cond: clause cannot be empty
(cond 1)
;!! cond: each clause must be a proper list
(and)
;=> #t
(and 1 2 3)
;=> 3
(and 1 #f 3)
;=> #f
(and 1 nil 3)
;=> nil
(or)
;=> nil
(or #f 2)
;=> 2
(or #f #f)
;=> nil
((lambda () (or #f #f)))
;=> #f
(define (tail-or) (or nil #f))
(tail-or)
;=> #f
(define if 5)
;=> 5
if
;=> 5
(if #t 1 2)
;=> 1
(unquote x)
;!! unquote: only valid inside quasiquote
(unquote-splicing x)
;!! unquote-splicing: only valid inside quasiquote list context
(load 1)
;!! load: expected file path string
(load)
;!! load: expected 1 arguments, got 0
(load "nope.lisp")
;!! load: nope.lisp: files cannot be loaded here (this host has no file system)
(define car 7)
car
;=> 7
