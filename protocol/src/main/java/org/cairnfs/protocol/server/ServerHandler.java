package org.cairnfs.protocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.Executor;
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
import org.cairnfs.protocol.server.RequestOrder.Queued;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's server logic: TLS identity and the per-node connection limit, the hello
 * exchange, then each frame decoded and handed to {@link ConnectionRequests}, which runs the
 * requests on the backend and answers them. Nothing a client sends can throw out of this
 * handler.
 *
 * <p>What one connection may cost is bounded here and there: {@link ConnectionRequests} bounds
 * the answers a peer that stops reading can hold and the requests left unanswered; reading
 * also stops while {@link ConnectionMemory} holds the request bytes it may; and a connection is
 * dropped when it stalls: no hello in time, idle, a frame that stops arriving, or a response it
 * does not read (see {@code docs/specs/wire.md} section 7).
 */
final class ServerHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ServerHandler.class);
  private static final AtomicLong CONNECTIONS = new AtomicLong();

  private final RequestDispatcher dispatcher;
  private final SharedLimits shared;
  private final ReadGate gate;
  private final ConnectionMemory memory;
  private final FrameReader frames;
  private final ServerConfig config;
  private final ConnectionRequests requests;
  private StallClock clock;

  private ChannelHandlerContext ctx;
  private Caller caller;
  private boolean nodeCounted;
  private boolean helloDone;
  private ScheduledFuture<?> timer;

  ServerHandler(RequestDispatcher dispatcher, StorageBackend storage, Executor executor,
      ServerConfig config, SharedLimits shared, PeerBudget responses, ReadGate gate,
      ConnectionMemory memory, FrameReader frames) {
    this.dispatcher = dispatcher;
    this.shared = shared;
    this.gate = gate;
    this.memory = memory;
    this.frames = frames;
    this.config = config;
    this.requests = new ConnectionRequests(dispatcher, storage, executor, config, responses,
        gate, memory);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    clock = new StallClock(config, frames, System.nanoTime());
    requests.attach(ctx, clock);
    long tick = clock.tickNanos();
    timer = ctx.executor().scheduleAtFixedRate(this::checkTimeouts, tick, tick,
        TimeUnit.NANOSECONDS);
  }

  private void checkTimeouts() {
    StallClock.Stall stall = clock.tick(System.nanoTime(), ctx.channel().config().isAutoRead(),
        helloDone, requests.inFlight(), ctx.channel().isWritable());
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
    requests.setCaller(caller);
    log.debug("{}: TLS established", caller);
    if (!shared.connections().admitNode(id)) {
      sendError(0, ErrorCode.BUSY, "node " + id.shortForm() + " already has "
          + shared.connections().perNode() + " connections to this server")
          .addListener(ChannelFutureListener.CLOSE);
      requests.stopAnswering(); // answer nothing else
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
    if (caller == null || !requests.answering()) {
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
        requests.enqueue(new Queued(frame.requestId(), request, frameBytes, null));
      } else {
        memory.release(frameBytes);
        requests.enqueue(Queued.refusal(frame.requestId(), ErrorCode.BAD_REQUEST,
            "a client may only send requests, got " + frame.message().type()));
      }
    }
  }

  private void onMalformed(FrameFormatException bad) {
    log.debug("{}: malformed frame: {}", caller, bad.getMessage());
    if (!helloDone || bad.fatal()) {
      requests.stopAnswering(); // answer nothing else
      sendError(bad.requestId(), bad.code(), bad.getMessage())
          .addListener(ChannelFutureListener.CLOSE);
    } else {
      // Answered in turn, like any request: a peer sending only bad frames and reading
      // nothing cannot make the server queue answers without bound.
      requests.enqueue(Queued.refusal(bad.requestId(), bad.code(), bad.getMessage()));
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

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    if (ctx.channel().isWritable()) {
      requests.writable();
    }
    super.channelWritabilityChanged(ctx);
  }

  private ChannelFuture sendError(long id, ErrorCode code, String message) {
    return requests.sendError(id, code, message);
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
    boolean wasRunning = requests.connectionInactive();
    if (timer != null) {
      timer.cancel(false);
    }
    if (nodeCounted) {
      nodeCounted = false;
      shared.connections().releaseNode(caller.nodeId());
    }
    if (!wasRunning) {
      requests.connectionEnded();
    }
    super.channelInactive(ctx);
  }
}
