; bt.md 4: the blackboard. Keys are symbols or strings ('a and "a" are one key); entries carry
; type, tick, job time (ns), writer node and writer name; the dump order is the reference's
; hash-table order.
(define i (bt.new-instance (bt (seq (act bb-put-int n 5) (act bb-put-float x 2) (act bb-put-float y 0.1) (act bb-put-int "s p" -3)))))
(bt.tick i)
;=> success
(bt.blackboard.dump i)
;=> "y=0.1 type=float64 tick=1 ts_ns=0 writer_node=2 writer_name=bb-put-float\nx=2 type=float64 tick=1 ts_ns=0 writer_node=1 writer_name=bb-put-float\ns p=-3 type=int64 tick=1 ts_ns=0 writer_node=3 writer_name=bb-put-int\nn=5 type=int64 tick=1 ts_ns=0 writer_node=0 writer_name=bb-put-int\n"
(bt.tick i '((x 1e20) (z 123456789.123) (w (0.1 1e-7 100000000)) (d sym) (g nil)))
;=> success
(list (bt.blackboard.get i 'x) (bt.blackboard.get i 'w) (bt.blackboard.get i "d") (bt.blackboard.get i 'g 42) (bt.blackboard.get i 'zz 42))
;=> (2.0 (0.1 1e-07 100000000.0) "sym" nil 42)
(bt.blackboard.get i 'z)
;=> 123456789.123
; inputs are stamped with the tick about to run, writer 0 `bt.tick`
(define j (bt.new-instance (bt (succeed))))
(bt.tick j '((a 1) ("a" 2) (b #t) (c "text") (e (1 2 3)) (f -0.0) (h 0.000012345) (k :x)))
;=> success
(bt.blackboard.dump j)
;=> "f=-0 type=float64 tick=1 ts_ns=0 writer_node=0 writer_name=bt.tick\ne=[1,2,3] type=float64[] tick=1 ts_ns=0 writer_node=0 writer_name=bt.tick\nc=text type=string tick=1 ts_ns=0 writer_node=0 writer_name=bt.tick\nk=:x type=string tick=1 ts_ns=0 writer_node=0 writer_name=bt.tick\nh=1.2345e-05 type=float64 tick=1 ts_ns=0 writer_node=0 writer_name=bt.tick\nb=#t type=bool tick=1 ts_ns=0 writer_node=0 writer_name=bt.tick\na=2 type=int64 tick=1 ts_ns=0 writer_node=0 writer_name=bt.tick\n"
(bt.blackboard.get j 'a)
;=> 2
(bt.blackboard.get j 'k)
;=> ":x"
(bt.blackboard.get j 'e)
;=> (1.0 2.0 3.0)
; later duplicates win; a bad entry raises after the earlier entries were written, and no
; tick happens
(bt.tick j '((p 1) (q (1 x))))
;!! bt.tick: bt.tick: list values for blackboard must be numeric
(bt.blackboard.get j 'p)
;=> 1
(bt.stats j)
;=> "tick_count=1\ntick_overrun_count=0\ntick_last_ns=0\ntick_max_ns=0\ntick_total_ns=0\nnode 0 (node-0) success=1 failure=0 running=0 last_ns=0 max_ns=0\n"
(bt.tick j 5)
;!! bt.tick: bt.tick: expected list of key/value pairs
(bt.tick j '(a))
;!! bt.tick: bt.tick: each entry must be a 2-item list
(bt.tick j '((a)))
;!! bt.tick: bt.tick: each entry must contain exactly key and value
(bt.tick j '((a 1 2)))
;!! bt.tick: bt.tick: each entry must contain exactly key and value
(bt.tick j '((1 2)))
;!! bt.tick: bt.tick: expected key as symbol or string
(bt.tick j (list (list 'm (map.make))))
;!! bt.tick: bt.tick: unsupported blackboard value type
(bt.tick j (list (list 'c (lambda () 1))))
;!! bt.tick: bt.tick: unsupported blackboard value type
(bt.tick j (list (list 'h j)))
;!! bt.tick: bt.tick: unsupported blackboard value type
(bt.tick j (list (list 'v (cons 1 2))))
;!! bt.tick: bt.tick: unsupported blackboard value type
(bt.tick j (cons (list 'a 1) 2))
;!! bt.tick: bt.tick: expected list of key/value pairs
(bt.tick j nil)
;=> success
; a key holding nil returns nil, not the default; a missing key returns the default
(bt.tick j '((gone nil)))
;=> success
(list (bt.blackboard.get j 'gone 7) (bt.blackboard.get j 'never 7) (bt.blackboard.get j 'never))
;=> (nil 7 nil)
(bt.blackboard.get j 5)
;!! bt.blackboard.get: expected key as symbol or string
(bt.blackboard.get 5 'a)
;!! bt.blackboard.get: expected bt_instance
(bt.blackboard.get j)
;!! bt.blackboard.get: expected 2 or 3 arguments
(bt.blackboard.dump 5)
;!! bt.blackboard.dump: expected bt_instance
; an empty blackboard dumps as ""
(bt.blackboard.dump (bt.new-instance (bt (succeed))))
;=> ""
; special floats in dumps: six significant digits, C++ spellings
(define s (bt.new-instance (bt (succeed))))
(bt.tick s (list (list 'nan (/ 0.0 0.0)) (list 'big 1e20) (list 'neg -0.0) (list 'small 0.000012345) (list 'vec (list 0.1 1e-7 100000000))))
;=> success
(bt.blackboard.dump s)
;=> "vec=[0.1,1e-07,1e+08] type=float64[] tick=1 ts_ns=0 writer_node=0 writer_name=bt.tick\nsmall=1.2345e-05 type=float64 tick=1 ts_ns=0 writer_node=0 writer_name=bt.tick\nneg=-0 type=float64 tick=1 ts_ns=0 writer_node=0 writer_name=bt.tick\nbig=1e+20 type=float64 tick=1 ts_ns=0 writer_node=0 writer_name=bt.tick\nnan=-nan type=float64 tick=1 ts_ns=0 writer_node=0 writer_name=bt.tick\n"
; bt.reset empties the blackboard (the bucket count stays, as in the reference)
(bt.reset s)
;=> nil
(bt.blackboard.dump s)
;=> ""
; Granola: bt.blackboard.put writes from Lisp; outside a callback it is stamped like an input
(bt.blackboard.put s 'battery 80)
;=> 80
(bt.blackboard.put s "route" '(1 2))
;=> (1 2)
(bt.blackboard.dump s)
;=> "route=[1,2] type=float64[] tick=1 ts_ns=0 writer_node=0 writer_name=bt.blackboard.put\nbattery=80 type=int64 tick=1 ts_ns=0 writer_node=0 writer_name=bt.blackboard.put\n"
(bt.blackboard.put s 'x (map.make))
;!! bt.blackboard.put: unsupported blackboard value type
(bt.blackboard.put s 5 1)
;!! bt.blackboard.put: expected key as symbol or string
(bt.blackboard.put 5 'a 1)
;!! bt.blackboard.put: expected bt_instance
