package org.cairnfs.introducer.server;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cairnfs.introducer.announcement.Announcement;
import org.cairnfs.introducer.announcement.IssueTimeWindow;
import org.cairnfs.protocol.identity.NodeId;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.server.RequestException;

/**
 * The newest announcement of each node, within the store-wide bounds and each address's share
 * of them ({@link AddressShares}), and the shared snapshot list of their arrays. Entries not
 * re-published within {@code maxAge} are forgotten. Not thread-safe: the service's lock guards
 * it.
 */
final class HeldAnnouncements {
  /**
   * One held announcement: its encoded bytes (shared by every push, never written), when it
   * came, which address it is charged to, and when the node may next publish (the theoretical
   * arrival time of a generic cell rate algorithm).
   */
  record Held(Announcement announcement, byte[] bytes, Instant receivedAt, Object owner,
      Instant paceAt) {}

  private final int maxNodes;
  private final long maxHeldBytes;
  private final int maxNodesPerAddress;
  private final long maxHeldBytesPerAddress;
  private final Duration maxAge;
  private final AddressShares shares;
  private final Map<NodeId, Held> held = new HashMap<>();
  /** The held arrays as one shared list; null after a change until the next subscriber. */
  private List<byte[]> snapshot;
  private Instant lastSweep = Instant.MIN;
  private long heldBytes;

  /** Per-address bounds are capped at the store-wide ones. */
  HeldAnnouncements(int maxNodes, long maxHeldBytes, int maxNodesPerAddress,
      long maxHeldBytesPerAddress, Duration maxAge, AddressShares shares) {
    this.maxNodes = maxNodes;
    this.maxHeldBytes = maxHeldBytes;
    this.maxNodesPerAddress = Math.min(maxNodesPerAddress, maxNodes);
    this.maxHeldBytesPerAddress = Math.min(maxHeldBytesPerAddress, maxHeldBytes);
    this.maxAge = maxAge;
    this.shares = shares;
  }

  /** The entry held for {@code id}, or null. */
  Held get(NodeId id) {
    return held.get(id);
  }

  /**
   * Holds {@code a} (encoded as {@code bytes}) in place of any older version, charged to
   * {@code owner} or, for an update when it has no room, to the address already charged.
   *
   * @throws RequestException BUSY when a bound leaves no room for it
   */
  void put(Object owner, Announcement a, byte[] bytes, Instant now, Instant paceAt)
      throws RequestException {
    Held old = held.get(a.nodeId());
    Object charge = old == null ? admitNew(owner, a, bytes.length) : admitUpdate(owner, a, old,
        bytes.length);
    long oldSize = old == null ? 0 : old.bytes().length;
    if (old != null) {
      shares.addHeld(old.owner(), -1, -oldSize);
    }
    shares.addHeld(charge, 1, bytes.length);
    heldBytes += bytes.length - oldSize;
    held.put(a.nodeId(), new Held(a, bytes, now, charge, paceAt));
    snapshot = null;
  }

  /** The address a node not yet held is charged to; BUSY if a bound leaves no room for it. */
  private Object admitNew(Object owner, Announcement a, int size) throws RequestException {
    if (held.size() >= maxNodes) {
      throw new RequestException(ErrorCode.BUSY, "introducer already holds the maximum of "
          + maxNodes + " nodes; known nodes may still re-publish, new ones must wait until"
          + " entries age out (" + IssueTimeWindow.human(maxAge) + " without a re-publish)");
    }
    if (shares.nodes(owner) >= maxNodesPerAddress) {
      throw new RequestException(ErrorCode.BUSY, "address " + owner + " already brought in "
          + shares.nodes(owner) + " nodes, the most one address may (" + maxNodesPerAddress
          + "); publish the rest from their own addresses");
    }
    if (shares.bytes(owner) + size > maxHeldBytesPerAddress) {
      throw new RequestException(ErrorCode.BUSY, "address " + owner + " already brought in "
          + shares.bytes(owner) + " bytes of announcements; " + size + " more would pass the"
          + " most one address may hold (" + maxHeldBytesPerAddress + ")");
    }
    if (heldBytes + size > maxHeldBytes) {
      throw new RequestException(ErrorCode.BUSY, "introducer already holds " + heldBytes
          + " bytes of announcements; " + size + " more would pass its maximum of "
          + maxHeldBytes + "; known nodes may still re-publish, new ones must wait");
    }
    return owner;
  }

  /**
   * The address a newer announcement of a held node is charged to: the publisher's when it has
   * room, else the one the node was charged to. Updates never count against the node bounds
   * (the node is already held), so a full introducer still takes them; only growth in bytes
   * is checked.
   */
  private Object admitUpdate(Object owner, Announcement a, Held old, int size)
      throws RequestException {
    long growth = size - old.bytes().length;
    if (growth > 0 && heldBytes + growth > maxHeldBytes) {
      throw new RequestException(ErrorCode.BUSY, "introducer already holds " + heldBytes
          + " bytes of announcements; node " + a.nodeId().shortForm() + " growing by " + growth
          + " would pass its maximum of " + maxHeldBytes + "; publish a smaller announcement");
    }
    if (!owner.equals(old.owner()) && shares.nodes(owner) < maxNodesPerAddress
        && shares.bytes(owner) + size <= maxHeldBytesPerAddress) {
      return owner;
    }
    if (growth > 0 && shares.bytes(old.owner()) + growth > maxHeldBytesPerAddress) {
      throw new RequestException(ErrorCode.BUSY, "address " + old.owner() + " already holds "
          + shares.bytes(old.owner()) + " bytes of announcements; node "
          + a.nodeId().shortForm() + " growing by " + growth + " would pass the most one"
          + " address may hold (" + maxHeldBytesPerAddress + ")");
    }
    return old.owner();
  }

  /** The shared snapshot list, built once per change. */
  List<byte[]> snapshot() {
    if (snapshot == null) {
      byte[][] all = new byte[held.size()][];
      int i = 0;
      for (Held h : held.values()) {
        all[i++] = h.bytes();
      }
      snapshot = List.of(all);
    }
    return snapshot;
  }

  /** The announcements held, ordered by node id. */
  List<Announcement> announcements() {
    List<Announcement> out = new ArrayList<>(held.size());
    for (Held h : held.values()) {
      out.add(h.announcement());
    }
    out.sort(Comparator.comparing(Announcement::nodeId));
    return out;
  }

  /** Bytes of announcements held, all nodes together. */
  long bytes() {
    return heldBytes;
  }

  /** Forgets stale entries, at most once a minute (and whenever the clock jumps). */
  void sweep(Instant now) {
    if (now.isBefore(lastSweep.plusSeconds(60)) && !now.isBefore(lastSweep)) {
      return;
    }
    lastSweep = now;
    Instant cutoff = now.minus(maxAge);
    held.values().removeIf(h -> {
      boolean stale = h.receivedAt().isBefore(cutoff);
      if (stale) {
        heldBytes -= h.bytes().length;
        shares.addHeld(h.owner(), -1, -h.bytes().length);
        snapshot = null;
      }
      return stale;
    });
  }
}
