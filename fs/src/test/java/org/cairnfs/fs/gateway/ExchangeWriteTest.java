package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** A worker's write waiting on a full socket: how it ends when it cannot go on. */
class ExchangeWriteTest {

  @Test
  void anInterruptedWriteWithNoPaceIsClientGoneAndReleasesItsBuffer() {
    EmbeddedChannel ch = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
    RequestHandler h = new RequestHandler(GatewayConfig.builder().build(), null, null, null);
    Exchange ex = new Exchange(ch.pipeline().firstContext(), h,
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/uri/x"), null);
    ch.unsafe().outboundBuffer().setUserDefinedWritability(1, false); // the socket is full
    ByteBuf piece = Unpooled.buffer(1).writeByte(1);
    Thread.currentThread().interrupt(); // as the gateway's shutdownNow does to its workers
    try {
      assertThatThrownBy(() -> ex.write(piece)).isInstanceOf(ClientGoneException.class)
          .hasMessage("the client closed the connection");
      assertThat(piece.refCnt()).isZero();
    } finally {
      Thread.interrupted();
      ch.finishAndReleaseAll();
    }
  }
}
