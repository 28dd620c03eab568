package org.cairnfs.protocol.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The hand-written DER parses as the certificate it means, for both key algorithms. */
class SelfSignedCertificateTest {

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void aNodeCertificateIsSelfSignedByItsKeyAndNamesItsNode(KeyAlgorithm algorithm)
      throws Exception {
    NodeKey key = NodeKey.generate(algorithm);
    X509Certificate c = key.certificate();
    c.verify(c.getPublicKey()); // signed by its own key
    c.checkValidity();
    assertThat(c.getVersion()).isEqualTo(3);
    assertThat(c.getPublicKey()).isEqualTo(key.publicKey());
    assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=" + key.nodeId());
    assertThat(c.getIssuerX500Principal()).isEqualTo(c.getSubjectX500Principal());
    assertThat(c.getSerialNumber().bitLength()).isEqualTo(64);
    assertThat(NodeId.ofPublicKey(c.getPublicKey())).isEqualTo(key.nodeId());
  }

  @Test
  void longNamesAndDatesPast2049TakeTheirLongerEncodings() throws Exception {
    java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
    g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
    java.security.KeyPair keys = g.generateKeyPair();
    String name = "n".repeat(300); // lengths of 2 bytes inside
    Instant from = Instant.parse("1949-12-31T23:59:59Z"); // GeneralizedTime
    Instant to = Instant.parse("2060-01-02T03:04:05Z"); // GeneralizedTime
    X509Certificate c = SelfSignedCertificate.of(keys, KeyAlgorithm.ECDSA_P256,
        name, BigInteger.valueOf(5), from, to);
    c.verify(c.getPublicKey());
    assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=" + name);
    assertThat(c.getNotBefore()).isEqualTo(Date.from(from));
    assertThat(c.getNotAfter()).isEqualTo(Date.from(to));
    assertThat(c.getSerialNumber()).isEqualTo(BigInteger.valueOf(5));
    X509Certificate utc = SelfSignedCertificate.of(keys,
        KeyAlgorithm.ECDSA_P256, "x", BigInteger.ONE, Instant.parse("2026-12-06T10:00:00Z"),
        Instant.parse("2049-12-31T23:59:59Z"));
    assertThat(utc.getNotAfter()).isEqualTo(Date.from(Instant.parse("2049-12-31T23:59:59Z")));
  }
}
