package org.cairnfs.protocol.server;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslClosedEngineException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.protocol.frame.FrameFormatException;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.TlsContexts;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's server logic: hello exchange, then requests run in arrival order on the
 * backend executor, answered under their request ids. Stops reading while {@code maxInFlight}
 * requests are unanswered (backpressure) and drops connections that stall (hello or idle
 * timeout, or a peer that stops reading its responses). Nothing a client sends can throw out
 * of this handler.
 */
final class ServerHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ServerHandler.class);
  private static final AtomicLong CONNECTIONS = new AtomicLong();

  private final RequestDispatcher dispatcher;
  private final StorageBackend storage;
  private final Executor executor;
  private final int maxInFlight;
  private final int maxFrameLength;
  private final long helloTimeoutNanos;
  private final long idleTimeoutNanos;

  private Caller caller;
  private boolean helloDone;
  private int inFlight;
  private long lastFrameNanos;
  private long lastAnswerNanos;
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  private ScheduledFuture<?> timer;

  ServerHandler(RequestDispatcher dispatcher, StorageBackend storage, Executor executor,
      ServerConfig config) {
    this.dispatcher = dispatcher;
    this.storage = storage;
    this.executor = executor;
    this.maxInFlight = config.maxInFlight;
    this.maxFrameLength = config.maxFrameLength;
    this.helloTimeoutNanos = config.helloTimeout.toNanos();
    this.idleTimeoutNanos = config.idleTimeout.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    lastFrameNanos = System.nanoTime();
    lastAnswerNanos = lastFrameNanos;
    long checkEvery = Math.max(TimeUnit.MILLISECONDS.toNanos(50),
        Math.min(helloTimeoutNanos, idleTimeoutNanos) / 4);
    timer = ctx.executor().scheduleAtFixedRate(() -> checkTimeouts(ctx), checkEvery, checkEvery,
        TimeUnit.NANOSECONDS);
  }

  private void checkTimeouts(ChannelHandlerContext ctx) {
    long now = System.nanoTime();
    long idle = now - lastFrameNanos;
    if (!helloDone && idle > helloTimeoutNanos) {
      log.debug("{}: no hello within the timeout, closing", ctx.channel().remoteAddress());
      ctx.close();
    } else if (helloDone && inFlight == 0 && idle > idleTimeoutNanos) {
      log.debug("{}: idle, closing", caller);
      ctx.close();
    } else if (helloDone && idle > idleTimeoutNanos && !ctx.channel().isWritable()
        && now - lastAnswerNanos > idleTimeoutNanos) {
      // Requests are in flight only because their answers cannot be written: the peer has
      // stopped reading (slow read). A slow backend does not make the channel unwritable.
      log.debug("{}: not reading its responses, closing", caller);
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      if (ssl != null) {
        ssl.setCloseNotifyFlushTimeoutMillis(1); // its close_notify would never be read either
      }
      ctx.close();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent e) {
      if (!e.isSuccess()) {
        log.debug("{}: TLS handshake failed: {}", ctx.channel().remoteAddress(), e.cause().toString());
        ctx.close();
        return;
      }
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      authenticated(ctx, TlsContexts.peerId(ssl.engine().getSession()));
    }
    super.userEventTriggered(ctx, evt);
  }

  /** The peer proved {@code id}; tests without TLS call this directly. */
  void authenticated(ChannelHandlerContext ctx, NodeId id) {
    caller = new Caller(id, CONNECTIONS.incrementAndGet(), ctx.channel().remoteAddress());
    log.debug("{}: TLS established", caller);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (caller == null) {
        ctx.close(); // data before TLS finished cannot happen; be safe
      } else if (msg instanceof FrameFormatException bad) {
        onMalformed(ctx, bad);
      } else if (msg instanceof Frame frame) {
        lastFrameNanos = System.nanoTime();
        if (!helloDone) {
          onHello(ctx, frame);
        } else if (frame.message() instanceof Request request) {
          submit(ctx, frame.requestId(), request);
        } else {
          sendError(ctx, frame.requestId(), ErrorCode.BAD_REQUEST,
              "a client may only send requests, got " + frame.message().type());
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onMalformed(ChannelHandlerContext ctx, FrameFormatException bad) {
    log.debug("{}: malformed frame: {}", caller, bad.getMessage());
    if (!helloDone || bad.fatal()) {
      sendError(ctx, bad.requestId(), bad.code(), bad.getMessage())
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      sendError(ctx, bad.requestId(), bad.code(), bad.getMessage());
    }
  }

  private void onHello(ChannelHandlerContext ctx, Frame frame) {
    if (!(frame.message() instanceof Hello hello)) {
      sendError(ctx, 0, ErrorCode.BAD_REQUEST, "expected hello, got " + frame.message().type())
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (hello.version() != Hello.CURRENT_VERSION) {
      sendError(ctx, 0, ErrorCode.UNSUPPORTED, "protocol version " + hello.version()
          + " not supported; this server speaks " + Hello.CURRENT_VERSION)
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    helloDone = true;
    ctx.writeAndFlush(new Frame(0, Hello.current(dispatcher.roles())));
  }

  private void submit(ChannelHandlerContext ctx, long id, Request request) {
    if (++inFlight >= maxInFlight) {
      ctx.channel().config().setAutoRead(false);
    }
    Caller who = caller;
    tail = tail.handleAsync((ignored, previousFailure) -> {
      Response response = run(ctx, who, id, request);
      ctx.writeAndFlush(new Frame(id, response)).addListener(f -> {
        // A peer closing TLS while its answer is in flight is a normal end, not a server fault.
        if (!f.isSuccess() && ctx.channel().isActive()
            && !(f.cause() instanceof SslClosedEngineException)) {
          log.warn("{}: could not send response to {}: {}", who, request.type(), f.cause().toString());
          sendError(ctx, id, ErrorCode.INTERNAL, "response could not be sent: " + f.cause().getMessage());
        }
        completed(ctx);
      });
      return null;
    }, executor);
  }

  private Response run(ChannelHandlerContext ctx, Caller who, long id, Request request) {
    try {
      return dispatcher.dispatch(who, request,
          () -> new ChannelSubscription(who, ctx.channel(), id, maxFrameLength));
    } catch (RequestException e) {
      return new Response.Error(e.code(), e.getMessage());
    } catch (RuntimeException | Error e) {
      log.warn("{}: backend failed on {}", who, request, e);
      return new Response.Error(ErrorCode.INTERNAL, "server error: " + e);
    }
  }

  private void completed(ChannelHandlerContext ctx) {
    // Write listeners run on the event loop.
    lastAnswerNanos = System.nanoTime();
    if (--inFlight < maxInFlight && !ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  private io.netty.channel.ChannelFuture sendError(ChannelHandlerContext ctx, long id, ErrorCode code,
      String message) {
    return ctx.writeAndFlush(new Frame(id, new Response.Error(code, message)));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException || cause.getCause() instanceof TooLongFrameException) {
      log.info("{}: {}; closing", who(ctx), cause.getMessage());
    } else {
      log.debug("{}: closing on {}", who(ctx), cause.toString());
    }
    ctx.close();
  }

  private Object who(ChannelHandlerContext ctx) {
    return caller != null ? caller : ctx.channel().remoteAddress();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (timer != null) {
      timer.cancel(false);
    }
    Caller who = caller;
    if (who != null && storage != null) {
      tail = tail.handleAsync((ignored, previousFailure) -> {
        try {
          storage.connectionClosed(who);
        } catch (RuntimeException e) {
          log.warn("{}: backend failed on connection close", who, e);
        }
        return null;
      }, executor);
    }
    super.channelInactive(ctx);
  }
}
