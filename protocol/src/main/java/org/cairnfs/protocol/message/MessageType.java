package org.cairnfs.protocol.message;

/**
 * The wire type byte of every message. Requests are 0x01-0x3F, responses 0x40-0x7F.
 *
 * <p>Values are never reused; a new message gets a new value and a new protocol version.
 */
public enum MessageType {
  HELLO(0x00),
  PING(0x01),
  GET_SERVER_INFO(0x02),
  GET_SHARE_NUMBERS(0x03),
  ALLOCATE(0x04),
  WRITE_CHUNK(0x05),
  CLOSE_SHARE(0x06),
  ABORT_SHARE(0x07),
  READ_RANGE(0x08),
  LIST_SHARES(0x09),
  READ_SLOT(0x0A),
  WRITE_SLOT_SHARE(0x0B),
  ADD_LEASE(0x0C),
  RENEW_LEASE(0x0D),
  PUBLISH(0x20),
  SUBSCRIBE(0x21),
  OK(0x40),
  SERVER_INFO(0x41),
  SHARE_NUMBERS(0x42),
  ALLOCATED(0x43),
  DATA(0x44),
  SHARE_LIST(0x45),
  SLOT_DATA(0x46),
  ANNOUNCEMENT_PUSH(0x50),
  ERROR(0x7F);

  private static final MessageType[] BY_WIRE = new MessageType[256];

  static {
    for (MessageType t : values()) {
      BY_WIRE[t.wire] = t;
    }
  }

  private final int wire;

  MessageType(int wire) {
    this.wire = wire;
  }

  public int wire() {
    return wire;
  }

  /** The type for a wire byte (0..255), or null when unknown. */
  public static MessageType fromWire(int value) {
    return value >= 0 && value < 256 ? BY_WIRE[value] : null;
  }
}
