package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.message.WireLimits;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerConfig.Builder}: each setting's range at both edges (the last value accepted,
 * the first refused), what build() requires, and the minimum transfer rate a per-connection
 * bandwidth limit lowers. These bound what an operator's typo can do to a storage server.
 */
class ServerConfigTest {
  private static final NodeKey KEY = NodeKey.generate();
  private final MemoryStorageBackend backend = new MemoryStorageBackend(1 << 20, 1 << 16);

  private ServerConfig.Builder builder() {
    return ServerConfig.builder(KEY).storage(backend);
  }

  /** {@code set} accepts each of {@code ok} and refuses each of {@code bad}. */
  private void assertRange(String what, java.util.function.BiConsumer<ServerConfig.Builder, Long> set,
      long[] ok, long[] bad) {
    for (long v : ok) {
      ServerConfig.Builder b = builder();
      set.accept(b, v);
      b.build();
    }
    for (long v : bad) {
      assertThatThrownBy(() -> set.accept(builder(), v)).as(what + " " + v)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void everyCountIsCheckedAtBothEdges() {
    int min = WireLimits.MIN_MAX_FRAME;
    assertRange("port", (b, v) -> b.port(v.intValue()), new long[] {0, 65535},
        new long[] {-1, 65536});
    assertRange("max frame", (b, v) -> b.maxFrameLength(v.intValue()),
        new long[] {min, 64 << 20}, new long[] {min - 1, (64 << 20) + 1});
    assertRange("in flight", (b, v) -> b.maxInFlight(v.intValue()), new long[] {1, 65536},
        new long[] {0, 65537});
    assertRange("running", (b, v) -> b.maxRunningPerConnection(v.intValue()),
        new long[] {1, 1024}, new long[] {0, 1025});
    assertRange("backend threads", (b, v) -> b.backendThreads(v.intValue()),
        new long[] {1, 1024}, new long[] {0, 1025});
    assertRange("io threads", (b, v) -> b.ioThreads(v.intValue()), new long[] {0, 1024},
        new long[] {-1, 1025});
    assertRange("connections", (b, v) -> b.maxConnections(v.intValue(), 1, 1), new long[] {1},
        new long[] {0});
    assertRange("per address", (b, v) -> b.maxConnections(1, v.intValue(), 1), new long[] {1},
        new long[] {0});
    assertRange("per node", (b, v) -> b.maxConnections(1, 1, v.intValue()), new long[] {1},
        new long[] {0});
    assertRange("requests", (b, v) -> b.maxBufferedRequestBytes(v, min, min), new long[] {min},
        new long[] {min - 1});
    assertRange("requests per address", (b, v) -> b.maxBufferedRequestBytes(min, v, min),
        new long[] {min}, new long[] {min - 1});
    assertRange("requests per connection", (b, v) -> b.maxBufferedRequestBytes(min, min, v),
        new long[] {min}, new long[] {min - 1});
    assertRange("responses", (b, v) -> b.maxBufferedResponseBytes(v, min), new long[] {min},
        new long[] {min - 1});
    assertRange("responses per address", (b, v) -> b.maxBufferedResponseBytes(min, v),
        new long[] {min}, new long[] {min - 1});
    assertRange("min rate", (b, v) -> b.minTransferRate(v), new long[] {0}, new long[] {-1});
    assertRange("global", (b, v) -> b.globalBandwidth(v, v), new long[] {0}, new long[] {-1});
    assertRange("channel", (b, v) -> b.channelBandwidth(v, v), new long[] {0}, new long[] {-1});
  }

  @Test
  void settingsAreKept() {
    ServerConfig c = builder().host("::1").port(4242).tlsEngine(TlsEngine.JDK)
        .maxFrameLength(WireLimits.MIN_MAX_FRAME).maxInFlight(7).maxRunningPerConnection(3)
        .maxConnections(9, 5, 2).maxBufferedRequestBytes(1 << 22, 1 << 21, 1 << 20)
        .maxBufferedResponseBytes(1 << 23, 1 << 22).backendThreads(3).ioThreads(2).build();
    assertThat(c.host).isEqualTo("::1");
    assertThat(c.port).isEqualTo(4242);
    assertThat(c.tlsEngine()).isEqualTo(TlsEngine.JDK);
    assertThat(c.maxFrameLength()).isEqualTo(WireLimits.MIN_MAX_FRAME);
    assertThat(c.maxInFlight()).isEqualTo(7);
    assertThat(c.maxRunningPerConnection).isEqualTo(3);
    assertThat(new int[] {c.maxConnections, c.maxConnectionsPerAddress, c.maxConnectionsPerNode})
        .containsExactly(9, 5, 2);
    assertThat(new long[] {c.maxBufferedRequestBytes, c.maxAddressRequestBytes,
        c.maxConnectionRequestBytes, c.maxBufferedResponseBytes, c.maxAddressResponseBytes})
        .containsExactly(1 << 22, 1 << 21, 1 << 20, 1 << 23, 1 << 22);
    assertThat(c.backendThreads).isEqualTo(3);
    assertThat(c.ioThreads).isEqualTo(2);
  }

  @Test
  void aBlankHostIsRefused() {
    for (String host : new String[] {null, "", "  "}) {
      assertThatThrownBy(() -> builder().host(host)).as("'" + host + "'")
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  /** A timeout must be a positive duration; a missing one is a refusal, not a crash later. */
  @Test
  void timeoutsMustBePositive() {
    for (UnaryOperator<ServerConfig.Builder> bad : java.util.List.<UnaryOperator<ServerConfig.Builder>>of(
        b -> b.helloTimeout(null), b -> b.helloTimeout(Duration.ZERO),
        b -> b.idleTimeout(Duration.ofMillis(-1)), b -> b.frameTimeout(null))) {
      assertThatThrownBy(() -> bad.apply(builder())).isInstanceOf(IllegalArgumentException.class);
    }
    ServerConfig c = builder().helloTimeout(Duration.ofNanos(1)).idleTimeout(Duration.ofSeconds(3))
        .frameTimeout(Duration.ofSeconds(4)).build();
    assertThat(c.helloTimeout).isEqualTo(Duration.ofNanos(1));
  }

  @Test
  void aServerNeedsAStorageOrAnIntroducerBackend() {
    assertThatThrownBy(() -> ServerConfig.builder(KEY).build())
        .isInstanceOf(IllegalStateException.class);
    IntroducerBackend introducer = new IntroducerBackend() {
      @Override
      public void publish(Caller caller, byte[] signedAnnouncement) { }

      @Override
      public void subscribe(Caller caller, Subscription subscription) { }
    };
    assertThat(ServerConfig.builder(KEY).introducer(introducer).build().storage).isNull();
  }

  /** Shaping must never make an honest peer that moves at the shaped rate look stalled. */
  @Test
  void aPerConnectionBandwidthLimitLowersTheMinimumTransferRate() {
    long min = 64 << 10;
    assertThat(builder().minTransferRate(min).build().effectiveMinTransferRate()).isEqualTo(min);
    assertThat(builder().minTransferRate(min).channelBandwidth(1000, 0).build()
        .effectiveMinTransferRate()).isEqualTo(1000);
    assertThat(builder().minTransferRate(min).channelBandwidth(0, 2000).build()
        .effectiveMinTransferRate()).isEqualTo(2000);
    assertThat(builder().minTransferRate(min).channelBandwidth(1000, 500).build()
        .effectiveMinTransferRate()).isEqualTo(500);
    assertThat(builder().minTransferRate(min).channelBandwidth(min + 1, min * 2).build()
        .effectiveMinTransferRate()).as("limits above the minimum change nothing").isEqualTo(min);
  }
}
