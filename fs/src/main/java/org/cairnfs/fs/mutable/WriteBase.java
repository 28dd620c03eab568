package org.cairnfs.fs.mutable;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Supplier;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.mutable.VersionId;
import org.cairnfs.protocol.identity.NodeId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a change of a mutable file builds on, settled among concurrent writers ({@link #settle}):
 * a map, the version to build on ({@code null}: the one the map selects), whether a version of
 * this writer's that lost is among the newest recoverable ones, and whether to publish the last
 * refused version's contents again instead of building on anything.
 */
record WriteBase(SlotMap map, VersionId version, boolean ownLoserOnTop, boolean republish) {
  private static final Logger log = LoggerFactory.getLogger(MutableFiles.class);

  WriteBase(SlotMap map, VersionId version, boolean ownLoserOnTop) {
    this(map, version, ownLoserOnTop, false);
  }

  /**
   * This writer's last refused version: its contents (the change made), its encoding, and the
   * servers that held the slot or took its shares then (where the version that won must be).
   */
  record Refused(byte[] contents, VersionId version, MutableOptions options,
      Set<NodeId> holders) {
    /** The version {@code outcome} published from {@code map}, refused. */
    static Refused of(byte[] contents, MutableOptions options, SlotMap map,
        SlotPublisher.Outcome outcome) {
      Set<NodeId> holders = new HashSet<>();
      outcome.placement().values().forEach(holders::addAll);
      map.found.forEach(f -> holders.add(f.server()));
      return new Refused(contents, outcome.header().versionId(), options, holders);
    }
  }

  /**
   * A map ({@code maps}: a WRITE map of the slot) with no version newer than the one it would
   * read, waiting for one that is being published to become readable, and with one version to
   * build on.
   *
   * <p>Why wait for a newer version: one above the newest recoverable version but with fewer
   * than k shares is usually another writer's publish in progress. Writing seqnum + 1 over it,
   * with contents read from the older version, could land after that writer has finished and
   * checked, and silently drop its change.
   *
   * <p>Why one version: of several recoverable versions at one seqnum, at most one writer
   * returned its publish as done; the others were refused or overtaken somewhere and publish
   * again. So a writer never builds on its own versions that {@code lost}, and when the rest
   * still holds more than one (it cannot tell which one was kept) it waits for their writers'
   * next publish. Counting shares cannot tell either: a wider writer's losing version, landing
   * after a narrower one's publish and check, holds more shares (ci167).
   *
   * <p>When nothing as new as this writer's {@code refused} version is recoverable but that
   * version, and nothing is newer, it is published again as it is: no publish at its seqnum
   * returned (a returned one is recoverable), so it loses no change, and it holds this writer's
   * own. Why not wait: writers refused at one seqnum whose versions split the share slots among
   * them (three 5-of-10 writers holding 4, 3 and 3) would each wait for the others', and the
   * version they all built on is overwritten everywhere. But only at once when every server
   * that held the slot or took shares at the refused publish answered: the version that won
   * (and may have returned) is on those, and one that did not answer may hide it. Otherwise it
   * waits as below, and then publishes again only when its refused version holds shares (a
   * split, or the file is lost); refused everywhere, it fails instead.
   *
   * <p>Only a state that stays exactly as it is for {@code abandonAfter} (twice the stall
   * timeout) counts as the leftover of a writer that died, and is written over. Before the
   * first wait (or with nothing recoverable), the servers that failed the map and may be back
   * are asked again, once: holders that restarted give their version back.
   */
  static WriteBase settle(StorageIndex index, Supplier<SlotMap> maps,
      BiPredicate<SlotMap, Long> askAgain, Set<VersionId> lost, Refused refused,
      Duration abandonAfter) throws IOException {
    List<VersionId> waitingFor = List.of();
    long since = 0;
    int waits = 0;
    long started = System.nanoTime();
    boolean askedAgain = false;
    while (true) {
      SlotMap map = maps.get();
      List<VersionId> top = map.newestRecoverable(Set.of());
      List<VersionId> others = top.stream().filter(v -> !lost.contains(v)).toList();
      boolean ownLoserOnTop = others.size() < top.size();
      long seqnum = top.isEmpty() ? -1 : top.get(0).seqnum();
      List<VersionId> unsettled = new ArrayList<>(map.newerUnrecoverable(seqnum, lost));
      if (!askedAgain && (!unsettled.isEmpty() || top.isEmpty())) {
        // holders that refused while down may be back: before waiting, or failing, ask again
        askedAgain = true;
        if (askAgain.test(map, started)) {
          continue;
        }
      }
      boolean republish = refused != null && map.highestSeqnum() == refused.version().seqnum()
          && others.stream().noneMatch(v -> v.seqnum() >= refused.version().seqnum());
      if (republish) {
        if (map.reachable.keySet().containsAll(refused.holders())) {
          return new WriteBase(map, null, ownLoserOnTop, true);
        }
        unsettled.add(refused.version()); // wait for the holders that did not answer
      }
      if (others.size() > 1 && !ownLoserOnTop) {
        // a writer in the tie does not wait: three writers refused at once waited for each
        // other for twice the stall timeout; it picks as readers do
        unsettled.addAll(others);
      }
      if (unsettled.isEmpty()) {
        return new WriteBase(map, pick(map, others), ownLoserOnTop);
      }
      long now = System.nanoTime();
      if (!unsettled.equals(waitingFor)) {
        waitingFor = unsettled;
        since = now;
        waits = 0;
      } else if (now - since > abandonAfter.toNanos()) {
        if (republish && map.of(refused.version()).isEmpty()) {
          // refused everywhere it wrote, its holders still silent: what won may be there
          throw new SlotUnreadableException(index, "servers that held it when this change was "
              + "refused do not answer; nothing written over it" + SlotReader.problems(map));
        }
        log.warn("mutable file {}: versions {} stayed unsettled for {} s; writing over them as "
            + "the leftovers of writers that stopped", index, unsettled,
            abandonAfter.toSeconds());
        return new WriteBase(map, pick(map, others), ownLoserOnTop, republish);
      }
      MutableFiles.backoff(Math.min(++waits, 4));
    }
  }

  /**
   * Of the newest recoverable versions not this writer's, the one to build on: the selector's
   * pick when it is one of them; null (the selector's pick) when there is none.
   */
  private static VersionId pick(SlotMap map, List<VersionId> others) {
    if (others.isEmpty()) {
      return null;
    }
    VersionId selected = map.selection().best().orElse(null);
    return others.contains(selected) ? selected : others.get(0);
  }
}
