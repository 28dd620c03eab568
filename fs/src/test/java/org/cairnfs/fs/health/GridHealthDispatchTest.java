package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.ImmutableDirectoryReadCap;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.caps.immutable.PlaintextSource;
import org.cairnfs.fs.dirs.DirectoryEdit;
import org.cairnfs.fs.dirs.GridDirectories;
import org.cairnfs.fs.dirs.PagingPolicy;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.grid.UploadResult;
import org.cairnfs.fs.testing.TestGrid;
import org.cairnfs.fs.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of cap reaches its own checker through {@link GridHealth#check} and
 * {@link GridHealth#repair}: an unknown kind is refused as unknown, an immutable directory is
 * checked and repaired as its file but reported under its own verify cap, and a readable
 * directory's root slot (a server left on an older version) is repaired through its verify cap
 * and its read cap, and only checked by a check. Ten servers, the default encoding.
 */
class GridHealthDispatchTest {
  @TempDir Path dir;
  TestGrid grid;
  GridClient client;
  GridHealth health;

  @BeforeEach
  void start() throws Exception {
    grid = new TestGrid(dir, 10);
    client = grid.client(ImmutableHealthTest.FAST);
    health = GridHealth.create(client);
  }

  @AfterEach
  void stop() {
    grid.close();
  }

  @Test
  void aCapOfAKindThisVersionDoesNotKnowIsRefusedAsUnknown() {
    for (boolean repair : new boolean[] {false, true}) {
      assertThatThrownBy(() -> (repair ? health.repair("cairn:future-kind:abc")
          : health.check("cairn:future-kind:abc", false)).get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("a kind this version does not know: cairn:future-kind:abc...");
    }
  }

  @Test
  void anImmutableDirectoryIsCheckedAndRepairedAsItsFileUnderItsOwnVerifyCap()
      throws Exception {
    byte[] data = new byte[3000];
    new Random(12).nextBytes(data);
    UploadResult up = client.upload(PlaintextSource.of(data)).get();
    ImmutableReadCap file = (ImmutableReadCap) up.cap();
    ImmutableDirectoryReadCap directory = new ImmutableDirectoryReadCap(file);
    String verifyCap = directory.verifyCap().orElseThrow().toString();
    assertThat(verifyCap).isNotEqualTo(file.verifier().toString());

    HealthReport checked = health.check(directory.toString(), true).get();
    assertThat(checked.kind()).isEqualTo("immutable directory");
    assertThat(checked.cap()).isEqualTo(verifyCap);
    assertThat(checked.healthy()).isTrue();
    assertThat(checked.goodShares()).hasSize(10);

    Files.delete(grid.byId(up.placement().get(3).get(0)).sharePath(file.index(), 3));
    assertThat(health.check(verifyCap, false).get().missingShares()).containsExactly(3);
    HealthReport repaired = health.repair(verifyCap).get();
    assertThat(repaired.kind()).isEqualTo("immutable directory");
    assertThat(repaired.cap()).isEqualTo(verifyCap);
    assertThat(repaired.repaired()).isTrue();
    assertThat(repaired.healthy()).isTrue();
    assertThat(health.check(verifyCap, true).get().goodShares()).hasSize(10);
  }

  @Test
  void aDirectorysRootSlotIsRepairedThroughItsVerifyCapAndItsReadCapAndOnlyChecked()
      throws Exception {
    GridDirectories directories = GridDirectories.create(client, PagingPolicy.DEFAULT, 1 << 20);
    DirectoryWriteCap d = directories.create().get();
    String verifyCap = d.verifyCap().orElseThrow().toString();
    String readCap = d.readOnly().toString();
    leaveBehind(directories, d, 5, "a");
    for (String cap : List.of(verifyCap, readCap)) {
      for (int i = 0; i < 2; i++) { // a check changes nothing
        HealthReport stale = health.check(cap, i == 1).get();
        assertThat(stale.kind()).isEqualTo("directory");
        assertThat(stale.healthy()).as(stale.format()).isFalse();
        assertThat(stale.repaired()).isFalse();
      }
    }

    HealthReport byVerifyCap = health.repair(verifyCap).get();
    assertThat(byVerifyCap.cap()).isEqualTo(verifyCap);
    assertThat(byVerifyCap.repaired()).as(byVerifyCap.format()).isTrue();
    assertThat(byVerifyCap.healthy()).isTrue();
    assertThat(byVerifyCap.notes()).anySatisfy(n -> assertThat(n).contains("pages",
        "read cap"));
    assertThat(health.check(readCap, true).get().happiness()).isEqualTo(10);

    leaveBehind(directories, d, 6, "b");
    HealthReport byReadCap = health.repair(readCap).get();
    assertThat(byReadCap.kind()).isEqualTo("directory");
    assertThat(byReadCap.cap()).isEqualTo(verifyCap);
    assertThat(byReadCap.repaired()).as(byReadCap.format()).isTrue();
    assertThat(byReadCap.healthy()).isTrue();
    assertThat(health.check(readCap, true).get().happiness()).isEqualTo(10);
    assertThat(directories.list(d.readOnly()).get()).hasSize(2);
  }

  /** Adds an entry while the server holding root share {@code share} refuses writes. */
  void leaveBehind(GridDirectories directories, DirectoryWriteCap d, int share, String name)
      throws Exception {
    StorageIndex si = d.storageIndex().orElseThrow();
    TestServer behind = grid.servers().stream()
        .filter(s -> Files.exists(s.slotPath(si, share))).findFirst().orElseThrow();
    behind.faults().failWrites(true);
    directories.apply(d, List.of(new DirectoryEdit.Put(EntryName.of(name),
        Optional.of(new LiteralCap(name.getBytes()).toString()),
        EntryMetadata.of(EntryKind.FILE, 1, 0644, Instant.EPOCH, Instant.EPOCH)))).get();
    behind.faults().failWrites(false);
  }
}
