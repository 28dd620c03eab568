package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One file's content below the mount core, with no grid: a base read through a counting
 * reader, the spool in a temp dir, and the cache budget's figures checked after every step
 * (pages held, sealed, released), with reads compared byte for byte.
 */
class FileDataTest {
  static final int P = Layer.PAGE;

  @TempDir
  Path dir;
  byte[] base;
  SpoolBudget budget;
  AtomicInteger baseReads;
  /** When set, the base answers this many bytes fewer than asked (a short grid read). */
  int shortBy;

  @BeforeEach
  void setUp() {
    base = CoreFixture.bytes(3 * P + 100, 7);
    budget = new SpoolBudget(1L << 30);
    baseReads = new AtomicInteger();
  }

  FileData file(long id, boolean withBase) {
    FileData.BaseReader reader = (cap, off, len) -> {
      assertThat(cap).isEqualTo("URI:base");
      baseReads.incrementAndGet();
      int end = (int) Math.min(base.length, off + len) - shortBy;
      return Arrays.copyOfRange(base, (int) off, Math.max((int) off, end));
    };
    return withBase ? new FileData(id, dir, budget, reader, Optional.of("URI:base"), base.length)
        : new FileData(id, dir, budget, reader, Optional.empty(), 0);
  }

  /** Reads [off, off + len) into a buffer filled with 0x55 first, so zeros must be written. */
  static byte[] read(FileData f, long off, int len) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(len);
    Arrays.fill(b.array(), (byte) 0x55);
    int n = f.read(off, b);
    assertThat(b.position()).isEqualTo(n);
    return Arrays.copyOf(b.array(), n);
  }

  static int write(FileData f, long off, byte[] data) throws Exception {
    return f.write(off, ByteBuffer.wrap(data));
  }

  List<String> spoolFiles() throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesTruncatesCommitsAndUploadsKeepTheBudgetAndTheBytes() throws Exception {
    FileData f = file(1, true);
    assertThat(f.openKeepsCache()).isFalse();
    assertThat(f.openKeepsCache()).as("unchanged since").isTrue();
    byte[] model = base.clone();
    // a part of page 0: the page is copied from the base first and held
    byte[] ten = CoreFixture.bytes(10, 1);
    assertThat(write(f, 5, ten)).isEqualTo(10);
    System.arraycopy(ten, 0, model, 5, 10);
    assertThat(budget.used()).isEqualTo(P);
    assertThat(f.openBytes()).isEqualTo(P);
    assertThat(f.openKeepsCache()).as("written since the last open").isFalse();
    // page 1 whole, twice: held once
    byte[] page = CoreFixture.bytes(P, 2);
    write(f, P, page);
    write(f, P, page);
    System.arraycopy(page, 0, model, P, P);
    assertThat(budget.used()).isEqualTo(2L * P);
    assertThat(read(f, 0, model.length + 50)).isEqualTo(model);
    int reads = baseReads.get();
    assertThat(read(f, 2 * P, P + 100)).isEqualTo(Arrays.copyOfRange(model, 2 * P, 3 * P + 100));
    assertThat(baseReads.get() - reads).as("pages 2 and 3 from the base in one read")
        .isEqualTo(1);
    assertThat(read(f, model.length, 10)).as("at the end").isEmpty();
    assertThat(read(f, model.length + 1, 10)).as("past the end").isEmpty();
    assertThat(read(f, model.length - 3, 10)).hasSize(3);
    // an empty write changes nothing, not even the open layer
    assertThat(f.write(0, ByteBuffer.allocate(0))).isZero();
    // truncate into page 1 (held): nothing released, the page's tail zeroed; grow again
    f.truncate(P + 10);
    assertThat(budget.used()).isEqualTo(2L * P);
    assertThat(f.size()).isEqualTo(P + 10);
    f.truncate(3 * P);
    model = Arrays.copyOf(Arrays.copyOf(model, P + 10), 3 * P);
    reads = baseReads.get();
    assertThat(read(f, 0, 3 * P)).isEqualTo(model);
    assertThat(baseReads.get()).as("the base's bytes past the truncation are not read")
        .isEqualTo(reads);
    assertThat(spoolFiles()).containsExactly("1.1");
    assertThat(Files.size(dir.resolve("1.1"))).as("no zeros written past the page")
        .isLessThanOrEqualTo(2L * P);
    // commit: sealed, then a new generation on top
    assertThat(f.commit(false)).get().extracting(l -> l.gen).isEqualTo(1L);
    assertThat(f.commit(false)).isEmpty();
    assertThat(f.commits()).isEqualTo(1);
    assertThat(budget.sealed()).isEqualTo(2L * P);
    assertThat(f.hasOpenChanges()).isFalse();
    assertThat(f.hasLocalChanges()).isTrue();
    assertThat(f.openBytes()).isZero();
    assertThat(f.lastSealedGen()).isEqualTo(1);
    assertThat(f.oldestSealedGen()).isEqualTo(1);
    write(f, 0, new byte[] {9});
    model[0] = 9;
    assertThat(budget.used()).isEqualTo(3L * P);
    assertThat(f.commit(false)).isPresent();
    assertThat(f.lastSealedGen()).isEqualTo(2);
    assertThat(f.oldestSealedGen()).isEqualTo(1);
    assertThat(budget.sealed()).isEqualTo(3L * P);
    // what the uploader sends: both layers' pages, the base valid up to the truncation
    FileData.Upload up = f.prepareUpload().orElseThrow();
    assertThat(up.gen()).isEqualTo(2);
    assertThat(up.size()).isEqualTo(3L * P);
    assertThat(up.write().baseLength()).isEqualTo(P + 10);
    assertThat(up.write().dirty()).containsExactly(new FileWrite.Range(0, 2L * P));
    ByteBuffer all = ByteBuffer.allocate(3 * P);
    up.write().source().read(0, all);
    assertThat(all.array()).isEqualTo(model);
    // the grid holds generation 1, then 2
    f.uploaded(1, "URI:gen1", 3L * P);
    assertThat(budget.used()).isEqualTo(P);
    assertThat(budget.sealed()).isEqualTo(P);
    assertThat(f.oldestSealedGen()).isEqualTo(2);
    assertThat(f.base()).contains("URI:gen1");
    assertThat(spoolFiles()).containsExactly("1.2");
    f.uploaded(2, "URI:gen2", 3L * P);
    assertThat(budget.used()).isZero();
    assertThat(budget.sealed()).isZero();
    assertThat(f.hasLocalChanges()).isFalse();
    assertThat(f.lastSealedGen()).isZero();
    assertThat(f.size()).isEqualTo(3L * P);
    assertThat(f.baseSize()).isEqualTo(3L * P);
    assertThat(spoolFiles()).isEmpty();
    assertThat(f.prepareUpload()).isEmpty();
  }

  /**
   * A layer truncated to a page edge and grown again hides what the layers below hold past the
   * edge, though it holds no page there; a truncate down releases the pages it drops.
   */
  @Test
  void aTruncationHidesTheLayersBelowAndReleasesItsPages() throws Exception {
    FileData f = file(1, false);
    byte[] three = CoreFixture.bytes(3 * P, 3);
    write(f, 0, three);
    assertThat(budget.used()).isEqualTo(3L * P);
    f.commit(false);
    f.truncate(P);
    assertThat(f.hasOpenChanges()).as("a truncate opens a layer").isTrue();
    f.truncate(3 * P);
    byte[] want = Arrays.copyOf(Arrays.copyOf(three, P), 3 * P);
    assertThat(read(f, 0, 3 * P)).isEqualTo(want);
    write(f, 2 * P, CoreFixture.bytes(P, 4));
    assertThat(budget.used()).isEqualTo(4L * P);
    f.truncate(P / 2); // drops the new layer's page 2, keeps page 0 (materialized) zeroed
    assertThat(budget.used()).isEqualTo(4L * P);
    assertThat(read(f, 0, P)).isEqualTo(Arrays.copyOf(three, P / 2));
    FileData g = file(2, false);
    write(g, 0, three);
    g.truncate(P + 1);
    assertThat(budget.used()).as("g's page 2 released").isEqualTo(4L * P + 2L * P);
  }

  /** A base that answers fewer bytes than asked reads as zeros after them, and holes as zeros. */
  @Test
  void aShortBaseAndHolesReadAsZeros() throws Exception {
    FileData f = file(1, true);
    shortBy = 100;
    byte[] want = Arrays.copyOf(Arrays.copyOf(base, base.length - 100), base.length);
    assertThat(read(f, 0, base.length)).isEqualTo(want);
    shortBy = 0;
    write(f, 5 * P, new byte[] {1});
    int reads = baseReads.get();
    byte[] hole = read(f, base.length, 5 * P - base.length);
    assertThat(hole).containsOnly(0);
    assertThat(baseReads.get()).as("nothing of the base is valid there").isEqualTo(reads);
  }

  @Test
  void anAppendEndsAtTheSizeItIsGivenAtMost() throws Exception {
    FileData f = file(1, false);
    write(f, 0, new byte[5]);
    assertThat(f.append(ByteBuffer.wrap(new byte[] {1, 2, 3}), 8)).isEqualTo(3);
    assertThat(f.size()).isEqualTo(8);
    assertThatThrownBy(() -> f.append(ByteBuffer.wrap(new byte[] {4}), 8))
        .isInstanceOf(FsException.class).hasMessageContaining("would pass 8 bytes");
    assertThat(read(f, 0, 10)).containsExactly(0, 0, 0, 0, 0, 1, 2, 3);
  }

  /** The page range ends below Integer.MAX_VALUE pages: a write reaching it is refused. */
  @Test
  void aWritePastThePageRangeIsRefused() throws Exception {
    FileData f = file(1, false);
    assertThatThrownBy(() -> write(f, (long) Integer.MAX_VALUE * P, new byte[1]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("page range");
  }

  /** A sealed layer adopted at replay: size, generations, budget; the next layer is newer. */
  @Test
  void anAdoptedLayerCountsAsSealedAndTheNextLayerIsNewer() throws Exception {
    FileData first = file(1, false);
    byte[] data = CoreFixture.bytes(P + 7, 5);
    write(first, 0, data);
    Layer l = first.commit(false).orElseThrow();
    SpoolBudget before = budget;
    budget = new SpoolBudget(1L << 30);
    FileData again = file(1, false);
    assertThat(again.openKeepsCache()).isFalse();
    again.adoptSealed(l);
    assertThat(again.openKeepsCache()).as("the content changed at the adoption").isFalse();
    assertThat(again.size()).isEqualTo(P + 7);
    assertThat(again.lastSealedGen()).isEqualTo(1);
    assertThat(budget.used()).isEqualTo(2L * P);
    assertThat(budget.sealed()).isEqualTo(2L * P);
    write(again, P + 7, new byte[] {1});
    assertThat(spoolFiles()).containsExactly("1.1", "1.2");
    byte[] want = Arrays.copyOf(data, P + 8);
    want[P + 7] = 1;
    assertThat(read(again, 0, P + 8)).isEqualTo(want);
    assertThat(before.used()).isEqualTo(2L * P);
  }

  /** A discard (unlinked, last close) drops every layer, open and sealed, and their budget. */
  @Test
  void aDiscardDropsEveryLayerAndItsBudget() throws Exception {
    FileData f = file(1, false);
    write(f, 0, new byte[P]);
    f.commit(false);
    write(f, P, new byte[P]);
    f.unjournaled(1);
    assertThat(f.owesJournal()).isTrue();
    assertThat(f.openKeepsCache()).isFalse();
    f.discard();
    assertThat(f.owesJournal()).isFalse();
    assertThat(f.openKeepsCache()).as("the content changed").isFalse();
    assertThat(budget.used()).isZero();
    assertThat(budget.sealed()).isZero();
    assertThat(f.hasLocalChanges()).isFalse();
    assertThat(f.hasOpenChanges()).isFalse();
    assertThat(f.lastSealedGen()).isZero();
    assertThat(f.prepareUpload()).isEmpty();
    assertThat(spoolFiles()).isEmpty();
    assertThat(CompletableFuture.supplyAsync(() -> f.lock().writeLock().tryLock()).get())
        .as("the lock is free").isTrue();
  }

  /** The grid holding an older generation than one not journaled keeps the debt. */
  @Test
  void anUploadOfAnOlderGenerationKeepsTheJournalDebt() throws Exception {
    FileData f = file(1, false);
    write(f, 0, new byte[] {1});
    f.commit(false);
    write(f, 0, new byte[] {2});
    f.commit(false);
    f.unjournaled(2);
    f.uploaded(1, "URI:gen1", 1);
    assertThat(f.owesJournal()).isTrue();
    f.uploaded(2, "URI:gen2", 1);
    assertThat(f.owesJournal()).isFalse();
  }
  /**
   * Every change of the content, even the first (a write, a truncate, a layer adopted at
   * replay, a discard), makes the next open drop the kernel's pages; an empty write and a
   * truncate to the same size change nothing and open no layer.
   */
  @Test
  void everyChangeOfTheContentIsSeenByTheNextOpen() throws Exception {
    FileData w = file(1, false);
    write(w, 0, new byte[] {1});
    assertThat(w.openKeepsCache()).isFalse();
    FileData t = file(2, false);
    t.truncate(10);
    assertThat(t.openKeepsCache()).isFalse();
    Layer l = w.commit(false).orElseThrow();
    FileData a = file(1, false);
    a.adoptSealed(l);
    assertThat(a.openKeepsCache()).isFalse();
    FileData d = file(3, false);
    d.discard();
    assertThat(d.openKeepsCache()).isFalse();
    FileData same = file(4, true);
    assertThat(same.write(0, ByteBuffer.allocate(0))).isZero();
    same.truncate(base.length);
    assertThat(same.hasOpenChanges()).isFalse();
    assertThat(spoolFiles()).containsExactly("1.1", "2.1");
  }

  /** A truncate to a page edge drops that page and every later one from the layer. */
  @Test
  void aTruncateToAPageEdgeDropsThePagesFromThere() throws Exception {
    FileData f = file(1, false);
    write(f, 0, CoreFixture.bytes(3 * P, 8));
    f.truncate(P);
    assertThat(budget.used()).isEqualTo(P);
    f.truncate(3 * P);
    assertThat(read(f, P, 2 * P)).containsOnly(0);
  }
}
