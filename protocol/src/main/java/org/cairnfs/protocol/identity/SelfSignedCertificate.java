package org.cairnfs.protocol.identity;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The X.509 v3 certificate a node presents in TLS: self-signed, {@code CN=<node id>}, no
 * extensions. Peers trust the key in it, never the certificate (they pin node ids), so it only
 * has to be well-formed DER. Written here, a few dozen bytes of fixed structure, rather than
 * with a certificate library: building it was most of a one-shot command's start-up crypto.
 */
final class SelfSignedCertificate {
  private static final byte[] ECDSA_SHA256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce,
      0x3d, 0x04, 0x03, 0x02}; // 1.2.840.10045.4.3.2
  private static final byte[] ED25519 = {0x06, 0x03, 0x2b, 0x65, 0x70}; // 1.3.101.112
  private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03}; // 2.5.4.3
  private static final DateTimeFormatter UTC_TIME =
      DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter GENERALIZED_TIME =
      DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  private SelfSignedCertificate() {}

  static X509Certificate of(KeyPair keys, KeyAlgorithm algorithm, String commonName,
      BigInteger serial, Instant notBefore, Instant notAfter) throws GeneralSecurityException {
    byte[] signatureAlgorithm = tlv(0x30,
        algorithm == KeyAlgorithm.ED25519 ? ED25519 : ECDSA_SHA256);
    byte[] name = tlv(0x30, tlv(0x31, tlv(0x30, COMMON_NAME,
        tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
    byte[] tbs = tlv(0x30,
        tlv(0xa0, tlv(0x02, BigInteger.TWO.toByteArray())), // [0] version: v3
        tlv(0x02, serial.toByteArray()),
        signatureAlgorithm,
        name,
        tlv(0x30, time(notBefore), time(notAfter)),
        name,
        keys.getPublic().getEncoded()); // SubjectPublicKeyInfo, DER already
    Signature signer = Signature.getInstance(algorithm.signatureAlgorithm());
    signer.initSign(keys.getPrivate());
    signer.update(tbs);
    byte[] signature = signer.sign(); // ECDSA: DER Ecdsa-Sig-Value; Ed25519: 64 bytes
    byte[] bits = new byte[signature.length + 1]; // no unused bits
    System.arraycopy(signature, 0, bits, 1, signature.length);
    byte[] der = tlv(0x30, tbs, signatureAlgorithm, tlv(0x03, bits));
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(der));
  }

  /** UTCTime for 1950-2049, GeneralizedTime otherwise (RFC 5280, 4.1.2.5). */
  private static byte[] time(Instant t) {
    int year = t.atZone(ZoneOffset.UTC).getYear();
    return year >= 1950 && year < 2050
        ? tlv(0x17, UTC_TIME.format(t).getBytes(StandardCharsets.US_ASCII))
        : tlv(0x18, GENERALIZED_TIME.format(t).getBytes(StandardCharsets.US_ASCII));
  }

  /** A DER tag-length-value of the concatenated {@code parts}. */
  private static byte[] tlv(int tag, byte[]... parts) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      content.writeBytes(p);
    }
    int n = content.size();
    ByteArrayOutputStream out = new ByteArrayOutputStream(n + 6);
    out.write(tag);
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(n >>> (8 * i));
      }
    }
    out.writeBytes(content.toByteArray());
    return out.toByteArray();
  }
}
