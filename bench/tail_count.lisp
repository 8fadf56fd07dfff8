; tail-recursive count to one million with an accumulator
(define (count n acc) (if (= n 0) acc (count (- n 1) (+ acc 1))))
(count 1000000 0)
