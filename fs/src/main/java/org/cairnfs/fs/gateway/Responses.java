package org.cairnfs.fs.gateway;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Builds responses, and puts the headers every response carries. */
final class Responses {
  private Responses() {}

  /**
   * The headers on every answer: no Referer ever leaves a page (URLs hold caps), a strict CSP,
   * no content sniffing, no framing.
   */
  static void secure(HttpHeaders h, String csp) {
    h.set("Referrer-Policy", "no-referrer");
    h.set("Content-Security-Policy", csp);
    h.set("X-Content-Type-Options", "nosniff");
    h.set("X-Frame-Options", "SAMEORIGIN");
    h.set("Cross-Origin-Resource-Policy", "same-origin");
  }

  static FullHttpResponse text(HttpResponseStatus status, String body) {
    return of(status, "text/plain; charset=utf-8", body);
  }

  static FullHttpResponse html(HttpResponseStatus status, String body) {
    return of(status, "text/html; charset=utf-8", body);
  }

  static FullHttpResponse json(HttpResponseStatus status, String body) {
    return of(status, "application/json", body);
  }

  static FullHttpResponse of(HttpResponseStatus status, String type, String body) {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.wrappedBuffer(b));
    r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, b.length);
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return r;
  }

  /** An error: plain text, the status line's reason, then the message. */
  static FullHttpResponse error(HttpResponseStatus status, String message) {
    return text(status, status.code() + " " + status.reasonPhrase() + ": " + message + "\n");
  }

  static FullHttpResponse empty(HttpResponseStatus status) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
        Unpooled.EMPTY_BUFFER);
    r.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
    return r;
  }
}
