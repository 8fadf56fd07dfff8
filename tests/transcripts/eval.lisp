; Scoping, tail calls, depth, late binding
(define (count n acc) (if (= n 0) acc (count (- n 1) (+ acc 1))))
(count 100000 0)
;=> 100000
(define (even? n) (if (= n 0) #t (odd? (- n 1))))
(define (odd? n) (if (= n 0) #f (even? (- n 1))))
(even? 100001)
;=> #f
(define (deep n) (if (= n 0) 0 (+ 1 (deep (- n 1)))))
(deep 9000)
;=> 9000
(deep 20000)
;=> 20000
(deep 200000)
;!! maximum recursion depth exceeded (100000 frames)
(define (sum n) (if (= n 0) 0 (+ n (sum (- n 1)))))
(sum 10000)
;=> 50005000
(deep 10)
;=> 10
(define (cond-loop n) (cond ((= n 0) 'done) (else (cond-loop (- n 1)))))
(cond-loop 50000)
;=> done
(define (and-loop n) (and #t (if (= n 0) 'ok (and-loop (- n 1)))))
(and-loop 50000)
;=> ok
(define (let-loop n) (let ((m (- n 1))) (if (< m 0) 'fin (let-loop m))))
(let-loop 50000)
;=> fin
(define (g) (h))
(define (h) 1)
(g)
;=> 1
(define (h) 2)
(g)
;=> 2
(define (make-counter)
  (let ((v (vec.make)))
    (vec.push! v 0)
    (lambda () (vec.set! v 0 (+ 1 (vec.get v 0))))))
(define c (make-counter))
(c)
(c)
;=> 2
(define x 1)
(define (shadow) (define x 2) x)
(shadow)
;=> 2
x
;=> 1
(define (err-in-middle) (car 1))
(begin 1 (err-in-middle) 3)
;!! line 1, column 25: car: expected cons
