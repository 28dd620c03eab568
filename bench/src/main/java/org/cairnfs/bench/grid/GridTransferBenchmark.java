package org.cairnfs.bench.grid;

import static org.cairnfs.bench.CommandArgs.intArg;
import static org.cairnfs.bench.CommandArgs.stringArg;
import static org.cairnfs.bench.RunFigures.deleteTree;
import static org.cairnfs.bench.RunFigures.median;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.caps.immutable.ImmutableDecoder;
import org.cairnfs.caps.immutable.ImmutableEncoder;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.caps.share.ByteArrayShare;
import org.cairnfs.caps.share.ShareSource;
import org.cairnfs.fs.grid.ClientSecrets;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.ImmutableFile;
import org.cairnfs.fs.grid.ServerPool;
import org.cairnfs.fs.grid.UploadResult;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.introducer.NodeAddress;
import org.cairnfs.introducer.client.GridMembership;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.storage.StorageServer;
import org.cairnfs.storage.config.StorageConfig;

/**
 * Upload and download of one file through the grid client and real storage servers in this JVM
 * (TLS on loopback, shares on disk), beside the single-thread codec ceiling on the same bytes:
 * encoding into discarding sinks, decoding from in-memory data shares. The grid runs the codec
 * on one thread per transfer too, so the ratio shows what the network path costs on top.
 *
 * <p>Workload: {@code --mib} MiB of random bytes (default 64), {@code --servers} servers
 * (default 10), 3-of-10 with 128 KiB segments, random keys (convergent keys would find the file
 * already stored on every run after the first), {@code --warmup} unmeasured rounds then {@code
 * --runs} measured ones, median reported. Shares go under {@code --dir} (default the temp dir)
 * and are deleted at the end.
 *
 * <p>Run: {@code bench/run-grid.sh [--mib 64] [--runs 5] [--warmup 3] [--servers 10]}.
 */
public final class GridTransferBenchmark {
  private GridTransferBenchmark() {}

  public static void main(String[] args) throws Exception {
    int mib = intArg(args, "--mib", 64);
    int runs = intArg(args, "--runs", 5);
    int warmup = intArg(args, "--warmup", 3);
    int serverCount = intArg(args, "--servers", 10);
    Path base = Path.of(stringArg(args, "--dir", System.getProperty("java.io.tmpdir")));
    Path dir = Files.createTempDirectory(base, "cairn-grid-bench");
    EncodingParams params = EncodingParams.DEFAULTS;
    byte[] data = new byte[mib << 20];
    new Random(1).nextBytes(data);
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
      NodeKey clientKey = NodeKey.generate();
      try (GridMembership membership = members.build().start();
          ServerPool pool = ServerPool.builder(membership, clientKey).build();
          GridClient client = GridClient.create(pool, ClientSecrets.random(new SecureRandom()),
              GridConfig.builder().params(params).convergent(false).build())) {
        List<Double> up = new ArrayList<>();
        List<Double> down = new ArrayList<>();
        List<Double> enc = new ArrayList<>();
        List<Double> dec = new ArrayList<>();
        for (int round = 0; round < warmup + runs; round++) {
          boolean measured = round >= warmup;
          long t0 = System.nanoTime();
          UploadResult r = client.upload(PlaintextSource.of(data)).get();
          long t1 = System.nanoTime();
          ImmutableReadCap cap = (ImmutableReadCap) r.cap();
          try (ImmutableFile file = client.open(cap); InputStream in = file.openStream()) {
            drain(in, data.length);
          }
          long t2 = System.nanoTime();
          ByteArrayShare[] shares = new ByteArrayShare[params.n()];
          long t3 = System.nanoTime();
          ImmutableReadCap local = (ImmutableReadCap) ImmutableEncoder
              .randomKey(params, new SecureRandom()).encode(PlaintextSource.of(data),
                  (i, len) -> i < params.k() ? (shares[i] = new ByteArrayShare(len))
                      : (offset, bytes, off, n) -> { });
          long t4 = System.nanoTime();
          java.util.Map<Integer, ShareSource> sources = new java.util.TreeMap<>();
          for (int i = 0; i < params.k(); i++) {
            sources.put(i, shares[i]);
          }
          try (InputStream in = ImmutableDecoder.of(local, sources).openStream()) {
            drain(in, data.length);
          }
          long t5 = System.nanoTime();
          System.out.printf(Locale.ROOT, "%s round %d: upload %.0f, download %.0f, encode %.0f,"
              + " decode %.0f MiB/s (happiness %d)%n", measured ? "measured" : "warm-up", round,
              rate(mib, t1 - t0), rate(mib, t2 - t1), rate(mib, t4 - t3), rate(mib, t5 - t4),
              r.happiness());
          if (measured) {
            up.add(rate(mib, t1 - t0));
            down.add(rate(mib, t2 - t1));
            enc.add(rate(mib, t4 - t3));
            dec.add(rate(mib, t5 - t4));
          }
        }
        System.out.printf(Locale.ROOT, "%n%d MiB through %d servers, %d-of-%d, segment %d KiB, "
            + "median of %d runs (MiB/s):%n", mib, serverCount, params.k(), params.n(),
            params.segmentSize() >> 10, runs);
        String row = "  %-8s %7.0f   codec %s ceiling %7.0f   ratio %3.0f%%%n";
        System.out.printf(Locale.ROOT, row, "upload", median(up), "encode", median(enc),
            100 * median(up) / median(enc));
        System.out.printf(Locale.ROOT, row, "download", median(down), "decode", median(dec),
            100 * median(down) / median(dec));
      }
    } finally {
      for (StorageServer s : servers) {
        s.close();
      }
      deleteTree(dir);
    }
  }

  private static void drain(InputStream in, long expected) throws IOException {
    byte[] buffer = new byte[1 << 16];
    long total = 0;
    int got;
    while ((got = in.read(buffer)) >= 0) {
      total += got;
    }
    if (total != expected) {
      throw new IOException("read " + total + " bytes, expected " + expected);
    }
  }

  private static double rate(int mib, long nanos) {
    return mib / (nanos / 1e9);
  }
}
