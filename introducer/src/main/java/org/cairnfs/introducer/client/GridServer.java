package org.cairnfs.introducer.client;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.protocol.identity.NodeId;

/**
 * One storage server as a client currently knows it: what its newest announcement says, when
 * that was received, and whether the node's configuration lists it statically.
 *
 * <p>A static server configured only as {@code node-id@host:port} has no announcement until one
 * arrives: its nickname is empty, its free space {@link #UNKNOWN_FREE_SPACE} and its version
 * empty. Static servers never age out.
 */
public record GridServer(NodeId nodeId, String nickname, List<HostPort> addresses, long freeSpace,
    String softwareVersion, long sequence, Instant lastSeen, boolean isStatic,
    Optional<Announcement> announcement) {
  /** Free space of a server that has not announced itself. */
  public static final long UNKNOWN_FREE_SPACE = -1;

  public GridServer {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(nickname, "nickname");
    addresses = List.copyOf(addresses);
    Objects.requireNonNull(softwareVersion, "softwareVersion");
    Objects.requireNonNull(lastSeen, "lastSeen");
    Objects.requireNonNull(announcement, "announcement");
  }

  static GridServer of(Announcement a, Instant lastSeen, boolean isStatic) {
    return new GridServer(a.nodeId(), a.nickname(), a.addresses(), a.freeSpace(),
        a.softwareVersion(), a.sequence(), lastSeen, isStatic, Optional.of(a));
  }

  static GridServer unannounced(NodeId id, List<HostPort> addresses, Instant since) {
    return new GridServer(id, "", addresses, UNKNOWN_FREE_SPACE, "", -1, since, true, Optional.empty());
  }
}
