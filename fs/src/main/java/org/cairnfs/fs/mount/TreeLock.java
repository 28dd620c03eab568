package org.cairnfs.fs.mount;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The tree's read-write lock, which also ends a thread's {@link OperationPins pin} when the
 * thread lets go of it entirely.
 */
final class TreeLock extends ReentrantReadWriteLock {
  private final OperationPins pins;
  private final ReadLock read;
  private final WriteLock write;

  TreeLock(OperationPins pins) {
    this.pins = pins;
    this.read = new ReadLock(this) {
      @Override
      public void unlock() {
        super.unlock();
        releasedOne();
      }
    };
    this.write = new WriteLock(this) {
      @Override
      public void unlock() {
        super.unlock();
        releasedOne();
      }
    };
  }

  @Override
  public ReadLock readLock() {
    return read;
  }

  @Override
  public WriteLock writeLock() {
    return write;
  }

  private void releasedOne() {
    if (pins.armed() && getReadHoldCount() == 0 && !isWriteLockedByCurrentThread()) {
      pins.released();
    }
  }
}
