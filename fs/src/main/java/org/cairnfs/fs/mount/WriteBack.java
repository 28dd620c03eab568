package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.cairnfs.fs.mount.JournalRecord.FileCommit;
import org.cairnfs.fs.mount.JournalRecord.SetEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-back cache: the journal, the pending state it describes, the spool of local file
 * layers and the uploader that drains them to the grid. Every journal append and the state
 * change it makes happen under one lock, so the uploader always sees a state some prefix of the
 * journal describes. Opening replays the cache dir ({@link JournalReplay}); forces and rewrites
 * of the journal are {@link JournalDurability}'s.
 */
final class WriteBack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WriteBack.class);
  /** The journal's file name in the cache dir. */
  static final String JOURNAL = "journal";

  final MountConfig config;
  final GridBackend grid;
  final SpoolBudget budget;
  final Path spoolDir;
  private final CacheDirLock dirLock;
  private final Journal journal;
  private final JournalDurability durability;
  private Thread forcer;
  final ReentrantLock lock = new ReentrantLock();
  final PendingState pending;
  /** Local files the journal refers to, or that are open with local changes. */
  final Map<Long, FileData> files = new ConcurrentHashMap<>();
  private final AtomicLong ids;
  final Uploader uploader;
  private final FileData.BaseReader baseReader;
  /**
   * Per directory (by canonical ref): publishes begun or recorded. A listing of a directory
   * fetched across a change of its count is not trusted. Guarded by {@link #lock}.
   */
  private final Map<DirRef, Long> publishEpochs = new HashMap<>();
  /**
   * The last sequence number of what the journal held, not yet on the grid, when this mount
   * opened it (0 if nothing): changes the tree cannot place, so every directory's cap waits for
   * them.
   */
  final long replayedSeq;

  private WriteBack(MountConfig config, GridBackend grid, CacheDirLock dirLock, Journal journal,
      PendingState pending, long nextId, SpoolBudget budget, Path spoolDir,
      FileData.BaseReader baseReader) {
    this.config = config;
    this.grid = grid;
    this.dirLock = dirLock;
    this.journal = journal;
    this.pending = pending;
    this.replayedSeq = pending.changeCount() > 0 ? journal.lastSeq() : 0;
    this.ids = new AtomicLong(nextId);
    this.budget = budget;
    this.spoolDir = spoolDir;
    this.baseReader = baseReader;
    this.durability = new JournalDurability(journal, lock, pending, files);
    this.uploader = new Uploader(this);
  }

  /**
   * Opens the cache dir: takes its lock, replays the journal into the pending state, rebuilds
   * the sealed layers of local files, removes spool files nothing refers to, and rewrites the
   * journal as a compact snapshot (dropping a torn tail). The journal's files are opened by
   * {@code channels} ({@code FileChannel::open}; tests make a force fail). Uploading starts
   * with {@link #start}.
   */
  static WriteBack open(MountConfig config, GridBackend grid, FileData.BaseReader baseReader,
      Journal.Channels channels) throws IOException {
    Path dir = config.cacheDir();
    Files.createDirectories(dir);
    CacheDirLock dirLock = CacheDirLock.acquire(dir);
    try {
      Path spool = dir.resolve("spool");
      Files.createDirectories(spool);
      Path journalPath = dir.resolve(JOURNAL);
      JournalReplay replay = JournalReplay.of(journalPath, spool, config.cacheBytes(),
          baseReader);
      PendingState pending = replay.pending();
      // the journal is replaced only now, by what it said, once the layers it names are forced:
      // a mount that fails before this leaves it as it was for the next one
      Journal journal = Journal.create(journalPath, pending.snapshot(), replay.nextSeq(),
          channels);
      WriteBack wb = new WriteBack(config, grid, dirLock, journal, pending, replay.nextId(),
          replay.budget(), spool, baseReader);
      wb.files.putAll(replay.files());
      if (replay.records() > 0) {
        LOG.info("journal replayed: {} records, {} pending entry changes, {} local files",
            replay.records(), pending.changeCount(), replay.files().size());
      }
      return wb;
    } catch (IOException | RuntimeException e) {
      dirLock.close();
      throw e;
    }
  }

  void start() {
    uploader.start();
    long every = config.journalForceInterval().toNanos();
    if (every > 0) {
      forcer = new Thread(() -> durability.forceEvery(every), "cairn-journal-force");
      forcer.setDaemon(true);
      forcer.start();
    }
  }

  long newId() {
    return ids.getAndIncrement();
  }

  FileData newFile(Optional<String> base, long baseSize) {
    return new FileData(newId(), spoolDir, budget, baseReader, base, baseSize);
  }

  /** Appends a record and applies it to the pending state; returns its sequence number. */
  long record(JournalRecord r) throws IOException {
    return recordAll(List.of(r));
  }

  /**
   * Appends records in one write ({@link Journal#appendAll}: all or none) and applies them to
   * the pending state; returns the sequence number of the last.
   */
  long recordAll(List<? extends JournalRecord> records) throws IOException {
    return recordAll(records, List.of());
  }

  /**
   * {@link #recordAll(List)}, tracking {@code entryFiles} (the data of the files whose entries the
   * records set) again in the same critical section: the uploader's {@link #pruneClean} runs
   * without the tree's lock and may have forgotten a clean file since {@link #entryRecord}.
   */
  long recordAll(List<? extends JournalRecord> records, List<FileData> entryFiles)
      throws IOException {
    lock.lock();
    try {
      for (FileData d : entryFiles) {
        files.putIfAbsent(d.id(), d);
      }
      for (JournalRecord r : records) {
        if (r instanceof SetEntry s && s.child() instanceof ChildRef.LocalFile f
            && !files.containsKey(f.id())) {
          // the uploader finds the file's content here
          throw new IllegalStateException("journaled entry for untracked file " + f.id());
        }
      }
      List<JournalRecord> named = new ArrayList<>(records.size());
      for (JournalRecord r : records) {
        named.add(pending.byCap(r));
      }
      long seq = journal.appendAll(named);
      for (JournalRecord r : named) {
        pending.apply(seq, r);
        if (r instanceof JournalRecord.EntriesPublished p) {
          // with the pending changes gone, in the same critical section
          publishEpochs.merge(pending.canonical(p.dir()), 1L, Long::sum);
        }
        seq++;
      }
      return seq - 1;
    } finally {
      lock.unlock();
    }
    // uploader is woken by the caller once its whole operation is journaled
  }

  /** The tracked local file {@code id}; an empty new one if the journal had no content for it. */
  FileData fileWithId(long id) {
    return files.computeIfAbsent(id, k -> new FileData(k, spoolDir, budget, baseReader,
        Optional.empty(), 0));
  }

  /**
   * Seals a file's open layer and journals it (its bytes inline when small) together with the
   * entry that names it; returns the sequence number of the entry record.
   */
  long commit(FileNode f, DirRef dir, String name) throws IOException {
    FileData data = f.data;
    Optional<LayerCommit> sealed = LayerCommit.seal(data);
    lock.lock();
    try {
      files.putIfAbsent(data.id(), data);
      SetEntry set =
          (SetEntry) pending.byCap(new SetEntry(dir, name, f.childRef(), entryMetadata(f)));
      if (sealed.isEmpty()) {
        return recordAll(List.of(set));
      }
      FileCommit record = sealed.get().record();
      long seq;
      try {
        // one write: a failed close leaves neither its content nor its entry journaled
        seq = journal.appendAll(List.of(sealed.get().journaled(), set));
      } catch (IOException | RuntimeException e) {
        // sealed already: later closes must not pass for it (a full disk; or a layer of more
        // page runs than one record holds, about 87 000)
        data.unjournaled(record.gen());
        throw e;
      }
      pending.apply(seq, record);
      pending.apply(seq + 1, set);
      return seq + 1;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The record that entry {@code name} of {@code dir} is now {@code child}, as it is now; tracks
   * a file's data so the uploader finds it. Journal it with {@link #recordAll}.
   */
  SetEntry entryRecord(DirRef dir, String name, Node child) {
    ChildRef ref;
    if (child instanceof FileNode f) {
      lock.lock();
      try {
        files.putIfAbsent(f.data.id(), f.data); // under the lock, as forget's check and remove
      } finally {
        lock.unlock();
      }
      ref = f.childRef();
    } else if (child instanceof DirNode d) {
      ref = d.ref instanceof DirRef.Local l ? new ChildRef.LocalDir(l.id())
          : new ChildRef.Cap(((DirRef.Cap) d.ref).cap());
    } else if (child instanceof SpecialNode sp) {
      ref = new ChildRef.Special(sp.rdev);
    } else {
      ref = new ChildRef.Symlink();
    }
    return new SetEntry(dir, name, ref, entryMetadata(child));
  }

  /** What the entry records about {@code n}: {@link NodeOwner#recorded}. */
  private NodeMetadata entryMetadata(Node n) {
    return NodeOwner.recorded(n, config, grid.keepsUserXattrs());
  }

  /** With nothing pending, forgets the files that hold no local change (their nodes keep them). */
  void pruneClean() {
    lock.lock();
    try {
      if (pending.isEmpty()) {
        files.values().removeIf(d -> !d.hasLocalChanges());
        pending.prune(Set.of());
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns once every record up to {@code seq} is on the local disk, rewriting the journal from
   * memory after a failed force ({@link JournalDurability#durable}).
   */
  void durable(long seq) throws IOException {
    durability.durable(seq);
  }

  /**
   * {@link #durable} for a thread of the grid client's pool: after a failed force it fails
   * ({@link Journal.ForceLostException}) instead of rewriting, since the rewrite takes the lock
   * of every pending file and a reader may hold one of those while it waits for that pool. The
   * forcer, the next flush or fsync, or unmount rewrites; the caller retries later.
   */
  void durableWithoutRewrite(long seq) throws IOException {
    journal.sync(seq);
  }

  long lastSeq() {
    return journal.lastSeq();
  }

  long journalSyncedBytes() {
    return journal.syncedBytes();
  }

  long journalBytes() {
    return journal.bytes();
  }

  /** Marks that a publish is about to start (listings fetched from now are suspect). */
  void publishStarting(DirRef dir) {
    locked(() -> publishEpochs.merge(pending.canonical(dir), 1L, Long::sum));
  }

  long publishEpoch(DirRef dir) {
    return locked(() -> publishEpochs.getOrDefault(pending.canonical(dir), 0L));
  }

  /**
   * The pending changes of a directory, read atomically with the publish epoch: empty when a
   * publish began or finished since {@code epoch}, so a listing fetched before it is dropped.
   */
  Optional<List<PendingState.Change>> changesIfNoPublishSince(DirRef dir, long epoch) {
    return locked(() -> publishEpochs.getOrDefault(pending.canonical(dir), 0L) == epoch
        ? Optional.of(pending.changesOf(dir)) : Optional.empty());
  }

  /** Whether the pending change of entry {@code name} of {@code dir} is a create (fresh). */
  boolean pendingCreate(DirRef dir, String name) {
    return locked(() -> pending.changesOf(dir).stream().anyMatch(
        c -> c.name().equals(name) && c.record() instanceof SetEntry s && s.fresh()));
  }

  /** Whether changes to {@code dir} are journaled and not yet published. */
  boolean hasPendingChanges(DirRef dir) {
    return locked(() -> pending.hasChanges(dir));
  }

  DirRef canonical(DirRef d) {
    return locked(() -> pending.canonical(d));
  }

  Optional<String> createdCap(long id) {
    return locked(() -> pending.createdCap(id));
  }

  /** {@code body}'s result, got under {@link #lock}. */
  private <T> T locked(Supplier<T> body) {
    lock.lock();
    try {
      return body.get();
    } finally {
      lock.unlock();
    }
  }

  /** Forgets a file nothing refers to any more (unlinked and closed). */
  void forget(FileData data) {
    lock.lock();
    try {
      if (!pending.referencedFiles().contains(data.id())) {
        files.remove(data.id());
        data.discard();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Rewrites the journal as a snapshot when it is long (or empty of work and not tiny). */
  void maybeCompact() throws IOException {
    durability.maybeCompact();
  }

  MountStatus status() {
    return uploader.status(locked(pending::changeCount), budget.used(), budget.bound());
  }

  @Override
  public void close() throws IOException {
    uploader.stop();
    stopForcer();
    try {
      durability.close();
    } finally {
      closeLayers();
      dirLock.close();
    }
  }

  /** Stops without draining or closing cleanly: what a killed process leaves (tests). */
  void abandon() throws IOException {
    uploader.stop();
    stopForcer();
    closeLayers(); // a killed process's descriptors close too
    dirLock.close();
  }

  private void closeLayers() {
    for (FileData d : files.values()) {
      d.closeLayers();
    }
  }

  private void stopForcer() {
    if (forcer != null) {
      durability.stopForcing();
      try {
        forcer.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
