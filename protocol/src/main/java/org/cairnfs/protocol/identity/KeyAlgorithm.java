package org.cairnfs.protocol.identity;

/** Signature algorithms a node key may use; the wire/TLS choice is recorded in wire.md. */
public enum KeyAlgorithm {
  /**
   * Ed25519: works with the JDK engine, but netty's OpenSSL key-material glue (4.1.118) refuses
   * it ("Unable to find key material"), so it is not the default. Kept for key files and tests.
   */
  ED25519("Ed25519", "Ed25519"),
  /** ECDSA on P-256: the default, because both TLS engines complete TLS 1.3 handshakes with it. */
  ECDSA_P256("EC", "SHA256withECDSA");

  private final String jcaName;
  private final String signatureAlgorithm;

  KeyAlgorithm(String jcaName, String signatureAlgorithm) {
    this.jcaName = jcaName;
    this.signatureAlgorithm = signatureAlgorithm;
  }

  String jcaName() {
    return jcaName;
  }

  String signatureAlgorithm() {
    return signatureAlgorithm;
  }
}
