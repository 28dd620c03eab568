package org.cairnfs.fs.mount;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The journal's files as they are, except that {@code force} fails with EIO while
 * {@link #failForces} is set (a disk that lost a write back): what a real failing fsync is
 * hard to make. Counts the files opened (a journal rewrite opens two) and keeps them, so a
 * test can see which are still open. Also fails a write part-way, a truncate, and runs
 * something of the test's just before a force (what another thread could do meanwhile).
 */
final class FaultyChannels implements Journal.Channels {
  /** Something a test runs inside a channel call. */
  interface Meanwhile {
    void run() throws IOException;
  }

  volatile boolean failForces;
  /** The next write writes this many of its bytes, then fails with ENOSPC; -1: none fails. */
  volatile int failNextWriteAfter = -1;
  /** Run once by the write that fails (after its partial bytes), before it throws. */
  volatile Meanwhile duringFailedWrite;
  /** While set, truncate fails with EIO (the cut of a torn frame). */
  volatile boolean failTruncates;
  /** Run once by the next force, before it forces. */
  volatile Meanwhile beforeForce;
  final AtomicInteger opened = new AtomicInteger();
  final AtomicInteger failedForces = new AtomicInteger();
  /** Every channel opened, in order. */
  final java.util.List<FileChannel> channels = new java.util.concurrent.CopyOnWriteArrayList<>();

  @Override
  public FileChannel open(Path p, OpenOption... options) throws IOException {
    opened.incrementAndGet();
    FileChannel ch = new Wrapped(FileChannel.open(p, options));
    channels.add(ch);
    return ch;
  }

  /** How many of the channels opened are still open. */
  long stillOpen() {
    return channels.stream().filter(FileChannel::isOpen).count();
  }

  private final class Wrapped extends ForwardingFileChannel {
    Wrapped(FileChannel ch) {
      super(ch);
    }

    @Override
    public void force(boolean metaData) throws IOException {
      Meanwhile m = beforeForce;
      if (m != null) {
        beforeForce = null;
        m.run();
      }
      if (failForces) {
        failedForces.incrementAndGet();
        throw new IOException("Input/output error (injected)");
      }
      ch.force(metaData);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      int part = failNextWriteAfter;
      if (part >= 0) {
        failNextWriteAfter = -1;
        ch.write(src.slice(src.position(), Math.min(part, src.remaining())));
        Meanwhile m = duringFailedWrite;
        duringFailedWrite = null;
        if (m != null) {
          m.run();
        }
        throw new IOException("No space left on device (injected)");
      }
      return ch.write(src);
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      if (failTruncates) {
        throw new IOException("Input/output error (injected truncate)");
      }
      ch.truncate(size);
      return this;
    }
  }
}
