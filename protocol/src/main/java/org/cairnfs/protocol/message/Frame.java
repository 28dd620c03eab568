package org.cairnfs.protocol.message;

import java.util.Objects;

/**
 * One decoded frame: a request id and a message.
 *
 * <p>A response echoes the id of its request, which lets a client keep many requests in flight
 * on one connection. Id 0 is reserved for the hello and for connection-level errors.
 */
public record Frame(long requestId, Message message) {
  public Frame {
    Objects.requireNonNull(message, "message");
  }
}
