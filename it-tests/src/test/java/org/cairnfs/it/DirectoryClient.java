package org.cairnfs.it;

import ch.qos.logback.classic.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.fs.dirs.DirectoryEdit;
import org.cairnfs.fs.dirs.GridDirectories;
import org.cairnfs.fs.dirs.ListedEntry;
import org.cairnfs.fs.grid.ClientSecrets;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.grid.ServerPool;
import org.cairnfs.fs.mutable.MutableFiles;
import org.cairnfs.introducer.IntroducerUrl;
import org.cairnfs.introducer.client.GridMembership;
import org.cairnfs.protocol.identity.NodeKey;
import org.slf4j.LoggerFactory;

/**
 * A directory client in its own JVM for {@link DirectoriesProcessesTest}: the library's
 * {@link GridDirectories} over a client node directory, doing what no single CLI verb does
 * (many publishes from one process, started together with another process at a signal).
 *
 * <p>Usage: {@code DirectoryClient NODE_DIR INTRODUCER_URL SERVERS HOME_CAP CHILD OP ARGS...};
 * the directory worked on is the entry CHILD of the directory HOME_CAP. Ops:
 * <ul>
 *   <li>{@code fill PREFIX COUNT}: creates the directory CHILD with PREFIX0..PREFIX(COUNT-1)
 *       (PREFIX may be a format such as {@code e%06d}) in one publish and links it into
 *       HOME_CAP;</li>
 *   <li>{@code lookup NAME...}: prints {@code found NAME CAP} or {@code absent NAME};</li>
 *   <li>{@code add PREFIX COUNT BATCH GO_FILE}: prints {@code ready}, waits for GO_FILE, adds
 *       PREFIX0..PREFIX(COUNT-1) (small literal files) in publishes of BATCH entries; collisions
 *       with other writers are logged by {@link MutableFiles} (its debug level is on);</li>
 *   <li>{@code remove PREFIX FROM TO}: removes PREFIXFROM..PREFIX(TO-1) in one publish, then
 *       prints the pages as {@code pages} does;</li>
 *   <li>{@code pages}: prints {@code page SI} for every stored page of the current version;</li>
 *   <li>{@code names}: prints {@code name NAME} for every entry, {@code count N}, then the
 *       pages.</li>
 * </ul>
 * Exits 0 when the op succeeded, 1 (with the trace) when it failed.
 */
public final class DirectoryClient {
  private static final long WAIT_SECONDS = 900; // generous: CI machines may be loaded

  private DirectoryClient() {}

  public static void main(String[] args) throws Exception {
    int code = 1;
    try {
      code = run(args);
    } catch (Throwable t) {
      t.printStackTrace(System.out);
    }
    System.out.flush();
    System.exit(code);
  }

  private static int run(String[] args) throws Exception {
    Path node = Path.of(args[0]);
    NodeKey key = NodeKey.load(node.resolve("node.key"));
    GridMembership membership = GridMembership.builder(key)
        .introducers(List.of(IntroducerUrl.parse(args[1]))).build().start();
    if (membership.awaitServers(Integer.parseInt(args[2]), Duration.ofSeconds(60)).size()
        < Integer.parseInt(args[2])) {
      throw new AssertionError("not every server was announced within 60 s");
    }
    ServerPool pool = ServerPool.builder(membership, key).build();
    GridClient grid = GridClient.create(pool, ClientSecrets.loadOrCreate(node),
        GridConfig.defaults());
    GridDirectories dirs = GridDirectories.create(grid);
    DirectoryWriteCap home = (DirectoryWriteCap) Cap.parse(args[3]);
    if (args[5].equals("fill")) {
      fill(dirs, home, args[4], args[6], Integer.parseInt(args[7]));
      return 0;
    }
    ListedEntry child = get(dirs.lookup(home, EntryName.of(args[4])))
        .orElseThrow(() -> new AssertionError("no entry " + args[4]));
    DirectoryWriteCap dir = (DirectoryWriteCap) Cap.parse(child.cap().orElseThrow());
    List<String> rest = Arrays.asList(args).subList(6, args.length);
    switch (args[5]) {
      case "lookup" -> {
        for (String name : rest) {
          Optional<ListedEntry> e = get(dirs.lookup(dir, EntryName.of(name)));
          System.out.println(e.isPresent() ? "found " + name + " " + e.get().cap().orElse("-")
              : "absent " + name);
        }
      }
      case "add" -> add(dirs, dir, rest.get(0), Integer.parseInt(rest.get(1)),
          Integer.parseInt(rest.get(2)), Path.of(rest.get(3)));
      case "remove" -> {
        List<DirectoryEdit> edits = new ArrayList<>();
        for (int i = Integer.parseInt(rest.get(1)); i < Integer.parseInt(rest.get(2)); i++) {
          edits.add(new DirectoryEdit.Remove(EntryName.of(rest.get(0) + i)));
        }
        get(dirs.apply(dir, edits));
        System.out.println("removed " + edits.size());
        printPages(dirs, dir);
      }
      case "pages" -> printPages(dirs, dir);
      case "names" -> {
        List<ListedEntry> all = get(dirs.list(dir));
        StringBuilder b = new StringBuilder();
        for (ListedEntry e : all) {
          b.append("name ").append(e.name()).append('\n');
        }
        System.out.print(b);
        System.out.println("count " + all.size());
        printPages(dirs, dir);
      }
      default -> throw new IllegalArgumentException("unknown op " + args[5]);
    }
    return 0;
  }

  /**
   * A new directory holding PREFIX0..PREFIX(COUNT-1), built in ONE publish (the library's batch
   * path, as {@code cp -r} uses it), linked into {@code home} as {@code child}.
   */
  private static void fill(GridDirectories dirs, DirectoryWriteCap home, String child,
      String prefix, int count) throws Exception {
    DirectoryWriteCap dir = get(dirs.create());
    get(dirs.apply(dir, puts(prefix, 0, count)));
    Instant now = Instant.now();
    get(dirs.apply(home, List.of(new DirectoryEdit.Put(EntryName.of(child),
        Optional.of(dir.toString()), EntryMetadata.of(EntryKind.DIRECTORY, 0, 0755, now, now)))));
    System.out.println("filled " + count + " " + dirs.costs());
  }

  /** Puts of PREFIXfrom..PREFIX(to-1), each a small literal file holding its own name. */
  private static List<DirectoryEdit> puts(String prefix, int from, int to) {
    List<DirectoryEdit> edits = new ArrayList<>();
    Instant now = Instant.now();
    for (int i = from; i < to; i++) {
      String name = prefix.contains("%") ? String.format(prefix, i) : prefix + i;
      byte[] content = name.getBytes(StandardCharsets.UTF_8);
      edits.add(new DirectoryEdit.Put(EntryName.of(name),
          Optional.of(new LiteralCap(content).toString()),
          EntryMetadata.of(EntryKind.FILE, content.length, 0644, now, now)));
    }
    return edits;
  }

  private static void add(GridDirectories dirs, DirectoryWriteCap dir, String prefix, int count,
      int batch, Path go) throws Exception {
    ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(MutableFiles.class))
        .setLevel(Level.DEBUG);
    System.out.println("ready");
    System.out.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (!Files.exists(go)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no go signal " + go);
      }
      Thread.sleep(10);
    }
    int publishes = 0;
    for (int from = 0; from < count; from += batch) {
      get(dirs.apply(dir, puts(prefix, from, Math.min(count, from + batch))));
      publishes++;
    }
    System.out.println("added " + count + " in " + publishes + " publishes");
  }

  private static void printPages(GridDirectories dirs, DirectoryWriteCap dir) throws Exception {
    for (String page : get(dirs.pageCaps(dir))) {
      System.out.println("page " + Cap.parse(page).storageIndex().orElseThrow());
    }
  }

  private static <T> T get(CompletableFuture<T> f) throws Exception {
    return f.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }
}
