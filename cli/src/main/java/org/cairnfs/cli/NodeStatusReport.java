package org.cairnfs.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import org.cairnfs.fs.gateway.NodeStatus;
import org.cairnfs.fs.gateway.NodeStatusSource;
import org.cairnfs.fs.grid.ConnectionState;
import org.cairnfs.fs.grid.ServerStatus;
import org.cairnfs.fs.mount.MountStatus;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.StorageServer;

/**
 * What a client node tells its gateway's status page: its introducers, the servers its pool
 * knows, its own storage server's use when it runs one, and the write-back queues of the mounts
 * it runs in this process and of the node's mounts running in other processes (from their
 * status files). Built from live objects on each call; never a cap (the page is public on a
 * public gateway).
 */
final class NodeStatusReport implements NodeStatusSource {
  private final ClientNode client;
  private final Supplier<List<MountSession>> mounts;
  private final StorageServer storage;
  private final Optional<String> nodeId;

  NodeStatusReport(ClientNode client, Supplier<List<MountSession>> mounts) {
    this(client, mounts, null);
  }

  /** With {@code storage} (null: none) the node's own share store's use is shown. */
  NodeStatusReport(ClientNode client, Supplier<List<MountSession>> mounts,
      StorageServer storage) {
    this.client = client;
    this.mounts = mounts;
    this.storage = storage;
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
    Set<String> shown = new HashSet<>();
    for (MountSession m : mounts.get()) {
      MountStatus st = m.status();
      queues.add(new NodeStatus.MountQueue(m.mountpoint().toString(), st.pendingChanges(),
          st.spoolBytes(), st.lastError()));
      shown.add(m.mountpoint().toString());
    }
    for (NodeStatus.MountQueue q : MountStatusFile.runningQueues(client.directory().root())) {
      if (shown.add(q.mountPoint())) {
        queues.add(q);
      }
    }
    Optional<NodeStatus.StorageUse> use = Optional.empty();
    if (storage != null) {
      long max = storage.store().limits().maxSpace();
      use = Optional.of(new NodeStatus.StorageUse(storage.store().usedBytes(),
          max == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(max)));
    }
    return new NodeStatus(nodeId, introducers, servers, use, List.of(), queues);
  }
}
