package org.cairnfs.fs.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's requests, one at a time: a request head must arrive within the header
 * timeout (else 408), is handed to a worker, and the next request is not read before this
 * response is written (pipelined requests wait, a few at most). Bad heads answer 400, 414 or
 * 431 and close. Runs on the connection's event loop; workers call back through
 * {@link Exchange}.
 */
final class RequestHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);
  private static final Logger access = LoggerFactory.getLogger("org.cairnfs.fs.gateway.access");
  /** Pipelined requests that may wait (each a head and its body's pieces). */
  private static final int MAX_PENDING = 16;
  /** Pieces of them that may wait: what one read of tiny pipelined requests can decode to. */
  private static final int MAX_PENDING_MESSAGES = 256;
  /** Body bytes of them that may wait (a piece holds up to 64 KiB): 1 MiB a connection. */
  private static final long MAX_PENDING_BYTES = 1 << 20;

  private final GatewayConfig config;
  private final RequestRouter router;
  private final Executor workers;
  private final GatewayMetrics metrics;
  private final ArrayDeque<Object> pending = new ArrayDeque<>();
  private int pendingRequests;
  private long pendingBytes;
  private final Object writability = new Object();
  private ChannelHandlerContext ctx;
  private Exchange current;
  /** The current request's body has been read whole (or it has none). */
  private volatile boolean bodyDone;
  /** The current request's last content has been seen: what arrives next is the next request. */
  private boolean requestComplete;
  private boolean responseComplete;
  private ScheduledFuture<?> headerDeadline;

  RequestHandler(GatewayConfig config, RequestRouter router, Executor workers,
      GatewayMetrics metrics) {
    this.config = config;
    this.router = router;
    this.workers = workers;
    this.metrics = metrics;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    this.ctx = ctx;
    armHeaderDeadline();
    super.channelActive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (current != null && requestComplete) {
      pending.add(msg); // pipelined: wait for this response
      if (msg instanceof HttpRequest) {
        pendingRequests++;
      }
      if (msg instanceof HttpContent c) {
        pendingBytes += c.content().readableBytes();
      }
      if (pendingRequests > MAX_PENDING || pending.size() > MAX_PENDING_MESSAGES
          || pendingBytes > MAX_PENDING_BYTES) {
        ctx.close();
      }
      return;
    }
    handle(msg);
  }

  private void handle(Object msg) {
    try {
      if (msg instanceof HttpRequest req) {
        startRequest(req);
      }
      if (msg instanceof HttpContent c && current != null) {
        BodyStream body = current.body();
        if (c.decoderResult().isFailure()) {
          ctx.close();
          return;
        }
        if (body != null && c.content().isReadable()) {
          metrics.received(c.content().readableBytes());
          body.offer(c.content().retain());
        }
        if (c instanceof LastHttpContent) {
          requestComplete = true;
          bodyDone = true;
          if (body != null) {
            body.end();
          }
          if (responseComplete) {
            endCycle();
          } else {
            ctx.channel().config().setAutoRead(false);
            if (current != null && current.request().uri().startsWith(ClientApi.PREFIX)) {
              // the local client channel: one read stays asked for, so a command stopped while
              // its answer is being made is noticed (Exchange.clientGone) and its work stops.
              // Not for other clients: one that half-closes after its request (nc -N, some
              // scripts) would read as gone and lose its answer.
              ctx.read();
            }
          }
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void startRequest(HttpRequest req) {
    cancelHeaderDeadline();
    if (req.decoderResult().isFailure()) {
      badHead(req.decoderResult().cause());
      return;
    }
    boolean hasBody = HttpUtil.isTransferEncodingChunked(req)
        || HttpUtil.getContentLength(req, 0L) > 0;
    BodyStream body = hasBody && !req.method().equals(HttpMethod.GET)
        && !req.method().equals(HttpMethod.HEAD)
        ? new BodyStream(ctx.channel(), config.maxBodyBuffer()) : null;
    Exchange ex = new Exchange(ctx, this, req, body);
    current = ex;
    requestComplete = false;
    bodyDone = !hasBody;
    responseComplete = false;
    try {
      workers.execute(() -> router.serve(ex));
    } catch (RejectedExecutionException e) {
      ex.closeAfterResponse();
      ex.respond(Responses.error(HttpResponseStatus.SERVICE_UNAVAILABLE,
          "the gateway is too busy now; try again"));
    }
  }

  private void badHead(Throwable cause) {
    HttpResponseStatus status;
    String message;
    if (cause instanceof TooLongHttpHeaderException) {
      status = HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE;
      message = "request headers larger than " + config.maxHeaderBytes() + " bytes";
    } else if (cause instanceof TooLongHttpLineException) {
      status = HttpResponseStatus.REQUEST_URI_TOO_LONG;
      message = "request line longer than " + GatewayInitializer.MAX_INITIAL_LINE + " bytes";
    } else {
      status = HttpResponseStatus.BAD_REQUEST;
      message = "malformed HTTP request: " + cause.getMessage();
    }
    sendAndClose(status, message);
  }

  private void sendAndClose(HttpResponseStatus status, String message) {
    var r = Responses.error(status, message);
    Responses.secure(r.headers(), Html.PAGE_CSP);
    r.headers().set(HttpHeaderNames.CONNECTION, "close");
    metrics.request("-", status.code(), r.content().readableBytes());
    access.info("- - {} (connection closed)", status.code());
    ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
  }

  /** Whether the body of {@code ex} has been read whole (true when it has none). */
  boolean requestComplete(Exchange ex) {
    return ex == current && bodyDone;
  }

  /** From any thread: the response of {@code ex} is written (or failed). */
  void responseDone(Exchange ex, boolean keepAlive) {
    if (!ctx.executor().inEventLoop()) {
      ctx.executor().execute(() -> responseDone(ex, keepAlive));
      return;
    }
    if (ex != current) {
      return;
    }
    logAccess(ex);
    responseComplete = true;
    if (!keepAlive || !bodyDone) {
      ctx.close();
      return;
    }
    if (requestComplete) {
      endCycle(); // else the last content, still to come, ends the cycle
    }
  }

  private void endCycle() {
    current = null;
    requestComplete = false;
    bodyDone = false;
    responseComplete = false;
    armHeaderDeadline();
    ctx.channel().config().setAutoRead(true);
    while (!pending.isEmpty() && !(current != null && requestComplete)) {
      Object next = pending.poll();
      if (next instanceof HttpRequest) {
        pendingRequests--;
      }
      if (next instanceof HttpContent c) {
        pendingBytes -= c.content().readableBytes();
      }
      handle(next);
    }
  }

  private void logAccess(Exchange ex) {
    String method = ex.method().name();
    metrics.request(method, ex.status(), ex.bytesSent());
    if (access.isInfoEnabled()) {
      access.info("{} {} {} {} B {} ms", method, CapRedaction.redact(ex.request().uri()),
          ex.status(), ex.bytesSent(), TimeUnit.NANOSECONDS.toMillis(ex.elapsedNanos()));
    }
  }

  /**
   * From a worker: waits until the socket takes more; false once the connection is gone, the
   * thread is interrupted or, when {@code bounded}, with the socket still full at {@code
   * deadline} (a {@link System#nanoTime()}).
   */
  boolean awaitWritable(Channel ch, boolean bounded, long deadline) {
    synchronized (writability) {
      while (ch.isActive() && !ch.isWritable()) {
        long wait = 500;
        if (bounded) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          wait = Math.max(1, Math.min(wait, left / 1_000_000));
        }
        try {
          writability.wait(wait);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return ch.isActive();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    synchronized (writability) {
      writability.notifyAll();
    }
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelHeaderDeadline();
    if (current != null && current.body() != null) {
      current.body().fail(new IOException("the client closed the connection mid-body"));
    }
    while (!pending.isEmpty()) {
      ReferenceCountUtil.release(pending.poll());
    }
    synchronized (writability) {
      writability.notifyAll();
    }
    super.channelInactive(ctx);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      if (workingOnRequest()) {
        return; // quiet because this node is still at work on the request, not the client
      }
      log.debug("closing {} idle for {}", ctx.channel().remoteAddress(), config.idleTimeout());
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  /**
   * Whether the connection is quiet only because the request is still being served: its body
   * is in (or this side paused reading it) and the response is unfinished but not stuck on a
   * client that stopped reading. A long upload or download through the node sends nothing
   * while the grid works; the idle timeout is for clients that stall, not for that.
   */
  private boolean workingOnRequest() {
    if (current == null || responseComplete || !ctx.channel().isWritable()) {
      return false;
    }
    BodyStream body = current.body();
    return bodyDone || (body != null && body.paused());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("gateway connection {} failed: {}", ctx.channel().remoteAddress(),
        cause.toString());
    ctx.close();
  }

  /**
   * After the header timeout without a whole request head: 408 if some bytes of one came, else
   * (an idle keep-alive connection) a silent close, so that a client reusing the connection at
   * that moment never takes the 408 for the answer to its request.
   */
  private void armHeaderDeadline() {
    ctx.channel().attr(HeadArrival.STARTED).set(false);
    headerDeadline = ctx.executor().schedule(() -> {
      if (current == null && ctx.channel().isActive()) {
        if (Boolean.TRUE.equals(ctx.channel().attr(HeadArrival.STARTED).get())) {
          sendAndClose(HttpResponseStatus.REQUEST_TIMEOUT, "no complete request head within "
              + config.headerTimeout().toMillis() + " ms");
        } else {
          ctx.close();
        }
      }
    }, config.headerTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  private void cancelHeaderDeadline() {
    if (headerDeadline != null) {
      headerDeadline.cancel(false);
      headerDeadline = null;
    }
  }
}
