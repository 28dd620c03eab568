package org.cairnfs.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The [client] settings of cairn.cfg: defaults, what each key changes, and refusals by line. */
class ClientSettingsTest {
  static final String NODE = "[node]\nrole = node\n[client]\n"
      + "introducers = cairn://x@127.0.0.1:1\n";

  @TempDir
  Path dir;

  private ClientSettings read(String client) throws Exception {
    Files.writeString(dir.resolve(ConfigFile.NAME), NODE + client);
    return NodeConfig.read(dir).client();
  }

  private static EncodingParams shares(ClientSettings s) {
    return s.encoding();
  }

  @Test
  void defaultsAreThreeOfTenOnSevenServersAndFiveSeconds() throws Exception {
    ClientSettings s = read("");
    assertThat(s).isEqualTo(ClientSettings.DEFAULTS);
    assertThat(shares(s)).isEqualTo(EncodingParams.DEFAULTS);
    assertThat(s.connectGrace()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void eachKeySetsItsValue() throws Exception {
    ClientSettings s = read("shares-needed = 2\nshares-happy = 3\nshares-total = 4\n"
        + "connect-grace-seconds = 30\n");
    assertThat(shares(s).k()).isEqualTo(2);
    assertThat(shares(s).happy()).isEqualTo(3);
    assertThat(shares(s).n()).isEqualTo(4);
    assertThat(shares(s).segmentSize()).isEqualTo(EncodingParams.DEFAULTS.segmentSize());
    assertThat(s.connectGrace()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void happinessLeftOutStaysBetweenNeededAndTotal() throws Exception {
    assertThat(shares(read("shares-total = 5\n")).happy()).isEqualTo(5);
    assertThat(shares(read("shares-needed = 8\n")).happy()).isEqualTo(8);
    assertThat(shares(read("shares-total = 20\n")).happy()).isEqualTo(7);
  }

  @Test
  void impossibleCombinationsNameTheKeyAndLine() {
    assertThatThrownBy(() -> read("shares-needed = 5\nshares-total = 4\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cairn.cfg:5")
        .hasMessageContaining("'client.shares-needed' (5) must not exceed 'client.shares-total' (4)");
    assertThatThrownBy(() -> read("shares-happy = 11\n"))
        .hasMessageContaining("cairn.cfg:5")
        .hasMessageContaining("'client.shares-happy' (11) must be from 'client.shares-needed' (3)"
            + " to 'client.shares-total' (10)");
    assertThatThrownBy(() -> read("shares-needed = 4\nshares-happy = 3\n"))
        .hasMessageContaining("cairn.cfg:6").hasMessageContaining("'client.shares-happy' (3)");
  }

  @Test
  void allowedServersAreFullNodeIdsSeparatedByCommas() throws Exception {
    assertThat(read("").allowedServers()).as("any server").isNull();
    for (String empty : List.of("allowed-servers =\n", "allowed-servers = , ,\n")) {
      assertThatThrownBy(() -> read(empty)).as("an empty list does not open the grid")
          .hasMessageContaining("'client.allowed-servers' is set but names no server");
    }
    NodeId a = NodeKey.generate().nodeId();
    NodeId b = NodeKey.generate().nodeId();
    String two = "shares-needed = 2\nshares-happy = 2\n";
    assertThat(read(two + "allowed-servers = , " + a + " , " + b + ",\n").allowedServers())
        .containsExactlyInAnyOrder(a, b);
    assertThat(read(two + "allowed-servers = " + a.toString().toUpperCase(java.util.Locale.ROOT)
        + ", " + b + "\n").allowedServers()).as("case does not matter")
        .containsExactlyInAnyOrder(a, b);
    assertThatThrownBy(() -> read(two + "allowed-servers = " + a + ", " + b.shortForm() + "\n"))
        .hasMessageContaining("cairn.cfg:7")
        .hasMessageContaining("'" + b.shortForm() + "' is not a node id (node id must be 52"
            + " base32 characters, got 8)");
  }

  /** Fewer allowed servers than an upload needs: no upload could ever succeed. */
  @Test
  void anAllowedListTooShortForHappinessIsRefused() {
    assertThatThrownBy(() -> read("allowed-servers = " + NodeKey.generate().nodeId() + "\n"))
        .hasMessageContaining("cairn.cfg:5")
        .hasMessageContaining("'client.allowed-servers' names only 1 of the 7 servers uploads"
            + " need ('client.shares-happy')");
  }

  /** The key the file holds is the one blamed: a default is said to be one. */
  @Test
  void aTotalBelowTheDefaultNeededBlamesTheTotal() {
    assertThatThrownBy(() -> read("shares-total = 2\n"))
        .hasMessageContaining("cairn.cfg:5")
        .hasMessageContaining("'client.shares-total' (2) must be at least"
            + " 'client.shares-needed' (3, the default)");
  }

  /** An introducer relays every announcement: client settings there would do nothing. */
  @Test
  void anIntroducerRefusesClientSettings() throws Exception {
    Files.writeString(dir.resolve(ConfigFile.NAME),
        "[node]\nrole = introducer\n[client]\nallowed-servers = x\n");
    assertThatThrownBy(() -> NodeConfig.read(dir)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("cairn.cfg:4")
        .hasMessageContaining("'client.allowed-servers' is a client setting and this is an"
            + " introducer");
    Files.writeString(dir.resolve(ConfigFile.NAME),
        "[node]\nrole = introducer\n[client]\nshares-happy = 999\n");
    assertThatThrownBy(() -> NodeConfig.read(dir)).hasMessageContaining("'client.shares-happy'");
  }

  @Test
  void valuesOutOfRangeOrNotNumbersAreRefused() {
    assertThatThrownBy(() -> read("shares-total = 257\n"))
        .hasMessageContaining("'client.shares-total' must be a whole number from 1 to 256, got '257'");
    assertThatThrownBy(() -> read("shares-needed = 0\n"))
        .hasMessageContaining("'client.shares-needed' must be a whole number from 1 to 256");
    assertThatThrownBy(() -> read("shares-happy = seven\n"))
        .hasMessageContaining("got 'seven'");
    assertThatThrownBy(() -> read("connect-grace-seconds = 0\n"))
        .hasMessageContaining("'client.connect-grace-seconds' must be a whole number from 1 to 300");
  }
}
