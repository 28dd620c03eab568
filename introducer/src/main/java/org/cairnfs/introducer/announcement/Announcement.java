package org.cairnfs.introducer.announcement;

import java.security.PublicKey;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.cairnfs.caps.crypto.Tag;
import org.cairnfs.caps.crypto.TaggedHash;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.protocol.identity.NodeId;

/**
 * A storage server's signed statement of who and where it is, as passed through introducers
 * and kept in caches. Every instance has been verified: its public key hashes to its node id
 * and its signature over {@code H(ANNOUNCEMENT, body)} holds, so whoever relays or stores it
 * cannot change a byte undetected. Layout: {@code docs/specs/announcement.md}.
 */
public final class Announcement {
  private final NodeId nodeId;
  private final ServerDetails details;
  private final PublicKey publicKey;
  private final byte[] encoded;

  private Announcement(NodeId nodeId, ServerDetails details, PublicKey publicKey, byte[] encoded) {
    this.nodeId = nodeId;
    this.details = details;
    this.publicKey = publicKey;
    this.encoded = encoded;
  }

  /** Encodes and signs {@code details} with the node's key. */
  public static Announcement sign(ServerDetails details, NodeSigner signer) {
    Objects.requireNonNull(details, "details");
    PublicKey key = signer.publicKey();
    SignatureScheme scheme = SignatureScheme.of(key);
    NodeId id = NodeId.ofPublicKey(key);
    byte[] body = AnnouncementLayout.encodeBody(id.toBytes(), details, scheme, key.getEncoded());
    byte[] signature = signer.sign(TaggedHash.of(Tag.ANNOUNCEMENT, body));
    byte[] encoded = AnnouncementLayout.appendSignature(body, signature);
    if (!scheme.verify(key, TaggedHash.of(Tag.ANNOUNCEMENT, body), signature)) {
      throw new IllegalStateException("the node signer produced a signature its own public key rejects");
    }
    return new Announcement(id, details, key, encoded);
  }

  /**
   * The node id encoded announcement bytes claim, unverified (empty when too short to hold
   * one): lets a reader refuse what it would refuse for that node before paying for
   * {@link #parse}'s signature check.
   */
  public static Optional<NodeId> claimedNodeId(byte[] bytes) {
    int end = AnnouncementLayout.OFFSET_NODE_ID + NodeId.LENGTH;
    return bytes.length < end ? Optional.empty()
        : Optional.of(NodeId.of(Arrays.copyOfRange(bytes,
            AnnouncementLayout.OFFSET_NODE_ID, end)));
  }

  /**
   * The sequence number {@code bytes} claim, read without parsing or verifying (empty when too
   * short): with {@link #claimedNodeId}, tells whether they could update a held node.
   */
  public static java.util.OptionalLong claimedSequence(byte[] bytes) {
    int at = AnnouncementLayout.OFFSET_SEQUENCE;
    return bytes.length < at + Long.BYTES ? java.util.OptionalLong.empty()
        : java.util.OptionalLong.of(java.nio.ByteBuffer.wrap(bytes, at, Long.BYTES).getLong());
  }

  /**
   * Parses and verifies signed bytes from the wire or a cache.
   *
   * @throws AnnouncementException naming the fault: malformed or out-of-bounds field, a key that
   *     does not hash to the node id, or a signature that does not verify
   */
  public static Announcement parse(byte[] bytes) throws AnnouncementException {
    Objects.requireNonNull(bytes, "bytes");
    byte[] copy = bytes.clone();
    AnnouncementLayout.Fields f = AnnouncementLayout.decode(copy);
    PublicKey key = f.scheme().decodeKey(f.spki());
    NodeId claimed = NodeId.of(f.nodeId());
    NodeId derived = NodeId.ofPublicKey(key);
    if (!derived.equals(claimed)) {
      throw new AnnouncementException("public key belongs to node " + derived.shortForm()
          + ", not to the announced node " + claimed.shortForm());
    }
    byte[] digest = TaggedHash.start(Tag.ANNOUNCEMENT).update(copy, 0, f.bodyLength()).finish();
    if (!f.scheme().verify(key, digest, f.signature())) {
      throw new AnnouncementException("signature of node " + claimed.shortForm() + " does not verify");
    }
    return new Announcement(claimed, f.details(), key, copy);
  }

  public NodeId nodeId() {
    return nodeId;
  }

  public ServerDetails details() {
    return details;
  }

  public String nickname() {
    return details.nickname();
  }

  public List<HostPort> addresses() {
    return details.addresses();
  }

  public long freeSpace() {
    return details.freeSpace();
  }

  public String softwareVersion() {
    return details.softwareVersion();
  }

  public long sequence() {
    return details.sequence();
  }

  public Instant issuedAt() {
    return details.issuedAt();
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  /** The signed bytes (a copy). */
  public byte[] toBytes() {
    return encoded.clone();
  }

  /** Length of the signed bytes. */
  public int length() {
    return encoded.length;
  }

  /** True when this should replace {@code other} for the same node: a strictly higher sequence. */
  public boolean supersedes(Announcement other) {
    return nodeId.equals(other.nodeId) && details.sequence() > other.details.sequence();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Announcement a && Arrays.equals(encoded, a.encoded);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(encoded);
  }

  @Override
  public String toString() {
    return "Announcement[" + nodeId.shortForm() + " '" + details.nickname() + "' seq="
        + details.sequence() + " " + details.addresses() + "]";
  }
}
