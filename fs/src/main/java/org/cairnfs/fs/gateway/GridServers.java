package org.cairnfs.fs.gateway;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.cairnfs.fs.grid.ConnectionState;
import org.cairnfs.fs.grid.ServerPool;
import org.cairnfs.fs.grid.ServerStatus;

/**
 * The storage servers of a client's {@link ServerPool} as the status page shows them, for the
 * node that fills a {@link NodeStatusSource}: connected means an open, usable connection now
 * (connections open lazily, so a server not used yet shows as not connected, last seen never).
 */
public final class GridServers {
  private GridServers() {}

  public static List<NodeStatus.Server> of(ServerPool pool) {
    return of(pool.status());
  }

  static List<NodeStatus.Server> of(List<ServerStatus> statuses) {
    List<NodeStatus.Server> out = new ArrayList<>();
    for (ServerStatus s : statuses) {
      boolean connected = s.state() == ConnectionState.CONNECTED;
      out.add(new NodeStatus.Server(s.nickname().isEmpty() ? "(no nickname)" : s.nickname(),
          s.nodeId().toString(), connected,
          s.freeSpace() >= 0 ? OptionalLong.of(s.freeSpace()) : OptionalLong.empty(),
          connected ? Optional.of(s.since()) : Optional.empty()));
    }
    return out;
  }

  /** A status source that knows the servers only: for a node that has nothing else to show. */
  public static NodeStatusSource source(ServerPool pool) {
    return () -> new NodeStatus(Optional.empty(), List.of(), of(pool), Optional.empty(),
        List.of(), List.of());
  }
}
