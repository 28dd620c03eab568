"""N connections (distinct node ids) each pipeline 64 READ_RANGE(1 MiB) / READ_SLOT and never
read the answers; an honest client pings and reads meanwhile. Prints server RSS/threads/fds.
usage: a5_slowread.py [conns] [seconds]"""
import os, struct, sys, time, threading
from cairnlib import *

N = int(sys.argv[1]) if len(sys.argv) > 1 else 32
T = int(sys.argv[2]) if len(sys.argv) > 2 else 40
pid = pid_of_port()
up = Conn(identity=make_identity("uploader"))
si = os.urandom(16); R = os.urandom(32)
size = 1 << 20
print("alloc", describe(*up.call(ALLOC, alloc_body(si, R, R, size, [0]))))
print("write", describe(*up.call(WCHUNK, wchunk_body(si, 0, 0, os.urandom(size)))))
print("close", describe(*up.call(CLOSE, si + b"\x00")))
print("start", stats(pid))
conns = []
for i in range(N):
    c = Conn(identity=make_identity(f"slow{i}"))
    c.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    for j in range(64):
        c.send(READ, read_body(si, 0, 0, size))
    conns.append(c)
print("queued", stats(pid))
honest = Conn(identity=make_identity("honest"))
t0 = time.time()
while time.time() - t0 < T:
    a = time.time(); honest.call(PING); p = time.time() - a
    a = time.time(); t, b = honest.call(READ, read_body(si, 0, 0, size)); r = time.time() - a
    print(f"t={time.time()-t0:5.1f}s ping {p*1000:.0f} ms, 1MiB read {r*1000:.0f} ms ({len(b)} B)", stats(pid))
    time.sleep(4)
