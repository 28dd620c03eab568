"""Slot writes are not charged to LeaseWriteBudget. Fill a slot share's lease slots from
minted node ids (each new version written by a new id adds its lease), then rewrite the slot
(272-byte shares, k=1 n=1, made by java/GenSlot.java) from one id and measure the server's
disk writes (/proc/PID/io write_bytes) per request, and whether ADD_LEASE from the same
address is BUSY meanwhile. usage: a8_slot_lease_amp.py SLOTDIR FILL N"""
import os, sys, time
from cairnlib import *

d = sys.argv[1]; FILL = int(sys.argv[2]); N = int(sys.argv[3])
si = open(f"{d}/si", "rb").read()
pid = pid_of_port()
def wb():
    return int([l for l in open(f"/proc/{pid}/io") if l.startswith("write_bytes")][0].split()[1])
def put(c, seq, R):
    share = open(f"{d}/v{seq}", "rb").read()
    return describe(*c.call(WSLOT, wslot_body(si, 0, R, R, len(share), 0, share)))
seq = 1
w0 = wb(); t0 = time.time()
for i in range(FILL):   # each version from a new node id: one more lease in the record
    c = Conn(identity=make_identity(f"o{i}"))
    r = put(c, seq, os.urandom(32)); seq += 1; c.close()
    if not r.startswith("OK"): print("fill", i, r); break
print(f"fill {FILL} owners: {(wb()-w0)/1e6:.2f} MB written in {time.time()-t0:.1f}s")
c = Conn(identity=make_identity("hammer")); R = os.urandom(32)
w0 = wb(); t0 = time.time(); sent = 0; res = {}
for i in range(N):
    share_len = os.path.getsize(f"{d}/v{seq}")
    r = put(c, seq, R); seq += 1; sent += share_len + 4 + 9 + 16 + 1 + 64 + 20
    res[r[:40]] = res.get(r[:40], 0) + 1
dt = time.time() - t0; w = wb() - w0
print(f"{N} slot rewrites: {res}; {sent} bytes sent, server wrote {w/1e6:.2f} MB "
      f"({w/N/1024:.1f} KiB per 333-byte request, {w/dt/1e6:.2f} MB/s) in {dt:.1f}s")
# is the address in lease-write debt? an ADD_LEASE now
print("ADD_LEASE from same address now ->", describe(*c.call(ADDL, si + os.urandom(64))))
