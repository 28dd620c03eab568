package org.cairnfs.protocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslClosedEngineException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.cairnfs.protocol.frame.FrameCodec;
import org.cairnfs.protocol.frame.FrameFormatException;
import org.cairnfs.protocol.frame.FrameReader;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.TlsContexts;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WireLimits;
import org.cairnfs.protocol.server.RequestOrder.Queued;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's server logic: hello exchange, then requests run on the backend executor in
 * the order {@link RequestOrder} allows (one storage index's requests one at a time in arrival
 * order, up to {@code maxRunningPerConnection} of different indexes at once), answered under
 * their request ids as they finish. A close waiting for the backend's commit gives back its
 * running place as soon as the backend call returns and is answered when the commit completes
 * (see {@link RequestOrder}). Nothing a client sends can throw out of this handler.
 *
 * <p>What one connection may cost is bounded here: a request starts only while the socket is
 * writable and after the bytes of its largest possible response were taken from the
 * server-wide response budget, so a peer that stops reading holds at most
 * {@code maxRunningPerConnection} responses beyond Netty's write buffer; reading stops while {@code maxInFlight} requests are unanswered or
 * {@link ConnectionMemory} holds the request bytes it may; and a connection is dropped when it
 * stalls: no hello in time, idle, a frame that stops arriving, or a response it does not read
 * (see {@code docs/specs/wire.md} section 7).
 */
final class ServerHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ServerHandler.class);
  private static final AtomicLong CONNECTIONS = new AtomicLong();
  /** Bound on any response other than data: errors, server info, share lists. */
  static final int SMALL_RESPONSE = 8192;

  private final RequestDispatcher dispatcher;
  private final StorageBackend storage;
  private final Executor executor;
  private final SharedLimits shared;
  private final PeerBudget responses;
  private final ReadGate gate;
  private final ConnectionMemory memory;
  private final FrameReader frames;
  private final int maxInFlight;
  private final int maxFrameLength;
  private final ServerConfig config;
  private StallClock clock;

  private ChannelHandlerContext ctx;
  private Caller caller;
  private boolean nodeCounted;
  private boolean helloDone;
  /** Nothing more is answered (the connection is closing or closed). */
  private boolean closed;
  /** The connection has closed (channelInactive ran). */
  private boolean inactive;
  private int inFlight;
  private final RequestOrder order;
  private boolean pumping;
  private MemoryBudget.Wait responseWait;
  private final List<ChannelSubscription> subscriptions = new CopyOnWriteArrayList<>();
  private ScheduledFuture<?> timer;

  ServerHandler(RequestDispatcher dispatcher, StorageBackend storage, Executor executor,
      ServerConfig config, SharedLimits shared, PeerBudget responses, ReadGate gate,
      ConnectionMemory memory, FrameReader frames) {
    this.dispatcher = dispatcher;
    this.responses = responses;
    this.storage = storage;
    this.executor = executor;
    this.shared = shared;
    this.gate = gate;
    this.memory = memory;
    this.frames = frames;
    this.maxInFlight = config.maxInFlight;
    this.maxFrameLength = config.maxFrameLength;
    this.config = config;
    this.order = new RequestOrder(Math.min(config.maxRunningPerConnection, config.maxInFlight));
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    clock = new StallClock(config, frames, System.nanoTime());
    long tick = clock.tickNanos();
    timer = ctx.executor().scheduleAtFixedRate(this::checkTimeouts, tick, tick,
        TimeUnit.NANOSECONDS);
  }

  private void checkTimeouts() {
    StallClock.Stall stall = clock.tick(System.nanoTime(), ctx.channel().config().isAutoRead(),
        helloDone, inFlight, ctx.channel().isWritable());
    if (stall != null) {
      drop(stall.why(), stall.peerStalled());
    }
  }

  private void drop(String why, boolean peerStalled) {
    log.debug("{}: {}, closing", who(), why);
    if (peerStalled) {
      SslHandler ssl = ctx.pipeline().get(SslHandler.class);
      if (ssl != null) {
        ssl.setCloseNotifyFlushTimeoutMillis(1); // its close_notify would never be read either
      }
    }
    ctx.close();
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
    if (!shared.connections().admitNode(id)) {
      sendError(0, ErrorCode.BUSY, "node " + id.shortForm() + " already has "
          + shared.connections().perNode() + " connections to this server")
          .addListener(ChannelFutureListener.CLOSE);
      closed = true; // answer nothing else
      return;
    }
    nodeCounted = true;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    gate.enforce();
    if (!(msg instanceof ByteBuf buf)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    int frameBytes = buf.readableBytes();
    Object decoded;
    try {
      decoded = FrameCodec.decode(buf);
    } catch (FrameFormatException e) {
      decoded = e;
    } finally {
      buf.release();
    }
    if (caller == null || closed) {
      memory.release(frameBytes);
      ctx.close(); // data before TLS finished cannot happen; be safe
    } else if (decoded instanceof FrameFormatException bad) {
      memory.release(frameBytes);
      onMalformed(bad);
    } else if (decoded instanceof Frame frame) {
      clock.frameArrived(System.nanoTime());
      if (!helloDone) {
        memory.release(frameBytes);
        onHello(frame);
      } else if (frame.message() instanceof Request request) {
        enqueue(new Queued(frame.requestId(), request, frameBytes, null));
      } else {
        memory.release(frameBytes);
        enqueue(Queued.refusal(frame.requestId(), ErrorCode.BAD_REQUEST,
            "a client may only send requests, got " + frame.message().type()));
      }
    }
  }

  private void onMalformed(FrameFormatException bad) {
    log.debug("{}: malformed frame: {}", caller, bad.getMessage());
    if (!helloDone || bad.fatal()) {
      closed = true; // answer nothing else
      sendError(bad.requestId(), bad.code(), bad.getMessage())
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      // Answered in turn, like any request: a peer sending only bad frames and reading
      // nothing cannot make the server queue answers without bound.
      enqueue(Queued.refusal(bad.requestId(), bad.code(), bad.getMessage()));
    }
  }

  private void onHello(Frame frame) {
    if (!(frame.message() instanceof Hello hello)) {
      sendError(0, ErrorCode.BAD_REQUEST, "expected hello, got " + frame.message().type())
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (hello.version() != Hello.CURRENT_VERSION) {
      sendError(0, ErrorCode.UNSUPPORTED, "protocol version " + hello.version()
          + " not supported; this server speaks " + Hello.CURRENT_VERSION)
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    helloDone = true;
    ctx.writeAndFlush(new Frame(0, Hello.current(dispatcher.roles())));
  }

  private void enqueue(Queued q) {
    if (++inFlight >= maxInFlight) {
      gate.pause(ReadGate.IN_FLIGHT);
    }
    order.add(q);
    pump();
  }

  /**
   * Starts every waiting request that {@link RequestOrder} lets run, while the socket is
   * writable and the response budget grants the bytes of each one's largest possible answer
   * (a request waiting for that budget holds back the ones after it).
   */
  private void pump() {
    if (pumping) {
      return; // a refusal answered inside the loop below
    }
    pumping = true;
    try {
      Queued next;
      while (!closed && responseWait == null && ctx.channel().isWritable()
          && (next = order.next()) != null) {
        Queued q = next;
        long replyBytes = q.request != null ? replyBound(q.request, maxFrameLength)
            : 4 + SMALL_RESPONSE;
        MemoryBudget.Wait wait = responses.takeOrWait(replyBytes, ctx.executor(), () -> {
          responseWait = null;
          if (closed) {
            responses.release(replyBytes);
          } else {
            start(q, replyBytes);
            pump();
          }
        });
        if (wait != null) {
          responseWait = wait;
          return;
        }
        start(q, replyBytes);
      }
    } finally {
      pumping = false;
    }
  }

  private void start(Queued q, long replyBytes) {
    order.started(q);
    if (q.refusal != null) {
      finish(q, replyBytes, q.refusal);
      return;
    }
    Caller who = caller;
    try {
      executor.execute(() -> {
        CompletableFuture<Response> answer = run(who, q);
        if (!answer.isDone()) {
          // Queued before the answer's own task below, so the event loop sees them in order.
          ctx.executor().execute(() -> returned(q));
        }
        answer.whenComplete((response, failure) -> {
          Response r = failure == null ? response : errorFor(who, q, failure);
          try {
            ctx.executor().execute(() -> finish(q, replyBytes, r));
          } catch (RejectedExecutionException e) {
            released(r); // the event loop is gone, and the connection with it
          }
        });
      });
    } catch (RejectedExecutionException e) {
      // The server is shutting down.
      order.finished(q);
      memory.release(q.frameBytes);
      responses.release(replyBytes);
      ctx.close();
    }
  }

  /** The backend's answer; a refusal thrown at once comes back as a failed future. */
  private CompletableFuture<Response> run(Caller who, Queued q) {
    try {
      return dispatcher.dispatch(who, q.request, () -> {
        ChannelSubscription s = new ChannelSubscription(who, ctx.channel(), q.id,
            maxFrameLength, responses);
        subscriptions.add(s);
        return s;
      });
    } catch (RequestException | RuntimeException | Error e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The error frame for a backend failure, thrown or completed later alike: a
   * {@link RequestException} gives its code and message, anything else is logged and INTERNAL.
   */
  private static Response errorFor(Caller who, Queued q, Throwable failure) {
    Throwable e = failure;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof RequestException r) {
      return new Response.Error(r.code(), r.getMessage());
    }
    log.warn("{}: backend failed on {}", who, q.request, e);
    return new Response.Error(ErrorCode.INTERNAL, "server error: " + e);
  }

  /** On the event loop: {@code q}'s backend call returned, its answer comes later. */
  private void returned(Queued q) {
    order.returned(q);
    pump();
  }

  /** On the event loop, after the backend answered. */
  private void finish(Queued q, long replyBytes, Response response) {
    order.finished(q);
    memory.release(q.frameBytes);
    if (closed || !ctx.channel().isActive()) {
      released(response);
      responses.release(replyBytes);
      if (inactive && !order.busy()) {
        connectionEnded();
      }
      return;
    }
    clock.responseHanded(replyBytes, System.nanoTime());
    ctx.writeAndFlush(new Frame(q.id, response)).addListener(f -> {
      released(response); // encoded by now: the encoder holds its own reference
      responses.release(replyBytes);
      clock.responseWritten(System.nanoTime());
      // A peer closing TLS while its answer is in flight is a normal end, not a server fault.
      if (!f.isSuccess() && ctx.channel().isActive()
          && !(f.cause() instanceof SslClosedEngineException)) {
        log.warn("{}: could not send response to {}: {}", caller, q.what(),
            f.cause().toString());
        sendError(q.id, ErrorCode.INTERNAL, "response could not be sent: "
            + f.cause().getMessage());
      }
      answered();
    });
    pump();
  }

  /** Gives back the pooled buffer an answer owns (a read's data), once it is sent or dropped. */
  private static void released(Response response) {
    if (response instanceof Response.Data d) {
      d.release();
    }
  }

  private void answered() {
    if (--inFlight < maxInFlight) {
      gate.resume(ReadGate.IN_FLIGHT);
    }
  }

  /** The most bytes (frame plus prefix) the answer to {@code request} can take. */
  static long replyBound(Request request, int maxFrameLength) {
    long data = 0;
    if (request instanceof Request.ReadRange r) {
      data = r.length();
    } else if (request instanceof Request.ReadSlot r) {
      data = Math.min(WireLimits.MAX_CHUNK,
          (long) r.length() * (r.shares().isEmpty() ? 256 : r.shares().size()));
    }
    return 4 + Math.min(maxFrameLength, data + SMALL_RESPONSE);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      pump();
      subscriptions.forEach(ChannelSubscription::drain);
    }
    super.channelWritabilityChanged(ctx);
  }

  private ChannelFuture sendError(long id, ErrorCode code, String message) {
    return ctx.writeAndFlush(new Frame(id, new Response.Error(code, message)));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException || cause.getCause() instanceof TooLongFrameException) {
      log.info("{}: {}; closing", who(), cause.getMessage());
    } else {
      log.debug("{}: closing on {}", who(), cause.toString());
    }
    ctx.close();
  }

  private Object who() {
    return caller != null ? caller : ctx.channel().remoteAddress();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    boolean wasRunning = order.busy();
    closed = true;
    inactive = true;
    if (timer != null) {
      timer.cancel(false);
    }
    memory.closed(order.runningBytes());
    if (responseWait != null) {
      responseWait.cancel();
      responseWait = null;
    }
    order.dropWaiting();
    if (nodeCounted) {
      nodeCounted = false;
      shared.connections().releaseNode(caller.nodeId());
    }
    if (!wasRunning) {
      connectionEnded();
    }
    super.channelInactive(ctx);
  }

  /** Tells the backend, once nothing of this connection runs any more. */
  private void connectionEnded() {
    Caller who = caller;
    if (who == null || storage == null) {
      return;
    }
    try {
      executor.execute(() -> {
        try {
          storage.connectionClosed(who);
        } catch (RuntimeException e) {
          log.warn("{}: backend failed on connection close", who, e);
        }
      });
    } catch (RejectedExecutionException e) {
      log.debug("{}: server shutting down; connection close not passed on", who);
    }
  }
}
