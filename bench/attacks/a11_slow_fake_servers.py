"""Announce N fake storage servers that complete TLS and the hello at once, then answer every
request only after DELAY seconds (GET_SERVER_INFO: a big free space; ALLOCATE: all allocated;
other: OK/empty). Usage: a11_slow_fake_servers.py N DELAY [INTRO_PORT] [BASE_PORT]"""
import asyncio, datetime, os, ssl, struct, sys, tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cairnlib import Conn, PUBLISH, describe
from ann import mint

N = int(sys.argv[1]); DELAY = float(sys.argv[2])
INTRO = int(sys.argv[3]) if len(sys.argv) > 3 else 46100
BASE = int(sys.argv[4]) if len(sys.argv) > 4 else 47000
tmp = tempfile.mkdtemp()

def ctx_for(key, i):
    subj = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subj).issuer_name(subj).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    kp, cp = f"{tmp}/{i}.key", f"{tmp}/{i}.crt"
    open(kp, "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    open(cp, "wb").write(cert.public_bytes(serialization.Encoding.PEM))
    c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); c.minimum_version = ssl.TLSVersion.TLSv1_3
    c.load_cert_chain(cp, kp); c.verify_mode = ssl.CERT_NONE
    return c

def fr(t, rid, body=b""):
    return struct.pack(">IBq", 9 + len(body), t, rid) + body

def answer(t, rid, body):
    if t == 0x02:  # SERVER_INFO
        sv = b"cairn-storage/0.1.0"
        return fr(0x41, rid, struct.pack(">H", 2) + struct.pack(">H", len(sv)) + sv + struct.pack(">qqii", 1 << 45, 1 << 37, 1114112, 64))
    if t == 0x03:  # SHARE_NUMBERS: none
        return fr(0x42, rid, struct.pack(">H", 0))
    if t == 0x04:  # ALLOCATE: allocate all asked
        n = struct.unpack(">H", body[16 + 64 + 8:16 + 64 + 10])[0]
        ss = body[16 + 64 + 8:16 + 64 + 10 + n]
        return fr(0x43, rid, ss + struct.pack(">H", 0))
    if t == 0x09:
        return fr(0x45, rid, struct.pack(">H", 0))
    if t == 0x0A:
        return fr(0x46, rid, struct.pack(">H", 0))
    return fr(0x40, rid)

async def serve(reader, writer):
    try:
        h = await reader.readexactly(4); n = struct.unpack(">I", h)[0]; await reader.readexactly(n)
        writer.write(fr(0, 0, b"CAIRN-WP" + struct.pack(">H", 2) + bytes([2]))); await writer.drain()
        while True:
            h = await reader.readexactly(4); n = struct.unpack(">I", h)[0]
            d = await reader.readexactly(n); t = d[0]; rid = struct.unpack(">q", d[1:9])[0]
            asyncio.get_event_loop().call_later(DELAY, lambda t=t, rid=rid, b=d[9:]: (writer.write(answer(t, rid, b))))
    except Exception:
        writer.close()

async def main():
    c = Conn(port=INTRO); ok = 0
    for i in range(N):
        key = ec.generate_private_key(ec.SECP256R1())
        await asyncio.start_server(serve, "127.0.0.1", BASE + i, ssl=ctx_for(key, i))
        a, nid, _ = mint([("127.0.0.1", BASE + i)], nickname=f"slowfake{i}", key=key, free=1 << 45)
        t, b = c.call(PUBLISH, struct.pack(">I", len(a)) + a); ok += t == 0x40
    print("published", ok, "fakes answering after", DELAY, "s", flush=True)
    await asyncio.sleep(3600)
asyncio.run(main())
