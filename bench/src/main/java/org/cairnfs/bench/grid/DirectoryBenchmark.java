package org.cairnfs.bench.grid;

import static org.cairnfs.bench.CommandArgs.intArg;
import static org.cairnfs.bench.CommandArgs.stringArg;
import static org.cairnfs.bench.RunFigures.median;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.dirnode.DirectoryCodec;
import org.cairnfs.caps.dirnode.DirectoryContents;
import org.cairnfs.caps.dirnode.DirectoryEntry;
import org.cairnfs.caps.dirnode.DirectoryRoot;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.FlatRoot;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.dirs.DirectoryCosts;
import org.cairnfs.fs.dirs.DirectoryEdit;
import org.cairnfs.fs.dirs.GridDirectories;
import org.cairnfs.fs.grid.ClientSecrets;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.ServerPool;
import org.cairnfs.fs.mutable.MutableFiles;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.NodeAddress;
import org.cairnfs.introducer.client.GridMembership;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.StorageServer;
import org.cairnfs.storage.config.StorageConfig;

/**
 * Directory costs on real servers in this JVM (TLS on loopback, shares on disk): add one entry,
 * look up one name, list all, at several sizes, for paged directories ({@link GridDirectories},
 * default policy) beside flat ones (the whole entry list rewritten in the mutable file on every
 * change, as format version 1 alone would).
 *
 * <p>Per size and kind: the directory is built in one batch (not timed for the comparison),
 * then {@code --ops} adds (time, plaintext bytes written, pages written), {@code --ops}
 * lookups by a client with a cold page cache, and one listing by a cold client; medians.
 *
 * <p>Run: {@code bench/run-directories.sh [--sizes 100,10000,100000] [--ops 5] [--servers 10]}.
 */
public final class DirectoryBenchmark {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");
  private static final EntryMetadata META = EntryMetadata.of(EntryKind.FILE, 4096, 0644, T, T);

  private DirectoryBenchmark() {}

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    for (String s : stringArg(args, "--sizes", "100,10000,100000").split(",")) {
      sizes.add(Integer.parseInt(s.trim()));
    }
    int ops = intArg(args, "--ops", 5);
    int serverCount = intArg(args, "--servers", 10);
    EncodingParams params = EncodingParams.DEFAULTS;
    if (serverCount < params.happy()) {
      params = EncodingParams.builder().k(Math.min(params.k(), serverCount))
          .happy(serverCount).n(serverCount).build();
    }
    Path dir = Files.createTempDirectory(Path.of(stringArg(args, "--dir",
        System.getProperty("java.io.tmpdir"))), "cairn-dir-bench");
    List<StorageServer> servers = new ArrayList<>();
    try {
      GridMembership.Builder members = GridMembership.builder(NodeKey.generate());
      for (int i = 0; i < serverCount; i++) {
        NodeKey key = NodeKey.generate();
        StorageServer s = StorageServer.start(StorageConfig.builder(dir.resolve("s" + i))
            .host("127.0.0.1").port(0).reservedSpace(0).build(), key);
        servers.add(s);
        members.staticServer(new NodeAddress(key.nodeId(), new HostPort("127.0.0.1", s.port())));
      }
      GridConfig config = GridConfig.builder().params(params).build();
      try (GridMembership membership = members.build().start();
          ServerPool pool = ServerPool.builder(membership, NodeKey.generate()).build();
          GridClient client = GridClient.create(pool, ClientSecrets.random(new SecureRandom()),
              config)) {
        String fileCap = client.upload(PlaintextSource.of(new byte[4096])).get().cap()
            .toString();
        System.out.printf(Locale.ROOT, "%d servers, %d-of-%d; medians of %d operations%n",
            serverCount, params.k(), params.n(), ops);
        System.out.printf(Locale.ROOT, "%-6s %8s %10s %12s %6s %11s %10s %12s%n", "kind",
            "entries", "add ms", "add bytes", "pages", "lookup ms", "list ms", "list ent/s");
        for (int size : sizes) {
          paged(client, fileCap, size, ops);
          flat(client, fileCap, size, ops);
        }
      }
    } finally {
      for (StorageServer s : servers) {
        s.close();
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static String name(int i) {
    return String.format(Locale.ROOT, "file-%07d.dat", i);
  }

  private static void paged(GridClient client, String fileCap, int size, int ops)
      throws Exception {
    GridDirectories dirs = GridDirectories.create(client);
    DirectoryWriteCap cap = dirs.create().get();
    List<DirectoryEdit> all = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      all.add(DirectoryEdit.put(name(i), Optional.of(fileCap), META));
    }
    dirs.apply(cap, all).get();
    List<Double> addMs = new ArrayList<>();
    List<Double> addBytes = new ArrayList<>();
    List<Double> addPages = new ArrayList<>();
    Random random = new Random(size);
    for (int n = 0; n < ops; n++) {
      DirectoryCosts before = dirs.costs();
      long t0 = System.nanoTime();
      dirs.apply(cap, List.of(DirectoryEdit.put(name(random.nextInt(size)) + ".new",
          Optional.of(fileCap), META))).get();
      addMs.add((System.nanoTime() - t0) / 1e6);
      DirectoryCosts d = dirs.costs().since(before);
      addBytes.add((double) (d.pageBytesWritten() + d.rootBytesPublished()));
      addPages.add((double) d.pagesWritten());
    }
    List<Double> lookupMs = new ArrayList<>();
    for (int n = 0; n < ops; n++) {
      GridDirectories cold = GridDirectories.create(client);
      long t0 = System.nanoTime();
      if (cold.lookup(cap, EntryName.of(name(random.nextInt(size)))).get().isEmpty()) {
        throw new IllegalStateException("lookup missed");
      }
      lookupMs.add((System.nanoTime() - t0) / 1e6);
    }
    GridDirectories cold = GridDirectories.create(client);
    long t0 = System.nanoTime();
    int listed = cold.list(cap.readOnly()).get().size();
    double listMs = (System.nanoTime() - t0) / 1e6;
    row("paged", size, median(addMs), median(addBytes), median(addPages), median(lookupMs),
        listMs, listed);
  }

  private static void flat(GridClient client, String fileCap, int size, int ops)
      throws Exception {
    MutableFiles files = MutableFiles.on(client);
    DirectoryContents.Builder b = DirectoryContents.builder();
    for (int i = 0; i < size; i++) {
      b.put(DirectoryEntry.of(EntryName.of(name(i)), fileCap, Optional.empty(), META));
    }
    byte[] first = new FlatRoot(b.build()).encode();
    if (first.length > files.options().maxSize()) {
      System.out.printf(Locale.ROOT, "%-6s %8d   (%d bytes: over the mutable-file limit)%n",
          "flat", size, first.length);
      return;
    }
    MutableWriteCap cap = files.create(first).get();
    List<Double> addMs = new ArrayList<>();
    List<Double> addBytes = new ArrayList<>();
    Random random = new Random(size);
    for (int n = 0; n < ops; n++) {
      String added = name(random.nextInt(size)) + ".new";
      long[] written = new long[1];
      long t0 = System.nanoTime();
      files.modify(cap, current -> {
        DirectoryContents.Builder c = DirectoryCodec.decode(current).toBuilder();
        c.put(DirectoryEntry.of(EntryName.of(added), fileCap, Optional.empty(), META));
        byte[] out = new FlatRoot(c.build()).encode();
        written[0] = out.length;
        return out;
      }).get();
      addMs.add((System.nanoTime() - t0) / 1e6);
      addBytes.add((double) written[0]);
    }
    List<Double> lookupMs = new ArrayList<>();
    for (int n = 0; n < ops; n++) {
      EntryName wanted = EntryName.of(name(random.nextInt(size)));
      long t0 = System.nanoTime();
      byte[] plain = MutableFiles.on(client).read(cap.readOnly()).get().contents();
      if (((FlatRoot) DirectoryRoot.decode(plain)).contents().get(wanted).isEmpty()) {
        throw new IllegalStateException("lookup missed");
      }
      lookupMs.add((System.nanoTime() - t0) / 1e6);
    }
    long t0 = System.nanoTime();
    byte[] plain = MutableFiles.on(client).read(cap.readOnly()).get().contents();
    int listed = DirectoryCodec.decode(plain).size();
    double listMs = (System.nanoTime() - t0) / 1e6;
    row("flat", size, median(addMs), median(addBytes), 0, median(lookupMs), listMs, listed);
  }

  private static void row(String kind, int size, double addMs, double addBytes, double pages,
      double lookupMs, double listMs, int listed) {
    System.out.printf(Locale.ROOT, "%-6s %8d %10.1f %12.0f %6.0f %11.1f %10.1f %12.0f%n", kind,
        size, addMs, addBytes, pages, lookupMs, listMs, listed / (listMs / 1000));
  }
}
