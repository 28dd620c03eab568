package org.cairnfs.caps.mutable;

import java.security.SecureRandom;

/** A predictable SecureRandom for golden tests: byte i of the stream is (seed + i) mod 256. */
final class FixedRandom extends SecureRandom {
  private int next;

  FixedRandom(int seed) {
    this.next = seed;
  }

  @Override
  public void nextBytes(byte[] bytes) {
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) next++;
    }
  }
}
