package org.cairnfs.fs.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.util.List;

/**
 * One request and its response, as the worker serving it sees them. A response is either whole
 * ({@link #respond}) or streamed ({@link #sendHead}, {@link #write}, {@link #finish}); writing
 * waits while the socket is not writable, so a slow reader holds one chunk, not the file.
 */
final class Exchange {
  private final ChannelHandlerContext ctx;
  private final RequestHandler handler;
  private final HttpRequest request;
  private final QueryStringDecoder query;
  private final BodyStream body;
  private final long started = System.nanoTime();
  private boolean headSent;
  private boolean finished;
  private boolean keepAlive;
  private int status;
  private long bytesSent;
  private SlotPace pace;
  private long answerStart;

  Exchange(ChannelHandlerContext ctx, RequestHandler handler, HttpRequest request,
      BodyStream body) {
    this.ctx = ctx;
    this.handler = handler;
    this.request = request;
    this.body = body;
    QueryStringDecoder q;
    try {
      q = new QueryStringDecoder(request.uri(), java.nio.charset.StandardCharsets.UTF_8, true, 64);
      q.path();
      q.parameters();
    } catch (IllegalArgumentException e) {
      q = null;
    }
    this.query = q;
    this.keepAlive = HttpUtil.isKeepAlive(request);
  }

  /** Whether the client closed its connection: nothing more can reach it. */
  boolean clientGone() {
    return !ctx.channel().isActive();
  }

  HttpRequest request() {
    return request;
  }

  HttpMethod method() {
    return request.method();
  }

  boolean isHead() {
    return request.method().equals(HttpMethod.HEAD);
  }

  /** The raw (still percent-encoded) path, for cap parsing segment by segment. */
  String rawPath() {
    if (query == null) {
      throw HttpError.badRequest("bad percent-encoding in the URL");
    }
    return query.rawPath();
  }

  /** A query parameter's first value, or null. */
  String param(String name) {
    if (query == null) {
      throw HttpError.badRequest("bad percent-encoding in the URL");
    }
    List<String> v = query.parameters().get(name);
    return v == null ? null : v.get(0); // the decoder makes a list only to add a value
  }

  String header(CharSequence name) {
    return request.headers().get(name);
  }

  /** The TCP port this request came in on (the gateway's own). */
  int localPort() {
    return ((java.net.InetSocketAddress) ctx.channel().localAddress()).getPort();
  }

  /** What per-address limits count this client as: its address, an IPv6 /64; null for loopback. */
  Object clientAddressKey() {
    return ConnectionLimit.addressKey(ctx.channel().remoteAddress());
  }

  /** The request body, or null when the request has none. */
  BodyStream body() {
    return body;
  }

  boolean headSent() {
    return headSent;
  }

  int status() {
    return status;
  }

  long bytesSent() {
    return bytesSent;
  }

  long elapsedNanos() {
    return System.nanoTime() - started;
  }

  /** Sends a whole response (its body left out for HEAD) and ends the exchange. */
  void respond(FullHttpResponse r) {
    if (headSent) {
      r.release();
      throw new IllegalStateException("response already started");
    }
    prepare(r, Html.PAGE_CSP);
    headSent = true;
    finished = true;
    status = r.status().code();
    if (isHead()) {
      DefaultFullHttpResponse head = new DefaultFullHttpResponse(r.protocolVersion(), r.status(),
          Unpooled.EMPTY_BUFFER, r.headers(), r.trailingHeaders());
      r.release();
      r = head;
    } else {
      bytesSent = r.content().readableBytes();
    }
    ctx.writeAndFlush(r).addListener(f -> handler.responseDone(this, f.isSuccess() && keepAlive));
  }

  /**
   * Sends a whole response as {@link #respond} does, but its body in pieces of at most
   * {@code piece} bytes, each once the socket took the last, so that a client reading slowly
   * holds the socket's buffers, not the body, and its pace is checked ({@link #paceWith}).
   */
  void respondInPieces(FullHttpResponse r, int piece) throws IOException {
    if (headSent) {
      r.release();
      throw new IllegalStateException("response already started");
    }
    try {
      HttpResponse head = new DefaultHttpResponse(r.protocolVersion(), r.status(), r.headers());
      prepare(head, Html.PAGE_CSP);
      headSent = true;
      status = r.status().code();
      answerStart = System.nanoTime();
      ctx.writeAndFlush(head);
      ByteBuf content = r.content();
      while (!isHead() && content.isReadable()) {
        write(content.readRetainedSlice(Math.min(piece, content.readableBytes())));
      }
    } finally {
      r.release();
    }
    finish();
  }

  /** Starts a streamed response with its headers; the CSP is the one for its file content. */
  void sendHead(HttpResponse r) {
    if (headSent) {
      throw new IllegalStateException("response already started");
    }
    prepare(r, Html.fileCsp(r.headers().get(HttpHeaderNames.CONTENT_TYPE)));
    headSent = true;
    status = r.status().code();
    answerStart = System.nanoTime();
    ctx.writeAndFlush(r);
  }

  /**
   * From now on (until called with null) the client must keep {@code p}: the body is read
   * against its deadlines from now, the answer from when its head is sent (time the grid takes
   * meanwhile is not the client's).
   */
  void paceWith(SlotPace p) {
    pace = p;
    if (body != null) {
      body.paceWith(p, System.nanoTime());
    }
  }

  /** Writes a piece of a streamed body, after waiting until the socket takes more. */
  void write(ByteBuf content) throws IOException {
    SlotPace p = pace;
    boolean paced = p != null;
    long deadline = paced ? p.deadline(answerStart, bytesSent) : 0;
    if (!handler.awaitWritable(ctx.channel(), paced, deadline)) {
      content.release();
      boolean tooSlow = paced && ctx.channel().isActive()
          && !Thread.currentThread().isInterrupted();
      throw tooSlow ? new ClientGoneException("the client read its answer slower than "
          + p.minBytesPerSecond() + " bytes/s while the request held a slot")
          : new ClientGoneException();
    }
    bytesSent += content.readableBytes();
    ctx.writeAndFlush(new DefaultHttpContent(content));
  }

  /** Ends a streamed response. */
  void finish() {
    finished = true;
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
        .addListener(f -> handler.responseDone(this, f.isSuccess() && keepAlive));
  }

  /** Gives up on a streamed response: the connection is closed, the client sees it cut. */
  void abort() {
    if (!finished) {
      finished = true;
      keepAlive = false;
      ctx.close().addListener(f -> handler.responseDone(this, false));
    }
  }

  private void prepare(HttpResponse r, String csp) {
    if (!handler.requestComplete(this)) {
      keepAlive = false; // the rest of an unread body must not be taken for the next request
    }
    Responses.secure(r.headers(), csp);
    if (!r.headers().contains(HttpHeaderNames.CACHE_CONTROL)) {
      r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    }
    r.headers().set(HttpHeaderNames.CONNECTION,
        keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
  }

  void closeAfterResponse() {
    keepAlive = false;
  }
}
