"""Battery of malformed / edge-case requests; prints each answer."""
import os, struct, sys
from cairnlib import *

si = os.urandom(16)
R = os.urandom(32); C = os.urandom(32)
cases = [
    ("read past end huge offset", READ, read_body(si, 0, (1 << 63) - 1, 1 << 20)),
    ("read negative length", READ, si + b"\x00" + struct.pack(">qi", 0, -1)),
    ("read negative offset", READ, si + b"\x00" + struct.pack(">qi", -5, 10)),
    ("alloc size Long.MAX", ALLOC, alloc_body(si, R, C, (1 << 63) - 1, [0])),
    ("alloc size 0 all 256 shares", ALLOC, alloc_body(si, R, C, 0, range(256))),
    ("alloc count 256 dup", ALLOC, si + R + C + struct.pack(">q", 1) + struct.pack(">H", 2) + b"\x01\x01"),
    ("alloc count 65535", ALLOC, si + R + C + struct.pack(">q", 1) + struct.pack(">H", 65535) + bytes(range(256)) * 2),
    ("alloc empty shareset", ALLOC, si + R + C + struct.pack(">q", 1) + struct.pack(">H", 0)),
    ("wchunk offset near max", WCHUNK, wchunk_body(si, 0, (1 << 63) - 3, b"abcd")),
    ("wchunk unallocated", WCHUNK, wchunk_body(os.urandom(16), 0, 0, b"abcd")),
    ("wchunk len field > body", WCHUNK, si + b"\x00" + struct.pack(">qI", 0, 1 << 20) + b"ab"),
    ("wchunk len 0xffffffff", WCHUNK, si + b"\x00" + struct.pack(">qI", 0, 0xFFFFFFFF)),
    ("close unallocated", CLOSE, si + b"\x05"),
    ("wslot total Long.MAX", WSLOT, wslot_body(si, 0, R, C, (1 << 63) - 1, 0, b"x" * 300)),
    ("wslot total<off", WSLOT, wslot_body(si, 0, R, C, 5, 10, b"")),
    ("wslot off MAX total MAX", WSLOT, wslot_body(si, 0, R, C, (1 << 63) - 1, (1 << 63) - 1, b"")),
    ("wslot total 0", WSLOT, wslot_body(si, 0, R, C, 0, 0, b"")),
    ("wslot garbage 300", WSLOT, wslot_body(si, 0, R, C, 300, 0, b"CMUT" + b"\x01" + b"\xff" * 295)),
    ("rslot all shares 1MiB", RSLOT, rslot_body(si, [], 0, 1 << 20)),
    ("rslot 256 shares 1MiB", RSLOT, rslot_body(si, range(256), 0, 1 << 20)),
    ("rslot offset MAX", RSLOT, rslot_body(si, [1], (1 << 63) - 1, 1 << 20)),
    ("addlease nonexistent", ADDL, si + R + C),
    ("renew nonexistent", RENL, si + R),
    ("publish to storage", PUBLISH, struct.pack(">I", 5) + b"hello"),
    ("subscribe to storage", SUBSCRIBE, b""),
    ("ping trailing", PING, b"xx"),
    ("info trailing", INFO, b"\x00"),
    ("hello again", 0, b"CAIRN-WP" + struct.pack(">HB", 2, 1)),
    ("response type OK", 0x40, b""),
    ("response type ERROR", 0x7F, b"\x01\x00\x02hi"),
    ("unknown type 0x3f", 0x3F, b"zz"),
    ("unknown type 0xff", 0xFF, b"zz"),
    ("ann push to server", 0x50, struct.pack(">H", 1) + struct.pack(">I", 3) + b"abc"),
]
c = Conn()
for name, t, body in cases:
    try:
        rt, rb = c.call(t, body)
        print(f"{name:35s} -> {describe(rt, rb)[:160]}")
    except Exception as e:
        print(f"{name:35s} -> EXC {e!r}")
        c = Conn()
print(server_info(c))
