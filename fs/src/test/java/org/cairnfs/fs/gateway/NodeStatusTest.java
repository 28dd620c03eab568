package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.cairnfs.fs.grid.ConnectionState;
import org.cairnfs.fs.grid.ServerStatus;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What a node reports for its status page: every part refused when missing or negative (and
 * accepted at zero), and the storage servers of a client's pool as the page shows them.
 */
class NodeStatusTest {
  static final Instant T = Instant.parse("2026-12-05T01:00:00Z");

  private static void refused(Executable e) {
    assertThatThrownBy(e::execute).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aStatusNeedsEveryPart() {
    Optional<String> id = Optional.empty();
    Optional<NodeStatus.StorageUse> none = Optional.empty();
    refused(() -> new NodeStatus(null, List.of(), List.of(), none, List.of(), List.of()));
    refused(() -> new NodeStatus(id, null, List.of(), none, List.of(), List.of()));
    refused(() -> new NodeStatus(id, List.of(), null, none, List.of(), List.of()));
    refused(() -> new NodeStatus(id, List.of(), List.of(), null, List.of(), List.of()));
    refused(() -> new NodeStatus(id, List.of(), List.of(), none, null, List.of()));
    refused(() -> new NodeStatus(id, List.of(), List.of(), none, List.of(), null));
    refused(() -> new NodeStatus.Introducer(null, true));
  }

  @Test
  void aServerNeedsEveryPart() {
    OptionalLong free = OptionalLong.empty();
    Optional<Instant> never = Optional.empty();
    refused(() -> new NodeStatus.Server(null, "v0-a", true, free, never));
    refused(() -> new NodeStatus.Server("a", null, true, free, never));
    refused(() -> new NodeStatus.Server("a", "v0-a", true, null, never));
    refused(() -> new NodeStatus.Server("a", "v0-a", true, free, null));
  }

  @Test
  void countsMayBeZeroButNeverNegative() {
    assertThatCode(() -> new NodeStatus.StorageUse(0, OptionalLong.empty()))
        .doesNotThrowAnyException();
    refused(() -> new NodeStatus.StorageUse(-1, OptionalLong.empty()));
    refused(() -> new NodeStatus.StorageUse(0, null));

    NodeStatus.Direction up = NodeStatus.Direction.UPLOAD;
    OptionalLong total = OptionalLong.empty();
    assertThatCode(() -> new NodeStatus.Transfer(up, "x", 0, total, 0, true, T))
        .doesNotThrowAnyException();
    refused(() -> new NodeStatus.Transfer(up, "x", -1, total, 0, true, T));
    refused(() -> new NodeStatus.Transfer(up, "x", 0, total, -0.5, true, T));
    refused(() -> new NodeStatus.Transfer(null, "x", 0, total, 0, true, T));
    refused(() -> new NodeStatus.Transfer(up, null, 0, total, 0, true, T));
    refused(() -> new NodeStatus.Transfer(up, "x", 0, null, 0, true, T));
    refused(() -> new NodeStatus.Transfer(up, "x", 0, total, 0, true, null));

    Optional<String> ok = Optional.empty();
    assertThatCode(() -> new NodeStatus.MountQueue("/m", 0, 0, ok)).doesNotThrowAnyException();
    refused(() -> new NodeStatus.MountQueue("/m", -1, 0, ok));
    refused(() -> new NodeStatus.MountQueue("/m", 0, -1, ok));
    refused(() -> new NodeStatus.MountQueue(null, 0, 0, ok));
    refused(() -> new NodeStatus.MountQueue("/m", 0, 0, null));
  }

  @Test
  void transfersAreAddedAfterTheNodesOwn() {
    NodeStatus.Transfer a = new NodeStatus.Transfer(NodeStatus.Direction.UPLOAD, "a", 1,
        OptionalLong.empty(), 0, true, T);
    NodeStatus.Transfer b = new NodeStatus.Transfer(NodeStatus.Direction.DOWNLOAD, "b", 2,
        OptionalLong.of(2), 0, false, T);
    NodeStatus s = NodeStatus.empty().withTransfers(List.of(a)).withTransfers(List.of(b));
    assertThat(s.transfers()).containsExactly(a, b);
    assertThat(s.withTransfers(List.of())).isEqualTo(s);
  }

  @Test
  void poolServersAsThePageShowsThem() {
    NodeId id = NodeId.of(WebApiGoldenTest.fill(9));
    List<NodeStatus.Server> shown = GridServers.of(List.of(
        new ServerStatus(id, "alpha", List.of(), 0, 100, ConnectionState.CONNECTED,
            T, Optional.empty(), Optional.empty()),
        new ServerStatus(id, "", List.of(), -1, 100, ConnectionState.IDLE, T,
            Optional.empty(), Optional.empty())));
    assertThat(shown).containsExactly(
        new NodeStatus.Server("alpha", id.toString(), true, OptionalLong.of(0), Optional.of(T)),
        new NodeStatus.Server("(no nickname)", id.toString(), false, OptionalLong.empty(),
            Optional.empty()));
  }
}
