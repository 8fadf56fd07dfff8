; 100k vec.push! then read every element back
(define v (vec.make))
(define (fill i n) (if (= i n) v (begin (vec.push! v i) (fill (+ i 1) n))))
(define (total i n acc) (if (= i n) acc (total (+ i 1) n (+ acc (vec.get v i)))))
(fill 0 100000)
(total 0 100000 0)
