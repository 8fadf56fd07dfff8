; 10k map.set! then map.get
(define m (map.make))
(define (fill i n) (if (= i n) m (begin (map.set! m i (* i 2)) (fill (+ i 1) n))))
(define (total i n acc) (if (= i n) acc (total (+ i 1) n (+ acc (map.get m i 0)))))
(fill 0 10000)
(total 0 10000 0)
