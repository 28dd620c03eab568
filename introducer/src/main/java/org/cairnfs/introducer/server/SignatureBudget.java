package org.cairnfs.introducer.server;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * How many published announcements the introducer checks: a signature check costs it far more
 * CPU than the frame costs its sender, and a forged or replayed announcement costs as much as a
 * good one. Three budgets, each a {@link CellRate}, consulted before the signature:
 *
 * <ul>
 *   <li>per peer address, so one peer cannot keep the introducer's cores busy;
 *   <li>an overflow for updates of held nodes from an address whose own budget is spent, so a
 *       peer sharing an address with honest servers (NAT, a /64, loopback) cannot stop their
 *       updates by spending that address's budget on junk;
 *   <li>in all, so many addresses together cannot either.
 * </ul>
 *
 * <p>Thread-safe. Memory: the sweep (once a minute, or at once when full) drops the entries of
 * addresses whose budget is whole again, and at most {@code maxAddresses} are tracked (a new
 * address past that is refused, but for a held node's update, until a sweep frees room).
 */
final class SignatureBudget {
  private static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

  private final CellRate perAddress;
  private final CellRate overflowRate;
  private final CellRate allRate;
  private final int maxAddresses;
  private final Map<Object, Instant> addressArrival = new HashMap<>();
  private Instant overflowArrival;
  private Instant allArrival;
  private Instant lastSweep = Instant.MIN;

  SignatureBudget(CellRate perAddress, CellRate overflow, CellRate all, int maxAddresses) {
    this.perAddress = perAddress;
    this.overflowRate = overflow;
    this.allRate = all;
    this.maxAddresses = maxAddresses;
  }

  /**
   * Takes one check for a Publish from {@code address} at {@code now}; {@code heldUpdate}: it
   * claims a newer version of a node the introducer holds. False when no budget allows it.
   */
  synchronized boolean take(Object address, boolean heldUpdate, Instant now) {
    allArrival = allRate.clamp(allArrival, now);
    overflowArrival = overflowRate.clamp(overflowArrival, now);
    Instant all = allRate.next(allArrival, now);
    if (all == null) {
      return false;
    }
    sweep(now);
    Instant own = perAddress.clamp(addressArrival.get(address), now);
    if (own != null) {
      addressArrival.put(address, own);
    }
    if (own == null && addressArrival.size() >= maxAddresses) {
      sweep(now, true);
      if (addressArrival.size() >= maxAddresses) {
        return heldUpdate && takeOverflow(now, all);
      }
    }
    Instant next = perAddress.next(own, now);
    if (next != null) {
      addressArrival.put(address, next);
      allArrival = all;
      return true;
    }
    return heldUpdate && takeOverflow(now, all);
  }

  private boolean takeOverflow(Instant now, Instant all) {
    Instant next = overflowRate.next(overflowArrival, now);
    if (next == null) {
      return false;
    }
    overflowArrival = next;
    allArrival = all;
    return true;
  }

  /** Addresses with a budget in use (tests). */
  synchronized int tracked() {
    return addressArrival.size();
  }

  private void sweep(Instant now) {
    sweep(now, false);
  }

  private void sweep(Instant now, boolean force) {
    if (!force && !lastSweep.equals(Instant.MIN)
        && Duration.between(lastSweep, now).compareTo(SWEEP_EVERY) < 0
        && !now.isBefore(lastSweep)) {
      return;
    }
    lastSweep = now;
    addressArrival.values().removeIf(tat -> !tat.isAfter(now));
  }
}
