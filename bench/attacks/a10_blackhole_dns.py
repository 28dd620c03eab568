"""A DNS server that reads queries and never answers (a zone whose nameserver is down)."""
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 53))
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.bind((sys.argv[1], 53)); t.listen(64)
n = 0
while True:
    s.recvfrom(4096); n += 1
    if n % 50 == 0: print("queries swallowed:", n, flush=True)
