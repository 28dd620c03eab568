package org.cairnfs.protocol.identity;

import java.security.PublicKey;
import java.util.Arrays;
import org.cairnfs.caps.Base32;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;

/**
 * The name of a node: {@code H(NODE_ID, X.509 SubjectPublicKeyInfo of its TLS key)}, 32 bytes.
 *
 * <p>Peers are pinned by this value, never by a CA: a connection to a server succeeds only if
 * the key the server proves it holds hashes to the id the client expected. The text form is
 * 52 characters of lower-case base32; {@link #shortForm()} is for logs and status pages only.
 */
public final class NodeId implements Comparable<NodeId> {
  public static final int LENGTH = 32;
  /** Characters in {@link #shortForm()}. */
  public static final int SHORT_LENGTH = 8;
  private final byte[] bytes;

  private NodeId(byte[] bytes) {
    this.bytes = bytes;
  }

  /** Wraps exactly 32 bytes (copied). */
  public static NodeId of(byte[] bytes) {
    if (bytes.length != LENGTH) {
      throw new IllegalArgumentException("node id must be " + LENGTH + " bytes, got " + bytes.length);
    }
    return new NodeId(bytes.clone());
  }

  /** The id of the node holding the private half of {@code key}. */
  public static NodeId ofPublicKey(PublicKey key) {
    byte[] encoded = key.getEncoded();
    if (encoded == null) {
      throw new IllegalArgumentException("public key " + key.getAlgorithm() + " has no encoding");
    }
    return new NodeId(TaggedHash.of(Tag.NODE_ID, encoded));
  }

  /** Parses the 52-character base32 form. */
  public static NodeId parse(String text) {
    if (text.length() != Base32.encodedLength(LENGTH)) {
      throw new IllegalArgumentException("node id must be " + Base32.encodedLength(LENGTH)
          + " base32 characters, got " + text.length());
    }
    return new NodeId(Base32.decode(text));
  }

  public byte[] toBytes() {
    return bytes.clone();
  }

  /** The first {@value #SHORT_LENGTH} characters of the text form, for display only. */
  public String shortForm() {
    return toString().substring(0, SHORT_LENGTH);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NodeId other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public int compareTo(NodeId o) {
    return Arrays.compareUnsigned(bytes, o.bytes);
  }

  /** The full base32 form. */
  @Override
  public String toString() {
    return Base32.encode(bytes);
  }
}
