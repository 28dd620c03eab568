package org.cairnfs.protocol.server;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.traffic.ChannelTrafficShapingHandler;
import io.netty.handler.traffic.GlobalTrafficShapingHandler;
import java.util.concurrent.Executor;
import org.cairnfs.protocol.frame.FrameDecoder;
import org.cairnfs.protocol.frame.FrameEncoder;
import org.cairnfs.protocol.frame.FrameLengthDecoder;

/**
 * The server pipeline: [global shaping] → [per-connection shaping] → TLS → length framing (with a
 * hard maximum) → frame codec → {@link ServerHandler}.
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
  private final ServerConfig config;
  private final SslContext tls;
  private final GlobalTrafficShapingHandler globalShaping;
  private final RequestDispatcher dispatcher;
  private final Executor executor;
  private final FrameEncoder encoder;

  ServerInitializer(ServerConfig config, SslContext tls, GlobalTrafficShapingHandler globalShaping,
      RequestDispatcher dispatcher, Executor executor) {
    this.config = config;
    this.tls = tls;
    this.globalShaping = globalShaping;
    this.dispatcher = dispatcher;
    this.executor = executor;
    this.encoder = new FrameEncoder(config.maxFrameLength);
  }

  @Override
  protected void initChannel(SocketChannel ch) {
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
    p.addLast("frames", new FrameLengthDecoder(config.maxFrameLength));
    p.addLast("decoder", FrameDecoder.INSTANCE);
    p.addLast("encoder", encoder);
    p.addLast("handler", new ServerHandler(dispatcher, config.storage, executor, config));
  }
}
