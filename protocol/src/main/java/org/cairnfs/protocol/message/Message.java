package org.cairnfs.protocol.message;

/**
 * The body of one frame: a request, a response or the connection hello.
 *
 * <p>Each kind has one wire type byte ({@link #type()}); the request id lives in the frame
 * ({@link Frame}), not in the message, so the same message value can be sent under any id.
 */
public sealed interface Message permits Hello, Request, Response {
  /** The wire type byte. */
  MessageType type();
}
