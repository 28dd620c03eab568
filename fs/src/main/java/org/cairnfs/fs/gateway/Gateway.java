package org.cairnfs.fs.gateway;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.cairnfs.fs.client.GridFileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's HTTP gateway: a cap in the URL is the whole authority, so a read cap is a link a
 * browser opens. Serves files (with Range) and directories from {@code /uri/<cap>}, the web API
 * (PUT, mkdir, DELETE, rename) for write caps, the status page at {@code /} and Prometheus
 * metrics at {@code /metrics}. The wire format is in docs/specs/webapi.md.
 *
 * <p>Netty with HTTP/1.1 and no servlet container: requests are served on a bounded pool of
 * worker threads (at most one per connection) that read and write through {@link GridFileSystem}
 * only, streaming both ways with bounded memory.
 */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);

  private final EventLoopGroup boss;
  private final EventLoopGroup io;
  private final ThreadPoolExecutor workers;
  private final Channel channel;
  private final GatewayMetrics metrics;
  private final URI url;

  private Gateway(EventLoopGroup boss, EventLoopGroup io, ThreadPoolExecutor workers,
      Channel channel, GatewayMetrics metrics, String host) {
    this.boss = boss;
    this.io = io;
    this.workers = workers;
    this.channel = channel;
    this.metrics = metrics;
    int port = ((InetSocketAddress) channel.localAddress()).getPort();
    String h = host.contains(":") ? "[" + host + "]" : host;
    if (host.equals("0.0.0.0") || host.equals("::")) {
      h = "127.0.0.1";
    }
    this.url = URI.create("http://" + h + ":" + port + "/");
  }

  /**
   * Binds and starts serving.
   *
   * @throws IOException naming the address when it cannot bind
   */
  public static Gateway start(GatewayConfig config, GridFileSystem files,
      NodeStatusSource status) throws IOException {
    if (config == null || files == null || status == null) {
      throw new IllegalArgumentException("a gateway needs a config, a filesystem and a status"
          + " source (NodeStatusSource.NONE for none)");
    }
    EventLoopGroup boss = new NioEventLoopGroup(1,
        new DefaultThreadFactory("cairn-web-accept", true));
    EventLoopGroup io = new NioEventLoopGroup(2, new DefaultThreadFactory("cairn-web-io", true));
    ThreadPoolExecutor workers = new ThreadPoolExecutor(0, config.maxConnections() + 8, 30,
        TimeUnit.SECONDS, new SynchronousQueue<>(),
        new DefaultThreadFactory("cairn-web-worker", true));
    GatewayMetrics metrics = new GatewayMetrics(status);
    RequestRouter router = new RequestRouter(config, files, status, metrics);
    try {
      Channel ch = new ServerBootstrap()
          .group(boss, io)
          .channel(NioServerSocketChannel.class)
          .option(ChannelOption.SO_BACKLOG, 128)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new GatewayInitializer(config, router, workers, metrics))
          .bind(config.host(), config.port())
          .sync()
          .channel();
      Gateway g = new Gateway(boss, io, workers, ch, metrics, config.host());
      log.info("gateway listening on {}{}", g.url,
          config.publicReadOnly() ? " (public, read-only)" : "");
      return g;
    } catch (Exception e) {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdown();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("cannot serve the gateway on " + config.host() + ":"
          + config.port() + ": " + (e.getMessage() != null ? e.getMessage()
          : e.getClass().getSimpleName()), e);
    }
  }

  /** Where it listens, e.g. {@code http://127.0.0.1:3456/}. */
  public URI url() {
    return url;
  }

  /** The gateway's meters; a node may add its own to the same {@code /metrics}. */
  public MeterRegistry meters() {
    return metrics.registry();
  }

  /** Stops listening, closes every connection and stops the workers. */
  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    workers.shutdownNow(); // interrupts streams and grid waits; they close their connections
    try {
      workers.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // the port is free only once the accepting loop ends (ProtocolServer.close says why)
    Future<?> accepting = boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    io.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    accepting.syncUninterruptibly();
    metrics.close();
  }
}
