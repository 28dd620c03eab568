package org.cairnfs.fs.mount;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.dirnode.EntryKind;

/**
 * A grid in memory behind the mount's seam, for tests: files are content-addressed (the same
 * bytes give the same cap, as convergent encryption does), directories are entry maps keyed by
 * storage index, caps are real cap strings (so diminishing works). Failures are injected per
 * call kind; counters show what the mount sent. With a state file it survives its JVM, so a
 * mount process can be killed and another started over the same grid.
 */
public final class MemoryGrid implements org.cairnfs.fs.client.GridFileSystem {
  private final Map<String, byte[]> files = new HashMap<>();
  private final Map<String, TreeMap<String, RemoteEntry>> dirs = new HashMap<>();
  private final SecureRandom random = new SecureRandom();
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "memory-grid");
    t.setDaemon(true);
    return t;
  });
  private final Path stateFile;
  private volatile GridException.Kind failing;
  private volatile GridException.Kind failingReads;
  private volatile GridException.Kind failingPublishes;
  private volatile GridException.Kind failingCreates;
  /** Calls answered with an injected failure, and when (System.nanoTime), in order. */
  final List<Long> failureTimes = java.util.Collections.synchronizedList(new ArrayList<>());
  /** Directories created through {@link #createDirectory}. */
  final AtomicInteger dirCreates = new AtomicInteger();
  private volatile Duration delay = Duration.ZERO;
  private volatile boolean xattrs = true;
  private volatile long freeBytes = 1L << 40;
  final AtomicInteger fileWrites = new AtomicInteger();
  final AtomicInteger publishes = new AtomicInteger();
  final AtomicInteger lists = new AtomicInteger();
  final AtomicInteger reads = new AtomicInteger();
  /** Calls of {@link #space}. */
  final AtomicInteger spaceCalls = new AtomicInteger();
  private final AtomicInteger writesInFlight = new AtomicInteger();
  /** The most file writes in flight at once. */
  final AtomicInteger mostWritesInFlight = new AtomicInteger();
  final AtomicLong bytesReceived = new AtomicLong();

  private MemoryGrid(Path stateFile) {
    this.stateFile = stateFile;
  }

  public static MemoryGrid inMemory() {
    return new MemoryGrid(null);
  }

  /** A grid kept beside {@code stateFile} (loaded if it exists, written at each change). */
  public static MemoryGrid persistent(Path stateFile) throws IOException {
    MemoryGrid g = new MemoryGrid(stateFile);
    if (Files.exists(stateFile)) {
      g.load();
    } else {
      Files.createDirectories(stateFile.toAbsolutePath().getParent());
      Files.createFile(stateFile);
    }
    return g;
  }

  /** A new root directory; its write cap. */
  public synchronized String newRoot() {
    String cap = mintDir();
    saveDir(key(cap));
    return cap;
  }

  /** Uploads, directory creation and publishes fail with {@code kind} until healed. */
  public void failWith(GridException.Kind kind) {
    this.failing = kind;
  }

  /** Listings and reads fail with {@code kind} until healed. */
  public void failReadsWith(GridException.Kind kind) {
    this.failingReads = kind;
  }

  /** Only publishes (applyChanges) fail with {@code kind} until healed. */
  public void failPublishesWith(GridException.Kind kind) {
    this.failingPublishes = kind;
  }

  /** Only directory creations fail with {@code kind} until healed. */
  public void failCreatesWith(GridException.Kind kind) {
    this.failingCreates = kind;
  }

  public void heal() {
    this.failing = null;
    this.failingReads = null;
    this.failingPublishes = null;
    this.failingCreates = null;
  }

  private void failIf(GridException.Kind k) {
    if (k != null) {
      failureTimes.add(System.nanoTime());
      throw new java.util.concurrent.CompletionException(
          new GridException(k, "injected failure: " + k));
    }
  }

  /** While set, every file read waits for it to open (tests hold a read in flight). */
  volatile java.util.concurrent.CountDownLatch readGate;
  /** While set, every file write waits for it to open (tests hold an upload in flight). */
  volatile java.util.concurrent.CountDownLatch writeGate;
  /** File writes read their whole source, then fail as unreachable. */
  volatile boolean failAfterReading;
  /** When not zero, file writes read their source 64 KiB at a time, this long apart. */
  volatile Duration slowSource = Duration.ZERO;
  /** File reads now waiting at {@link #readGate}. */
  final AtomicInteger readsAtGate = new AtomicInteger();

  public void delay(Duration d) {
    this.delay = d;
  }

  /** File writes read their source 64 KiB at a time, {@code pause} apart (zero: at once). */
  public void slowSource(Duration pause) {
    this.slowSource = pause;
  }

  public void keepXattrs(boolean on) {
    this.xattrs = on;
  }

  public int publishCount() {
    return publishes.get();
  }

  /** File writes started and not yet answered. */
  public int writesInFlight() {
    return writesInFlight.get();
  }

  public long bytesReceived() {
    return bytesReceived.get();
  }

  /** What a directory holds now (by any cap of it); for assertions. */
  public synchronized Map<String, RemoteEntry> entries(String dirCap) {
    TreeMap<String, RemoteEntry> d = dirs.get(key(dirCap));
    return d == null ? Map.of() : new TreeMap<>(d);
  }

  public synchronized byte[] content(String fileCap) {
    return files.get(fileCap);
  }

  private <T> CompletableFuture<T> async(boolean failable, Supplier<T> body) {
    return async(failable, false, body);
  }

  private <T> CompletableFuture<T> async(boolean failable, boolean isRead, Supplier<T> body) {
    return CompletableFuture.supplyAsync(() -> {
      Duration d = delay;
      if (!d.isZero()) {
        try {
          Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      GridException.Kind k = isRead ? failingReads : failing;
      if (failable) {
        failIf(k);
      }
      return body.get();
    }, pool);
  }

  private static String key(String dirCap) {
    return Cap.parse(dirCap).storageIndex().orElseThrow().toString();
  }

  private String mintDir() {
    byte[] k = new byte[32];
    byte[] f = new byte[32];
    random.nextBytes(k);
    random.nextBytes(f);
    String cap = new DirectoryWriteCap(new MutableWriteCap(k, f)).toString();
    dirs.put(key(cap), new TreeMap<>());
    return cap;
  }

  @Override
  public CompletableFuture<List<RemoteEntry>> list(String directoryCap) {
    return async(true, true, () -> {
      lists.incrementAndGet();
      synchronized (this) {
        TreeMap<String, RemoteEntry> d = dirs.get(key(directoryCap));
        if (d == null) {
          throw new java.util.concurrent.CompletionException(
              new GridException(GridException.Kind.NOT_FOUND, "no such directory"));
        }
        boolean writable = Cap.parse(directoryCap).isWritable();
        List<RemoteEntry> out = new ArrayList<>();
        for (RemoteEntry e : d.values()) {
          out.add(writable ? e : new RemoteEntry(e.name(),
              e.cap().map(c -> Cap.parse(c).readOnly().toString()), e.metadata()));
        }
        return out;
      }
    });
  }

  @Override
  public CompletableFuture<byte[]> read(String fileCap, long offset, int length) {
    return async(true, true, () -> {
          java.util.concurrent.CountDownLatch gate = readGate;
          if (gate != null) {
            readsAtGate.incrementAndGet();
            try {
              gate.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } finally {
              readsAtGate.decrementAndGet();
            }
          }
          reads.incrementAndGet();
          byte[] c;
          synchronized (this) {
            c = files.get(fileCap);
          }
          if (c == null) {
            throw new java.util.concurrent.CompletionException(
                new GridException(GridException.Kind.NOT_FOUND, "no such file"));
          }
          int from = (int) Math.min(offset, c.length);
          int to = (int) Math.min(c.length, offset + length);
          byte[] out = new byte[to - from];
          System.arraycopy(c, from, out, 0, out.length);
          return out;
        });
  }

  @Override
  public CompletableFuture<String> writeFile(FileWrite w) {
    mostWritesInFlight.accumulateAndGet(writesInFlight.incrementAndGet(), Math::max);
    return this.<String>async(true, () -> {
      java.util.concurrent.CountDownLatch gate = writeGate;
      if (gate != null) {
        try {
          gate.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] content = new byte[Math.toIntExact(w.size())];
      if (w.base().isPresent()) {
        byte[] b;
        synchronized (this) {
          b = files.get(w.base().get());
        }
        if (b == null) {
          throw new java.util.concurrent.CompletionException(
              new GridException(GridException.Kind.NOT_FOUND, "no base"));
        }
        System.arraycopy(b, 0, content, 0, (int) Math.min(w.baseLength(),
            Math.min(b.length, w.size())));
      }
      Duration pause = slowSource;
      for (FileWrite.Range r : w.dirty()) {
        try {
          if (pause.isZero()) {
            w.source().read(r.offset(), ByteBuffer.wrap(content, (int) r.offset(),
                (int) r.length()));
            continue;
          }
          for (long at = r.offset(); at < r.end(); at += 64 << 10) {
            Thread.sleep(pause.toMillis());
            w.source().read(at, ByteBuffer.wrap(content, (int) at,
                (int) Math.min(64 << 10, r.end() - at)));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.util.concurrent.CompletionException(e);
        }
      }
      if (failAfterReading) { // as the real client: the source read, then placement fails
        throw new java.util.concurrent.CompletionException(new GridException(
            GridException.Kind.UNREACHABLE, "injected failure after reading the source"));
      }
      bytesReceived.addAndGet(w.dirtyBytes());
      fileWrites.incrementAndGet();
      String cap = capOf(content);
      synchronized (this) {
        if (files.put(cap, content) == null) {
          saveFile(cap, content);
        }
      }
      return cap;
    }).whenComplete((c, t) -> writesInFlight.decrementAndGet());
  }

  private static String capOf(byte[] content) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(content);
      byte[] k = MessageDigest.getInstance("SHA-256").digest(h);
      return new ImmutableReadCap(k, h, 3, 10, content.length).toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public CompletableFuture<String> createDirectory() {
    return async(true, () -> {
      failIf(failingCreates);
      dirCreates.incrementAndGet();
      synchronized (this) {
        String cap = mintDir();
        saveDir(key(cap));
        return cap;
      }
    });
  }

  @Override
  public CompletableFuture<List<EntryChange.Outcome>> applyChanges(String directoryCap,
      List<EntryChange> changes) {
    return async(true, () -> {
      failIf(failingPublishes);
      if (!Cap.parse(directoryCap).isWritable()) {
        throw new java.util.concurrent.CompletionException(new IllegalStateException(
            "publish through a read cap"));
      }
      List<EntryChange.Outcome> out = new ArrayList<>();
      synchronized (this) {
        TreeMap<String, RemoteEntry> d = dirs.get(key(directoryCap));
        for (EntryChange c : changes) {
          if (c instanceof EntryChange.Put p) {
            put(d, p.name(), p.cap(), p.metadata());
          } else if (c instanceof EntryChange.Create cr) {
            RemoteEntry there = d.get(cr.name());
            if (there != null && !(there.cap().isPresent() ? there.cap().equals(cr.cap())
                : cr.cap().isEmpty() && there.metadata().kind() == cr.metadata().kind()
                    && there.metadata().symlinkTarget().equals(cr.metadata().symlinkTarget())
                    && there.metadata().rdev() == cr.metadata().rdev())) {
              out.add(EntryChange.Outcome.EXISTS);
              continue;
            }
            put(d, cr.name(), cr.cap(), cr.metadata());
          } else {
            d.remove(c.name());
          }
          out.add(EntryChange.Outcome.APPLIED);
        }
        publishes.incrementAndGet();
        saveDir(key(directoryCap));
      }
      return out;
    });
  }

  private void put(TreeMap<String, RemoteEntry> d, String name, Optional<String> cap,
      NodeMetadata metadata) {
    if (!xattrs && !metadata.xattrs().isEmpty()) {
      throw new IllegalStateException("xattrs sent to a grid that keeps none");
    }
    d.put(name, new RemoteEntry(name, cap, metadata));
  }

  @Override
  public CompletableFuture<GridSpace> space() {
    spaceCalls.incrementAndGet();
    return async(true, true, () -> new GridSpace(1L << 41, freeBytes));
  }

  @Override
  public boolean keepsUserXattrs() {
    return xattrs;
  }

  /** Set: answers {@link #verifiable} as the grid client does (its own caps stay non-literal). */
  volatile boolean literalSmallFiles;

  @Override
  public boolean verifiable(long size) {
    return !literalSmallFiles || size > org.cairnfs.caps.LiteralCap.MAX_SIZE;
  }

  // ---- persistence (test format, not a spec'd one). Each change costs what it changed: a new
  // file is one blob and one line appended to the state file (a torn last line, from a kill
  // mid-append, was never acknowledged and is dropped); a directory is its own file, replaced.

  private void saveFile(String cap, byte[] content) {
    if (stateFile == null) {
      return;
    }
    try {
      Path blob = blobDir().resolve(blobName(cap));
      if (!Files.exists(blob)) {
        Files.createDirectories(blob.getParent());
        Path tmp = blob.resolveSibling(blob.getFileName() + ".tmp");
        Files.write(tmp, content);
        Files.move(tmp, blob, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.writeString(stateFile, cap + "\n", java.nio.charset.StandardCharsets.US_ASCII,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void saveDir(String key) {
    if (stateFile == null) {
      return;
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeUTF(key);
      TreeMap<String, RemoteEntry> d = dirs.get(key);
      out.writeInt(d.size());
      for (RemoteEntry r : d.values()) {
        out.writeUTF(r.name());
        out.writeUTF(r.cap().orElse(""));
        NodeMetadata m = r.metadata();
        out.writeByte(m.kind().code());
        out.writeLong(m.size());
        out.writeInt(m.mode());
        out.writeLong(m.mtime().getEpochSecond());
        out.writeInt(m.mtime().getNano());
        out.writeLong(m.ctime().getEpochSecond());
        out.writeInt(m.ctime().getNano());
        out.writeUTF(m.symlinkTarget().orElse(""));
        out.writeInt(m.xattrs().size());
        for (Map.Entry<String, byte[]> x : m.xattrs().entrySet()) {
          out.writeUTF(x.getKey());
          out.writeInt(x.getValue().length);
          out.write(x.getValue());
        }
      }
      out.flush();
      Path file = dirDir().resolve(blobName(key));
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, bytes.toByteArray());
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path blobDir() {
    return stateFile.resolveSibling(stateFile.getFileName() + ".files");
  }

  private Path dirDir() {
    return stateFile.resolveSibling(stateFile.getFileName() + ".dirs");
  }

  private static String blobName(String cap) {
    try {
      return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(cap.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void load() throws IOException {
    String log = Files.readString(stateFile, java.nio.charset.StandardCharsets.US_ASCII);
    int end = log.lastIndexOf('\n') + 1; // a torn last line was never acknowledged
    for (String cap : log.substring(0, end).split("\n")) {
      if (!cap.isEmpty()) {
        files.put(cap, Files.readAllBytes(blobDir().resolve(blobName(cap))));
      }
    }
    if (!Files.isDirectory(dirDir())) {
      return;
    }
    try (java.util.stream.Stream<Path> all = Files.list(dirDir())) {
      for (Path f : (Iterable<Path>) all::iterator) {
        if (!f.getFileName().toString().endsWith(".tmp")) {
          loadDir(f);
        }
      }
    }
  }

  private void loadDir(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      String k = in.readUTF();
      TreeMap<String, RemoteEntry> d = new TreeMap<>();
      int ne = in.readInt();
      for (int j = 0; j < ne; j++) {
        String name = in.readUTF();
        String cap = in.readUTF();
        int code = in.readByte();
        EntryKind kind = EntryKind.values()[code];
        long size = in.readLong();
        int mode = in.readInt();
        Instant mt = Instant.ofEpochSecond(in.readLong(), in.readInt());
        Instant ct = Instant.ofEpochSecond(in.readLong(), in.readInt());
        String target = in.readUTF();
        int nx = in.readInt();
        Map<String, byte[]> x = new TreeMap<>();
        for (int q = 0; q < nx; q++) {
          String xn = in.readUTF();
          byte[] v = new byte[in.readInt()];
          in.readFully(v);
          x.put(xn, v);
        }
        d.put(name, new RemoteEntry(name, cap.isEmpty() ? Optional.empty() : Optional.of(cap),
            new NodeMetadata(kind, size, mode, mt, ct,
                target.isEmpty() ? Optional.empty() : Optional.of(target), x)));
      }
      dirs.put(k, d);
    }
  }
}
