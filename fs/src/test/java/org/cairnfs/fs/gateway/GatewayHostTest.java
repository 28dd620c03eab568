package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * DNS rebinding: a page of another site whose name the attacker points at 127.0.0.1 talks to a
 * loopback gateway as its own origin, so it could read the status (file names of transfers,
 * mounts, servers) and use the node's grid. Its requests carry that site's name in Host; a
 * gateway on loopback that is not public answers them 421. Names a browser only ever sends for
 * this machine (IP addresses, localhost, single labels) are served; so is anything on a public
 * gateway, which is meant to be reached by name.
 */
class GatewayHostTest {
  private static String get(GatewayFixture g, String host) throws Exception {
    return g.raw("GET /status?t=json HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
  }

  @Test
  void aLoopbackGatewayAnswersOnlyForNamesOfThisMachine() throws Exception {
    try (GatewayFixture g = GatewayFixture.start()) {
      for (String other : new String[] {"attacker.example", "attacker.example:3456",
          "127.0.0.1.nip.io", "ATTACKER.example.", "localhost.attacker.example"}) {
        String r = get(g, other);
        assertThat(r).as(other).startsWith("HTTP/1.1 421 ").doesNotContain("\"version\"");
      }
      int port = g.gateway.url().getPort();
      for (String own : new String[] {"127.0.0.1:" + port, "127.0.0.1", "localhost:" + port,
          "LOCALHOST.", "[::1]:" + port, "cairn.localhost:" + port, "x", "192.0.2.7"}) {
        assertThat(get(g, own)).as(own).startsWith("HTTP/1.1 200 ");
      }
      assertThat(g.raw("GET / HTTP/1.0\r\n\r\n")).as("no Host").startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void aPublicGatewayAnswersForAnyName() throws Exception {
    try (GatewayFixture g = GatewayFixture.start(GatewayConfig.builder().publicReadOnly(true)
        .build())) {
      assertThat(get(g, "gateway.example.org")).startsWith("HTTP/1.1 200 ");
    }
  }
}
