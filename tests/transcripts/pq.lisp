(define q (pq.make))
q
;=> <pq:0>
(pq.empty? q)
;=> #t
(pq.push! q 2 'b)
;=> 1
(pq.push! q 1 'a)
;=> 2
(pq.push! q 1 'c)
;=> 3
(list (pq.pop! q) (pq.pop! q) (pq.peek q))
;=> ((1.0 a) (1.0 c) (2.0 b))
(pq.len q)
;=> 1
(pq.pop! q)
;=> (2.0 b)
(pq.pop! q)
;!! pq.pop!: priority queue is empty
(pq.peek q)
;!! pq.peek: priority queue is empty
(pq.push! q 'x 1)
;!! pq.push!: expected numeric priority
(pq.push! q (/ 1 0) 1)
;!! pq.push!: priority must be finite
(pq.make 1 2)
;!! pq.make: expected 0 or 1 arguments
(pq.len 5)
;!! pq.len: expected pq
