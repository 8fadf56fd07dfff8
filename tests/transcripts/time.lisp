(time.now-ms)
;=> 0
(time.sleep-ms 250)
;=> nil
(time.now-ms)
;=> 250
(time.sleep-ms 0)
;=> nil
(time.sleep-ms -1)
;!! time.sleep-ms: expected non-negative integer
(time.sleep-ms 1.5)
;!! time.sleep-ms: expected non-negative integer
(begin (time.sleep-ms 5) (time.sleep-ms 5) (time.now-ms))
;=> 260
