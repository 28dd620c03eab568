package org.cairnfs.fs.gateway;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request that cannot be served, with the status and a message for the client. Thrown inside
 * the gateway and turned into a response once, at the edge ({@link Responses#error}). Messages
 * never contain a write cap.
 */
final class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient HttpResponseStatus status;

  HttpError(HttpResponseStatus status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  HttpResponseStatus status() {
    return status;
  }

  static HttpError badRequest(String message) {
    return new HttpError(HttpResponseStatus.BAD_REQUEST, message);
  }

  static HttpError forbidden(String message) {
    return new HttpError(HttpResponseStatus.FORBIDDEN, message);
  }

  static HttpError notFound(String message) {
    return new HttpError(HttpResponseStatus.NOT_FOUND, message);
  }
}
