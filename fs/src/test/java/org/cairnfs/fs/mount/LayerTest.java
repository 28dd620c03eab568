package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One generation's spool file: what it holds, what it reads back, and its removal. */
class LayerTest {
  @TempDir
  Path dir;

  @Test
  void bytesWrittenAtAnOffsetReadBackAndTheSparseTailReadsAsZeros() throws Exception {
    Layer l = Layer.create(dir.resolve("1.1"), 1, 0);
    try {
      byte[] data = CoreFixture.bytes(3 * Layer.PAGE, 1);
      l.writeAt(ByteBuffer.wrap(data), Layer.PAGE);
      ByteBuffer back = ByteBuffer.allocate(data.length);
      l.readAt(back, Layer.PAGE);
      assertThat(back.array()).isEqualTo(data);
      // from the middle of the written bytes to past the file's end: the rest reads as zeros
      ByteBuffer tail = ByteBuffer.allocate(2 * Layer.PAGE);
      l.readAt(tail, 3 * Layer.PAGE);
      byte[] want = new byte[2 * Layer.PAGE];
      System.arraycopy(data, 2 * Layer.PAGE, want, 0, Layer.PAGE);
      assertThat(tail.array()).isEqualTo(want);
      assertThat(tail.hasRemaining()).isFalse();
      // wholly past the end
      ByteBuffer past = ByteBuffer.allocate(100);
      past.put(0, (byte) 9);
      l.readAt(past, 10L * Layer.PAGE);
      assertThat(past.array()).isEqualTo(new byte[100]);
      // the hole before the written bytes
      ByteBuffer hole = ByteBuffer.allocate(Layer.PAGE);
      l.readAt(hole, 0);
      assertThat(hole.array()).isEqualTo(new byte[Layer.PAGE]);
    } finally {
      l.delete();
    }
  }

  @Test
  void heldPagesAndBytes() throws Exception {
    BitSet pages = new BitSet();
    pages.set(2);
    pages.set(5, 8);
    Path p = dir.resolve("2.3");
    Files.write(p, new byte[0]);
    Layer l = Layer.reopen(p, 3, pages, 8L * Layer.PAGE, 100);
    try {
      assertThat(l.sealed()).isTrue();
      assertThat(l.gen).isEqualTo(3);
      assertThat(l.size).isEqualTo(8L * Layer.PAGE);
      assertThat(l.limit).isEqualTo(100);
      assertThat(l.heldBytes()).isEqualTo(4L * Layer.PAGE);
      assertThat(l.holds(2)).isTrue();
      assertThat(l.holds(3)).isFalse();
      assertThat(l.holds(7)).isTrue();
      assertThat(l.holds(8)).isFalse();
      // page numbers past what a BitSet can index are never held (not an overflow into 0)
      pages.set(0);
      assertThat(l.holds(0)).isTrue();
      assertThat(l.holds(1L << 32)).as("2^32 would index bit 0").isFalse();
    } finally {
      l.close();
    }
    assertThat(Files.exists(p)).as("close keeps the file").isTrue();
  }

  @Test
  void aNewLayerIsEmptyOpenAndUnlimitedAndDeleteRemovesItsFile() throws Exception {
    Path p = dir.resolve("4.1");
    Files.write(p, new byte[] {1, 2, 3}); // a leftover of a crash: truncated
    Layer l = Layer.create(p, 1, 77);
    assertThat(l.sealed()).isFalse();
    assertThat(l.size).isEqualTo(77);
    assertThat(l.limit).isEqualTo(Long.MAX_VALUE);
    assertThat(l.heldBytes()).isZero();
    assertThat(Files.size(p)).isZero();
    l.writeAt(ByteBuffer.wrap(new byte[] {7}), 0);
    l.force();
    assertThat(Files.readAllBytes(p)).containsExactly(7);
    l.delete();
    assertThat(Files.exists(p)).isFalse();
    l.delete(); // twice: nothing left to do
  }

  /**
   * Files as they are, except that a positional write takes at most {@link #maxWrite} bytes a
   * call and the first positional read of each buffer answers 0 bytes: both allowed by
   * {@link FileChannel}'s contract. Records every force as "path metaData".
   */
  private static final class Recording implements Journal.Channels {
    final List<String> forces = Collections.synchronizedList(new ArrayList<>());
    final java.util.concurrent.atomic.AtomicInteger opens =
        new java.util.concurrent.atomic.AtomicInteger();
    int maxWrite = Integer.MAX_VALUE;
    boolean zeroReads;

    @Override
    public FileChannel open(Path p, OpenOption... options) throws IOException {
      opens.incrementAndGet();
      return new ForwardingFileChannel(FileChannel.open(p, options)) {
        private ByteBuffer answeredZero;

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
          if (zeroReads && answeredZero != dst) {
            answeredZero = dst;
            return 0;
          }
          return ch.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
          if (src.remaining() <= maxWrite) {
            return ch.write(src, position);
          }
          ByteBuffer part = src.slice(src.position(), maxWrite);
          int n = ch.write(part, position);
          src.position(src.position() + n);
          return n;
        }

        @Override
        public void force(boolean metaData) throws IOException {
          forces.add(p.getFileName() + " " + metaData);
          ch.force(metaData);
        }
      };
    }
  }

  /**
   * A write the channel takes in parts lands whole at its offset, and a read answered with 0
   * bytes is asked again (not taken for the end of the file).
   */
  @Test
  void writesTakenInPartsAndReadsAnsweredWithNothingStillMoveTheRightBytes() throws Exception {
    Recording disk = new Recording();
    disk.maxWrite = 1000;
    disk.zeroReads = true;
    Path p = dir.resolve("5.1");
    Layer l = Layer.create(p, 1, 0, disk);
    try {
      byte[] data = CoreFixture.bytes(2 * Layer.PAGE, 5);
      l.writeAt(ByteBuffer.wrap(data), Layer.PAGE);
      byte[] want = new byte[3 * Layer.PAGE];
      System.arraycopy(data, 0, want, Layer.PAGE, data.length);
      assertThat(Files.readAllBytes(p)).isEqualTo(want);
      ByteBuffer back = ByteBuffer.allocate(data.length);
      l.readAt(back, Layer.PAGE);
      assertThat(back.array()).isEqualTo(data);
    } finally {
      l.delete();
    }
  }

  /**
   * A force forces the layer's bytes every time and the spool directory (its name) the first
   * time only; a layer found at replay was named in a directory the mount forced already.
   */
  @Test
  void aForceForcesTheBytesAlwaysAndTheDirectoryOnce() throws Exception {
    Recording disk = new Recording();
    Path p = dir.resolve("6.1");
    Layer l = Layer.create(p, 1, 0, disk);
    try {
      l.writeAt(ByteBuffer.wrap(new byte[] {1}), 0);
      l.force();
      l.writeAt(ByteBuffer.wrap(new byte[] {2}), 1);
      l.force();
      assertThat(disk.forces).containsExactly("6.1 false", dir.getFileName() + " true",
          "6.1 false");
    } finally {
      l.delete();
    }
  }

  /** Closing or deleting a layer closes its file (no descriptor kept for a dropped layer). */
  @Test
  void closeAndDeleteCloseTheFile() throws Exception {
    Layer closed = Layer.create(dir.resolve("7.1"), 1, 0);
    closed.close();
    assertThatThrownBy(() -> closed.readAt(ByteBuffer.allocate(1), 0))
        .isInstanceOf(ClosedChannelException.class);
    Layer deleted = Layer.create(dir.resolve("7.2"), 1, 0);
    deleted.delete();
    assertThatThrownBy(() -> deleted.writeAt(ByteBuffer.wrap(new byte[] {1}), 0))
        .isInstanceOf(ClosedChannelException.class);
  }

  /**
   * A sealed layer whose file the descriptor bound closed opens it again at its next read or
   * force, and reads what it held; one closed for good stays closed.
   */
  @Test
  void aSealedLayerClosedByTheBoundOpensAgainWhenUsed() throws Exception {
    Recording disk = new Recording();
    Layer l = Layer.create(dir.resolve("8.1"), 1, 0, disk);
    byte[] data = CoreFixture.bytes(2 * Layer.PAGE, 8);
    l.writeAt(ByteBuffer.wrap(data), 0);
    l.force(); // and its directory, once
    l.seal();
    int opens = disk.opens.get();
    l.closeUntilUsed();
    l.closeUntilUsed(); // twice: nothing more to close
    ByteBuffer back = ByteBuffer.allocate(data.length);
    l.readAt(back, 0);
    assertThat(back.array()).isEqualTo(data);
    assertThat(disk.opens.get() - opens).as("opened again once").isEqualTo(1);
    l.closeUntilUsed();
    l.force();
    assertThat(disk.opens.get() - opens).isEqualTo(2);
    assertThat(disk.forces).endsWith("8.1 false");
    l.close();
    assertThatThrownBy(() -> l.readAt(ByteBuffer.allocate(1), 0))
        .isInstanceOf(ClosedChannelException.class);
    assertThatThrownBy(l::force).isInstanceOf(ClosedChannelException.class);
    assertThat(disk.opens.get() - opens).as("a dropped layer is not opened again").isEqualTo(2);
  }

  /**
   * A read interrupted in the middle closes the channel (as every interruptible channel does);
   * the layer's next read opens its file again instead of failing for good.
   */
  @Test
  void aReadAfterAnInterruptedOneOpensTheFileAgain() throws Exception {
    Layer l = Layer.create(dir.resolve("9.1"), 1, 0);
    try {
      l.writeAt(ByteBuffer.wrap(new byte[] {4, 5, 6}), 0);
      l.seal();
      Thread.currentThread().interrupt();
      assertThatThrownBy(() -> l.readAt(ByteBuffer.allocate(3), 0))
          .isInstanceOf(java.nio.channels.ClosedByInterruptException.class);
      assertThat(Thread.interrupted()).isTrue();
      ByteBuffer back = ByteBuffer.allocate(3);
      l.readAt(back, 0);
      assertThat(back.array()).containsExactly(4, 5, 6);
    } finally {
      l.delete();
    }
  }

  /** Past the limit, the least recently used layer's file is closed; a use makes it recent. */
  @Test
  void theBoundClosesTheLeastRecentlyUsed() throws Exception {
    SealedDescriptors bound = new SealedDescriptors(2);
    Recording disk = new Recording();
    Layer[] ls = new Layer[3];
    for (int i = 0; i < 3; i++) {
      ls[i] = Layer.create(dir.resolve("10." + i), i, 0, disk);
      ls[i].writeAt(ByteBuffer.wrap(new byte[] {(byte) i}), 0);
    }
    try {
      bound.used(ls[0]);
      bound.used(ls[1]);
      bound.used(ls[0]); // now the most recent
      bound.used(ls[2]); // closes 1
      assertThat(bound.held()).isEqualTo(2);
      int opens = disk.opens.get();
      for (int i : new int[] {0, 2, 1}) {
        ByteBuffer b = ByteBuffer.allocate(1);
        ls[i].readAt(b, 0);
        assertThat(b.get(0)).isEqualTo((byte) i);
      }
      assertThat(disk.opens.get() - opens).as("only the closed one opened again").isEqualTo(1);
      bound.forget(ls[2]);
      assertThat(bound.held()).isEqualTo(1);
    } finally {
      for (Layer l : ls) {
        l.delete();
      }
    }
  }
}
