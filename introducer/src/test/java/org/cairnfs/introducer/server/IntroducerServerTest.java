package org.cairnfs.introducer.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.ProtocolClient;
import org.cairnfs.protocol.client.RemoteException;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.ErrorCode;
import org.junit.jupiter.api.Test;

class IntroducerServerTest {
  @Test
  void urlNamesBoundAddressAndTamperedPublishIsRejectedOverTls() throws Exception {
    NodeKey key = NodeKey.generate();
    try (IntroducerServer server = IntroducerServer.start(key, "127.0.0.1", 0)) {
      IntroducerUrl url = server.url();
      assertThat(url.nodeId()).isEqualTo(key.nodeId());
      assertThat(url.address().port()).isEqualTo(server.port()).isPositive();
      assertThat(IntroducerUrl.parse(url.toString())).isEqualTo(url);
      assertThat(server.url("intro.example.org").toString()).endsWith("@intro.example.org:" + server.port());
      ClientOptions options = ClientOptions.builder().connectTimeout(Duration.ofSeconds(3)).build();
      try (ProtocolClient c = ProtocolClient.connect(options, NodeKey.generate(), "127.0.0.1",
          server.port(), url.nodeId()).get(5, TimeUnit.SECONDS)) {
        byte[] bad = IntroducerServiceTest.announce(
            org.cairnfs.introducer.announcement.TestKeys.ed25519(), 1).toBytes();
        bad[bad.length - 1] ^= 1;
        assertThatThrownBy(() -> c.publish(bad).get(5, TimeUnit.SECONDS))
            .hasCauseInstanceOf(RemoteException.class)
            .satisfies(e -> assertThat(((RemoteException) e.getCause()).code()).isEqualTo(ErrorCode.REJECTED));
        assertThat(server.service().announcements()).isEmpty();
      }
    }
  }

  @Test
  void wildcardBindNeedsAnAdvertisedHost() throws Exception {
    try (IntroducerServer server = IntroducerServer.start(NodeKey.generate(), "0.0.0.0", 0)) {
      assertThatThrownBy(server::url).isInstanceOf(IllegalStateException.class).hasMessageContaining("url(host)");
      assertThat(server.url("example.org").address().port()).isEqualTo(server.port());
    }
  }
}
