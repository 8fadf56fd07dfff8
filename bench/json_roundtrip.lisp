; JSON encode/decode of nested data: a list of 200 records (maps with strings, floats,
; integers, a nested map and a list), encoded to text and decoded back 150 times; the decoded
; records are walked to sum a field.
(define (record i)
  (let ((m (map.make)) (pos (map.make)))
    (map.set! pos "x" (* i 0.5))
    (map.set! pos "y" (- 0.0 i))
    (map.set! m "id" i)
    (map.set! m "name" "robot")
    (map.set! m "pose" pos)
    (map.set! m "tags" (list "a" "b" i (* i 1.25)))
    (map.set! m "ok" (= 0 (- i i)))
    m))
(define (build i acc) (if (= i 0) acc (build (- i 1) (cons (record i) acc))))
(define data (build 200 nil))
(define (sum-x items acc) (if (null? items) acc (sum-x (cdr items) (+ acc (map.get (map.get (car items) "pose" nil) "x" 0.0)))))
(define (round n text)
  (if (= n 0) text
      (let ((t (json.encode data)))
        (let ((back (json.decode t)))
          (round (- n 1) (list (sum-x back 0.0) (json.encode (car back))))))))
(round 150 nil)
