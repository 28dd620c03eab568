package org.cairnfs.protocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cairnfs.caps.StorageIndex;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.StorageClient;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.identity.TlsEngine;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.SampleMessages;
import org.cairnfs.protocol.message.WriteChunk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Over real TLS on loopback, one client connection: closes of different storage indexes
 * overlap in the backend (each waits in the backend until the other has arrived, so a server
 * running them one at a time fails the test rather than slowing it), one index's requests keep
 * their order while another index overtakes them, and no more than the configured number run
 * at once.
 */
class ProtocolServerConcurrencyTest {
  private static final TlsEngine ENGINE = TlsEngine.defaultEngine();
  private static final NodeKey SERVER_KEY = NodeKey.generate();
  private static final long WAIT_S = 10;

  private final EventLoopGroup loops = new NioEventLoopGroup(1);
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private StorageClient connect(StorageBackend backend, int maxRunning) throws Exception {
    ProtocolServer server = ProtocolServer.start(ServerConfig.builder(SERVER_KEY)
        .tlsEngine(ENGINE).storage(backend).backendThreads(8).ioThreads(1)
        .maxRunningPerConnection(maxRunning).build());
    open.add(server);
    ClientOptions options = ClientOptions.builder().tlsEngine(ENGINE)
        .connectTimeout(Duration.ofSeconds(5)).requestTimeout(Duration.ofSeconds(30))
        .eventLoopGroup(loops).build();
    StorageClient client = StorageClient.connect(options, NodeKey.generate(), "127.0.0.1",
        server.port(), SERVER_KEY.nodeId()).get(WAIT_S, TimeUnit.SECONDS);
    open.add(0, client);
    return client;
  }

  private static void upload(StorageClient c, StorageIndex si) throws Exception {
    c.allocate(si, new byte[32], new byte[32], 4, Set.of(0)).get(WAIT_S, TimeUnit.SECONDS);
    c.writeChunk(si, 0, 0, new byte[] {1, 2, 3, 4}).get(WAIT_S, TimeUnit.SECONDS);
  }

  @Test
  void twoClosesOnOneConnectionAreInTheBackendAtOnce() throws Exception {
    CountDownLatch bothIn = new CountDownLatch(2);
    AtomicInteger sawTheOther = new AtomicInteger();
    MemoryStorageBackend memory = new MemoryStorageBackend(1 << 20, 1 << 16);
    StorageBackend backend = new Forwarding(memory) {
      @Override
      public void closeShare(Caller caller, StorageIndex index, int share)
          throws StorageException {
        bothIn.countDown();
        try {
          if (bothIn.await(WAIT_S, TimeUnit.SECONDS)) {
            sawTheOther.incrementAndGet();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        super.closeShare(caller, index, share);
      }
    };
    StorageClient c = connect(backend, 8);
    StorageIndex a = SampleMessages.index(1);
    StorageIndex b = SampleMessages.index(2);
    upload(c, a);
    upload(c, b);
    CompletableFuture<Void> closeA = c.closeShare(a, 0);
    CompletableFuture<Void> closeB = c.closeShare(b, 0);
    CompletableFuture.allOf(closeA, closeB).get(3 * WAIT_S, TimeUnit.SECONDS);
    assertThat(sawTheOther.get()).as("each close was in the backend while the other was")
        .isEqualTo(2);
    assertThat(memory.shareNumbers(null, a)).containsExactly(0);
    assertThat(memory.shareNumbers(null, b)).containsExactly(0);
  }

  @Test
  void oneIndexKeepsItsOrderWhileAnotherOvertakesIt() throws Exception {
    CountDownLatch bClosed = new CountDownLatch(1);
    List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
    StorageIndex a = SampleMessages.index(1);
    StorageIndex b = SampleMessages.index(2);
    MemoryStorageBackend memory = new MemoryStorageBackend(1 << 20, 1 << 16);
    StorageBackend backend = new Forwarding(memory) {
      @Override
      public void writeChunk(Caller caller, WriteChunk w) throws StorageException {
        String name = (w.index().equals(a) ? "a" : "b") + " write " + w.offset();
        if (name.equals("a write 0")) {
          try {
            events.add(bClosed.await(WAIT_S, TimeUnit.SECONDS) ? "a waited for b" : "timeout");
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        super.writeChunk(caller, w);
        events.add(name);
      }

      @Override
      public void closeShare(Caller caller, StorageIndex index, int share)
          throws StorageException {
        super.closeShare(caller, index, share);
        events.add((index.equals(a) ? "a" : "b") + " close");
        if (index.equals(b)) {
          bClosed.countDown();
        }
      }
    };
    StorageClient c = connect(backend, 8);
    c.allocate(a, new byte[32], new byte[32], 4, Set.of(0)).get(WAIT_S, TimeUnit.SECONDS);
    c.allocate(b, new byte[32], new byte[32], 4, Set.of(0)).get(WAIT_S, TimeUnit.SECONDS);
    List<CompletableFuture<Void>> all = List.of(
        c.writeChunk(a, 0, 0, new byte[] {1, 2}),
        c.writeChunk(a, 0, 2, new byte[] {3, 4}),
        c.closeShare(a, 0),
        c.writeChunk(b, 0, 0, new byte[] {5, 6, 7, 8}),
        c.closeShare(b, 0));
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .get(3 * WAIT_S, TimeUnit.SECONDS);
    assertThat(events).containsExactly("b write 0", "b close", "a waited for b", "a write 0",
        "a write 2", "a close");
    assertThat(c.readRange(a, 0, 0, 4).get(WAIT_S, TimeUnit.SECONDS))
        .containsExactly(1, 2, 3, 4);
  }

  @Test
  void noMoreThanTheCapRunAtOnce() throws Exception {
    int cap = 3;
    int requests = 12;
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch capReached = new CountDownLatch(cap);
    MemoryStorageBackend memory = new MemoryStorageBackend(1 << 20, 1 << 16);
    StorageBackend backend = new Forwarding(memory) {
      @Override
      public Set<Integer> shareNumbers(Caller caller, StorageIndex index) {
        most.accumulateAndGet(running.incrementAndGet(), Math::max);
        capReached.countDown();
        try {
          capReached.await(WAIT_S, TimeUnit.SECONDS); // the first ones wait for a full house
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        running.decrementAndGet();
        return super.shareNumbers(caller, index);
      }
    };
    StorageClient c = connect(backend, cap);
    List<CompletableFuture<Set<Integer>>> all = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      all.add(c.shareNumbers(SampleMessages.index(100 + i)));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .get(3 * WAIT_S, TimeUnit.SECONDS);
    assertThat(most.get()).as("the cap was reached and never passed, with 8 backend threads")
        .isEqualTo(cap);
  }

  /** Passes every call to a {@link MemoryStorageBackend}; tests override what they watch. */
  private static class Forwarding implements StorageBackend {
    private final MemoryStorageBackend to;

    Forwarding(MemoryStorageBackend to) {
      this.to = to;
    }

    @Override
    public StorageStatus status(Caller caller) {
      return to.status(caller);
    }

    @Override
    public Set<Integer> shareNumbers(Caller caller, StorageIndex index) {
      return to.shareNumbers(caller, index);
    }

    @Override
    public Response.Allocated allocate(Caller caller, Request.Allocate r)
        throws StorageException {
      return to.allocate(caller, r);
    }

    @Override
    public void writeChunk(Caller caller, WriteChunk w) throws StorageException {
      to.writeChunk(caller, w);
    }

    @Override
    public void closeShare(Caller caller, StorageIndex index, int share)
        throws StorageException {
      to.closeShare(caller, index, share);
    }

    @Override
    public void abortShare(Caller caller, StorageIndex index, int share) {
      to.abortShare(caller, index, share);
    }

    @Override
    public byte[] readRange(Caller caller, Request.ReadRange r) throws StorageException {
      return to.readRange(caller, r);
    }

    @Override
    public List<Response.ShareSize> listShares(Caller caller, StorageIndex index) {
      return to.listShares(caller, index);
    }

    @Override
    public List<Response.SlotShare> readSlot(Caller caller, Request.ReadSlot r) {
      return to.readSlot(caller, r);
    }

    @Override
    public void writeSlotShare(Caller caller, Request.WriteSlotShare w)
        throws StorageException {
      to.writeSlotShare(caller, w);
    }

    @Override
    public void addLease(Caller caller, Request.AddLease r) throws StorageException {
      to.addLease(caller, r);
    }

    @Override
    public void renewLease(Caller caller, Request.RenewLease r) throws StorageException {
      to.renewLease(caller, r);
    }
  }
}
