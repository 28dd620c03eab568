package org.cairnfs.bench.net;

import static org.cairnfs.bench.RunFigures.deleteTree;

import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.storage.StorageServer;
import org.cairnfs.storage.config.StorageConfig;

/**
 * One real storage server on loopback under N concurrent TLS connections, each uploading
 * (Allocate, 1 MiB WriteChunks, CloseShare) and then downloading (1 MiB ReadRanges) its own share,
 * measured in the same run against the two things it cannot beat: the disk under the storage dir
 * ({@code dd}, FileChannel) and plain TCP loopback without TLS. The goal is that Cairn
 * reaches at least half of the lower of the two.
 *
 * <p>Usage: {@code StorageThroughputBenchmark [--connections 8] [--mib 128] [--window 8]
 * [--warmup-mib 32] [--dir /tmp]}; the TLS engine is the default one ({@code -Dcairn.tls.engine}).
 */
public final class StorageThroughputBenchmark {
  private StorageThroughputBenchmark() {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    long totalMib = (long) o.connections * o.mib;
    Path dir = Files.createTempDirectory(o.dir, "cairn-net-bench-");
    byte[] block = new byte[ChunkPump.CHUNK];
    new Random(7).nextBytes(block);
    FileStore fs = Files.getFileStore(dir);
    TlsEngine engine = TlsEngine.defaultEngine();
    System.out.printf(Locale.ROOT, "%n== Storage server on loopback: %d connections x %d MiB = %d MiB,"
        + " TLS engine %s, %d requests in flight per connection ==%n", o.connections, o.mib, totalMib,
        engine, o.window);
    System.out.printf("storage dir: %s (%s on %s), %d CPUs, %s%n", dir, fs.type(), fs.name(),
        Runtime.getRuntime().availableProcessors(), heapNote());
    System.out.println("fsync: the storage server writes each share under incoming/, and on CloseShare"
        + " fsyncs the file (FileChannel.force(true)), renames it into place and fsyncs the directory:"
        + " its write figure includes one file+dir fsync per share (" + o.connections + " in all)."
        + " dd uses conv=fdatasync and FileChannel one force(true), each once at the end."
        + " Reads in all rows come from the page cache (the data was just written).");
    try {
      DiskBaseline.Result dd = DiskBaseline.dd(dir, totalMib);
      DiskBaseline.Result fc = DiskBaseline.fileChannel(dir, totalMib, block);
      PlainLoopbackBaseline.Result plain;
      try (PlainLoopbackBaseline p = new PlainLoopbackBaseline(o.connections, block)) {
        plain = p.run(o.connections, o.mib);
      }
      Ours ours = runOurs(dir.resolve("store"), o, block);
      report(o, totalMib, dd, fc, plain, ours);
    } finally {
      deleteTree(dir);
    }
  }

  record Ours(Rate write, Rate read) {}

  /** Whether 1 MiB byte[] payloads are G1 humongous objects (at least half a region) here. */
  private static String heapNote() {
    try {
      var hotspot = java.lang.management.ManagementFactory.getPlatformMXBean(
          com.sun.management.HotSpotDiagnosticMXBean.class);
      if (!"true".equals(hotspot.getVMOption("UseG1GC").getValue())) {
        return "not G1";
      }
      long region = Long.parseLong(hotspot.getVMOption("G1HeapRegionSize").getValue());
      return String.format(Locale.ROOT, "G1 region %d MiB: 1 MiB arrays %s humongous", region >> 20,
          ChunkPump.CHUNK >= region / 2 ? "ARE" : "are not");
    } catch (RuntimeException e) {
      return "heap: " + e.getMessage();
    }
  }

  private static Ours runOurs(Path storeDir, Options o, byte[] block) throws Exception {
    StorageConfig config = StorageConfig.builder(storeDir).host("127.0.0.1")
        .reservedSpace(64L << 20).build();
    NodeKey clientKey = NodeKey.generate();
    try (StorageServer server = StorageServer.start(config, NodeKey.generate())) {
      List<StorageClient> clients = new ArrayList<>();
      try {
        ClientOptions options = ClientOptions.defaults();
        for (int i = 0; i < o.connections; i++) {
          clients.add(StorageClient.connect(options, clientKey, "127.0.0.1", server.port(),
              server.nodeId()).get());
        }
        SecureRandom random = new SecureRandom();
        if (o.warmupMib > 0) {
          StorageIndex[] warm = indexes(random, o.connections);
          parallel(clients, o.warmupMib, (i, c) -> upload(c, warm[i], i, o.warmupMib, o.window, block, random));
          parallel(clients, o.warmupMib, (i, c) -> download(c, warm[i], i, o.warmupMib, o.window, block));
        }
        StorageIndex[] si = indexes(random, o.connections);
        Rate write = parallel(clients, o.mib, (i, c) -> upload(c, si[i], i, o.mib, o.window, block, random));
        Rate read = parallel(clients, o.mib, (i, c) -> download(c, si[i], i, o.mib, o.window, block));
        return new Ours(write, read);
      } finally {
        clients.forEach(StorageClient::close);
      }
    }
  }

  private static StorageIndex[] indexes(Random random, int n) {
    StorageIndex[] out = new StorageIndex[n];
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[StorageIndex.LENGTH];
      random.nextBytes(b);
      out[i] = StorageIndex.of(b);
    }
    return out;
  }

  private static void upload(StorageClient c, StorageIndex si, int share, long mib, int window,
      byte[] block, Random random) throws Exception {
    byte[] renew = new byte[32];
    byte[] cancel = new byte[32];
    synchronized (random) {
      random.nextBytes(renew);
      random.nextBytes(cancel);
    }
    Response.Allocated a = c.allocate(si, renew, cancel, mib << 20, Set.of(share)).get();
    if (!a.allocated().contains(share)) {
      throw new IllegalStateException("server did not allocate share " + share + ": " + a);
    }
    new ChunkPump(c, si, share, window).run(ChunkPump.Direction.WRITE, mib, block, false);
    c.closeShare(si, share).get();
  }

  private static void download(StorageClient c, StorageIndex si, int share, long mib, int window,
      byte[] block) throws Exception {
    new ChunkPump(c, si, share, window).run(ChunkPump.Direction.READ, mib, block, true);
  }

  private interface ConnectionTask {
    void run(int connection, StorageClient client) throws Exception;
  }

  /** Runs {@code task} on every connection at once; the rate covers the slowest. */
  private static Rate parallel(List<StorageClient> clients, long mibEach, ConnectionTask task)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients.size(),
        r -> new Thread(r, "bench-driver"));
    try {
      CpuSnapshot cpu0 = CpuSnapshot.take();
      long t0 = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < clients.size(); i++) {
        int n = i;
        done.add(pool.submit(() -> {
          task.run(n, clients.get(n));
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
      long t1 = System.nanoTime();
      return new Rate((mibEach << 20) * clients.size(), t1 - t0, CpuSnapshot.take().since(cpu0));
    } finally {
      pool.shutdownNow();
    }
  }

  private static void report(Options o, long totalMib, DiskBaseline.Result dd,
      DiskBaseline.Result fc, PlainLoopbackBaseline.Result plain, Ours ours) {
    System.out.println();
    System.out.println("| measurement (" + totalMib + " MiB) | write MB/s | read MB/s | write s | read s |"
        + " CPU ms/MiB write | CPU ms/MiB read |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|");
    row("Cairn storage server, TLS, " + o.connections + " conns", ours.write(), ours.read());
    if (dd != null) {
      row("dd bs=1M conv=fdatasync / dd to /dev/null", dd.write(), dd.read());
    } else {
      System.out.println("| dd | not available | | | | | |");
    }
    row("Java FileChannel write+force / read", fc.write(), fc.read());
    row("plain TCP loopback, no TLS, " + o.connections + " conns", plain.write(), plain.read());
    System.out.println();
    DiskBaseline.Result disk = dd != null ? dd : fc;
    String diskName = dd != null ? "dd" : "FileChannel";
    verdict("write", ours.write(), disk.write(), diskName, plain.write());
    verdict("read", ours.read(), disk.read(), diskName + " (page cache)", plain.read());
    System.out.println();
    System.out.println("CPU by thread group, Cairn write: " + ours.write().cpu().describe()
        + String.format(Locale.ROOT, " (process %.2fs in %.2fs wall = %.2f cores)",
            ours.write().cpu().processNanos() / 1e9, ours.write().seconds(),
            ours.write().cpu().processNanos() / (double) ours.write().nanos()));
    System.out.println("CPU by thread group, Cairn read:  " + ours.read().cpu().describe()
        + String.format(Locale.ROOT, " (process %.2fs in %.2fs wall = %.2f cores)",
            ours.read().cpu().processNanos() / 1e9, ours.read().seconds(),
            ours.read().cpu().processNanos() / (double) ours.read().nanos()));
    System.out.println("(cairn-io = server Netty threads, cairn-client = client Netty threads,"
        + " cairn-backend = server disk threads, bench-driver = benchmark threads)");
  }

  private static void row(String name, Rate write, Rate read) {
    System.out.printf(Locale.ROOT, "| %s | %.0f | %.0f | %.2f | %.2f | %s | %s |%n", name,
        write.mbPerSecond(), read.mbPerSecond(), write.seconds(), read.seconds(),
        cpu(write), cpu(read));
  }

  private static String cpu(Rate r) {
    double v = r.cpuMillisPerMiB();
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static void verdict(String what, Rate ours, Rate disk, String diskName, Rate plain) {
    double lower = Math.min(disk.mbPerSecond(), plain.mbPerSecond());
    boolean met = ours.mbPerSecond() >= 0.5 * lower;
    System.out.printf(Locale.ROOT, "%s: ours/%s = %.2f, ours/plain-loopback = %.2f; goal ours >= 50%% of"
            + " min(%s, plain) = %.0f MB/s: %s%n", what, diskName, ours.mbPerSecond() / disk.mbPerSecond(),
        ours.mbPerSecond() / plain.mbPerSecond(), diskName, 0.5 * lower, met ? "MET" : "MISSED");
  }

  /** Command-line settings with their bounds. */
  record Options(int connections, long mib, int window, long warmupMib, Path dir) {
    static Options parse(String[] args) {
      int connections = 8;
      long mib = 128;
      int window = 8;
      long warmup = 32;
      Path dir = Path.of(System.getProperty("java.io.tmpdir"));
      for (int i = 0; i + 1 < args.length; i += 2) {
        String v = args[i + 1];
        switch (args[i]) {
          case "--connections" -> connections = bounded(args[i], Integer.parseInt(v), 1, 255);
          case "--mib" -> mib = bounded(args[i], Long.parseLong(v), 1, 1 << 20);
          case "--window" -> window = bounded(args[i], Integer.parseInt(v), 1, 64);
          case "--warmup-mib" -> warmup = bounded(args[i], Long.parseLong(v), 0, 1 << 20);
          case "--dir" -> dir = Path.of(v);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (args.length % 2 != 0) {
        throw new IllegalArgumentException("option " + args[args.length - 1] + " needs a value");
      }
      return new Options(connections, mib, window, warmup, dir);
    }

    private static int bounded(String name, int v, int min, int max) {
      return (int) bounded(name, (long) v, min, max);
    }

    private static long bounded(String name, long v, long min, long max) {
      if (v < min || v > max) {
        throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + v);
      }
      return v;
    }
  }
}
