(json.encode nil)
;=> "null"
(json.encode #t)
;=> "true"
(json.encode 0.1)
;=> "0.10000000000000001"
(json.encode 2.0)
;=> "2"
(json.encode -0.0)
;=> "-0"
(json.encode 1e16)
;=> "10000000000000000"
(json.encode 1e17)
;=> "1e+17"
(json.encode (/ 1 0))
;!! json.encode: non-finite floats are not supported
(json.encode "a\"b\\c\nd")
;=> "\"a\\\"b\\\\c\\nd\""
(json.encode ':ok)
;=> "\":ok\""
(json.encode (list 1 2 (list 3)))
;=> "[1,2,[3]]"
(json.encode (cons 1 2))
;!! json.encode: expected proper list
(define v (vec.make))
(vec.push! v 1)
(vec.push! v "two")
(json.encode v)
;=> "[1,\"two\"]"
(define m (map.make))
(map.set! m 'task_id "demo")
(map.set! m 'state (list 0 1))
(json.encode m)
;=> "{\"state\":[0,1],\"task_id\":\"demo\"}"
(define m2 (map.make))
(map.set! m2 'a 1)
(map.set! m2 "a" 2)
(map.set! m2 10 'x)
(map.set! m2 1.5 'y)
(json.encode m2)
;=> "{\"1.5\":\"y\",\"10\":\"x\",\"a\":1,\"a\":2}"
(json.encode car)
;!! json.encode: unsupported value type: primitive_fn
(json.encode (lambda (x) x))
;!! json.encode: unsupported value type: closure
(json.encode (rng.make 1))
;!! json.encode: unsupported value type: rng
(json.decode "null")
;=> nil
(json.decode "[1, 2.5, \"x\", true, false, null]")
;=> (1 2.5 "x" #t #f nil)
(json.decode "[]")
;=> nil
(json.decode "{}")
;=> <map:0>
(define d (json.decode "{\"a\": {\"b\": [1]}, \"a\": 7}"))
(map.get d "a" 0)
;=> 7
(map.get d 'a 0)
;=> 0
(json.decode "007")
;=> 7
(json.decode "1.0")
;=> 1.0
(json.decode "12345678901234567890")
;=> 1.23456789012346e+19
(json.decode "-0")
;=> 0
(json.decode "1e999")
;!! json.decode: non-finite number
(json.decode "\"a\\/b\\tc\"")
;=> "a/b\tc"
(json.decode "\"\\u0041\"")
;!! json.decode: unsupported escape sequence
(json.decode "\"\\q\"")
;!! json.decode: invalid escape
(json.decode "")
;!! json.decode: unexpected end of input
(json.decode "nul")
;!! json.decode: invalid literal
(json.decode "@")
;!! json.decode: unexpected token
(json.decode "-")
;!! json.decode: invalid number
(json.decode "1.")
;!! json.decode: invalid number
(json.decode "1e")
;!! json.decode: invalid exponent
(json.decode "{1:2}")
;!! json.decode: expected string key
(json.decode "{\"a\" 2}")
;!! json.decode: expected :
(json.decode "\"abc")
;!! json.decode: unterminated string
(json.decode "1 2")
;!! json.decode: trailing characters
(json.decode 5)
;!! json.decode: expected string
