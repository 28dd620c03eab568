package org.cairnfs.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import org.cairnfs.fs.gateway.NodeStatus;
import org.cairnfs.fs.gateway.NodeStatusSource;
import org.cairnfs.fs.grid.ConnectionState;
import org.cairnfs.fs.grid.ServerStatus;
import org.cairnfs.fs.mount.MountStatus;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.protocol.identity.NodeKey;

/**
 * What a client node tells its gateway's status page: its introducers, the servers its pool
 * knows, and the write-back queues of the mounts it runs. Built from live objects on each call;
 * never a cap (the page is public on a public gateway).
 */
final class NodeStatusReport implements NodeStatusSource {
  private final ClientNode client;
  private final Supplier<List<MountSession>> mounts;
  private final Optional<String> nodeId;

  NodeStatusReport(ClientNode client, Supplier<List<MountSession>> mounts) {
    this.client = client;
    this.mounts = mounts;
    Optional<String> id;
    try {
      id = Optional.of(NodeKey.load(client.directory().nodeKey()).nodeId().shortForm());
    } catch (IOException | RuntimeException e) {
      id = Optional.empty();
    }
    this.nodeId = id;
  }

  @Override
  public NodeStatus status() {
    List<IntroducerUrl> urls = client.membership().introducers();
    int connected = client.membership().connectedIntroducers();
    List<NodeStatus.Introducer> introducers = new ArrayList<>();
    for (IntroducerUrl url : urls) {
      // The membership counts connected introducers; with all of them up, each one is.
      introducers.add(new NodeStatus.Introducer(url.address().toString(),
          connected >= urls.size()));
    }
    List<NodeStatus.Server> servers = new ArrayList<>();
    for (ServerStatus s : client.servers().status()) {
      servers.add(new NodeStatus.Server(s.nickname(), s.nodeId().shortForm(),
          s.state() == ConnectionState.CONNECTED,
          s.freeSpace() < 0 ? OptionalLong.empty() : OptionalLong.of(s.freeSpace()),
          Optional.of(s.since())));
    }
    List<NodeStatus.MountQueue> queues = new ArrayList<>();
    for (MountSession m : mounts.get()) {
      MountStatus st = m.status();
      queues.add(new NodeStatus.MountQueue(m.mountpoint().toString(), st.pendingChanges(),
          st.spoolBytes(), st.lastError()));
    }
    return new NodeStatus(nodeId, introducers, servers,
        Optional.empty(), List.of(), queues);
  }
}
