; build a 100k list, reverse it, sum it
(define (build n acc) (if (= n 0) acc (build (- n 1) (cons n acc))))
(define (rev l acc) (if (null? l) acc (rev (cdr l) (cons (car l) acc))))
(define (sum l acc) (if (null? l) acc (sum (cdr l) (+ acc (car l)))))
(sum (rev (build 100000 nil) nil) 0)
