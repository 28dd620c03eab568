package org.cairnfs.protocol.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.traffic.ChannelTrafficShapingHandler;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import java.util.concurrent.Executor;
import org.cairnfs.protocol.frame.FrameEncoder;
import org.cairnfs.protocol.frame.FrameReader;

/**
 * The server pipeline: [global shaping] → [per-connection shaping] → TLS → frame reader (hard
 * maximum, buffers admitted by {@link ConnectionMemory}) → frame encoder → {@link
 * ServerHandler}, which decodes each frame. A connection past the total or per-address limit
 * is closed before any of it is built.
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
  /** Flushes merged at most into one (then one goes through: a bound on what waits). */
  static final int FLUSHES_PER_WRITE = 64;
  private final ServerConfig config;
  private final SslContext tls;
  private final GlobalTrafficShapingHandler globalShaping;
  private final RequestDispatcher dispatcher;
  private final Executor executor;
  private final SharedLimits shared;
  private final FrameEncoder encoder;

  ServerInitializer(ServerConfig config, SslContext tls, GlobalTrafficShapingHandler globalShaping,
      RequestDispatcher dispatcher, Executor executor, SharedLimits shared) {
    this.config = config;
    this.tls = tls;
    this.globalShaping = globalShaping;
    this.dispatcher = dispatcher;
    this.executor = executor;
    this.shared = shared;
    this.encoder = new FrameEncoder(config.maxFrameLength);
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    // Its place is taken: close the socket at once, without a close_notify the peer may never
    // read (and without the warning SslHandler logs for each one that times out).
    Runnable evict =
        () -> ch.eventLoop().execute(() -> ch.unsafe().close(ch.unsafe().voidPromise()));
    ConnectionLimits.Address address =
        shared.connections().admitAddress(ch.remoteAddress(), evict);
    if (address == null) {
      ch.close();
      return;
    }
    ch.closeFuture().addListener(f -> shared.connections().releaseAddress(address, evict));
    ChannelPipeline p = ch.pipeline();
    if (globalShaping != null) {
      p.addLast("global-shaping", globalShaping);
    }
    if (config.channelReadLimit > 0 || config.channelWriteLimit > 0) {
      p.addLast("shaping", new ChannelTrafficShapingHandler(config.channelWriteLimit,
          config.channelReadLimit));
    }
    SslHandler ssl = tls.newHandler(ch.alloc());
    ssl.setHandshakeTimeoutMillis(config.helloTimeout.toMillis());
    p.addLast("tls", ssl);
    // Answers finished together (a group commit's closes) leave in one TLS record and write.
    p.addLast("flushes", new FlushConsolidationHandler(FLUSHES_PER_WRITE, true));
    addProtocol(ch, config, shared, address, dispatcher, executor, encoder);
  }

  /** Adds frame reader, encoder and handler (also used by tests over an embedded channel). */
  static ServerHandler addProtocol(Channel ch, ServerConfig config, SharedLimits shared,
      ConnectionLimits.Address address, RequestDispatcher dispatcher, Executor executor,
      FrameEncoder encoder) {
    ReadGate gate = new ReadGate(ch);
    ConnectionMemory memory = new ConnectionMemory(ch, gate,
        new PeerBudget(address.requests, shared.requests()), config.maxConnectionRequestBytes);
    FrameReader frames = new FrameReader(config.maxFrameLength, memory,
        config.frameTimeout.toNanos(), config.effectiveMinTransferRate());
    ServerHandler handler = new ServerHandler(dispatcher, config.storage, executor, config,
        shared, new PeerBudget(address.responses, shared.responses()), gate, memory, frames);
    ch.pipeline().addLast("frames", frames);
    ch.pipeline().addLast("encoder", encoder);
    ch.pipeline().addLast("handler", handler);
    return handler;
  }
}
