package org.cairnfs.protocol.frame;

import org.cairnfs.protocol.message.ErrorCode;

/**
 * A frame that cannot be decoded: the only exception {@link FrameCodec#decode} throws.
 *
 * <p>Carries the request id when the header was readable (so the peer can be answered with an
 * error frame under that id) and whether the connection must be closed (header unreadable).
 */
public final class FrameFormatException extends Exception {
  private final long requestId;
  private final ErrorCode code;
  private final boolean fatal;

  FrameFormatException(long requestId, ErrorCode code, boolean fatal, String message) {
    super(message, null, false, false);
    this.requestId = requestId;
    this.code = code;
    this.fatal = fatal;
  }

  /** The request id from the header, 0 when unknown. */
  public long requestId() {
    return requestId;
  }

  /** BAD_REQUEST for a malformed body, UNSUPPORTED for an unknown type. */
  public ErrorCode code() {
    return code;
  }

  /** True when the frame header itself is unreadable and the connection should close. */
  public boolean fatal() {
    return fatal;
  }
}
