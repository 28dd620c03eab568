package org.cairnfs.protocol.client;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.cairnfs.protocol.frame.FrameFormatException;
import org.cairnfs.protocol.identity.IdentityMismatchException;
import org.cairnfs.protocol.identity.TlsContexts;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection's state, touched only on its event loop: the hello exchange, pending
 * requests by id with their timeouts, subscription listeners, keepalive pings.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

  private final String where;
  private final TlsContexts.ClientTls tls;
  private final long requestTimeoutNanos;
  final CompletableFuture<Hello> hello = new CompletableFuture<>();
  private final Map<Long, Pending> pending = new HashMap<>();
  private final Map<Long, Consumer<List<byte[]>>> subscriptions = new HashMap<>();
  private long nextId = 1;
  private ChannelHandlerContext ctx;

  private record Pending(CompletableFuture<Response> future, ScheduledFuture<?> timeout, Request request) {}

  ClientHandler(String where, TlsContexts.ClientTls tls, long requestTimeoutNanos) {
    this.where = where;
    this.tls = tls;
    this.requestTimeoutNanos = requestTimeoutNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Sends a request; must run on the event loop. */
  void send(Request request, CompletableFuture<Response> future, Consumer<List<byte[]>> pushes) {
    if (!ctx.channel().isActive()) {
      future.completeExceptionally(new ConnectionClosedException("connection to " + where + " is closed"));
      return;
    }
    long id = nextId++;
    ScheduledFuture<?> timeout = ctx.executor().schedule(() -> {
      Pending p = pending.remove(id);
      if (p != null) {
        p.future.completeExceptionally(new RequestTimeoutException(request.type() + " to " + where
            + " got no response within " + TimeUnit.NANOSECONDS.toMillis(requestTimeoutNanos) + " ms"));
      }
    }, requestTimeoutNanos, TimeUnit.NANOSECONDS);
    pending.put(id, new Pending(future, timeout, request));
    if (pushes != null) {
      subscriptions.put(id, pushes);
    }
    ctx.writeAndFlush(new Frame(id, request)).addListener(f -> {
      if (!f.isSuccess()) {
        Pending p = pending.remove(id);
        if (p != null) {
          p.timeout.cancel(false);
          p.future.completeExceptionally(new IOException("could not send " + request.type() + " to "
              + where + ": " + f.cause().getMessage(), f.cause()));
        }
      }
    });
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof SslHandshakeCompletionEvent e) {
      if (e.isSuccess()) {
        ctx.writeAndFlush(new Frame(0, Hello.current(Hello.ROLE_CLIENT)));
      } else {
        IdentityMismatchException mismatch = tls.mismatch(where);
        hello.completeExceptionally(mismatch != null ? mismatch
            : new ConnectFailedException("TLS handshake with " + where + " failed: " + e.cause(), e.cause()));
        ctx.close();
      }
    } else if (evt instanceof IdleStateEvent && hello.isDone() && !hello.isCompletedExceptionally()) {
      send(new Request.Ping(), new CompletableFuture<>(), null);
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FrameFormatException bad) {
      log.warn("{}: malformed frame from server: {}; closing", where, bad.getMessage());
      ctx.close();
      return;
    }
    if (!(msg instanceof Frame frame)) {
      return;
    }
    if (!hello.isDone()) {
      if (frame.message() instanceof Hello h && h.version() == Hello.CURRENT_VERSION) {
        hello.complete(h);
      } else if (frame.message() instanceof Response.Error err) {
        hello.completeExceptionally(new ConnectFailedException("server at " + where
            + " refused the connection: " + err.code() + ": " + err.message(), null));
        ctx.close();
      } else {
        hello.completeExceptionally(new ConnectFailedException("server at " + where
            + " sent " + frame.message() + " instead of a version " + Hello.CURRENT_VERSION + " hello", null));
        ctx.close();
      }
      return;
    }
    long id = frame.requestId();
    if (frame.message() instanceof Response.AnnouncementPush push) {
      Consumer<List<byte[]>> listener = subscriptions.get(id);
      if (listener != null) {
        try {
          listener.accept(push.announcements());
        } catch (RuntimeException e) {
          log.warn("{}: subscription listener failed", where, e);
        }
      }
      return;
    }
    if (id == 0 && frame.message() instanceof Response.Error err) {
      log.warn("{}: server reported a connection error: {} {}", where, err.code(), err.message());
      return;
    }
    Pending p = pending.remove(id);
    if (p == null) {
      log.debug("{}: response for unknown or timed-out request {}", where, id);
      return;
    }
    p.timeout.cancel(false);
    if (frame.message() instanceof Response.Error err) {
      subscriptions.remove(id);
      p.future.completeExceptionally(RemoteException.of(err.code(), err.message()));
    } else if (frame.message() instanceof Response r) {
      p.future.complete(r);
    } else {
      p.future.completeExceptionally(new IOException("server at " + where + " answered "
          + p.request.type() + " with " + frame.message().type()));
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{}: closing on {}", where, cause.toString());
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    hello.completeExceptionally(new ConnectFailedException("connection to " + where
        + " closed during setup", null));
    for (Pending p : pending.values()) {
      p.timeout.cancel(false);
      p.future.completeExceptionally(new ConnectionClosedException("connection to " + where
          + " closed before " + p.request.type() + " was answered"));
    }
    pending.clear();
    subscriptions.clear();
    super.channelInactive(ctx);
  }
}
