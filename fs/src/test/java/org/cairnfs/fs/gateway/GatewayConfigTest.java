package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every bound of the gateway's builder at its edge: the last value taken, the first refused. */
class GatewayConfigTest {
  private static final String TOKEN32 = "abcdefghijklmnopqrstuvwxyz012345";

  @Test
  void integerBoundsAreExact() {
    GatewayConfig c = GatewayConfig.builder().port(65535).maxHeaderBytes(1 << 20)
        .maxConnections(100_000).maxBodyBuffer(1 << 28).build();
    assertThat(c.port()).isEqualTo(65535);
    assertThat(c.maxHeaderBytes()).isEqualTo(1 << 20);
    assertThat(c.maxConnections()).isEqualTo(100_000);
    assertThat(c.maxBodyBuffer()).isEqualTo(1 << 28);
    c = GatewayConfig.builder().port(0).maxHeaderBytes(1024).maxConnections(1)
        .maxBodyBuffer(4096).build();
    assertThat(c.port()).isZero();
    assertThat(c.maxHeaderBytes()).isEqualTo(1024);
    assertThat(c.maxConnections()).isEqualTo(1);
    assertThat(c.maxBodyBuffer()).isEqualTo(4096);
    refused(b -> b.port(-1), "port");
    refused(b -> b.port(65536), "port");
    refused(b -> b.maxHeaderBytes(1023), "maxHeaderBytes");
    refused(b -> b.maxHeaderBytes((1 << 20) + 1), "maxHeaderBytes");
    refused(b -> b.maxConnections(100_001), "maxConnections");
    refused(b -> b.maxConnectionsPerAddress(0), "maxConnectionsPerAddress");
    refused(b -> b.maxConnectionsPerAddress(100_001), "maxConnectionsPerAddress");
    assertThat(GatewayConfig.builder().build().maxConnectionsPerAddress()).isEqualTo(32);
    assertThat(GatewayConfig.builder().maxConnections(8).maxConnectionsPerAddress(100_000).build()
        .maxConnectionsPerAddress()).as("capped at the total").isEqualTo(8);
    refused(b -> b.maxBodyBuffer(4095), "maxBodyBuffer");
    refused(b -> b.maxBodyBuffer((1 << 28) + 1), "maxBodyBuffer");
  }

  @Test
  void hostAndTokenAreChecked() {
    refused(b -> b.host(null), "host");
    refused(b -> b.host(""), "host");
    assertThat(GatewayConfig.builder().host("::1").build().host()).isEqualTo("::1");
    assertThat(GatewayConfig.builder().clientToken(TOKEN32).build().clientToken())
        .hasValue(TOKEN32);
    refused(b -> b.clientToken(TOKEN32.substring(1)), "31 characters");
    refused(b -> b.clientToken(null), "got none");
    refused(b -> b.clientToken(TOKEN32 + "!"), "client token");
  }

  @Test
  void timeoutsAreAtLeastAMillisecondAndTheHeadsWithinTheIdle() {
    GatewayConfig c = GatewayConfig.builder().idleTimeout(Duration.ofMillis(1))
        .headerTimeout(Duration.ofMillis(1)).build();
    assertThat(c.headerTimeout()).isEqualTo(c.idleTimeout()).isEqualTo(Duration.ofMillis(1));
    refused(b -> b.idleTimeout(Duration.ofNanos(999_999)), "idleTimeout");
    refused(b -> b.idleTimeout(Duration.ZERO), "idleTimeout");
    refused(b -> b.headerTimeout(Duration.ofMillis(-5)), "headerTimeout");
    refused(b -> b.headerTimeout(null), "headerTimeout");
    refused(b -> b.idleTimeout(Duration.ofMillis(5)).headerTimeout(Duration.ofMillis(6)).build(),
        "must not exceed idleTimeout");
  }

  @Test
  void toStringShowsTheSettingsAndNeverTheToken() {
    String s = GatewayConfig.builder().port(8080).publicReadOnly(true).clientToken(TOKEN32)
        .build().toString();
    assertThat(s).contains("127.0.0.1:8080").contains("public read-only")
        .contains("maxConnections=256").doesNotContain(TOKEN32);
    assertThat(GatewayConfig.builder().build().toString()).doesNotContain("public");
  }

  private static void refused(Consumer<GatewayConfig.Builder> set, String message) {
    assertThatThrownBy(() -> set.accept(GatewayConfig.builder()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }
}
