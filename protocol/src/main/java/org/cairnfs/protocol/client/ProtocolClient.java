package org.cairnfs.protocol.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.cairnfs.protocol.frame.FrameDecoder;
import org.cairnfs.protocol.frame.FrameEncoder;
import org.cairnfs.protocol.frame.FrameReader;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsContexts;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;

/**
 * One authenticated connection to a Cairn server, pinned to the server's node id. Any number of
 * requests may be in flight at once; each returns its own future. Thread-safe.
 *
 * <p>Failures arrive as typed exceptions in the futures: {@link ConnectFailedException},
 * {@link org.cairnfs.protocol.identity.IdentityMismatchException}, {@link RemoteException} and
 * its subclasses, {@link RequestTimeoutException}, {@link ConnectionClosedException}.
 */
public final class ProtocolClient implements AutoCloseable {
  private final Channel channel;
  private final ClientHandler handler;
  private final NodeId serverId;
  private final Hello serverHello;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  private ProtocolClient(Channel channel, ClientHandler handler, NodeId serverId, Hello serverHello) {
    this.channel = channel;
    this.handler = handler;
    this.serverId = serverId;
    this.serverHello = serverHello;
    channel.closeFuture().addListener(f -> closed.complete(null));
  }

  /** Connects, runs TLS pinned to {@code expectedServer} and the hello exchange. */
  public static CompletableFuture<ProtocolClient> connect(ClientOptions options, NodeKey ownKey,
      String host, int port, NodeId expectedServer) {
    Objects.requireNonNull(expectedServer, "expectedServer");
    String where = host + ":" + port;
    CompletableFuture<ProtocolClient> result = new CompletableFuture<>();
    TlsContexts.ClientTls tls;
    try {
      tls = TlsContexts.client(ownKey, expectedServer, options.tlsEngine);
    } catch (IOException e) {
      result.completeExceptionally(new ConnectFailedException("cannot set up TLS for " + where + ": " + e, e));
      return result;
    }
    ClientHandler handler = new ClientHandler(where, tls, options.requestTimeout.toNanos());
    long connectMillis = options.connectTimeout.toMillis();
    AtomicReference<Channel> channel = new AtomicReference<>();
    options.group().schedule(() -> {
      if (result.completeExceptionally(new RequestTimeoutException("connecting to " + where
          + " took longer than " + connectMillis + " ms"))) {
        Channel ch = channel.get();
        if (ch != null) {
          ch.close();
        }
      }
    }, connectMillis, TimeUnit.MILLISECONDS);
    options.resolver.resolve(host, port, result).whenComplete((address, unresolved) -> {
      if (unresolved != null) {
        result.completeExceptionally(new ConnectFailedException("cannot connect to " + where
            + ": cannot resolve " + host + ": " + unresolved, unresolved));
        return;
      }
      if (result.isDone()) {
        return; // timed out while the name was looked up
      }
      ChannelFuture connect = new Bootstrap()
          .group(options.group())
          .channel(NioSocketChannel.class)
          .resolver(NoopAddressResolverGroup.INSTANCE) // resolved above, off the event loops
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
              (int) Math.min(Integer.MAX_VALUE, connectMillis))
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              channel.set(ch); // before the hello can complete on the event loop
              ChannelPipeline p = ch.pipeline();
              SslHandler ssl = tls.newHandler(ch.alloc(), host, port);
              ssl.setHandshakeTimeoutMillis(connectMillis);
              p.addLast("tls", ssl);
              // Requests sent together (a batch of uploads) leave in one TLS record and write.
              p.addLast("flushes", new FlushConsolidationHandler(64, true));
              p.addLast("frames", new FrameReader(options.maxFrameLength));
              p.addLast("decoder", FrameDecoder.INSTANCE);
              p.addLast("encoder", new FrameEncoder(options.maxFrameLength));
              p.addLast("keepalive", new IdleStateHandler(0, options.pingInterval.toMillis(), 0,
                  TimeUnit.MILLISECONDS));
              p.addLast("handler", handler);
            }
          })
          .connect(address);
      Channel ch = connect.channel();
      channel.set(ch);
      if (result.isDone()) {
        ch.close(); // timed out just now
      }
      connect.addListener(f -> {
        if (!f.isSuccess()) {
          result.completeExceptionally(new ConnectFailedException("cannot connect to " + where
              + ": " + f.cause().getMessage(), f.cause()));
        }
      });
    });
    handler.hello.whenComplete((hello, failure) -> {
      if (failure != null) {
        result.completeExceptionally(failure);
      } else if (!result.complete(new ProtocolClient(channel.get(), handler, expectedServer,
          hello))) {
        channel.get().close();
      }
    });
    return result;
  }

  /** Sends a request; the future fails with {@link RemoteException} when the server answers with an error. */
  public CompletableFuture<Response> request(Request request) {
    return send(request, null);
  }

  /**
   * Subscribes to announcements; {@code listener} is called on the connection's event loop for
   * every push (possibly before the returned future completes) until the connection closes.
   */
  public CompletableFuture<Void> subscribe(Consumer<List<byte[]>> listener) {
    Objects.requireNonNull(listener, "listener");
    return send(new Request.Subscribe(), listener).thenApply(r -> null);
  }

  /** Publishes one signed announcement. */
  public CompletableFuture<Void> publish(byte[] signedAnnouncement) {
    return request(new Request.Publish(signedAnnouncement)).thenApply(r -> null);
  }

  private CompletableFuture<Response> send(Request request, Consumer<List<byte[]>> pushes) {
    Objects.requireNonNull(request, "request");
    CompletableFuture<Response> future = new CompletableFuture<>();
    if (channel.eventLoop().inEventLoop()) {
      handler.send(request, future, pushes);
    } else {
      channel.eventLoop().execute(() -> handler.send(request, future, pushes));
    }
    return future;
  }

  /** Typed response or a failed future naming what came instead. */
  <T extends Response> CompletableFuture<T> request(Request request, Class<T> expected) {
    return request(request).thenCompose(r -> expected.isInstance(r)
        ? CompletableFuture.completedFuture(expected.cast(r))
        : CompletableFuture.failedFuture(new IOException("server " + serverId.shortForm() + " answered "
            + request.type() + " with " + r.type() + ", expected " + expected.getSimpleName())));
  }

  public NodeId serverId() {
    return serverId;
  }

  /** Role bits from the server's hello ({@link Hello#ROLE_STORAGE}, {@link Hello#ROLE_INTRODUCER}). */
  public int serverRoles() {
    return serverHello.roles();
  }

  public boolean isOpen() {
    return channel.isActive();
  }

  /**
   * Completes (normally, on the connection's event loop or at once if already closed) when the
   * connection closes for any reason: {@link #close()}, the server going away, a network error,
   * or the keepalive giving up. Lets holders of long-lived connections (introducer links)
   * reconnect on the event instead of polling {@link #isOpen()}. Each call returns a new
   * dependent future, so completing or cancelling it does not affect other callers.
   */
  public CompletableFuture<Void> closeFuture() {
    return closed.copy();
  }

  /** Closes the connection; pending requests fail with {@link ConnectionClosedException}. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }
}
