package org.cairnfs.storage.net;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.StorageException;
import org.cairnfs.storage.store.ShareStore;

/**
 * Which connection claims each open write, and the open-write caps per connection and per peer
 * address.
 *
 * <p>Why: the store knows writes by owner and share only, and two connections of one node share
 * an owner; so each open write is claimed by the connection that last (re)started it, under a
 * per-index stripe held across that store call, and a dropped connection aborts only what it
 * still claims. One connection's requests for different indexes run concurrently, so the claim
 * bookkeeping and the caps are kept under one short lock (never held across disk work, always
 * taken after a stripe, never before one), and a request that may open writes reserves its
 * places before its store call, so concurrent requests cannot pass a cap together.
 */
final class OpenWriteClaims {
  private static final int STRIPES = 64;

  private final ShareStore store;
  /** What each connection claims; the sets are also its per-connection open-write count. */
  private final Map<Long, Set<OpenWrite>> openByConnection = new ConcurrentHashMap<>();
  /** Which connection claims each open write. */
  private final Map<OpenWrite, Long> claimedBy = new ConcurrentHashMap<>();
  /** The peer address of each connection that claims writes, and the count per address. */
  private final Map<Long, Object> addressOf = new ConcurrentHashMap<>();
  private final Map<Object, Integer> openByAddress = new ConcurrentHashMap<>();
  /** Serialize claiming with the store call that (re)starts or ends the write. */
  private final Object[] stripes = new Object[STRIPES];
  /** Guards the claim maps, the per-address counts and the reservations below. */
  private final Object claims = new Object();
  /** Places taken by allocations and slot writes under way, per connection and per address. */
  private final Map<Long, Integer> reservedByConnection = new HashMap<>();
  private final Map<Object, Integer> reservedByAddress = new HashMap<>();
  /**
   * Claimed writes an allocation under way is restarting (counted as not adding): the store has
   * them closed for a moment, and a prune must not drop their claims then, or the restart's
   * re-claim would come on top of places another request was let in on. Under {@code claims}.
   */
  private final Map<OpenWrite, Integer> restarting = new HashMap<>();

  /** The places a request under way holds until {@link #release}. */
  record Reservation(Caller caller, int adding, List<OpenWrite> restarts) {}

  OpenWriteClaims(ShareStore store) {
    this.store = store;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Object();
    }
  }

  /** The lock that serializes claims on writes of {@code index} with the store calls on them. */
  Object stripe(StorageIndex index) {
    return stripes[Math.floorMod(index.hashCode(), STRIPES)];
  }

  /**
   * Reserves places for the writes in {@code wanted} that {@code caller}'s connection does not
   * claim yet, or refuses with BUSY ({@link #checkCaps}); call under their stripe. With
   * {@code pinRestarts} (allocations), the ones it claims are pinned against pruning until
   * {@link #release}: the store has them closed for a moment while it restarts them.
   */
  Reservation reserve(Caller caller, Collection<OpenWrite> wanted, boolean pinRestarts)
      throws StorageException {
    synchronized (claims) {
      Set<OpenWrite> mine = track(caller);
      List<OpenWrite> restarts = new ArrayList<>();
      for (OpenWrite w : wanted) {
        if (mine.contains(w)) {
          restarts.add(w);
        }
      }
      int adding = wanted.size() - restarts.size();
      checkCaps(caller, mine, adding);
      reserve(caller, adding);
      List<OpenWrite> pinned = pinRestarts ? restarts : List.of();
      pinned.forEach(w -> restarting.merge(w, 1, OpenWriteClaims::sumOrNull));
      return new Reservation(caller, adding, pinned);
    }
  }

  /**
   * Gives back {@code held}'s places and pins, and claims {@code opened} (what its store call
   * opened, if it succeeded) for its connection; call under their stripe.
   */
  void release(Reservation held, Collection<OpenWrite> opened) {
    synchronized (claims) {
      reserve(held.caller(), -held.adding());
      held.restarts().forEach(w -> restarting.merge(w, -1, OpenWriteClaims::sumOrNull));
      for (OpenWrite w : opened) {
        claim(held.caller(), w);
      }
    }
  }

  /** The connection that claims {@code w}, or null (a close reads it under the stripe). */
  Long claimant(OpenWrite w) {
    return claimedBy.get(w);
  }

  /** {@code w} is no longer open, whoever claimed it; call under its stripe. */
  void unclaim(OpenWrite w) {
    synchronized (claims) {
      Long holder = claimedBy.remove(w);
      if (holder != null) {
        forget(holder, w);
      }
    }
  }

  /**
   * Ends {@code holder}'s claim on {@code w} if it still has it: a close's commit ended, and if
   * another connection of the node opened the share again meanwhile, that newer claim stays.
   */
  void unclaim(OpenWrite w, Long holder) {
    synchronized (claims) {
      if (holder != null && claimedBy.remove(w, holder)) {
        forget(holder, w);
      }
    }
  }

  /**
   * Drops every claim connection {@code id} still has, running {@code abort} on each write under
   * its stripe (not under {@code claims}), then forgets the connection.
   */
  void dropConnection(long id, Consumer<OpenWrite> abort) {
    Set<OpenWrite> open = openByConnection.get(id);
    if (open == null) {
      return;
    }
    for (OpenWrite w : open) {
      synchronized (stripe(w.index())) {
        synchronized (claims) {
          if (!claimedBy.remove(w, id)) {
            continue; // taken over by another connection of the same node
          }
          open.remove(w);
          countAddress(id, -1);
        }
        abort.accept(w);
      }
    }
    synchronized (claims) {
      openByConnection.remove(id);
      addressOf.remove(id);
    }
  }

  /** Claims pinned by allocations under way that restart them (tests: none once they end). */
  int restartsUnderWay() {
    synchronized (claims) {
      return restarting.size();
    }
  }

  /** The open-write count of each peer address that holds any (a copy; for tests). */
  Map<Object, Integer> openWritesByAddress() {
    synchronized (claims) {
      return Map.copyOf(openByAddress);
    }
  }

  /**
   * Makes {@code caller}'s connection the one that claims {@code w}; call under its stripe and
   * {@code claims}.
   */
  private void claim(Caller caller, OpenWrite w) {
    Long previous = claimedBy.put(w, caller.connectionId());
    if (previous != null && previous != caller.connectionId()) {
      Set<OpenWrite> theirs = openByConnection.get(previous);
      if (theirs != null && theirs.remove(w)) {
        countAddress(previous, -1);
      }
    }
    if (track(caller).add(w)) {
      countAddress(caller.connectionId(), 1);
    }
  }

  /** Connection {@code holder} no longer counts {@code w}; call under {@code claims}. */
  private void forget(long holder, OpenWrite w) {
    Set<OpenWrite> theirs = openByConnection.get(holder);
    if (theirs != null && theirs.remove(w)) {
      countAddress(holder, -1);
    }
  }

  /**
   * Takes ({@code places} > 0) or gives back places for writes a request may open, so that
   * concurrent requests count each other's; call under {@code claims}.
   */
  private void reserve(Caller caller, int places) {
    if (places == 0) {
      return;
    }
    reservedByConnection.merge(caller.connectionId(), places, OpenWriteClaims::sumOrNull);
    reservedByAddress.merge(caller.peerAddress(), places, OpenWriteClaims::sumOrNull);
  }

  private static Integer sumOrNull(int a, int b) {
    return a + b == 0 ? null : a + b;
  }

  /** Moves the open-write count of connection {@code id}'s address by {@code delta}. */
  private void countAddress(long id, int delta) {
    Object address = addressOf.get(id);
    if (address != null) {
      openByAddress.merge(address, delta, OpenWriteClaims::sumOrNull);
    }
  }

  /**
   * Refuses with BUSY when {@code adding} more open uploads or slot writes would take this
   * connection or its peer address past its cap. Counts every share asked for, even those that
   * turn out held, and the places other requests under way have reserved: a conservative
   * check, cheap and never too lax. Writes the store dropped as idle still count until looked
   * at here: when over a cap, the connection's own are pruned first (another connection's are
   * pruned when it next asks). Call under {@code claims}.
   */
  private void checkCaps(Caller caller, Set<OpenWrite> mine, long adding)
      throws StorageException {
    int cap = store.limits().maxOpenWritesPerConnection();
    int addressCap = store.limits().maxOpenWritesPerAddress();
    if (adding == 0) {
      return;
    }
    if (connectionCount(caller, mine) + adding > cap
        || addressCount(caller) + adding > addressCap) {
      pruneClosed(caller, mine);
    }
    int fromConnection = connectionCount(caller, mine);
    if (fromConnection + adding > cap) {
      throw new StorageException(ErrorCode.BUSY, "connection busy: " + adding
          + " more uploads would exceed its " + cap + " open uploads and slot writes ("
          + fromConnection + " open); close or abort some first");
    }
    int fromAddress = addressCount(caller);
    if (fromAddress + adding > addressCap) {
      throw new StorageException(ErrorCode.BUSY, "address busy: " + adding
          + " more uploads would exceed the " + addressCap + " open uploads and slot writes"
          + " allowed to connections from " + caller.peerAddress() + " (" + fromAddress
          + " open); close or abort some first");
    }
  }

  private int addressCount(Caller caller) {
    return openByAddress.getOrDefault(caller.peerAddress(), 0)
        + reservedByAddress.getOrDefault(caller.peerAddress(), 0);
  }

  private int connectionCount(Caller caller, Set<OpenWrite> mine) {
    return mine.size() + reservedByConnection.getOrDefault(caller.connectionId(), 0);
  }

  /**
   * Forgets this connection's claims on writes the store no longer has open (expired). Takes
   * no stripe (the caller holds one); runs under {@code claims}, as does every claim change,
   * so a write opened again and claimed meanwhile is either seen open or claimed after this.
   */
  private void pruneClosed(Caller caller, Set<OpenWrite> mine) {
    for (OpenWrite w : List.copyOf(mine)) {
      if (!restarting.containsKey(w)
          && !store.isWriteOpen(w.owner(), w.index(), w.share(), w.slot())
          && claimedBy.remove(w, caller.connectionId()) && mine.remove(w)) {
        countAddress(caller.connectionId(), -1);
      }
    }
  }

  private Set<OpenWrite> track(Caller caller) {
    addressOf.putIfAbsent(caller.connectionId(), caller.peerAddress());
    return openByConnection.computeIfAbsent(caller.connectionId(),
        id -> ConcurrentHashMap.newKeySet());
  }
}
