package org.cairnfs.protocol.message;

import java.nio.charset.StandardCharsets;

/**
 * The first frame each side sends: magic, protocol version and the sender's roles.
 *
 * <p>Its layout is frozen for all versions so that any two Cairn nodes can tell each other
 * which version they speak before anything else is parsed.
 */
public record Hello(int version, int roles) implements Message {
  /** ASCII "CAIRN-WP": marks a Cairn wire-protocol connection. */
  public static final byte[] MAGIC = "CAIRN-WP".getBytes(StandardCharsets.US_ASCII);
  /**
   * The protocol version this code speaks. 2: WRITE_SLOT_SHARE carries lease renew and cancel
   * secrets.
   */
  public static final int CURRENT_VERSION = 2;
  /** Role bit: the sender is a client. */
  public static final int ROLE_CLIENT = 1;
  /** Role bit: the sender serves storage requests. */
  public static final int ROLE_STORAGE = 2;
  /** Role bit: the sender serves introducer requests. */
  public static final int ROLE_INTRODUCER = 4;

  public Hello {
    if (version < 0 || version > 0xFFFF) {
      throw new IllegalArgumentException("version must fit 16 bits, got " + version);
    }
    if (roles < 0 || roles > 0xFF) {
      throw new IllegalArgumentException("roles must fit 8 bits, got " + roles);
    }
  }

  /** A hello for this code's protocol version. */
  public static Hello current(int roles) {
    return new Hello(CURRENT_VERSION, roles);
  }

  @Override
  public MessageType type() {
    return MessageType.HELLO;
  }
}
