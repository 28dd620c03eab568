"""Publish N minted storage announcements whose 16 addresses are distinct DNS names
(here under .slow.example; in the wild, names of a zone whose nameserver never answers)."""
import os, struct, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cairnlib import *
from ann import mint
port = int(sys.argv[2]) if len(sys.argv) > 2 else 46100
c = Conn(port=port)
N = int(sys.argv[1]); ok = 0
tag = os.urandom(3).hex()
for i in range(N):
    a, nid, k = mint([(f"n{tag}-{i}-{j}.slow.example", 4000 + j) for j in range(16)], nickname=f"slow{i}")
    t, b = c.call(PUBLISH, struct.pack(">I", len(a)) + a)
    ok += (t == 0x40)
print("published", ok, "of", N)
