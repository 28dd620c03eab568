"""Introducer: junk/forged PUBLISH flood and SUBSCRIBE abuse; watch answers and log growth."""
import os, struct, sys, time
from cairnlib import *
from ann import mint
c = Conn(port=46100)
res = {}
t0 = time.time()
n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
for i in range(n):
    a, nid, k = mint([("127.0.0.1", 1)])
    a = a[:-10] + os.urandom(10)  # break the signature
    t, b = c.call(PUBLISH, struct.pack(">I", len(a)) + a)
    d = describe(t, b)[:60]
    res[d] = res.get(d, 0) + 1
print(time.time() - t0, res)
