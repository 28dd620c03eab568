package org.cairnfs.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import jnr.ffi.LibraryLoader;

/**
 * A network link with added delay and loss, in user space: two TAP devices whose Ethernet
 * frames this process copies across, each frame held back {@code delay} and dropped with
 * probability {@code loss}, in both directions. It does what {@code tc qdisc ... netem} does,
 * for kernels built without netem (this machine's is one); the test bed uses netem where it
 * exists. Closing the relay closes the devices, which the kernel then deletes.
 */
final class TapRelay implements AutoCloseable {
  /** The libc calls a TAP device needs. */
  public interface LibC {
    int open(String path, int flags);

    int ioctl(int fd, long request, byte[] arg);

    long read(int fd, byte[] buf, long count);

    long write(int fd, byte[] buf, long count);

    int poll(byte[] fds, long nfds, int timeoutMillis);

    int close(int fd);
  }

  private static final int O_RDWR = 2;
  private static final long TUNSETIFF = 0x400454caL;
  private static final short IFF_TAP = 0x0002;
  private static final short IFF_NO_PI = 0x1000;
  private static final short POLLIN = 0x0001;
  private static final int FRAME_MAX = 65_536;
  private static volatile LibC libc;

  private final String nameA;
  private final String nameB;
  private final int fdA;
  private final int fdB;
  private final Duration delay;
  private final double loss;
  private final ScheduledThreadPoolExecutor writer = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "tap-relay-writer");
    t.setDaemon(true);
    return t;
  });
  private final Thread[] readers = new Thread[2];
  private final AtomicLong frames = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;

  private TapRelay(String nameA, String nameB, int fdA, int fdB, Duration delay, double loss,
      long seed) {
    this.nameA = nameA;
    this.nameB = nameB;
    this.fdA = fdA;
    this.fdB = fdB;
    this.delay = delay;
    this.loss = loss;
    readers[0] = reader(fdA, fdB, new Random(seed));
    readers[1] = reader(fdB, fdA, new Random(seed + 1));
  }

  /**
   * Creates TAP devices {@code nameA} and {@code nameB} in this process's network namespace
   * and starts copying frames between them.
   */
  static TapRelay open(String nameA, String nameB, Duration delay, double loss, long seed)
      throws IOException {
    int a = openTap(nameA);
    int b;
    try {
      b = openTap(nameB);
    } catch (IOException e) {
      lib().close(a);
      throw e;
    }
    TapRelay relay = new TapRelay(nameA, nameB, a, b, delay, loss, seed);
    relay.readers[0].start();
    relay.readers[1].start();
    return relay;
  }

  private static LibC lib() {
    if (libc == null) {
      libc = LibraryLoader.create(LibC.class).load("c");
    }
    return libc;
  }

  private static int openTap(String name) throws IOException {
    int fd = lib().open("/dev/net/tun", O_RDWR);
    if (fd < 0) {
      throw new IOException("cannot open /dev/net/tun (is the tun module there, are we root?)");
    }
    byte[] ifreq = new byte[40];
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(n, 0, ifreq, 0, Math.min(n.length, 15));
    ByteBuffer.wrap(ifreq).order(ByteOrder.nativeOrder()).putShort(16, (short) (IFF_TAP | IFF_NO_PI));
    if (lib().ioctl(fd, TUNSETIFF, ifreq) < 0) {
      lib().close(fd);
      throw new IOException("TUNSETIFF " + name + " failed");
    }
    return fd;
  }

  private Thread reader(int from, int to, Random random) {
    Thread t = new Thread(() -> {
      byte[] pollfd = new byte[8];
      ByteBuffer.wrap(pollfd).order(ByteOrder.nativeOrder()).putInt(0, from).putShort(4, POLLIN);
      byte[] buf = new byte[FRAME_MAX];
      while (!closed) {
        if (lib().poll(pollfd, 1, 100) <= 0) {
          continue;
        }
        long n = lib().read(from, buf, buf.length);
        if (n <= 0) {
          continue;
        }
        frames.incrementAndGet();
        if (random.nextDouble() < loss) {
          dropped.incrementAndGet();
          continue;
        }
        byte[] frame = java.util.Arrays.copyOf(buf, (int) n);
        writer.schedule(() -> {
          if (!closed) {
            lib().write(to, frame, frame.length);
          }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
      }
    }, "tap-relay-" + (from == fdA ? nameA : nameB));
    t.setDaemon(true);
    return t;
  }

  /** Frames seen and dropped so far (both directions). */
  long frames() {
    return frames.get();
  }

  long dropped() {
    return dropped.get();
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    for (Thread t : readers) {
      t.join(2000);
    }
    writer.shutdownNow();
    writer.awaitTermination(2, TimeUnit.SECONDS);
    lib().close(fdA);
    lib().close(fdB);
  }
}
