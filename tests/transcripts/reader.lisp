; Reader: atoms, numbers, symbols, strings, prefixes (reference section 1)
'(1 . 2)
;=> (1 . 2)
(cdr '(1 . 2))
;=> (. 2)
'+5
;=> +5
'99999999999999999999
;=> 99999999999999999999
-0
;=> 0
2.
;=> 2.0
.5
;=> 0.5
-.5
;=> -0.5
+1.5
;=> 1.5
1E2
;=> 100.0
0x1e
;=> 30.0
0x1.8p1
;=> 3.0
'0x10
;=> 0x10
'1e
;=> 1e
'1.2.3
;=> 1.2.3
'...
;=> ...
1e400
;=> inf
'nan
;=> nan
'inf
;=> inf
'abc"def"
;=> abc"def"
'a'b
;=> a'b
'#true
;=> #true
'NIL
;=> NIL
'()
;=> nil
(eq? '() nil)
;=> #t
' x
;=> x
''a
;=> (quote a)
'`(a ,b ,@c)
;=> (quasiquote (a (unquote b) (unquote-splicing c)))
"a\nb\t\"q\"\\"
;=> "a\nb\t\"q\"\\"
"multi
line"
;=> "multi\nline"
'#|x|#
;=> #|x|#
'|a|
;=> |a|
; comment at the end ; of a line
'(1 2 ; inner comment
 3)
;=> (1 2 3)
'(a b . c)
;=> (a b . c)
':continuous
;=> :continuous
"héllo"
;=> "héllo"
)
;!! line 1, column 2: unexpected ')'
"abc\q"
;!! line 1, column 7: unknown string escape
(1 2
;!! line 2, column 1: unterminated list
'
;!! unexpected end of input
,
;!! unexpected end of input
"abc
;!! unterminated string
