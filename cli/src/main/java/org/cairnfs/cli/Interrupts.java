package org.cairnfs.cli;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Makes Ctrl-C (SIGINT) stop a long-running command cleanly even when it was started in the
 * background of a script. A shell without job control starts background commands with SIGINT
 * ignored, and the JVM then leaves it ignored: {@code kill -INT} would do nothing, and a mount
 * would never unmount. When SIGINT is ignored, this sets it back to the default and installs
 * the JVM's usual handler (exit 130 through the shutdown hooks); otherwise it changes nothing.
 */
final class Interrupts {
  private static final Logger log = LoggerFactory.getLogger(Interrupts.class);
  private static final int SIGINT = 2;
  private static final long SIG_IGN = 1;

  /** The two libc calls needed. */
  public interface LibC {
    int sigaction(int signum, Pointer act, Pointer oldact);

    long signal(int signum, long handler);
  }

  private Interrupts() {}

  /** Lets SIGINT run the shutdown hooks, as in a terminal. Best effort: logs and goes on. */
  static void restore() {
    try {
      LibC libc = LibraryLoader.create(LibC.class).load("c");
      Pointer old = Memory.allocateDirect(Runtime.getRuntime(libc), 256); // > sizeof(sigaction)
      if (libc.sigaction(SIGINT, null, old) != 0) {
        return;
      }
      if (old.getLong(0) != SIG_IGN) {
        return; // a handler or the default: the JVM's own handling stands
      }
      libc.signal(SIGINT, 0); // SIG_DFL, so the JVM agrees to handle it
      Signal.handle(new Signal("INT"), s -> System.exit(128 + SIGINT));
      log.debug("SIGINT was ignored (started in the background); it stops the command again");
    } catch (Throwable e) {
      log.debug("could not restore SIGINT: {}", e.toString());
    }
  }

  /**
   * Waits until {@code stopped} opens (the shutdown hook ran {@code stop}). When this thread is
   * interrupted instead (an embedding program stops the command), runs {@code stop} here, takes
   * the hook back so it does not run twice, and leaves the interrupt flag set.
   */
  static void awaitOrStop(java.util.concurrent.CountDownLatch stopped, Thread hook,
      Runnable stop) {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      try {
        java.lang.Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
      stop.run();
      Thread.currentThread().interrupt();
    }
  }
}
