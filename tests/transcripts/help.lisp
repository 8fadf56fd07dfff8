(help 'map.get)
;out> (map.get m key default) -> value
;out>   Value stored under key, or default when absent.
;out>   (group map)
;=> nil
(help "let")
;out> (let ((name expr)...) body...) -> value
;out>   Bind names in parallel in a new scope, then evaluate the body.
;out>   (special form)
;=> nil
(apropos "pq.p")
;=> (pq.push! pq.pop! pq.peek)
(apropos "zzz")
;=> nil
(help 'nope)
;!! help: no builtin or special form named nope
(help 1)
;!! help: expected string or symbol
