package org.cairnfs.protocol.message;

/**
 * Hard bounds on every field decoded from the wire; checked before any allocation.
 *
 * <p>They are part of the protocol (see {@code docs/specs/wire.md}): a peer that sends more is
 * answered with {@link ErrorCode#BAD_REQUEST} or disconnected.
 */
public final class WireLimits {
  /** Largest data payload of one chunk (WriteChunk, ReadRange, WriteSlotShare, ReadSlot total). */
  public static final int MAX_CHUNK = 1 << 20;
  /** Default largest frame (length prefix value): one chunk plus room for headers. */
  public static final int DEFAULT_MAX_FRAME = MAX_CHUNK + 64 * 1024;
  /** Smallest max-frame setting a node may configure. */
  public static final int MIN_MAX_FRAME = 64 * 1024;
  /** Largest UTF-8 string (error messages, version strings), in bytes. */
  public static final int MAX_STRING = 4096;
  /** Largest signed announcement, in bytes. */
  public static final int MAX_ANNOUNCEMENT = 64 * 1024;
  /** Largest number of announcements in one push frame. */
  public static final int MAX_ANNOUNCEMENTS_PER_PUSH = 1024;
  /**
   * Most bytes of announcement pushes a server keeps queued for one subscriber that is not
   * reading: a push that finds more than this still unsent closes that subscriber's connection
   * (it reconnects and gets a fresh full snapshot) instead of buffering without bound. One push
   * of any size is always accepted onto an empty queue, so a large snapshot never trips it.
   */
  public static final int MAX_PENDING_PUSH_BYTES = 4 << 20;
  /** Default most connections a server holds at once. */
  public static final int DEFAULT_MAX_CONNECTIONS = 1024;
  /** Default most connections from one peer address (IPv6: one /64). */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 32;
  /** Default new connections one peer address (IPv6: /64) may open at once, before its rate. */
  public static final int DEFAULT_NEW_CONNECTION_BURST = 32;
  /** Default new connections one peer address (IPv6: /64) may open per second after its burst. */
  public static final int DEFAULT_NEW_CONNECTIONS_PER_SECOND = 16;
  /** Default most connections with one client node id. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_NODE = 8;
  /** Default most bytes of requests a server holds in memory, all connections together. */
  public static final long DEFAULT_MAX_BUFFERED_REQUEST_BYTES = 128L << 20;
  /** Default most bytes of requests one connection may have in memory (frames and queue). */
  public static final long DEFAULT_MAX_CONNECTION_REQUEST_BYTES = 8L << 20;
  /** Default most bytes of responses being produced or sent, all connections together. */
  public static final long DEFAULT_MAX_BUFFERED_RESPONSE_BYTES = 128L << 20;
  /** Share numbers are 0..255. */
  public static final int MAX_SHARE_NUMBER = 255;
  /** Lease secrets are 32 bytes. */
  public static final int SECRET_LENGTH = 32;

  private WireLimits() {}

  /** Checks a share number, naming it when bad. */
  static int checkShare(int share) {
    if (share < 0 || share > MAX_SHARE_NUMBER) {
      throw new IllegalArgumentException("share number must be 0.." + MAX_SHARE_NUMBER + ", got " + share);
    }
    return share;
  }

  static long checkOffset(long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0, got " + offset);
    }
    return offset;
  }

  static int checkLength(int length) {
    if (length < 0 || length > MAX_CHUNK) {
      throw new IllegalArgumentException("length must be 0.." + MAX_CHUNK + ", got " + length);
    }
    return length;
  }

  static byte[] checkChunk(byte[] data) {
    checkChunkLength(data);
    return data.clone();
  }

  static void checkChunkLength(byte[] data) {
    checkChunkLength(data.length);
  }

  static void checkChunkLength(int length) {
    if (length > MAX_CHUNK) {
      throw new IllegalArgumentException("chunk must be at most " + MAX_CHUNK + " bytes, got " + length);
    }
  }

  static byte[] checkSecret(byte[] secret, String what) {
    if (secret.length != SECRET_LENGTH) {
      throw new IllegalArgumentException(what + " must be " + SECRET_LENGTH + " bytes, got " + secret.length);
    }
    return secret.clone();
  }

  static java.util.Set<Integer> checkShares(java.util.Set<Integer> shares) {
    java.util.TreeSet<Integer> sorted = new java.util.TreeSet<>();
    for (Integer s : shares) {
      sorted.add(checkShare(s));
    }
    return java.util.Collections.unmodifiableSortedSet(sorted);
  }
}
