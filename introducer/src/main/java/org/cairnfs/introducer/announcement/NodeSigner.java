package org.cairnfs.introducer.announcement;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.cairnfs.protocol.identity.NodeKey;

/**
 * Signs with a node's long-lived key: the key whose public half names the node and pins its
 * TLS connections, so a signed announcement proves it came from the node it describes.
 *
 * <p>An interface so the introducer module does not need the private key itself; the node's
 * key holder implements it (or {@link #of(KeyPair)} wraps a JCA key pair).
 */
public interface NodeSigner {

  /** The node's public key (Ed25519 or ECDSA P-256). */
  PublicKey publicKey();

  /** Signs {@code message} with the node's private key, using the key's own algorithm. */
  byte[] sign(byte[] message);

  /** A signer with a node's TLS key, so its announcements name the id its connections prove. */
  static NodeSigner of(NodeKey key) {
    Objects.requireNonNull(key, "key");
    return over(key.publicKey(), key::sign);
  }

  /** A signer over a JCA key pair (Ed25519 or ECDSA P-256). */
  static NodeSigner of(KeyPair pair) {
    Objects.requireNonNull(pair, "pair");
    PrivateKey priv = pair.getPrivate();
    String algorithm =
        SignatureScheme.of(pair.getPublic()) == SignatureScheme.ED25519 ? "Ed25519" : "SHA256withECDSA";
    return over(pair.getPublic(), message -> {
      try {
        Signature s = Signature.getInstance(algorithm);
        s.initSign(priv);
        s.update(message);
        return s.sign();
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot sign with the node key: " + e.getMessage(), e);
      }
    });
  }

  private static NodeSigner over(PublicKey publicKey, UnaryOperator<byte[]> signature) {
    return new NodeSigner() {
      @Override
      public PublicKey publicKey() {
        return publicKey;
      }

      @Override
      public byte[] sign(byte[] message) {
        return signature.apply(message);
      }
    };
  }
}
