package org.cairnfs.protocol.message;

/**
 * Why a request failed, as carried in an {@link Response.Error} frame.
 *
 * <p>The wire value is the byte in the frame; values are never reused. A code this version does
 * not know decodes as {@link #INTERNAL} so a newer server cannot crash an older client.
 */
public enum ErrorCode {
  /** The request was malformed or violated a limit. */
  BAD_REQUEST(1),
  /** The storage index, share or slot does not exist. */
  NOT_FOUND(2),
  /** The server has no space left for this request. */
  SERVER_FULL(3),
  /** The share is larger than the server accepts. */
  SHARE_TOO_BIG(4),
  /** The server refused the request (failed check, wrong secret, policy). */
  REJECTED(5),
  /** The server is overloaded; try again later or elsewhere. */
  BUSY(6),
  /** The server failed; not the client's fault. */
  INTERNAL(7),
  /** The message type or protocol version is not supported. */
  UNSUPPORTED(8);

  private final int wire;

  ErrorCode(int wire) {
    this.wire = wire;
  }

  public int wire() {
    return wire;
  }

  /** The code for a wire value; unknown values map to {@link #INTERNAL}. */
  public static ErrorCode fromWire(int value) {
    for (ErrorCode c : values()) {
      if (c.wire == value) {
        return c;
      }
    }
    return INTERNAL;
  }
}
