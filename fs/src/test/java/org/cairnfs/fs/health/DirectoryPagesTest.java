package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.dirnode.DirectoryRoot;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.dirnode.PageRef;
import org.cairnfs.caps.dirnode.PagedRoot;
import org.cairnfs.caps.immutable.EncodingParams;
import org.cairnfs.fs.dirs.DirectoryEdit;
import org.cairnfs.fs.dirs.GridDirectories;
import org.cairnfs.fs.dirs.PagingPolicy;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.GridConfig;
import org.cairnfs.fs.mutable.MutableFiles;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pages of a directory deep enough to have inner pages (512-byte pages, a few entries
 * each), checked through its cap: every stored page exactly once (compared with the pages the
 * directory layer itself lists), and what is reported when an inner page or the root cannot be
 * read. Four servers, k=2, n=4.
 */
class DirectoryPagesTest {
  static final GridConfig CONFIG = GridConfig.builder()
      .params(EncodingParams.builder().k(2).happy(3).n(4).build())
      .stallTimeout(Duration.ofSeconds(3)).readTimeout(Duration.ofSeconds(2)).build();
  static final PagingPolicy SMALL = PagingPolicy.builder().maxPageBytes(512)
      .flatMaxBytes(1024).flatMinBytes(256).minFillBytes(128).build();
  static final Instant T = Instant.parse("2026-12-05T01:00:00Z");

  @TempDir Path dir;
  TestGrid grid;
  GridClient client;
  GridHealth health;
  GridDirectories directories;
  DirectoryWriteCap directory;

  @BeforeEach
  void build() throws Exception {
    grid = new TestGrid(dir, 4);
    client = grid.client(CONFIG);
    health = GridHealth.create(client);
    directories = GridDirectories.create(client, SMALL, 1 << 20);
    directory = directories.create().get();
    List<DirectoryEdit> edits = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      edits.add(new DirectoryEdit.Put(EntryName.of(String.format("entry-%04d", i)),
          Optional.of(new LiteralCap(("file " + i).getBytes()).toString()),
          EntryMetadata.of(EntryKind.FILE, 6, 0644, T, T)));
    }
    directories.apply(directory, edits).get();
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  PagedRoot root() throws Exception {
    byte[] plaintext = MutableFiles.on(client).read(directory.readOnly().file()).get()
        .contents();
    return (PagedRoot) DirectoryRoot.decode(plaintext);
  }

  /** The verify caps of every stored page, as the directory layer lists them. */
  List<String> storedPages() throws Exception {
    return directories.pageCaps(directory).get().stream()
        .map(c -> Cap.parse(c).verifyCap().orElseThrow().toString()).toList();
  }

  @Test
  void everyStoredPageOfATreeWithInnerPagesIsCheckedOnce() throws Exception {
    assertThat(root().height()).isGreaterThanOrEqualTo(2);
    List<String> pages = storedPages();
    for (boolean verify : List.of(false, true)) {
      HealthReport r = health.check(directory.toString(), verify).get();
      assertThat(r.healthy()).isTrue();
      assertThat(r.notes()).as("verify=%s", verify).isEmpty();
      assertThat(r.parts()).extracting(HealthReport::cap)
          .containsExactlyInAnyOrderElementsOf(pages);
      assertThat(r.parts()).allSatisfy(p -> {
        assertThat(p.kind()).isEqualTo("directory page");
        assertThat(p.healthy()).isTrue();
      });
    }
  }

  /**
   * An inner page with fewer than k shares left is reported (not recoverable) and the pages
   * below it, which only it names, are not reached: the notes say so; the rest are checked.
   */
  @Test
  void anInnerPageThatCannotBeReadIsReportedAndThePagesBelowItAreNamedUnchecked()
      throws Exception {
    PagedRoot root = root();
    ImmutableReadCap inner = root.children().stream()
        .filter(c -> c instanceof PageRef.Stored).map(c -> ((PageRef.Stored) c).cap())
        .findFirst().orElseThrow();
    String innerVerify = inner.verifier().toString();
    List<String> pages = storedPages();
    int deleted = 0;
    for (TestServer s : grid.servers()) {
      for (int n : s.shares(inner.index())) {
        if (deleted < 3) {
          Files.delete(s.sharePath(inner.index(), n));
          deleted++;
        }
      }
    }
    HealthReport r = health.check(directory.toString(), false).get();
    assertThat(r.healthy()).isFalse();
    assertThat(r.recoverable()).isFalse();
    assertThat(r.notes()).singleElement().satisfies(n -> assertThat(n)
        .startsWith("the pages below " + innerVerify + " were not checked: it could not be read"));
    assertThat(r.unhealthyParts()).singleElement().satisfies(p -> {
      assertThat(p.cap()).isEqualTo(innerVerify);
      assertThat(p.found()).isEqualTo(1);
    });
    assertThat(r.parts()).extracting(HealthReport::cap).contains(innerVerify)
        .isSubsetOf(pages).hasSizeLessThan(pages.size()).hasSizeGreaterThan(1);
  }

  /**
   * An inner page whose shares are all there but whose bytes do not verify: a check without
   * verify finds the page itself healthy, yet the pages below it were not reached, so the
   * directory is neither healthy nor recoverable (a walk that trusts it would miss pages).
   */
  @Test
  void anInnerPageWhoseSharesAreThereButDoNotVerifyLeavesTheDirectoryUnrecoverable()
      throws Exception {
    ImmutableReadCap inner = root().children().stream()
        .filter(c -> c instanceof PageRef.Stored).map(c -> ((PageRef.Stored) c).cap())
        .findFirst().orElseThrow();
    String innerVerify = inner.verifier().toString();
    for (TestServer s : grid.servers()) {
      for (int n : s.shares(inner.index())) {
        Path share = s.sharePath(inner.index(), n);
        Damage.flip(share, Damage.size(share) - 1); // in the last block
      }
    }
    HealthReport r = health.check(directory.toString(), false).get();
    assertThat(r.parts()).filteredOn(p -> p.cap().equals(innerVerify)).singleElement()
        .satisfies(p -> assertThat(p.healthy()).as("its shares are all there").isTrue());
    assertThat(r.notes()).singleElement().satisfies(n -> assertThat(n)
        .startsWith("the pages below " + innerVerify + " were not checked: it could not be read"));
    assertThat(r.healthy()).isFalse();
    assertThat(r.recoverable()).as("pages not reached").isFalse();
  }

  /** A root slot no one can read: no page reached, and the notes say why. */
  @Test
  void aRootThatCannotBeReadLeavesThePagesUncheckedAndSaysSo() throws Exception {
    for (int i = 0; i < 3; i++) {
      grid.server(i).faults().failReads(true);
    }
    HealthReport r = health.check(directory.toString(), false).get();
    assertThat(r.parts()).isEmpty();
    assertThat(r.notes()).anySatisfy(n -> assertThat(n).startsWith(
        "the directory's pages (if any) were not checked: its root could not be read: "));
    assertThat(r.recoverable()).as("pages not reached").isFalse();
  }
}
