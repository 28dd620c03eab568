package org.cairnfs.fs.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.ImmutableVerifyCap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.caps.dirnode.EntryMetadata;
import org.cairnfs.caps.dirnode.EntryName;
import org.cairnfs.fs.dirs.DirectoryEdit;
import org.cairnfs.fs.dirs.GridDirectories;
import org.cairnfs.fs.dirs.PagingPolicy;
import org.cairnfs.fs.grid.GridClient;
import org.cairnfs.fs.testing.TestServer;
import org.cairnfs.storage.lease.ShareRecord;
import org.cairnfs.storage.share.ShareKey;
import org.junit.jupiter.api.Test;

/** Check, verify and repair of mutable slots (files and directory roots) with a verify cap. */
class SlotHealthTest extends SmallSlotGrid {
  SlotHealthTest() {
    super(9, 40_000);
  }

  /** Waits out the pool's reconnect backoff after a restart. */
  void awaitReachable(TestServer server) throws Exception {
    long deadline = System.nanoTime() + 15_000_000_000L;
    while (true) {
      try {
        client.servers().connect(server.nodeId()).get().shareNumbers(si).get();
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
  }

  @Test
  void aFreshSlotIsHealthyAndReportedUnderItsVerifyCap() throws Exception {
    for (boolean verify : new boolean[] {false, true}) {
      HealthReport r = health.check(cap.toString(), verify).get();
      assertThat(r.healthy()).isTrue();
      assertThat(r.kind()).isEqualTo("mutable");
      assertThat(r.cap()).isEqualTo(cap.verifyCap().orElseThrow().toString());
      assertThat(r.goodShares()).hasSize(10);
      assertThat(r.format()).contains("healthy").doesNotContain(cap.toString());
    }
    // A second client's add-lease puts its own lease beside the writer's on every slot share.
    GridClient other = grid.client(ImmutableHealthTest.FAST);
    HealthReport leased = GridHealth.create(other)
        .check(cap.verifyCap().orElseThrow().toString(), false, true).get();
    assertThat(leased.leasesRenewed()).isEqualTo(10);
    ShareRecord record = holder(3).leases().find(ShareKey.mutable(si, 3)).orElseThrow();
    assertThat(record.leases()).hasSize(2);
  }

  @Test
  void aDirectoryIsCheckedAsItsRootSlotAndSaysWhatItDoesNotReach() throws Exception {
    // The slot holds random bytes, not a directory: checked by its verify cap (slot only), its
    // storage is healthy all the same.
    DirectoryWriteCap dirCap = new DirectoryWriteCap(cap);
    String verifyCap = dirCap.verifyCap().orElseThrow().toString();
    HealthReport r = health.check(verifyCap, true).get();
    assertThat(r.kind()).isEqualTo("directory");
    assertThat(r.healthy()).isTrue();
    assertThat(r.cap()).isEqualTo(verifyCap);
    assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("pages", "read cap"));
    // With a read cap the pages are looked for, and a root that cannot be read hides them: as a
    // manifest not walked to its end, the directory is then neither healthy nor recoverable.
    HealthReport withWriteCap = health.check(dirCap.toString(), true).get();
    assertThat(withWriteCap.cap()).isEqualTo(verifyCap);
    assertThat(withWriteCap.healthy()).isFalse();
    assertThat(withWriteCap.recoverable()).isFalse();
    assertThat(withWriteCap.found()).as("its storage is whole").isEqualTo(r.found());
    assertThat(withWriteCap.notes()).anySatisfy(n -> assertThat(n).contains("pages",
        "root could not be read"));
  }

  @Test
  void aPagedDirectorysPagesAreCheckedWithAReadCapAndRepaired() throws Exception {
    PagingPolicy small = PagingPolicy.builder().maxPageBytes(1024).flatMaxBytes(2048)
        .flatMinBytes(512).minFillBytes(256).build();
    GridDirectories dirs = GridDirectories.create(client, small, 1 << 20);
    DirectoryWriteCap d = dirs.create().get();
    String child = client.upload(org.cairnfs.caps.immutable.PlaintextSource.of(new byte[100]))
        .get().cap().toString();
    java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
    EntryMetadata file = EntryMetadata.of(EntryKind.FILE, 100, 0644, t, t);
    List<DirectoryEdit> batch = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      batch.add(new DirectoryEdit.Put(EntryName.of(String.format("entry-%04d", i)),
          Optional.of(child), file));
    }
    dirs.apply(d, batch).get();

    HealthReport byVerifyCap = health.check(d.verifyCap().orElseThrow().toString(), true).get();
    assertThat(byVerifyCap.parts()).isEmpty();
    assertThat(byVerifyCap.notes()).anySatisfy(n -> assertThat(n).contains("pages",
        "read cap"));

    HealthReport byReadCap = health.check(d.readOnly().toString(), true).get();
    assertThat(byReadCap.healthy()).isTrue();
    assertThat(byReadCap.cap()).isEqualTo(d.verifyCap().orElseThrow().toString());
    assertThat(byReadCap.parts()).hasSizeGreaterThan(1)
        .allSatisfy(p -> assertThat(p.kind()).isEqualTo("directory page"));

    ImmutableVerifyCap page = (ImmutableVerifyCap) Cap.parse(byReadCap.parts().get(1).cap());
    TestServer holder = grid.servers().stream().filter(s -> {
      try {
        return s.shares(page.index()).contains(0);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }).findFirst().orElseThrow();
    Files.delete(holder.sharePath(page.index(), 0));
    HealthReport damaged = health.check(d.toString(), false).get();
    assertThat(damaged.healthy()).isFalse();
    assertThat(damaged.unhealthyParts()).singleElement()
        .satisfies(p -> assertThat(p.missingShares()).containsExactly(0));

    HealthReport repaired = health.repair(d.toString()).get();
    assertThat(repaired.healthy()).isTrue();
    assertThat(repaired.repaired()).isTrue();
    assertThat(health.check(d.readOnly().toString(), true).get().healthy()).isTrue();
    assertThat(dirs.list(d.readOnly()).get()).hasSize(150);
  }

  @Test
  void verifyFindsABadBlockAndADeletedShareAndRepairSaysWhatAVerifyCapCannotDo()
      throws Exception {
    Path two = holder(2).slotPath(si, 2);
    Damage.flip(two, Damage.size(two) - 100);
    Files.delete(holder(4).slotPath(si, 4));

    HealthReport checked = health.check(cap.toString(), false).get();
    assertThat(checked.missingShares()).containsExactly(4);
    assertThat(checked.corruptShares()).isEmpty(); // the front is intact

    HealthReport verified = health.check(cap.toString(), true).get();
    assertThat(verified.healthy()).isFalse();
    assertThat(verified.recoverable()).isTrue();
    assertThat(verified.corruptShares()).containsExactly(2);
    assertThat(verified.missingShares()).containsExactly(4);
    assertThat(verified.format()).contains("corrupt", "missing");

    HealthReport repaired = health.repair(cap.verifyCap().orElseThrow().toString()).get();
    assertThat(repaired.healthy()).isFalse();
    assertThat(repaired.notes()).anySatisfy(n -> assertThat(n).contains("share 2",
        "cannot re-create"));
    assertThat(repaired.notes()).anySatisfy(n -> assertThat(n).contains("share 4",
        "cannot re-create"));
    // A write-cap holder's next publish heals it.
    mutable.overwrite(cap, contents).get();
    assertThat(health.check(cap.toString(), true).get().healthy()).isTrue();
  }

  @Test
  void aServerLeftOnAnOlderVersionIsRepairedWithTheCurrentOne() throws Exception {
    TestServer behind = holder(6);
    behind.kill();
    byte[] newer = "newer contents".getBytes();
    mutable.overwrite(cap, newer).get();
    behind.start();
    awaitReachable(behind);

    HealthReport checked = health.check(cap.toString(), true).get();
    assertThat(checked.healthy()).isFalse();
    assertThat(checked.shares()).filteredOn(s -> s.status() == ShareReport.Status.MISSING)
        .singleElement().satisfies(s -> {
          assertThat(s.number()).isEqualTo(6);
          assertThat(s.server()).isEqualTo(client.servers().describe(behind.nodeId()));
          assertThat(s.reason()).contains("older version");
        });

    HealthReport repaired = health.repair(cap.toString()).get();
    assertThat(repaired.repaired()).isTrue();
    assertThat(repaired.healthy()).isTrue();

    HealthReport after = health.check(cap.toString(), true).get();
    assertThat(after.healthy()).isTrue();
    assertThat(after.missingShares()).isEmpty();
    assertThat(after.happiness()).isEqualTo(10);
    assertThat(mutable.read(cap.readOnly()).get().contents()).isEqualTo(newer);
  }
}
