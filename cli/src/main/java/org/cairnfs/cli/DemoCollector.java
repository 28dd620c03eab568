package org.cairnfs.cli;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.cli.config.ConfigException;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.grid.Activity;
import org.cairnfs.fs.health.GridHealth;
import org.cairnfs.fs.health.ReachableIndexes;
import org.cairnfs.fs.mount.MountStatus;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.StorageServer;
import org.cairnfs.storage.gc.ExpiredShareCrawler;
import org.cairnfs.storage.gc.Pacer;
import org.cairnfs.storage.lease.LeaseOwner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo's garbage collector: deletes from the demo's own servers the shares that none of its
 * client's aliases reaches (old versions of rewritten files, removed files and directories), so
 * a demo whose files change does not fill its disk. Every share ever written is kept otherwise:
 * the demo's servers keep no expiring leases of their own ({@code [storage] gc} is off).
 *
 * <p>A round: when the mount has nothing waiting to go to the grid, no directory is being
 * written and no other mount of the client runs or left changes behind ({@link OtherMounts}),
 * walk every alias's tree ({@link ReachableIndexes}), and if the walk was whole and no
 * directory of this client changed meanwhile (a rename racing the walk could hide an entry in
 * neither directory), delete on every server each share whose storage index was not reached,
 * unless some lease keeps it: this client's lease given or renewed within a grace (a day in
 * the demo) of the walk's start (an upload still under way, a file put but not yet
 * linked), or another client's lease that has not run out. Files open in the mount are kept
 * with what they read, linked or not. A round that cannot be trusted deletes nothing and says
 * why.
 *
 * <p>Why in the demo only: it calls its servers' stores directly (they run in this process), and
 * trusts that its client is the only writer of the directories its aliases name. A real grid's
 * servers keep shares until their leases run out ({@code cairn deep-check --add-lease} renews).
 */
final class DemoCollector implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DemoCollector.class);

  /** After a round that could not be trusted (or every round, if they are closer). */
  static final Duration RETRY = Duration.ofMinutes(5);
  /** Shares examined per second per server while sweeping. */
  static final double SWEEP_RATE = 20_000;

  /** What the collector asks of the demo's mount. */
  interface Mount {
    MountStatus status();

    /** The root cap it serves: kept whether or not an alias names it. */
    String rootCap();

    /**
     * Caps it may still read or link: its cached tree, and what open files read (an unlinked
     * file stays readable until its last close).
     */
    Set<String> capsInUse();

    /** Its cache dir (the client's other cache dirs are other mounts'). */
    java.nio.file.Path cacheDir();
  }

  /** What one round did. */
  record Round(boolean swept, String why, long objects, long reachable, long examined,
      long deleted, Duration walk, Duration sweep) {
    static Round skipped(String why) {
      return new Round(false, why, 0, 0, 0, 0, Duration.ZERO, Duration.ZERO);
    }
  }

  private final ClientNode client;
  private final GridFileSystem files;
  private final Mount mount;
  private final List<StorageServer> servers;
  private final InstantSource clock;
  private final Duration keepUnlinked;
  private final LeaseOwner owner;
  private final Object lifecycle = new Object();
  private volatile boolean closed;
  private volatile double sweepRate = SWEEP_RATE;
  private Thread thread;

  /**
   * @param mount the mount's status, or null when nothing is mounted
   * @param servers the servers whose stores are swept: the demo's own
   */
  DemoCollector(ClientNode client, Mount mount, List<StorageServer> servers,
      InstantSource clock, Duration keepUnlinked) throws IOException {
    this(client, client.files(), mount, servers, clock, keepUnlinked);
  }

  /** With {@code files} listing the directories walked (tests watch the walk through it). */
  DemoCollector(ClientNode client, GridFileSystem files, Mount mount,
      List<StorageServer> servers, InstantSource clock, Duration keepUnlinked)
      throws IOException {
    this.client = client;
    this.files = files;
    this.mount = mount;
    this.servers = List.copyOf(servers);
    this.clock = clock;
    this.keepUnlinked = keepUnlinked;
    this.owner = LeaseOwner.of(NodeKey.load(client.directory().nodeKey()).nodeId().toBytes());
  }

  /** Shares examined per second per server while sweeping (tests slow it down). */
  DemoCollector sweepRate(double perSecond) {
    sweepRate = perSecond;
    return this;
  }

  /** Runs rounds in a daemon thread: the first after {@code first}, then every {@code every}. */
  void start(Duration first, Duration every) {
    synchronized (lifecycle) {
      thread = new Thread(() -> loop(first, every), "cairn-demo-collector");
      thread.setDaemon(true);
      thread.start();
    }
  }

  private void loop(Duration first, Duration every) {
    Duration retry = every.compareTo(RETRY) < 0 ? every : RETRY;
    Duration wait = first;
    while (!closed) {
      try {
        Thread.sleep(wait.toMillis());
        Round r = round();
        String outcome;
        if (r.swept()) {
          outcome = String.format("collected %d of %d shares no alias reaches (%d objects, %d "
              + "storage indexes reached; walk %d ms, sweep %d ms)", r.deleted(), r.examined(),
              r.objects(), r.reachable(), r.walk().toMillis(), r.sweep().toMillis());
          wait = every;
        } else {
          outcome = "collected nothing this round: " + r.why();
          wait = retry;
        }
        LOG.info(outcome);
        report(outcome);
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.warn("a collection round failed; next in {}", retry, e);
        report("the round failed: " + e);
        wait = retry;
      }
    }
  }

  /** One round, on the calling thread; see the class comment. */
  Round round() throws IOException, InterruptedException {
    Optional<String> pending = pendingInMount();
    if (pending.isPresent()) {
      return Round.skipped(pending.get());
    }
    if (client.grid().uploads().quietMark().isEmpty()) {
      return Round.skipped("this client is uploading (a file's first chunks may wait for its"
          + " manifest)");
    }
    Optional<String> foreign = foreignServer();
    if (foreign.isPresent()) {
      return Round.skipped(foreign.get());
    }
    Activity writes = client.grid().slotWrites();
    OptionalLong mark = writes.quietMark();
    if (mark.isEmpty()) {
      return Round.skipped("a directory was being written");
    }
    long commits = slotCommits();
    // After the marks, then the status again: a file closed in between is pending or open.
    Set<String> inUse = mount == null ? Set.of() : mount.capsInUse();
    pending = pendingInMount();
    if (pending.isPresent()) {
      return Round.skipped(pending.get());
    }
    java.nio.file.Path own = mount == null ? null : mount.cacheDir();
    OtherMounts.Look others = OtherMounts.look(client.directory().root(), own);
    if (others.busy().isPresent()) {
      return Round.skipped(others.busy().get());
    }
    Instant since = clock.instant().minus(keepUnlinked);
    List<String> aliases = aliases();
    if (aliases.isEmpty()) {
      return Round.skipped("the client has no alias (its aliases file is gone?): nothing would"
          + " be kept");
    }
    List<String> roots = new ArrayList<>(aliases);
    if (mount != null && !roots.contains(mount.rootCap())) {
      roots.add(mount.rootCap());
    }
    ReachableIndexes reached;
    long walkStart = System.nanoTime();
    try {
      reached = ReachableIndexes.walk(GridHealth.create(client.grid()), files, roots, inUse)
          .get();
    } catch (ExecutionException e) {
      return Round.skipped("the walk failed: " + e.getCause());
    }
    if (!reached.gaps().isEmpty()) {
      return Round.skipped("the walk was not whole (" + reached.gapCount() + " gaps: "
          + reached.gaps() + ")");
    }
    if (!writes.noneSince(mark.getAsLong()) || slotCommits() != commits) {
      return Round.skipped("a directory changed during the walk");
    }
    if (!aliases().equals(aliases)) {
      return Round.skipped("the aliases changed during the walk");
    }
    if (mount != null) {
      for (String cap : mount.capsInUse()) {
        if (!inUse.contains(cap) && !reached.covers(cap)) {
          return Round.skipped("the mount took up a cap during the walk that the walk did not"
              + " reach (a listing installed meanwhile)");
        }
      }
    }
    OtherMounts.Look after = OtherMounts.look(client.directory().root(), own);
    if (after.busy().isPresent() || !after.journals().equals(others.journals())) {
      return Round.skipped("another mount of this client ran during the walk");
    }
    Duration walk = Duration.ofNanos(System.nanoTime() - walkStart);
    long sweepStart = System.nanoTime();
    Set<StorageIndex> keep = reached.indexes();
    long examined = 0;
    long deleted = 0;
    // One thread per server (a deletion waits for its lease database's commit, each server has
    // its own); never interrupted: once closed, each stops before its next share.
    ExecutorService sweepers = Executors.newFixedThreadPool(Math.min(servers.size(), 8), r -> {
      Thread t = new Thread(r, "cairn-demo-sweep");
      t.setDaemon(true);
      return t;
    });
    try {
      List<Future<ExpiredShareCrawler.Pass>> passes = new ArrayList<>();
      for (StorageServer server : servers) {
        passes.add(sweepers.submit(() -> new ExpiredShareCrawler(server.store(), sweepRate,
            Pacer.sleeping()).crawlIndexes(index -> {
              if (closed) {
                throw new IOException("the collector was closed");
              }
              return keep.contains(index) ? 0
                  : server.store().collectIndexIfNotRenewedSince(index, owner, since);
            })));
      }
      for (Future<ExpiredShareCrawler.Pass> f : passes) {
        try {
          ExpiredShareCrawler.Pass pass = f.get();
          examined += pass.examined();
          deleted += pass.deleted();
        } catch (ExecutionException e) {
          throw new IOException("sweeping a server failed: " + e.getCause(), e.getCause());
        }
      }
    } finally {
      sweepers.shutdown();
      awaitUninterruptibly(sweepers);
    }
    return new Round(true, "", reached.objects(), keep.size(), examined, deleted, walk,
        Duration.ofNanos(System.nanoTime() - sweepStart));
  }

  /** Tells {@code cairn status} what the last round did ({@link CollectorStatusFile}). */
  private void report(String outcome) {
    try {
      CollectorStatusFile.write(client.directory().root(), clock.instant(), outcome);
    } catch (IOException e) {
      LOG.debug("writing the collector's status: {}", e.toString());
    }
  }

  /** Waits for {@code pool}'s threads to end, keeping an interrupt for later. */
  private static void awaitUninterruptibly(ExecutorService pool) {
    boolean interrupted = false;
    while (true) {
      try {
        if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private Optional<String> pendingInMount() {
    MountStatus status = mount == null ? null : mount.status();
    return status == null || status.clean() ? Optional.empty()
        : Optional.of("the mount has " + status.pendingChanges() + " changes not yet on the grid");
  }

  /**
   * A server this client knows that is not one of the demo's: its slots' changes are not
   * counted, so a rename could land there unseen.
   */
  private Optional<String> foreignServer() {
    Set<org.cairnfs.protocol.identity.NodeId> own = new java.util.HashSet<>();
    for (StorageServer server : servers) {
      own.add(server.nodeId());
    }
    for (org.cairnfs.protocol.identity.NodeId id : client.servers().serverIds()) {
      if (!own.contains(id)) {
        return Optional.of("server " + id.shortForm() + " is not one of the demo's (its"
            + " directories' changes would not be seen)");
      }
    }
    return Optional.empty();
  }

  /** Slot shares committed on the demo's servers, by any writer (ShareStore#slotCommits). */
  private long slotCommits() {
    long n = 0;
    for (StorageServer server : servers) {
      n += server.store().slotCommits();
    }
    return n;
  }

  /** Every alias's directory cap, read again each time (aliases may be added meanwhile). */
  private List<String> aliases() throws IOException {
    try {
      Aliases aliases = Aliases.load(client.directory().root());
      List<String> caps = new ArrayList<>();
      for (String name : aliases.names()) {
        aliases.get(name).ifPresent(caps::add);
      }
      return caps;
    } catch (ConfigException e) {
      throw new IOException("the aliases file cannot be read: " + e.getMessage(), e);
    }
  }

  /** Stops the thread, waiting for it and its sweepers to leave the shares they decide. */
  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (lifecycle) {
      t = thread;
    }
    if (t == null) {
      return;
    }
    t.interrupt(); // the walk's wait; the sweepers stop by themselves and are waited for
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    CollectorStatusFile.remove(client.directory().root());
  }
}
