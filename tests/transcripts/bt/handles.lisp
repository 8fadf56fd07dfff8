; bt.md 1: definitions and instances are handles, numbered from 1, printed everywhere alike.
(define t1 (bt (seq (cond always-true) (act always-success))))
;=> <bt_def:1>
(defbt t2 (sel (fail) (succeed)))
;=> <bt_def:2>
(bt.compile (list 'invert (list 'fail)))
;=> <bt_def:3>
(list t1 t2 (bt.new-instance t2))
;=> (<bt_def:1> <bt_def:2> <bt_instance:1>)
(define i (bt.new-instance t1))
;=> <bt_instance:2>
(bt.tick i)
;=> success
(define (mk) (bt (running)))
(list (mk) (mk))
;=> (<bt_def:4> <bt_def:5>)
; identity: a handle is eq? to itself, two compilations are not
(list (eq? t1 t1) (eq? (mk) (mk)) (eq? i i))
;=> (#t #f #t)
(if t1 'truthy 'falsy)
;=> truthy
(write t1)
;!! write: cannot serialise bt_def as readable data
(write i)
;!! write: cannot serialise bt_instance as readable data
(json.encode t1)
;!! json.encode: unsupported value type: bt_def
(json.encode (list i))
;!! json.encode: unsupported value type: bt_instance
; failed compilations allocate no number
(bt (foo))
;!! bt: unknown BT form: foo
(bt (succeed))
;=> <bt_def:8>
; maps and vectors holding handles print as usual
(define m (map.make))
(map.set! m 'def t1)
;=> <bt_def:1>
m
;=> <map:1>
(eq? (bt.tick i) 'success)
;=> #t
