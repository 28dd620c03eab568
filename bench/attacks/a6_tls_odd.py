"""Odd TLS identities and half-closes against the storage server."""
import os, socket, ssl, struct, time, datetime
from cryptography import x509
from cryptography.x509.oid import NameOID
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa, ec, ed25519
from cairnlib import *


def ident(key, algo=hashes.SHA256(), big_ext=0):
    subj = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "odd")])
    now = datetime.datetime.now(datetime.timezone.utc)
    b = (x509.CertificateBuilder().subject_name(subj).issuer_name(subj)
         .public_key(key.public_key()).serial_number(1)
         .not_valid_before(now - datetime.timedelta(days=1))
         .not_valid_after(now + datetime.timedelta(days=1)))
    if big_ext:
        b = b.add_extension(x509.SubjectAlternativeName(
            [x509.DNSName("a" * 60 + str(i) + ".x") for i in range(big_ext)]), critical=False)
    cert = b.sign(key, algo)
    kp = f"/tmp/odd{os.getpid()}{id(key)}.key"; cp = kp + ".crt"
    open(kp, "wb").write(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    open(cp, "wb").write(cert.public_bytes(serialization.Encoding.PEM))
    return cp, kp


for name, mk in [("rsa2048", lambda: ident(rsa.generate_private_key(65537, 2048))),
                 ("rsa8192", lambda: ident(rsa.generate_private_key(65537, 8192))),
                 ("p384", lambda: ident(ec.generate_private_key(ec.SECP384R1()), hashes.SHA384())),
                 ("ed25519", lambda: ident(ed25519.Ed25519PrivateKey.generate(), None)),
                 ("p256 + 1500 SANs (~100 KB cert)", lambda: ident(ec.generate_private_key(ec.SECP256R1()), big_ext=1500))]:
    try:
        i = mk()
        t0 = time.time()
        c = Conn(identity=i)
        print(f"{name:32s} handshake {time.time()-t0:.2f}s ping ->", describe(*c.call(PING)))
        c.close()
    except Exception as e:
        print(f"{name:32s} -> {type(e).__name__}: {str(e)[:120]}")

# half-close: allocate + write, then send TCP FIN (no close_notify), then see if the upload survives
c = Conn(identity=make_identity("half"))
si = os.urandom(16); R = os.urandom(32)
print("alloc", describe(*c.call(ALLOC, alloc_body(si, R, R, 1000, [0]))))
c.send(WCHUNK, wchunk_body(si, 0, 0, b"x" * 1000))
c.send(CLOSE, si + b"\x00")
c.raw.shutdown(socket.SHUT_WR) if False else c.s.unwrap if False else None
sock = c.s
try:
    sock.shutdown(socket.SHUT_WR)
except Exception as e:
    print("shutdown:", e)
try:
    while True:
        t, i, b = c.recv(); print("after half-close got", describe(t, b))
except Exception as e:
    print("then:", type(e).__name__, e)
time.sleep(1)
d = Conn()
print("list shares of half-closed upload:", describe(*d.call(LIST, si)))
print(server_info(d))
