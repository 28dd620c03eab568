package org.cairnfs.fs.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * Answers {@code Expect: 100-continue} only for a request the gateway may take. A change on a
 * public read-only gateway, or one through a read cap (whatever the path below it, every cap
 * reached from a read cap is read-only), gets no 100: the request goes on without its
 * {@code Expect} and is answered 403, as it would be after its body, so the client never sends
 * a body only to have it refused. Anything else decides after the head, as before.
 */
final class ExpectContinue extends HttpServerExpectContinueHandler {
  private final boolean publicReadOnly;

  ExpectContinue(boolean publicReadOnly) {
    this.publicReadOnly = publicReadOnly;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof HttpRequest r && HttpUtil.is100ContinueExpected(r) && surelyRefused(r)) {
      r.headers().remove(HttpHeaderNames.EXPECT); // the 403 to come is the final answer
    }
    super.channelRead(ctx, msg);
  }

  /** Whether the request is a change the gateway will refuse whatever its body holds. */
  boolean surelyRefused(HttpRequest r) {
    HttpMethod m = r.method();
    if (m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD)) {
      return false;
    }
    if (publicReadOnly) {
      return true;
    }
    String path;
    try {
      path = new QueryStringDecoder(r.uri()).rawPath();
    } catch (IllegalArgumentException e) {
      return false;
    }
    if (!path.startsWith("/uri/")) {
      return false;
    }
    try {
      return !UriPath.parse(path.substring("/uri/".length())).cap().isWritable();
    } catch (RuntimeException malformed) {
      return false; // answered (400) by the request's own path
    }
  }
}
