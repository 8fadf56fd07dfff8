; Collector pauses on a large heap: 1,000,000 live list cells (plus 1,000 maps of 100 entries)
; stay reachable while 6,000,000 short-lived cells are allocated, so every automatic
; collection marks the whole live set. heap-stats prints the collection count and the total
; pause (ns); the pause per collection is their quotient. (Timings vary; no reference figure.)
(define (build n acc) (if (= n 0) acc (build (- n 1) (cons n acc))))
(begin (define big (build 1000000 nil)) (quote built))
(define (fill m i) (if (= i 100) m (begin (map.set! m i (* i 1.5)) (fill m (+ i 1)))))
(define (maps n acc) (if (= n 0) acc (maps (- n 1) (cons (fill (map.make) 0) acc))))
(begin (define ms (maps 1000 nil)) (quote built))
(define (churn n) (if (= n 0) 'done (begin (build 6 nil) (churn (- n 1)))))
(churn 1000000)
(heap-stats)
(car big)
