"""Minimal hostile Cairn wire-protocol client (TLS 1.3, framed)."""
import os, ssl, socket, struct, tempfile, datetime, hashlib
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

HOST = os.environ.get("CAIRN_HOST", "127.0.0.1")
PORT = int(os.environ.get("CAIRN_PORT", "46101"))

PING, INFO, SHNUM, ALLOC, WCHUNK, CLOSE, ABORT, READ, LIST, RSLOT, WSLOT, ADDL, RENL = range(1, 14)
PUBLISH, SUBSCRIBE = 0x20, 0x21
RESP = {0x40: "OK", 0x41: "SERVER_INFO", 0x42: "SHARE_NUMBERS", 0x43: "ALLOCATED", 0x44: "DATA",
        0x45: "SHARE_LIST", 0x46: "SLOT_DATA", 0x50: "ANN_PUSH", 0x7F: "ERROR", 0: "HELLO"}
ERR = {1: "BAD_REQUEST", 2: "NOT_FOUND", 3: "SERVER_FULL", 4: "SHARE_TOO_BIG", 5: "REJECTED",
       6: "BUSY", 7: "INTERNAL", 8: "UNSUPPORTED"}

_certdir = tempfile.mkdtemp(prefix="cairnatk")


def make_identity(name="x"):
    key = ec.generate_private_key(ec.SECP256R1())
    subj = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subj).issuer_name(subj)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650)).sign(key, hashes.SHA256()))
    kp = os.path.join(_certdir, f"{os.getpid()}-{id(key)}.key")
    cp = kp[:-4] + ".crt"
    with open(kp, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    with open(cp, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    return cp, kp


_default_id = None


def context(identity=None):
    global _default_id
    if identity is None:
        if _default_id is None:
            _default_id = make_identity()
        identity = _default_id
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.load_cert_chain(identity[0], identity[1])
    return ctx


def frame(ftype, rid, body=b""):
    return struct.pack(">IBq", 9 + len(body), ftype, rid) + body


def hello(roles=1):
    return frame(0, 0, b"CAIRN-WP" + struct.pack(">HB", 2, roles))


class Conn:
    def __init__(self, host=HOST, port=PORT, identity=None, do_hello=True, timeout=30, src=None):
        raw = socket.create_connection((host, port), timeout=timeout,
                                       source_address=(src, 0) if src else None)
        self.raw = raw
        self.s = context(identity).wrap_socket(raw, server_hostname="cairn")
        self.rid = 0
        if do_hello:
            self.s.sendall(hello())
            t, i, b = self.recv()
            assert t == 0, (t, i, b)

    def send(self, ftype, body=b"", rid=None):
        if rid is None:
            self.rid += 1
            rid = self.rid
        self.s.sendall(frame(ftype, rid, body))
        return rid

    def recvn(self, n):
        buf = bytearray()
        while len(buf) < n:
            c = self.s.recv(n - len(buf))
            if not c:
                raise EOFError("closed after %d/%d" % (len(buf), n))
            buf += c
        return bytes(buf)

    def recv(self):
        (n,) = struct.unpack(">I", self.recvn(4))
        d = self.recvn(n)
        return d[0], struct.unpack(">q", d[1:9])[0], d[9:]

    def call(self, ftype, body=b""):
        rid = self.send(ftype, body)
        while True:
            t, i, b = self.recv()
            if i == rid:
                return t, b

    def close(self):
        try:
            self.s.close()
        except Exception:
            pass


def describe(t, b):
    name = RESP.get(t, hex(t))
    if t == 0x7F:
        code = b[0]
        (ln,) = struct.unpack(">H", b[1:3])
        return f"ERROR({ERR.get(code, code)}: {b[3:3+ln].decode(errors='replace')})"
    if t == 0x41:
        return f"SERVER_INFO {b!r}"
    return f"{name} ({len(b)} bytes) {b[:40].hex()}"


def shareset(nums):
    nums = sorted(set(nums))
    return struct.pack(">H", len(nums)) + bytes(nums)


def alloc_body(si, renew, cancel, size, shares):
    return si + renew + cancel + struct.pack(">q", size) + shareset(shares)


def wchunk_body(si, sh, off, data):
    return si + bytes([sh]) + struct.pack(">qI", off, len(data)) + data


def read_body(si, sh, off, ln):
    return si + bytes([sh]) + struct.pack(">qi", off, ln)


def wslot_body(si, sh, renew, cancel, total, off, data):
    return si + bytes([sh]) + renew + cancel + struct.pack(">qqI", total, off, len(data)) + data


def rslot_body(si, shares, off, ln):
    return si + shareset(shares) + struct.pack(">qi", off, ln)


def server_info(c):
    t, b = c.call(INFO)
    (pv,) = struct.unpack(">H", b[:2])
    (sl,) = struct.unpack(">H", b[2:4])
    sv = b[4:4+sl]
    free, maxshare, maxframe, maxinf = struct.unpack(">qqii", b[4+sl:4+sl+24])
    return dict(pv=pv, sv=sv, free=free, maxshare=maxshare, maxframe=maxframe, maxinflight=maxinf)


def pid_of_port(port=PORT):
    import subprocess
    out = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True).stdout
    import re
    m = re.search(r"pid=(\d+)", out)
    return int(m.group(1)) if m else None


def stats(pid):
    try:
        rss = [l for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS")][0].split()[1]
        return dict(rss_mb=int(rss)//1024, threads=len(os.listdir(f"/proc/{pid}/task")),
                    fds=len(os.listdir(f"/proc/{pid}/fd")))
    except Exception as e:
        return str(e)
