package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * An fsx-style driver of the mount core's data path: seeded random writes (unaligned, across
 * page and chunk edges, past the end leaving holes, O_APPEND), truncates down and up, opens
 * with O_TRUNC, reads, closes, fsyncs, clean remounts and kills with journal replay, applied to
 * the core and to an in-memory model, the touched file compared after every step. The model
 * knows what survives a kill: every file as of its last flush by a handle that may write (which
 * commits the file's open changes, whichever handle made them; a reader's close commits
 * nothing), the truncate(2) of a path, or fsync.
 */
final class DataPathFsx {
  static final int PAGE = Layer.PAGE;
  private static final String[] FILES = {"/f0", "/f1", "/f2"};

  private final Random rnd;
  private final CoreFixture fx;
  private final int chunk;
  private final long maxOffset;
  private final StringBuilder trace = new StringBuilder();
  private final byte[][] now = new byte[FILES.length][];
  private final byte[][] committed = new byte[FILES.length][];
  private final List<Handle> handles = new ArrayList<>();
  int crashes;
  int remounts;
  int appends;
  int holes;
  int parts;

  private record Handle(long fh, int file, boolean readable, boolean writable, boolean append) {}

  DataPathFsx(long seed, CoreFixture fx, int chunk, long maxOffset) {
    this.rnd = new Random(seed);
    this.fx = fx;
    this.chunk = chunk;
    this.maxOffset = maxOffset;
  }

  /** Runs the steps; returns the files' final contents (all on the grid by then). */
  byte[][] run(int ops) throws Exception {
    for (int i = 0; i < FILES.length; i++) {
      now[i] = new byte[0];
      committed[i] = new byte[0];
      fx.put(FILES[i], now[i]);
    }
    try {
      for (int step = 0; step < ops; step++) {
        int file = step(step);
        check(file);
        if (step % 97 == 0) {
          for (int i = 0; i < FILES.length; i++) {
            check(i);
          }
        }
      }
      closeAll();
      fx.core.sync(Duration.ofSeconds(60));
      fx.closeAndReopen();
      for (int i = 0; i < FILES.length; i++) {
        check(i);
      }
      return now.clone();
    } catch (AssertionError | Exception e) {
      String t = trace.length() > 6000 ? trace.substring(trace.length() - 6000)
          : trace.toString();
      throw new AssertionError("last steps:\n" + t + "\n" + e, e);
    }
  }

  private int step(int step) throws Exception {
    int k = rnd.nextInt(100);
    if (k < 30) {
      Handle h = writable();
      byte[] data = new byte[length()];
      rnd.nextBytes(data);
      long off = offset(now[h.file].length);
      long at = h.append ? now[h.file].length : off;
      note(step, "write " + FILES[h.file] + " fh" + h.fh + " @" + at + " +" + data.length
          + (h.append ? " (append)" : ""));
      FileData d = data(h.file);
      long commitsBefore = d.commits();
      byte[] before = now[h.file];
      int n = fx.core.write(h.fh, ByteBuffer.wrap(data), off);
      assertThat(n).isEqualTo(data.length);
      if (data.length > 0) {
        holes += at > now[h.file].length ? 1 : 0;
        appends += h.append ? 1 : 0;
        now[h.file] = written(now[h.file], at, data);
      }
      if (d.commits() != commitsBefore) {
        // committed in the write: a part after it (nothing open left), or before it to make
        // room in the cache (backpressure)
        parts++;
        committed[h.file] = d.hasOpenChanges() ? before : now[h.file];
        note(step, "  (committed " + (d.hasOpenChanges() ? "before" : "after") + ")");
      }
      return h.file;
    } else if (k < 40) {
      Handle h = writable();
      long size = offset(now[h.file].length);
      note(step, "ftruncate " + FILES[h.file] + " fh" + h.fh + " " + size);
      fx.core.ftruncate(h.fh, size);
      now[h.file] = Arrays.copyOf(now[h.file], (int) size);
      return h.file;
    } else if (k < 44) {
      int f = rnd.nextInt(FILES.length);
      long size = offset(now[f].length);
      note(step, "truncate " + FILES[f] + " " + size);
      fx.core.truncate(FILES[f], size);
      now[f] = Arrays.copyOf(now[f], (int) size);
      committed[f] = now[f];
      return f;
    } else if (k < 56) {
      return open(step, rnd.nextInt(FILES.length)).file;
    } else if (k < 70) {
      if (handles.isEmpty()) {
        return open(step, rnd.nextInt(FILES.length)).file;
      }
      Handle h = handles.remove(rnd.nextInt(handles.size()));
      note(step, "close " + FILES[h.file] + " fh" + h.fh);
      fx.core.flush(h.fh);
      fx.core.release(h.fh);
      if (h.writable()) { // a reader's close journals nothing of another handle's changes
        committed[h.file] = now[h.file];
      }
      return h.file;
    } else if (k < 73) {
      Handle h = any();
      note(step, "fsync " + FILES[h.file] + " fh" + h.fh);
      fx.core.fsync(h.fh, rnd.nextBoolean());
      committed[h.file] = now[h.file];
      return h.file;
    } else if (k < 94) {
      Handle h = readable();
      long off = rnd.nextInt(3) == 0 ? offset(now[h.file].length)
          : rnd.nextInt(now[h.file].length + 1);
      int len = length();
      note(step, "read " + FILES[h.file] + " fh" + h.fh + " @" + off + " +" + len);
      ByteBuffer b = ByteBuffer.allocate(len);
      int n = fx.core.read(h.fh, b, off);
      byte[] model = now[h.file];
      int expect = (int) Math.max(0, Math.min(len, model.length - off));
      assertThat(n).as("bytes read").isEqualTo(expect);
      if (expect > 0) {
        assertThat(Arrays.copyOf(b.array(), n)).as("bytes at " + off)
            .isEqualTo(Arrays.copyOfRange(model, (int) off, (int) off + n));
      }
      return h.file;
    } else if (k < 96) {
      crashes++;
      handles.clear();
      fx.core.crash();
      note(step, "kill -9 and replay" + tornTail());
      fx.reopen();
      for (int i = 0; i < FILES.length; i++) {
        now[i] = committed[i];
      }
      return rnd.nextInt(FILES.length);
    } else if (k < 97) {
      note(step, "clean remount");
      remounts++;
      closeAll();
      fx.closeAndReopen();
      return rnd.nextInt(FILES.length);
    } else {
      note(step, "sync");
      fx.core.sync(Duration.ofSeconds(60));
      return rnd.nextInt(FILES.length);
    }
  }

  /** Sometimes leaves half a frame at the journal's end, as a crash during an append would. */
  private String tornTail() throws IOException {
    if (rnd.nextInt(3) != 0) {
      return "";
    }
    byte[] junk = new byte[1 + rnd.nextInt(40)];
    rnd.nextBytes(junk);
    junk[0] = 0; // a length prefix starting 00: looks like the start of a frame
    try (FileChannel ch = FileChannel.open(fx.cacheDir.resolve("journal"),
        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ch.write(ByteBuffer.wrap(junk));
    }
    return " (torn tail of " + junk.length + " bytes)";
  }

  private void closeAll() throws FsException {
    for (Handle h : handles) {
      fx.core.flush(h.fh);
      fx.core.release(h.fh);
      committed[h.file] = now[h.file];
    }
    handles.clear();
  }

  private Handle open(int step, int f) throws FsException {
    int acc = rnd.nextInt(3); // O_RDONLY, O_WRONLY, O_RDWR
    boolean append = acc != 0 && rnd.nextInt(4) == 0;
    boolean trunc = rnd.nextInt(12) == 0 && acc != 0;
    int flags = acc | (append ? MountCore.O_APPEND : 0) | (trunc ? MountCore.O_TRUNC : 0);
    long fh = fx.core.open(FILES[f], flags);
    Handle h = new Handle(fh, f, acc != 1, acc != 0, append);
    note(step, "open " + FILES[f] + " fh" + fh + " acc " + acc + (append ? " append" : "")
        + (trunc ? " trunc" : ""));
    if (trunc) {
      now[f] = new byte[0];
    }
    handles.add(h);
    return h;
  }

  private Handle writable() throws FsException {
    List<Handle> w = handles.stream().filter(Handle::writable).toList();
    if (w.isEmpty() || rnd.nextInt(10) == 0) {
      int f = rnd.nextInt(FILES.length);
      boolean append = rnd.nextInt(5) == 0;
      long fh = fx.core.open(FILES[f], MountCore.O_RDWR | (append ? MountCore.O_APPEND : 0));
      Handle h = new Handle(fh, f, true, true, append);
      note(-1, "open " + FILES[f] + " fh" + fh + " rdwr" + (append ? " append" : ""));
      handles.add(h);
      return h;
    }
    return w.get(rnd.nextInt(w.size()));
  }

  private Handle readable() throws FsException {
    List<Handle> r = handles.stream().filter(Handle::readable).toList();
    if (r.isEmpty()) {
      int f = rnd.nextInt(FILES.length);
      long fh = fx.core.open(FILES[f], 0);
      Handle h = new Handle(fh, f, true, false, false);
      note(-1, "open " + FILES[f] + " fh" + fh + " rdonly");
      handles.add(h);
      return h;
    }
    return r.get(rnd.nextInt(r.size()));
  }

  private Handle any() throws FsException {
    return handles.isEmpty() ? writable() : handles.get(rnd.nextInt(handles.size()));
  }

  /** Offsets that find edges: pages, chunks, the end of the file, holes past it. */
  private long offset(long size) {
    long o = switch (rnd.nextInt(7)) {
      case 0 -> rnd.nextInt(3 * PAGE);
      case 1 -> (long) rnd.nextInt(40) * PAGE + rnd.nextInt(9) - 4;
      case 2 -> size + rnd.nextInt(9) - 4;
      case 3 -> size + rnd.nextInt(3 * PAGE);
      case 4 -> (long) (rnd.nextInt(4) + 1) * chunk + rnd.nextInt(2 * PAGE + 1) - PAGE;
      case 5 -> size - rnd.nextInt(2 * PAGE + 1);
      default -> (long) (rnd.nextDouble() * maxOffset);
    };
    return Math.max(0, Math.min(maxOffset, o));
  }

  private int length() {
    return switch (rnd.nextInt(6)) {
      case 0 -> rnd.nextInt(17);
      case 1 -> PAGE + rnd.nextInt(9) - 4;
      case 2 -> 2 * PAGE + rnd.nextInt(9) - 4;
      case 3 -> rnd.nextInt(5 * chunk / 2) + 1;
      default -> rnd.nextInt(6000) + 1;
    };
  }

  private static byte[] written(byte[] old, long at, byte[] data) {
    byte[] out = Arrays.copyOf(old, (int) Math.max(old.length, at + data.length));
    System.arraycopy(data, 0, out, (int) at, data.length);
    return out;
  }

  /** The file's size and every byte, through a handle of its own (released, not flushed). */
  private void check(int f) throws FsException {
    check(fx, FILES[f], now[f]);
  }

  /** Checks each file against what {@link #run} returned. */
  static void checkAgainst(CoreFixture fx, byte[][] expect) throws FsException {
    for (int i = 0; i < FILES.length; i++) {
      check(fx, FILES[i], expect[i]);
    }
  }

  private static void check(CoreFixture fx, String path, byte[] expect) throws FsException {
    assertThat(fx.core.getattr(path).size()).as("size of " + path).isEqualTo(expect.length);
    long fh = fx.core.open(path, 0);
    try {
      ByteBuffer b = ByteBuffer.allocate(expect.length + 100);
      long off = 0;
      int n;
      while ((n = fx.core.read(fh, b, off)) > 0) {
        off += n;
      }
      byte[] got = Arrays.copyOf(b.array(), b.position());
      if (!Arrays.equals(got, expect)) {
        int i = Arrays.mismatch(got, expect);
        throw new AssertionError(path + " differs from the model at byte " + i + " (got "
            + got.length + " bytes, model " + expect.length + ")");
      }
    } finally {
      fx.core.release(fh);
    }
  }

  private FileData data(int f) throws FsException {
    return fx.fileData(FILES[f]);
  }

  private void note(int step, String s) {
    trace.append(step).append(": ").append(s).append('\n');
  }
}
