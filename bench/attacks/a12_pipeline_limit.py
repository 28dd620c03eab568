"""F4 (cosmetic): the gateway documents 16 pipelined requests waiting, but counts HTTP messages
(a GET is a head + an empty LastHttpContent), so 10 pipelined GETs already close the connection,
and the close drops the answer of the request being served too: the client gets nothing.
Usage: python3 a12_pipeline_limit.py [PORT]"""
import socket, sys, time
P = int(sys.argv[1]) if len(sys.argv) > 1 else 3466
for n in (8, 9, 10, 16):
    s = socket.create_connection(("127.0.0.1", P)); s.settimeout(5)
    s.sendall(b"GET /status?t=json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * n)
    out = b""
    try:
        while True:
            c = s.recv(65536)
            if not c: break
            out += c
    except socket.timeout: pass
    print(f"{n:2d} pipelined GETs -> {out.count(b'HTTP/1.1 200')} answers")
