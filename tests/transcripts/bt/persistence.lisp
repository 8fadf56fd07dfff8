; bt.md 5.4-5.6: DSL text, MBT1 binary files and DOT export, both ways.
; MBT1: the reference's probe file, byte for byte
(define m (bt (invert (act grasp 7 -1.5 "s" k #t nil))))
(bt.save m "probe.mbt")
;=> #t
;hex> probe.mbt 4d42543101000000010000000200000001000000060000000000000000000000000000000500000067726173700600000002070000000000000003000000000000f8bf05010000007304010000006b01010002000000000000000000000001000000000000000000000000000000
; a file written by the reference loads here
;put-hex> ref.mbt 4d42543101000000010000000200000001000000060000000000000000000000000000000500000067726173700600000002070000000000000003000000000000f8bf05010000007304010000006b01010002000000000000000000000001000000000000000000000000000000
(define r (bt.load "ref.mbt"))
r
;=> <bt_def:2>
(bt.to-dsl r)
;=> (invert (act grasp 7 -1.5 "s" k #t nil))
(bt.tick (bt.new-instance r))
;=> failure
; save -> load -> save gives the same bytes
(bt.save r "again.mbt")
;=> #t
;hex> again.mbt 4d42543101000000010000000200000001000000060000000000000000000000000000000500000067726173700600000002070000000000000003000000000000f8bf05010000007304010000006b01010002000000000000000000000001000000000000000000000000000000
; load errors (the prefix is doubled, as in the reference)
(bt.load "missing.mbt")
;!! bt.load: bt.load: failed to open file: missing.mbt
;put-hex> bad-magic.mbt 4d42543201000000010000000100000000000000070000000000000000000000000000000000000000000000
(bt.load "bad-magic.mbt")
;!! bt.load: bt.load: invalid header (expected MBT1)
;put-hex> bad-version.mbt 4d42543102000000010000000100000000000000070000000000000000000000000000000000000000000000
(bt.load "bad-version.mbt")
;!! bt.load: bt.load: unsupported format version 2
;put-hex> bad-marker.mbt 4d42543101000000000000000100000000000000070000000000000000000000000000000000000000000000
(bt.load "bad-marker.mbt")
;!! bt.load: bt.load: unsupported endianness marker
;put-hex> no-nodes.mbt 4d42543101000000010000000000000000000000
(bt.load "no-nodes.mbt")
;!! bt.load: bt.load: file has no nodes
;put-hex> too-many.mbt 4d425431010000000100000080841e0000000000
(bt.load "too-many.mbt")
;!! bt.load: bt.load: node count is too large
;put-hex> eof.mbt 4d4254310100000001000000010000000000000007000000000000000000000000000000000000000000
(bt.load "eof.mbt")
;!! bt.load: bt.load: unexpected end of file
;put-hex> bad-kind.mbt 4d42543101000000010000000100000000000000140000000000000000000000000000000000000000000000
(bt.load "bad-kind.mbt")
;!! bt.load: bt.load: invalid node kind
;put-hex> bad-arg.mbt 4d425431010000000100000001000000000000000600000000000000000000000000000001000000610100000006
(bt.load "bad-arg.mbt")
;!! bt.load: bt.load: invalid arg kind
;put-hex> root-range.mbt 4d42543101000000010000000100000003000000070000000000000000000000000000000000000000000000
(bt.load "root-range.mbt")
;!! bt.load: bt.load: root node id out of range
;put-hex> child-range.mbt 4d4254310100000001000000010000000000000000000000000000000000000001000000050000000000000000000000
(bt.load "child-range.mbt")
;!! bt.load: bt.load: child node id out of range
;put-hex> composite-empty.mbt 4d42543101000000010000000100000000000000000000000000000000000000000000000000000000000000
(bt.load "composite-empty.mbt")
;!! bt.load: bt.load: composite nodes require at least one child
;put-hex> decorator-two.mbt 4d425431010000000100000003000000020000000700000000000000000000000000000000000000000000000700000000000000000000000000000000000000000000000200000000000000000000000200000000000000010000000000000000000000
(bt.load "decorator-two.mbt")
;!! bt.load: bt.load: decorator nodes require exactly one child
;put-hex> slot-noname.mbt 4d4254310100000001000000020000000100000007000000000000000000000000000000000000000000000013000000000000000000000001000000000000000000000000000000
(bt.load "slot-noname.mbt")
;!! bt.load: bt.load: slot nodes require a name
;put-hex> leaf-noname.mbt 4d42543101000000010000000100000000000000050000000000000000000000000000000000000000000000
(bt.load "leaf-noname.mbt")
;!! bt.load: bt.load: cond/act nodes require a leaf name
;put-hex> utility-child.mbt 4d4254310100000001000000020000000100000007000000000000000000000000000000000000000000000008000000000000000000000001000000000000000000000000000000
(bt.load "utility-child.mbt")
;!! bt.load: bt.load: utility nodes cannot have children
;put-hex> host-child.mbt 4d425431010000000100000002000000010000000700000000000000000000000000000000000000000000000a000000000000000000000001000000000000000000000000000000
(bt.load "host-child.mbt")
;!! bt.load: bt.load: planner/vla nodes cannot have children
;put-hex> string-too-long.mbt 4d4254310100000001000000010000000000000006000000000000000000000000000000002d3101
(bt.load "string-too-long.mbt")
;!! bt.load: bt.load: string length is too large
; a text file is not MBT1
(save "text.mbt" 42)
;=> #t
(bt.load "text.mbt")
;!! bt.load: bt.load: unexpected end of file
; Granola rejects cycles (the reference accepts them and crashes when it ticks)
;put-hex> cycle.mbt 4d425431010000000100000002000000010000000200000000000000000000000100000001000000000000000000000002000000000000000000000001000000000000000000000000000000
(bt.load "cycle.mbt")
;!! bt.load: bt.load: node graph has a cycle
;put-hex> self.mbt 4d4254310100000001000000010000000000000002000000000000000000000001000000000000000000000000000000
(bt.load "self.mbt")
;!! bt.load: bt.load: node graph has a cycle
; not checked, as in the reference: negative counts, shared children, trailing bytes
;put-hex> neg.mbt 4d4254310100000001000000020000000100000008000000000000000000000000000000000000000000000003000000feffffffffffffff01000000000000000000000000000000
(bt.tick (bt.new-instance (bt.load "neg.mbt")))
;=> success
;put-hex> shared.mbt 4d42543101000000010000000200000001000000060000000000000000000000000000001400000072756e6e696e672d7468656e2d73756363657373000000000000000000000000000000000200000000000000000000000000000000000000
(define sh (bt.new-instance (bt.load "shared.mbt")))
; the shared child is one node with one memory: its second visit in a tick sees the first's count
(list (bt.tick sh) (bt.tick sh) (bt.tick sh))
;=> (running running running)
(bt.to-dsl (bt.load "shared.mbt"))
;=> (seq (act running-then-success) (act running-then-success))
;put-hex> trailing.mbt 4d42543101000000010000000100000000000000070000000000000000000000000000000000000000000000deadbeef
(bt.to-dsl (bt.load "trailing.mbt"))
;=> (succeed)
(bt.save 5 "x.mbt")
;!! bt.save: expected bt_def
(bt.save m 'x)
;!! bt.save: expected file path string
(bt.load 5)
;!! bt.load: expected file path string
(bt.save m)
;!! bt.save: expected 2 arguments, got 1
; DSL: the canonical list names leaves with symbols and keeps the args as stored
(define d (bt (sel (seq (cond battery-ok) (repeat 2 (act "grasp" 1 2.5 "s\"q" sym #t nil))) (invert (fail)) (retry 3 (running)) (slot my-slot :contract "c.v1" :fallback stop (succeed)))))
(bt.to-dsl d)
;=> (sel (seq (cond battery-ok) (repeat 2 (act grasp 1 2.5 "s\"q" sym #t nil))) (invert (fail)) (retry 3 (running)) (slot my-slot :contract "c.v1" :fallback stop (succeed)))
(bt.to-dsl (bt (vla-wait :name \"w\" :job_key jk)))
;=> (vla-wait :name \"w\" :job_key jk)
(bt.save-dsl d "tree.lisp")
;=> #t
;text> tree.lisp (sel (seq (cond battery-ok) (repeat 2 (act grasp 1 2.5 "s\\"q" sym #t nil))) (invert (fail)) (retry 3 (running)) (slot my-slot :contract "c.v1" :fallback stop (succeed)))
(define d2 (bt.load-dsl "tree.lisp"))
(bt.to-dsl d2)
;=> (sel (seq (cond battery-ok) (repeat 2 (act grasp 1 2.5 "s\"q" sym #t nil))) (invert (fail)) (retry 3 (running)) (slot my-slot :contract "c.v1" :fallback stop (succeed)))
; the round trip is lossy for names with spaces, and floats keep 15 digits
(bt.save-dsl (bt (cond "has space" 1)) "space.lisp")
;=> #t
(bt.to-dsl (bt.load-dsl "space.lisp"))
;=> (cond has space 1)
(bt.save-dsl (bt (act f (1 2))) "x.lisp")
;!! bt: leaf args must be literals or symbols
(bt.save-dsl (bt.compile (list 'act 'f (sqrt 2.0))) "sqrt.lisp")
;=> #t
;text> sqrt.lisp (act f 1.4142135623731)
(bt.save-dsl (bt (act f nil)) 'x)
;!! bt.save-dsl: expected file path string
(bt.save-dsl 1 "x.lisp")
;!! bt.save-dsl: expected bt_def
; a DSL file holds exactly one form; comments and blank lines are fine
(save "two.lisp" 1)
;=> #t
(bt.load-dsl "nofile.lisp")
;!! bt.load-dsl: nofile.lisp: bt.load-dsl: failed to open file: nofile.lisp
(bt.load-dsl 'sym)
;!! bt.load-dsl: expected file path string
(save "quoted.lisp" '(seq (succeed)))
;=> #t
(bt.load-dsl "quoted.lisp")
;!! bt.load-dsl: quoted.lisp: unknown BT form: quote
(bt.load-dsl "two.lisp")
;!! bt.load-dsl: two.lisp: BT form must be a list
; DOT export
(define g (bt (sel (seq (cond bb-has "say \"hi\"") (act running-then-success 2)) (retry 2 (fail)))))
(bt.export-dot g "probe.dot")
;=> #t
;text> probe.dot digraph bt {\n  rankdir=TB;\n  node [shape=box, fontname="Helvetica"];\n  edge [fontname="Helvetica"];\n  n0 [label="id=0\\nbb-has\\n[cond]"];\n  n1 [label="id=1\\nrunning-then-success\\n[act]"];\n  n2 [label="id=2\\n[seq]"];\n  n3 [label="id=3\\n[fail]"];\n  n4 [label="id=4\\n[retry 2]"];\n  n5 [label="id=5\\n[sel]", style="bold"];\n  n2 -> n0;\n  n2 -> n1;\n  n4 -> n3;\n  n5 -> n2;\n  n5 -> n4;\n}\n
(bt.export-dot (bt (cond "a \"q\"\tb")) "q.dot")
;=> #t
;text> q.dot digraph bt {\n  rankdir=TB;\n  node [shape=box, fontname="Helvetica"];\n  edge [fontname="Helvetica"];\n  n0 [label="id=0\\na \\"q\\"\\tb\\n[cond]", style="bold"];\n}\n
(bt.export-dot (bt (cond "")) "e.dot")
;!! bt.export-dot: bt.load: cond/act nodes require a leaf name
(bt.export-dot (bt (slot "" :k v (succeed))) "e.dot")
;!! bt.export-dot: bt.load: slot nodes require a name
(bt.export-dot g 5)
;!! bt.export-dot: expected file path string
; DSL parse errors carry the file name and the reader's position
;put-hex> unterminated.lisp 2873657120287375636365656429
(bt.load-dsl "unterminated.lisp")
;!! bt.load-dsl: unterminated.lisp: line 1, column 15: unterminated list
;put-hex> empty.lisp 3b206e6f7468696e672068657265
(bt.load-dsl "empty.lisp")
;!! bt.load-dsl: empty.lisp: line 1, column 1: expected one expression, got none
;put-hex> multi.lisp 28737563636565642920286661696c29
(bt.load-dsl "multi.lisp")
;!! bt.load-dsl: multi.lisp: line 1, column 1: expected one expression, got multiple
;put-hex> defbt.lisp 28646566627420782028737563636565642929
(bt.load-dsl "defbt.lisp")
;!! bt.load-dsl: defbt.lisp: unknown BT form: defbt
;put-hex> commented.lisp 3b206120706174726f6c20747265650a0a2873656c2028636f6e6420626174746572792d6f6b29203b2067756172640a20202020202861637420646f636b29290a
(bt.to-dsl (bt.load-dsl "commented.lisp"))
;=> (sel (cond battery-ok) (act dock))
; a file holding defbt forms is Lisp code: load it
;put-hex> trees.lisp 28646566627420743120287375636365656429292028646566627420743220286661696c2929
(load "trees.lisp")
;=> <bt_def:20>
(list t1 t2)
;=> (<bt_def:19> <bt_def:20>)
;put-hex> broken.lisp 286465666274206f6b202873756363656564292920286465666274206261642028666f6f2929
(load "broken.lisp")
;!! load: broken.lisp: bt: unknown BT form: foo
ok
;=> <bt_def:21>
