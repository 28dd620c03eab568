package org.cairnfs.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.config.StorageConfig;
import org.cairnfs.storage.lease.LeaseDb;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Directories at scale (issue 9) on a grid of separate processes: an introducer and ten storage
 * servers, each its own JVM; the clients are {@code cairn} commands and {@link DirectoryClient}
 * processes. One scenario, in order: a 100 000-entry directory built in one batched publish (the
 * library's batch path, which {@code cp -r} uses), listed with {@code ls}, looked up by random
 * names and read with {@code get}; two client processes adding 1 000 names each at the same
 * time, colliding, all 2 000 kept. Then, on a second paged directory small enough that whole-tree
 * verification stays cheap: a page's shares corrupted on two servers: reads still right,
 * {@code check --verify} reports them, {@code repair} heals; pages released by a change are not
 * renewed by {@code deep-check --add-lease} while every page of the current version is (read
 * from the servers' lease databases after they stopped).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectoriesProcessesTest {
  private static final int SERVERS = 10;
  private static final int ENTRIES = 100_000;
  private static final int ADDS = 1_000;
  /** The damage and lease directory: paged (over 10 pages of 16 KiB), cheap to verify whole. */
  private static final int SMALL_ENTRIES = 4_000;
  // Generous: eleven JVMs and the clients on two cores that CI may share (quiet: about 90 s).
  private static final Duration START = Duration.ofSeconds(300);
  private static final Duration VERB = Duration.ofSeconds(900);
  private static final Pattern COLLIDED = Pattern.compile("collided with another writer");

  @TempDir
  static Path tmp;

  private ChildJvms jvms;
  private String url;
  private final List<Path> servers = new ArrayList<>();
  private Path client;

  @BeforeAll
  void startGrid() throws Exception {
    jvms = new ChildJvms(tmp.resolve("logs"));
    int introducerPort = NodeDirs.freePort();
    Path introducerDir = NodeDirs.createIntroducer(tmp.resolve("introducer"), introducerPort);
    url = NodeDirs.introducerUrl(introducerDir, introducerPort);
    for (int i = 0; i < SERVERS; i++) {
      servers.add(NodeDirs.renewingEveryTime(NodeDirs.createNode(
          tmp.resolve(String.format("storage-%02d", i)), url, "--reserved-space", "0")));
    }
    jvms.runIntroducer(introducerDir, START);
    jvms.runNodes(servers, START);
    client = NodeDirs.createNode(tmp.resolve("client"), url, "--no-storage");
  }

  @AfterAll
  void stopGrid() throws InterruptedException {
    if (jvms != null) {
      jvms.close();
    }
  }

  /** Runs one cairn verb as the client node; returns its output, asserting the exit code. */
  private String cairn(int expectedExit, String... args) throws Exception {
    CairnProcess p = jvms.startWithOptions(List.of(), Map.of("CAIRN_NODE", client.toString()),
        List.of("-Xmx640m"), args[0], args);
    long t = System.nanoTime();
    int code = p.awaitExit(VERB);
    System.out.printf("cairn %s: %d ms%n", String.join(" ", args), (System.nanoTime() - t) / 1_000_000);
    assertThat(code).as("cairn %s:%n%s", String.join(" ", args), p.output())
        .isEqualTo(expectedExit);
    return p.output();
  }

  /** Starts a {@link DirectoryClient} on node {@code node} working on {@code home}'s "big". */
  private CairnProcess directoryClient(Path node, String home, String... op) throws IOException {
    return directoryClientOn(node, home, "big", op);
  }

  /** Starts a {@link DirectoryClient} on node {@code node} working on {@code home}'s {@code dir}. */
  private CairnProcess directoryClientOn(Path node, String home, String dir, String... op)
      throws IOException {
    List<String> args = new ArrayList<>(List.of(node.toString(), url,
        Integer.toString(SERVERS), home, dir));
    args.addAll(List.of(op));
    return jvms.startMain(Map.of(), List.of("-Xmx400m"), "dirclient-" + op[0],
        DirectoryClient.class, args.toArray(String[]::new));
  }

  private String runClient(Path node, String home, String... op) throws Exception {
    return runClientOn(node, home, "big", op);
  }

  private String runClientOn(Path node, String home, String dir, String... op) throws Exception {
    long t = System.nanoTime();
    CairnProcess p = directoryClientOn(node, home, dir, op);
    int code = p.awaitExit(VERB);
    System.out.printf("client %s %s: %d ms%n", dir, op[0], (System.nanoTime() - t) / 1_000_000);
    assertThat(code).as("%s:%n%s", String.join(" ", op), p.output()).isZero();
    return p.output();
  }

  private static Set<String> tagged(String output, String tag) {
    return output.lines().filter(l -> l.startsWith(tag + " "))
        .map(l -> l.substring(tag.length() + 1)).collect(Collectors.toSet());
  }

  private static String name(int i) {
    return String.format("e%06d", i);
  }

  @Test
  void aHundredThousandEntriesConcurrentWritersDamageAndLeases() throws Exception {
    cairn(0, "create-alias", "home");
    String home = Files.readAllLines(client.resolve("private/aliases")).stream()
        .filter(l -> l.startsWith("home: ")).findFirst().orElseThrow().substring(6);

    // 100 000 entries (small literal files: nothing stored per file) added in ONE publish.
    long t = System.nanoTime();
    runClient(client, home, "fill", "e%06d", Integer.toString(ENTRIES));
    System.out.printf("fill of %d entries: %d ms%n", ENTRIES, (System.nanoTime() - t) / 1_000_000);

    t = System.nanoTime();
    List<String> listed = cairn(0, "ls", "home:big").lines().filter(l -> l.matches("e\\d{6}"))
        .toList();
    System.out.printf("ls of %d entries: %d ms%n", ENTRIES, (System.nanoTime() - t) / 1_000_000);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < ENTRIES; i++) {
      expected.add(name(i));
    }
    assertThat(listed).as("ls, in order").isEqualTo(expected); // List.equals: linear

    Random random = new Random(9);
    List<String> lookups = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      lookups.add(name(random.nextInt(ENTRIES)));
    }
    List<String> absent = List.of("e100000", "e0", "f000001", "a");
    List<String> op = new ArrayList<>(List.of("lookup"));
    op.addAll(lookups);
    op.addAll(absent);
    String found = runClient(client, home, op.toArray(String[]::new));
    assertThat(tagged(found, "found").stream().map(l -> l.split(" ")[0]).toList())
        .containsExactlyInAnyOrderElementsOf(new HashSet<>(lookups));
    assertThat(tagged(found, "found")).allMatch(l -> l.split(" ")[1].startsWith("cairn:lit:"));
    assertThat(cairn(0, "get", "home:big/" + lookups.get(0), "-")).contains(lookups.get(0));
    assertThat(tagged(found, "absent")).containsExactlyInAnyOrderElementsOf(absent);

    // Two client processes, each its own node, adding 1 000 names in ten publishes at once.
    Path go = tmp.resolve("go");
    Path nodeA = NodeDirs.createNode(tmp.resolve("client-a"), url, "--no-storage");
    Path nodeB = NodeDirs.createNode(tmp.resolve("client-b"), url, "--no-storage");
    CairnProcess a = directoryClient(nodeA, home, "add", "a", Integer.toString(ADDS), "100",
        go.toString());
    CairnProcess b = directoryClient(nodeB, home, "add", "b", Integer.toString(ADDS), "100",
        go.toString());
    a.awaitOutput("ready", START);
    b.awaitOutput("ready", START);
    Files.createFile(go);
    t = System.nanoTime();
    assertThat(a.awaitExit(VERB)).as(a.output()).isZero();
    assertThat(b.awaitExit(VERB)).as(b.output()).isZero();
    long collisions = COLLIDED.matcher(a.output() + b.output()).results().count();
    System.out.printf("concurrent writers: %d ms, %d collisions retried%n",
        (System.nanoTime() - t) / 1_000_000, collisions);
    assertThat(collisions).as("the two writers ran at the same time and collided:%n%s%n%s",
        a.output(), b.output()).isPositive();

    String names = runClient(client, home, "names");
    Set<String> all = tagged(names, "name");
    assertThat(tagged(names, "count")).containsExactly(Integer.toString(ENTRIES + 2 * ADDS));
    // Hashed lookups: AssertJ's contains on a 102 000-name set scans it per name (minutes).
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < ADDS; i++) {
      for (String added : List.of("a" + i, "b" + i)) {
        if (!all.contains(added)) {
          missing.add(added);
        }
      }
    }
    expected.stream().filter(n -> !all.contains(n)).forEach(missing::add);
    assertThat(missing).as("names lost").isEmpty();

    // Damage, on a second paged directory (verifying the 100 000-entry one whole would cost
    // minutes and prove nothing more): one page's shares corrupted on two servers.
    runClientOn(client, home, "small", "fill", "s%d", Integer.toString(SMALL_ENTRIES));
    String smallNames = runClientOn(client, home, "small", "names");
    Set<String> small = tagged(smallNames, "name");
    assertThat(small).hasSize(SMALL_ENTRIES);
    Set<String> pagesBefore = tagged(smallNames, "page");
    assertThat(pagesBefore).hasSizeGreaterThan(10);
    String damaged = pagesBefore.stream().sorted().findFirst().orElseThrow();
    List<Path> shares = shareFiles(damaged);
    assertThat(shares).hasSize(SERVERS);
    for (Path share : shares.subList(0, 2)) {
      byte[] bytes = Files.readAllBytes(share);
      for (int i = bytes.length / 2; i < bytes.length / 2 + 16; i++) {
        bytes[i] ^= 0x5a;
      }
      Files.write(share, bytes);
    }
    String afterDamage = runClientOn(client, home, "small", "names");
    assertThat(tagged(afterDamage, "name")).isEqualTo(small);
    String report = cairn(1, "check", "--verify", "home:small");
    assertThat(report).contains("not healthy").contains("directory page");
    assertThat(report.lines().filter(l -> l.contains(": corrupt"))).hasSize(2);
    String repaired = cairn(0, "repair", "home:small");
    assertThat(repaired).contains("repaired");
    assertThat(cairn(0, "check", "--verify", "home:small")).contains("healthy");

    // Leases: a change releases pages; a deep check with --add-lease renews exactly the pages
    // of the current version (and the root), and the released ones keep their old expiry.
    Set<String> pagesAfter = tagged(runClientOn(client, home, "small", "remove", "s", "0",
        Integer.toString(SMALL_ENTRIES / 4)), "page");
    Set<String> released = new HashSet<>(pagesBefore);
    released.removeAll(pagesAfter);
    assertThat(released).as("pages the removal released").isNotEmpty();
    Thread.sleep(1500);
    Instant renewal = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String deep = cairn(0, "deep-check", "--add-lease", "home:small");
    assertThat(deep).contains("healthy");
    jvms.close(); // the lease databases can be opened once their servers are gone
    Map<String, Instant> expiry = newestExpiries(union(released, pagesAfter));
    for (String page : pagesAfter) {
      assertThat(expiry.get(page)).as("current page %s", page)
          .isAfterOrEqualTo(renewal.plus(Duration.ofDays(30)));
    }
    Instant oldestCurrent = pagesAfter.stream().map(expiry::get).min(Instant::compareTo)
        .orElseThrow();
    for (String page : released) {
      assertThat(expiry.get(page)).as("released page %s (not renewed)", page)
          .isBefore(oldestCurrent.minusMillis(1000));
    }
  }

  private static Set<String> union(Set<String> x, Set<String> y) {
    Set<String> u = new HashSet<>(x);
    u.addAll(y);
    return u;
  }

  /** The share files of storage index {@code si} on every server. */
  private List<Path> shareFiles(String si) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path server : servers) {
      Path dir = server.resolve("storage/shares").resolve(si.substring(0, 2)).resolve(si);
      if (Files.isDirectory(dir)) {
        try (var files = Files.list(dir)) {
          files.filter(Files::isRegularFile).forEach(out::add);
        }
      }
    }
    return out;
  }

  /** Per storage index, the latest lease expiry over every server's shares of it. */
  private Map<String, Instant> newestExpiries(Set<String> indexes) throws IOException {
    Map<String, Instant> out = new java.util.HashMap<>();
    for (Path server : servers) {
      Path file = server.resolve("private").resolve(StorageConfig.LEASE_DB_FILE);
      assertThat(file).as("a storage node's lease database").exists(); // open would create one
      try (LeaseDb db = LeaseDb.open(file, Clock.systemUTC(), StorageConfig.DEFAULT_LEASE_DURATION)) {
        for (String si : indexes) {
          for (int n = 0; n < SERVERS; n++) {
            Optional<ShareRecord> r = db.find(ShareKey.immutable(StorageIndex.parse(si), n));
            r.flatMap(ShareRecord::lastExpiry).ifPresent(e -> out.merge(si, e,
                (x, y) -> x.isAfter(y) ? x : y));
          }
        }
      }
    }
    assertThat(out.keySet()).as("every page has leases on the servers")
        .containsExactlyInAnyOrderElementsOf(indexes);
    return out;
  }
}
