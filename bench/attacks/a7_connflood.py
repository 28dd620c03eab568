"""Open N idle TLS connections (hello done, 8 per minted node id), keep them with PINGs, watch
server RSS/threads/fds, and whether a new honest connection is served. usage: a7_connflood.py N secs"""
import sys, time
from cairnlib import *
N = int(sys.argv[1]); T = int(sys.argv[2]); pid = pid_of_port()
print("start", stats(pid))
conns = []; ids = None; refused = 0
t0 = time.time()
for i in range(N):
    if i % 8 == 0: ids = make_identity(f"f{i}")
    try: conns.append(Conn(identity=ids, timeout=10))
    except Exception as e: refused += 1
print(f"opened {len(conns)} refused {refused} in {time.time()-t0:.1f}s", stats(pid))
t0 = time.time()
while time.time() - t0 < T:
    for c in conns:
        try: c.send(PING)
        except Exception: pass
    try:
        h = Conn(identity=make_identity("honest"), timeout=10); a = time.time(); h.call(PING)
        hs = f"honest ping ok {1000*(time.time()-a):.0f} ms"; h.close()
    except Exception as e: hs = f"honest FAILED {type(e).__name__} {e}"
    print(f"t={time.time()-t0:.0f}", hs, stats(pid)); time.sleep(10)
