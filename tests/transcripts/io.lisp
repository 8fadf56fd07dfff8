(print "hello")
;out> "hello"
;=> nil
(print)
;out>
;=> nil
(print 1 'a "s" 1.0 (list 1 "x"))
;out> 1 a "s" 1.0 (1 "x")
;=> nil
(print (map.make) car)
;out> <map:0> <primitive:car>
;=> nil
(write "a\nb")
;out> "a\nb"
;=> "a\nb"
(write '(1 2.5 sym))
;out> (1 2.5 sym)
;=> (1 2.5 sym)
(write (map.make))
;!! write: cannot serialise map as readable data
(write (/ 1 0))
;!! write: non-finite floats are not readable
(write (list 1 (/ 0 0)))
;!! write: non-finite floats are not readable
(write-to-string '(a "b"))
;=> "(a \"b\")"
(write-to-string car)
;!! write: cannot serialise primitive_fn as readable data
(write-to-string (lambda () 1))
;!! write: cannot serialise closure as readable data
(save 1 2)
;!! save: expected file path string
(save "/tmp/x.lisp" 1)
;!! save: files cannot be written here (this host has no file system)
