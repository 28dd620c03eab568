package org.cairnfs.protocol.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.TlsContexts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening Cairn node: accepts TLS connections from any node, learns each client's node id,
 * and serves storage and/or introducer requests through the configured backends.
 *
 * <p>Owns its event loops, its backend executor and its traffic shaper; {@link #close()} stops
 * them all.
 */
public final class ProtocolServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProtocolServer.class);

  private final ServerConfig config;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ExecutorService backendExecutor;
  private final GlobalTrafficShapingHandler globalShaping;
  private final Channel channel;
  private final SharedLimits shared;

  private ProtocolServer(ServerConfig config, EventLoopGroup boss, EventLoopGroup workers,
      ExecutorService backendExecutor, GlobalTrafficShapingHandler globalShaping, Channel channel,
      SharedLimits shared) {
    this.shared = shared;
    this.config = config;
    this.boss = boss;
    this.workers = workers;
    this.backendExecutor = backendExecutor;
    this.globalShaping = globalShaping;
    this.channel = channel;
  }

  /** Binds and starts serving; fails with an IOException naming the address if it cannot bind. */
  public static ProtocolServer start(ServerConfig config) throws IOException {
    SslContext tls = TlsContexts.server(config.nodeKey, config.tlsEngine);
    EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("cairn-accept", true));
    EventLoopGroup workers = new NioEventLoopGroup(config.ioThreads, new DefaultThreadFactory("cairn-io", true));
    ExecutorService executor = Executors.newFixedThreadPool(config.backendThreads,
        new DefaultThreadFactory("cairn-backend", true));
    GlobalTrafficShapingHandler shaping = config.globalReadLimit > 0 || config.globalWriteLimit > 0
        ? new GlobalTrafficShapingHandler(workers, config.globalWriteLimit, config.globalReadLimit)
        : null;
    RequestDispatcher dispatcher = new RequestDispatcher(config.storage, config.introducer,
        config.maxFrameLength, config.maxInFlight);
    SharedLimits shared = SharedLimits.of(config);
    try {
      Channel ch = new ServerBootstrap()
          .group(boss, workers)
          .channel(NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, 256)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ServerInitializer(config, tls, shaping, dispatcher, executor,
              shared))
          .bind(config.host, config.port)
          .sync()
          .channel();
      ProtocolServer server = new ProtocolServer(config, boss, workers, executor, shaping, ch,
          shared);
      log.info("node {} listening on {} ({} TLS)", config.nodeKey.nodeId().shortForm(),
          ch.localAddress(), config.tlsEngine);
      return server;
    } catch (Exception e) {
      shutdown(boss, workers, executor, shaping);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("cannot listen on " + config.host + ":" + config.port + ": "
          + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
    }
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  public int port() {
    return localAddress().getPort();
  }

  public NodeId nodeId() {
    return config.nodeKey.nodeId();
  }

  /**
   * What the server holds for its connections now: open connections, connections refused by
   * the limits so far, and request and response bytes buffered (now and at the peak).
   */
  public Usage usage() {
    return new Usage(shared.connections().open(), shared.connections().refused(),
        shared.requests().used(), shared.requests().peak(), shared.responses().used(),
        shared.responses().peak());
  }

  /** Whether a whole-server bandwidth limit is applied (tests). */
  boolean shapesGlobally() {
    return globalShaping != null;
  }

  /** A snapshot of {@link #usage()}. */
  public record Usage(int connections, long refusedConnections, long requestBytes,
      long peakRequestBytes, long responseBytes, long peakResponseBytes) {}

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    shutdown(boss, workers, backendExecutor, globalShaping);
  }

  private static void shutdown(EventLoopGroup boss, EventLoopGroup workers, ExecutorService executor,
      GlobalTrafficShapingHandler shaping) {
    if (shaping != null) {
      shaping.release();
    }
    // the JDK releases a closed listening socket only when its selector lets go of it: until
    // the accepting loop ends, the port may still take connections
    Future<?> accepting = boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    accepting.syncUninterruptibly();
    executor.shutdown();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
