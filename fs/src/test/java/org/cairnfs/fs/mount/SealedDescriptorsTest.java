package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The descriptor bound over sealed layers: what it does to layers in use, to bytes not yet
 * forced and to write-back errors, to a spool file removed by another program, and to a layer
 * dropped while a read opens it again.
 */
class SealedDescriptorsTest {
  @TempDir
  Path dir;

  /** Counts the opens of one layer's file; its channels may fail their close (NFS, FUSE). */
  private static final class Counting implements Journal.Channels {
    final AtomicInteger opens = new AtomicInteger();
    volatile String closeError;
    /** Of the layer file's first descriptor: forced before it was closed. */
    volatile boolean firstForcedBeforeClose;

    @Override
    public FileChannel open(Path p, OpenOption... options) throws IOException {
      if (!Files.isDirectory(p)) { // not the spool directory's force
        opens.incrementAndGet();
      }
      boolean first = opens.get() == 1 && !Files.isDirectory(p);
      return new ForwardingFileChannel(FileChannel.open(p, options)) {
        private boolean forced;

        @Override
        public void force(boolean metaData) throws IOException {
          super.force(metaData);
          forced = true;
        }

        @Override
        protected void implCloseChannel() throws IOException {
          if (first) {
            firstForcedBeforeClose = forced;
          }
          super.implCloseChannel();
          String e = closeError;
          if (e != null) {
            closeError = null;
            throw new IOException(e);
          }
        }
      };
    }
  }

  /** {@code n} other sealed layers, as {@code n} other closed files waiting for the grid. */
  private List<Layer> sealOthers(String prefix, int n, Runnable between) throws IOException {
    List<Layer> others = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Layer o = Layer.create(dir.resolve(prefix + i + ".1"), 1, 0);
      others.add(o);
      o.writeAt(ByteBuffer.wrap(new byte[] {(byte) i}), 0);
      o.seal();
      between.run();
    }
    return others;
  }

  /**
   * Every read through an open channel makes its layer the most recently used: a layer read
   * between every other seal stays open past the limit (least recently used, not first in).
   */
  @Test
  void aLayerReadBetweenEveryOtherSealIsNotEvicted() throws Exception {
    Counting disk = new Counting();
    Layer hot = Layer.create(dir.resolve("1.1"), 1, 0, disk);
    hot.writeAt(ByteBuffer.wrap(new byte[] {7}), 0);
    hot.seal();
    List<Layer> others = new ArrayList<>();
    try {
      others = sealOthers("2", SealedDescriptors.LIMIT + 8, () -> {
        try {
          ByteBuffer b = ByteBuffer.allocate(1);
          hot.readAt(b, 0); // the most recently used layer of all, every time
          assertThat(b.get(0)).isEqualTo((byte) 7);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      assertThat(disk.opens.get()).as("opens of the layer read all the time").isEqualTo(1);
    } finally {
      hot.delete();
      others.forEach(Layer::delete);
    }
  }

  /**
   * A small (inline) layer is sealed without a force: its first fsync comes at the journal's
   * compaction ({@link FileData#forceSealed}). When the bound closes its descriptor before
   * that, it forces it first: with no descriptor left the kernel may evict the inode, and an
   * unreported write-back error with it, and a force through a new descriptor would succeed.
   */
  @Test
  void anUnforcedLayerKeepsTheDescriptorThatWroteItUntilItsFirstForce() throws Exception {
    Counting disk = new Counting();
    Layer small = Layer.create(dir.resolve("3.1"), 1, 0, disk);
    small.writeAt(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
    small.seal(); // LayerCommit.seal: commit(false), inline bytes, no force
    List<Layer> others = new ArrayList<>();
    try {
      others = sealOthers("4", SealedDescriptors.LIMIT + 8, () -> { });
      small.force(); // JournalDurability.compact -> FileData.forceSealed
      assertThat(disk.opens.get()).as("closed by the bound, opened again").isGreaterThan(1);
      assertThat(disk.firstForcedBeforeClose)
          .as("the descriptor that wrote the layer was fsynced before the bound closed it")
          .isTrue();
    } finally {
      small.delete();
      others.forEach(Layer::delete);
    }
  }

  /**
   * On NFS, CIFS and FUSE, close(2) writes back and reports a write-back error (and marks it
   * seen): the error of the bound's close fails the layer's next force, as a force through the
   * descriptor kept open would have.
   */
  @Test
  void aWriteBackErrorTheEvictionsCloseReportsFailsTheNextForce() throws Exception {
    Counting disk = new Counting();
    Layer l = Layer.create(dir.resolve("5.1"), 1, 0, disk);
    try {
      l.writeAt(ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
      l.seal();
      disk.closeError = "Input/output error (write-back failed, reported by close)";
      l.closeUntilUsed(); // what SealedDescriptors.used does to the eldest
      assertThatThrownBy(l::force).as("the force after a close that reported a lost write")
          .isInstanceOf(IOException.class);
    } finally {
      l.delete();
    }
  }

  /**
   * A spool file removed by another program (a cleaner of old files, an operator) while its
   * layer is closed cannot be opened again: the read fails loudly, and the file is not
   * recreated (a new empty file would read its pages as zeros). An open descriptor used to keep
   * such bytes readable; docs/architecture.md says what this costs.
   */
  @Test
  void anEvictedLayerWhoseFileWasRemovedElsewhereFailsLoudly() throws Exception {
    Layer l = Layer.create(dir.resolve("6.1"), 1, 0);
    try {
      l.writeAt(ByteBuffer.wrap(new byte[] {9, 8, 7}), 0);
      l.force();
      l.seal();
      l.closeUntilUsed();
      Files.delete(l.path);
      assertThatThrownBy(() -> l.readAt(ByteBuffer.allocate(3), 0))
          .isInstanceOf(java.nio.file.NoSuchFileException.class);
      assertThat(Files.exists(l.path)).as("not recreated").isFalse();
    } finally {
      l.delete();
    }
  }


  /**
   * A write whose thread is interrupted fails before any byte reaches the spool (the interrupt
   * closes the channel); the pages it covers are not marked held, so the next read, through a
   * reopened descriptor, finds the bytes below, not the spool file's hole (zeros).
   */
  @Test
  void aWriteInterruptedBeforeItsBytesDoesNotZeroThePagesItMarked() throws Exception {
    byte[] old = CoreFixture.bytes(Layer.PAGE, 3);
    FileData d = new FileData(77, dir, new SpoolBudget(1L << 30), (cap, off, len) -> {
      throw new AssertionError("no base");
    }, java.util.Optional.empty(), 0);
    d.write(0, ByteBuffer.wrap(old));
    d.commit(true); // sealed: the old bytes are below the open layer now
    Thread.currentThread().interrupt();
    try {
      d.write(0, ByteBuffer.wrap(CoreFixture.bytes(Layer.PAGE, 4))); // a whole page
    } catch (java.nio.channels.ClosedByInterruptException expected) {
      // the write fails, as it should
    } finally {
      Thread.interrupted();
    }
    ByteBuffer back = ByteBuffer.allocate(Layer.PAGE);
    try {
      d.read(0, back);
    } catch (java.nio.channels.ClosedChannelException stillClosed) {
      return; // loud, not silent: also acceptable
    }
    assertThat(java.util.Arrays.equals(back.array(), new byte[Layer.PAGE]))
        .as("page 0 after a failed write of it reads all zeros").isFalse();
  }

  /**
   * {@code channel()} tells the bound about a use after it leaves the layer's lock; a
   * {@link Layer#close} (an upload done, a discard) in between forgets the layer first, and the
   * use must not put the dropped layer back (a stale entry would hold it and count against the
   * limit). The test holds the bound's lock so that both wait for it, then lets them race.
   */
  @Test
  void aLayerClosedWhileAReadOpensItAgainLeavesNoEntryInTheBound() throws Exception {
    java.lang.reflect.Field f = SealedDescriptors.class.getDeclaredField("open");
    f.setAccessible(true);
    @SuppressWarnings("unchecked")
    java.util.Map<Layer, Boolean> open =
        (java.util.Map<Layer, Boolean>) f.get(SealedDescriptors.SHARED);
    for (int round = 0; round < 40; round++) {
      Layer l = Layer.create(dir.resolve("7." + round), 1, 0);
      l.writeAt(ByteBuffer.wrap(new byte[] {1}), 0);
      l.seal();
      l.closeUntilUsed();
      Thread reader = new Thread(() -> {
        try {
          l.readAt(ByteBuffer.allocate(1), 0);
        } catch (IOException dropped) {
          // closed meanwhile: fine
        }
      });
      Thread closer = new Thread(l::delete);
      synchronized (SealedDescriptors.SHARED) {
        reader.start();
        awaitBlocked(reader); // reopened, waiting to tell the bound
        closer.start();
        awaitBlocked(closer); // dropped and closed, waiting to forget
      }
      reader.join();
      closer.join();
      boolean stale;
      synchronized (SealedDescriptors.SHARED) {
        stale = open.containsKey(l);
      }
      assertThat(stale).as("a deleted layer left in the bound (round %d)", round).isFalse();
    }
  }

  private static void awaitBlocked(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (t.getState() != Thread.State.BLOCKED && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
    assertThat(t.getState()).isEqualTo(Thread.State.BLOCKED);
  }
}
