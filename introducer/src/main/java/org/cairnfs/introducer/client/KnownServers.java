package org.cairnfs.introducer.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.protocol.identity.NodeId;

/**
 * The merge and ageing rules of a client's server list (not thread-safe; the owner locks):
 * the highest sequence per node wins whichever introducer or cache it came from; an entry not
 * refreshed by a new sequence within the max age is dropped unless the node is static.
 */
final class KnownServers {
  private final Map<NodeId, GridServer> servers = new HashMap<>();
  private final Set<NodeId> staticIds;
  private final int maxServers;

  KnownServers(Map<NodeId, GridServer> staticServers, int maxServers) {
    this.staticIds = Set.copyOf(staticServers.keySet());
    this.maxServers = maxServers;
    servers.putAll(staticServers);
  }

  /** Offers an announcement received at {@code seenAt}; true if it changed the list. */
  boolean offer(Announcement a, Instant seenAt) {
    GridServer old = servers.get(a.nodeId());
    if (old != null && old.announcement().isPresent() && a.sequence() <= old.sequence()) {
      return false;
    }
    if (old == null && servers.size() >= maxServers) {
      return false;
    }
    servers.put(a.nodeId(), GridServer.of(a, seenAt, staticIds.contains(a.nodeId())));
    return true;
  }

  /** Drops non-static entries last seen before {@code now - maxAge}; true if any went. */
  boolean expire(Instant now, Duration maxAge) {
    Instant cutoff = now.minus(maxAge);
    return servers.values().removeIf(s -> !s.isStatic() && s.lastSeen().isBefore(cutoff));
  }

  /** All servers, ordered by node id. */
  List<GridServer> snapshot() {
    List<GridServer> out = new ArrayList<>(servers.values());
    out.sort(Comparator.comparing(GridServer::nodeId));
    return out;
  }

  int size() {
    return servers.size();
  }
}
