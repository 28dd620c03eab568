package org.cairnfs.bench.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Random;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.identity.TlsEngine;
import org.junit.jupiter.api.Test;

/** Over a real loopback TLS connection to the sink backend (both engines, a few chunks each). */
class ChunkPumpTest {
  private static final StorageIndex INDEX = StorageIndex.of(new byte[16]);

  private static byte[] chunk() {
    byte[] b = new byte[ChunkPump.CHUNK];
    new Random(5).nextBytes(b);
    return b;
  }

  @Test
  void writesAndCountsEveryAcknowledgedChunk() throws Exception {
    byte[] chunk = chunk();
    for (TlsEngine engine : TlsEngine.values()) {
      if (!engine.isAvailable()) {
        continue;
      }
      try (LoopbackPair pair = LoopbackPair.connect(LoopbackPair.startServer(engine, chunk), engine)) {
        ChunkPump pump = new ChunkPump(pair.client, INDEX, 0, 3);
        pump.run(ChunkPump.Direction.WRITE, 5, chunk, false);
        assertThat(pump.ackedBytes()).as(engine.name()).isEqualTo(5L * ChunkPump.CHUNK);
        assertThat(pair.connectNanos).isPositive();
      }
    }
  }

  @Test
  void readVerificationFailsOnUnexpectedData() throws Exception {
    byte[] chunk = chunk();
    try (LoopbackPair pair = LoopbackPair.connect(LoopbackPair.startServer(TlsEngine.JDK, chunk),
        TlsEngine.JDK)) {
      // The sink serves the unstamped source chunk, so the stamp check must fail.
      ChunkPump pump = new ChunkPump(pair.client, INDEX, 2, 2);
      assertThatThrownBy(() -> pump.run(ChunkPump.Direction.READ, 2, chunk, true))
          .isInstanceOf(IOException.class).hasMessageContaining("read back wrong data");
    }
  }

  @Test
  void rejectsAWindowOutOfRange() {
    assertThatThrownBy(() -> new ChunkPump(null, INDEX, 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
  }
}
