"""Mint signed Cairn announcements (ECDSA P-256) and publish them to an introducer."""
import hashlib, os, struct, time
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


def th(tag, data):
    t = tag.encode()
    return hashlib.sha256(str(len(t)).encode() + b":" + t + b"," + data).digest()


def mint(addresses, nickname="evil", seq=1, issued_ms=None, free=1 << 40, key=None,
         version="cairn 0.1.0"):
    key = key or ec.generate_private_key(ec.SECP256R1())
    spki = key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
    nid = th("cairn-v1-node-id", spki)
    issued_ms = int(time.time() * 1000) if issued_ms is None else issued_ms
    nick = nickname.encode(); ver = version.encode()
    body = b"CANN" + struct.pack(">H", 1) + nid + struct.pack(">qqq", seq, issued_ms, free)
    body += bytes([2]) + struct.pack(">H", len(spki)) + spki
    body += struct.pack(">H", len(nick)) + nick + struct.pack(">H", len(ver)) + ver
    body += bytes([len(addresses)])
    for h, p in addresses:
        hb = h.encode()
        body += bytes([len(hb)]) + hb + struct.pack(">H", p)
    sig = key.sign(th("cairn-v1-announcement", body), ec.ECDSA(hashes.SHA256()))
    return body + struct.pack(">H", len(sig)) + sig, nid, key
