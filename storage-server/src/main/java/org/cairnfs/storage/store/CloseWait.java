package org.cairnfs.storage.store;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Waits for a close's group commit. An interrupt does not abandon the close: the share may be
 * renamed into place and leased whatever the waiter does, so the wait goes on and reports what
 * really happened, and the interrupt is restored after it.
 */
final class CloseWait {
  private CloseWait() {}

  /** See {@link ShareStore#awaitClose}. */
  static void await(CompletableFuture<Void> committed, String what)
      throws StoreException, IOException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          committed.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true; // the close is under way; its outcome is what we report
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof StoreException se) {
            throw se;
          }
          if (cause instanceof IOException io) {
            throw io;
          }
          throw new IOException(what + " failed: " + cause, cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
