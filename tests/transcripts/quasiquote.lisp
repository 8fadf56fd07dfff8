; Quasiquote (reference section 3.5)
`(1 ,(+ 1 1) ,@(list 3 4) 5)
;=> (1 2 3 4 5)
``(a ,(b ,(+ 1 2)))
;=> (quasiquote (a (unquote (b 3))))
`x
;=> x
`5
;=> 5
`(a ,@nil b)
;=> (a b)
`(,@(list 1 2))
;=> (1 2)
`((nested ,(+ 1 1)) ,'sym)
;=> ((nested 2) sym)
`,(+ 2 3)
;=> 5
`(1 `(2 ,(3 ,(+ 1 3))))
;=> (1 (quasiquote (2 (unquote (3 4)))))
(quasiquote)
;!! quasiquote: expected 1 arguments, got 0
(quasiquote a b)
;!! quasiquote: expected 1 arguments, got 2
`,@(list 1)
;!! unquote-splicing: only valid in list context
`(a ,@5)
;!! unquote-splicing: expected list value
`(a (unquote 1 2))
;!! unquote: expected 1 argument
`(a (unquote-splicing 1 2))
;!! unquote-splicing: expected 1 argument
`(a (quasiquote 1 2))
;!! quasiquote: expected 1 argument
