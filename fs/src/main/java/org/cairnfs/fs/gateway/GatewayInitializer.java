package org.cairnfs.fs.gateway;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of one connection: the connection limit, an idle timer (no bytes either way for
 * the idle timeout closes it), the HTTP codec with bounded line and header sizes, 100-continue,
 * and a fresh {@link RequestHandler}.
 */
final class GatewayInitializer extends ChannelInitializer<SocketChannel> {
  static final int MAX_INITIAL_LINE = 8192;
  static final int MAX_CHUNK = 64 * 1024;

  private final GatewayConfig config;
  private final RequestRouter router;
  private final Executor workers;
  private final ConnectionLimit limit;
  private final GatewayMetrics metrics;

  GatewayInitializer(GatewayConfig config, RequestRouter router, Executor workers,
      GatewayMetrics metrics) {
    this.config = config;
    this.router = router;
    this.workers = workers;
    this.metrics = metrics;
    this.limit = new ConnectionLimit(config.maxConnections(), config.maxConnectionsPerAddress(),
        metrics);
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    p.addLast("limit", limit);
    p.addLast("idle", new IdleStateHandler(false, 0, 0,
        config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
    p.addLast("arrival", HeadArrival.INSTANCE);
    p.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, config.maxHeaderBytes(), MAX_CHUNK));
    p.addLast("continue", new ExpectContinue(config.publicReadOnly()));
    p.addLast("handler", new RequestHandler(config, router, workers, metrics));
  }
}
