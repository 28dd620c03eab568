package org.cairnfs.fs.mutable;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import org.cairnfs.caps.MutableReadCap;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.mutable.MutableIntegrityException;
import org.cairnfs.caps.mutable.MutableKeys;
import org.cairnfs.caps.mutable.SignedHeader;
import org.cairnfs.caps.mutable.VersionId;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.mutable.SlotMap.Purpose;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mutable files on the grid: create, read the newest recoverable version, and change with
 * read-modify-publish, retried when another writer published at the same time.
 *
 * <p>How a collision is noticed: a server refuses a share whose seqnum is not above the one it
 * holds, so of two writers that both publish seqnum s, each server keeps the first to arrive and
 * rejects the other; and after a publish without refusals the writer maps the slot again, and
 * any other version at a seqnum as high as its own means an uncoordinated write. Either way the
 * writer re-reads (the newest recoverable version, now including the other writer's change),
 * applies its {@link Modifier} again and publishes seqnum + 1, after a short random backoff.
 * And a writer never publishes over a newer version it cannot read yet (another writer's
 * publish in progress), never builds on its own versions that lost, waits while several
 * recoverable versions share the newest seqnum, and publishes its refused version again as it
 * is when nothing as new is recoverable ({@link WriteBase#settle}).
 *
 * <p>Costs: read = one READ_SLOT to each of 2n servers in parallel (small files arrive whole),
 * a second round only for shares larger than {@link SlotMap#FRONT}; publish = encoding in
 * memory (O(size x n/k)), one WRITE_SLOT_SHARE per MiB per share, all pipelined, then one more
 * mapping round to check for collisions. Limits: contents up to {@link MutableOptions#maxSize()}.
 */
public final class MutableFiles {
  private static final Logger log = LoggerFactory.getLogger(MutableFiles.class);
  /** How long a read maps again a slot with shares but no recoverable version. */
  private static final long REREAD_WITHIN = 1_500_000_000L;

  private final GridClient grid;
  private final MutableOptions options;
  private final SlotPublisher publisher;
  private final Duration timeout;
  private final Duration abandonAfter;
  private final SecureRandom random = new SecureRandom();

  private MutableFiles(GridClient grid, MutableOptions options) {
    this.grid = Objects.requireNonNull(grid, "grid");
    this.options = Objects.requireNonNull(options, "options");
    this.timeout = grid.config().stallTimeout();
    this.abandonAfter = timeout.multipliedBy(2);
    this.publisher = new SlotPublisher(grid.servers(), grid.secrets(), timeout, random,
        grid.slotWrites());
  }

  /** Mutable files with the grid's k, happy and n. */
  public static MutableFiles on(GridClient grid) {
    return new MutableFiles(grid, MutableOptions.from(grid.config().params()));
  }

  public static MutableFiles on(GridClient grid, MutableOptions options) {
    return new MutableFiles(grid, options);
  }

  public MutableOptions options() {
    return options;
  }

  /** A new mutable file holding {@code contents} (version 1); its write cap. */
  public CompletableFuture<MutableWriteCap> create(byte[] contents) {
    byte[] copy = contents.clone();
    return async(() -> {
      checkSize(copy.length, null);
      grid.servers().retryUnreachable(options.happy());
      MutableKeys keys = MutableKeys.generate(random);
      // read, not only connected: the servers that answer the (empty) read in time take shares
      SlotMap map = map(keys.storageIndex(), keys.writeCap().fingerprint(), Purpose.PLACE);
      publisher.publish(map, keys, 1, copy, options);
      return keys.writeCap();
    });
  }

  /** The newest recoverable version. */
  public CompletableFuture<MutableVersion> read(MutableReadCap cap) {
    return async(() -> {
      StorageIndex index = cap.storageIndex().orElseThrow();
      long started = System.nanoTime();
      SlotMap map = map(index, cap.fingerprint(), Purpose.READ);
      if (map.selection().best().isEmpty() && askAgain(map, started)) {
        map = map(index, cap.fingerprint(), Purpose.READ);
      }
      // shares but no recoverable version: a publish of a file over half of n in progress, or
      // writers whose versions split the slots, about to publish again; a damaged file still
      // fails, about a second later (each map of such a slot may wait for a silent server)
      for (int waits = 1; waits <= 4 && map.selection().best().isEmpty()
          && !map.found.isEmpty() && System.nanoTime() - started < REREAD_WITHIN; waits++) {
        backoff(waits);
        map = map(index, cap.fingerprint(), Purpose.READ);
      }
      for (int tries = 1; ; tries++) {
        try {
          return SlotReader.read(map, cap, options.maxSize(), timeout);
        } catch (SlotUnreadableException e) {
          SlotMap again = tries < 3 ? replacedSince(map, cap.fingerprint(), e,
              map.selection().best().orElse(null)) : null;
          if (again == null) {
            throw e;
          }
          map = again;
        }
      }
    });
  }

  /** Replaces the contents, whatever they were (last writer wins). */
  public CompletableFuture<MutableVersion> overwrite(MutableWriteCap cap, byte[] contents) {
    byte[] copy = contents.clone();
    return modify(cap, current -> copy);
  }

  /**
   * Reads the newest version, applies {@code modifier} and publishes the result as the next
   * version; on a collision with another writer, does it again on the newer contents (up to
   * {@link MutableOptions#maxAttempts()} times, then {@link UncoordinatedWriteException}).
   * Returns the version published, or the one read when the modifier returned null.
   */
  public CompletableFuture<MutableVersion> modify(MutableWriteCap cap, Modifier modifier) {
    return async(() -> {
      MutableReadCap readCap = cap.readOnly();
      StorageIndex index = cap.storageIndex().orElseThrow();
      grid.servers().retryUnreachable(options.happy());
      Set<VersionId> lost = new HashSet<>();
      WriteBase.Refused refused = null;
      for (int attempt = 1; attempt <= options.maxAttempts(); attempt++) {
        WriteBase base = WriteBase.settle(index,
            () -> map(index, cap.fingerprint(), Purpose.WRITE), this::askAgain, lost, refused,
            abandonAfter);
        SlotMap map = base.map();
        byte[] next;
        MutableOptions publishing;
        if (base.republish()) {
          next = refused.contents(); // it holds this change: not applied twice
          publishing = refused.options();
        } else {
          MutableVersion current;
          try {
            current = base.version() == null
                ? SlotReader.read(map, readCap, options.maxSize(), timeout)
                : SlotReader.read(map, readCap, base.version(), options.maxSize(), timeout);
          } catch (SlotUnreadableException e) {
            VersionId read = base.version() != null ? base.version()
                : map.selection().best().orElse(null);
            if (attempt == options.maxAttempts()
                || replacedSince(map, cap.fingerprint(), e, read) == null) {
              throw e;
            }
            continue; // another writer's publish: read that one
          }
          byte[] changed;
          try {
            changed = modifier.apply(current.contents());
          } catch (IOException | RuntimeException e) {
            if (base.ownLoserOnTop()) {
              supersede(cap, map, current);
            }
            throw e;
          }
          if (changed == null && !base.ownLoserOnTop()) {
            return current;
          }
          // null with a losing version of ours beside the one read: publish what was read
          // again, or readers could keep taking ours (it may hold more shares)
          next = changed == null ? current.contents() : changed;
          publishing = options.forChange(headerOf(map, current), next.length, index);
        }
        checkSize(next.length, index);
        long seqnum = map.highestSeqnum() + 1;
        SlotPublisher.Outcome outcome = publisher.publish(map, keysOf(cap, map), seqnum, next,
            publishing);
        VersionId mine = outcome.header().versionId();
        if (!outcome.rejected() && !overtaken(index, cap.fingerprint(), mine)) {
          return new MutableVersion(next, mine);
        }
        lost.add(mine);
        refused = WriteBase.Refused.of(next, publishing, map, outcome);
        log.debug("mutable file {}: seqnum {} collided with another writer (attempt {})",
            index, seqnum, attempt);
        backoff(attempt);
      }
      throw new UncoordinatedWriteException(index, options.maxAttempts());
    });
  }

  private static SignedHeader headerOf(SlotMap map, MutableVersion version) {
    return map.of(version.version()).get(0).share().header();
  }

  /** Best effort, before a failing change leaves: the version read published again. */
  private void supersede(MutableWriteCap cap, SlotMap map, MutableVersion current) {
    try {
      publisher.publish(map, keysOf(cap, map), map.highestSeqnum() + 1, current.contents(),
          options.forChange(headerOf(map, current), current.contents().length, map.index));
    } catch (IOException | RuntimeException e) {
      log.warn("mutable file {}: could not publish the version read again over this writer's "
          + "refused one: {}", map.index, e.toString());
    }
  }

  private static MutableKeys keysOf(MutableWriteCap cap, SlotMap map) throws IOException {
    SlotMap.Found any = map.anyShare().orElseThrow();
    try {
      return MutableKeys.recover(cap, any.share().encryptedSeed(), any.share().verifyingKey());
    } catch (MutableIntegrityException e) {
      throw new IOException("mutable file " + map.index + ": this write cap cannot sign for "
          + "it: " + e.getMessage(), e);
    }
  }

  /**
   * Whether servers that failed {@code map} (mapped from {@code started} on) may be back and it
   * is worth mapping again: a version unreadable otherwise ({@link
   * org.cairnfs.fs.grid.ServerPool#retryForRead}).
   */
  private boolean askAgain(SlotMap map, long started) {
    return !grid.servers().retryForRead(map.problems.keySet(), started).isEmpty();
  }

  /**
   * A new map if {@code map}'s version failed to read ({@code e}) because a newer one replaced
   * it meanwhile, else null. Why: shares over {@link SlotMap#FRONT} are read in two rounds, and
   * a publish landing between them leaves each share's front and rest from two versions.
   */
  private SlotMap replacedSince(SlotMap map, byte[] fingerprint, SlotUnreadableException e,
      VersionId read) {
    if (e.noShareFound() || read == null) {
      return null;
    }
    SlotMap again = map(map.index, fingerprint, Purpose.READ);
    // newer than the version read (not the highest seen: that may have been a publish then)
    if (again.selection().best().filter(v -> v.seqnum() > read.seqnum()).isEmpty()) {
      return null;
    }
    log.debug("mutable file {}: replaced while read ({}); reading the newer version", map.index,
        e.getMessage());
    return again;
  }

  /** Whether, right after publishing {@code mine}, another version as new is on the grid. */
  private boolean overtaken(StorageIndex index, byte[] fingerprint, VersionId mine) {
    SlotMap after = map(index, fingerprint, Purpose.CHECK);
    return after.found.stream().map(SlotMap.Found::version)
        .anyMatch(v -> v.seqnum() >= mine.seqnum() && !v.equals(mine));
  }

  private SlotMap map(StorageIndex index, byte[] fingerprint, Purpose purpose) {
    return SlotMap.build(grid.servers(), index, fingerprint, options.params().n(), timeout,
        grid.config().answerGrace(), purpose);
  }

  private void checkSize(long size, StorageIndex index) throws IOException {
    if (size > options.maxSize()) {
      throw new IOException("mutable file" + (index == null ? "" : " " + index) + ": "
          + size + " bytes exceed the limit of " + options.maxSize());
    }
  }

  static void backoff(int attempt) throws IOException {
    long base = Math.min(2000, 20L << Math.min(attempt, 6));
    try {
      Thread.sleep(base + ThreadLocalRandom.current().nextLong(base + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted between attempts");
    }
  }

  @FunctionalInterface
  private interface Work<T> {
    T run() throws IOException;
  }

  private <T> CompletableFuture<T> async(Work<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return work.run();
      } catch (IOException e) {
        throw new CompletionException(e);
      }
    }, grid.workers());
  }
}
