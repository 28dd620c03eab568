package org.cairnfs.introducer.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cairnfs.protocol.client.ClientOptions;
import org.cairnfs.protocol.client.ProtocolClient;
import org.cairnfs.protocol.client.RemoteException;
import org.cairnfs.protocol.identity.NodeKey;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.server.Caller;
import org.cairnfs.protocol.server.IntroducerBackend;
import org.cairnfs.protocol.server.ProtocolServer;
import org.cairnfs.protocol.server.RequestException;
import org.cairnfs.protocol.server.ServerConfig;
import org.cairnfs.protocol.server.Subscription;
import org.junit.jupiter.api.Test;

/**
 * A SUBSCRIBE the introducer refuses (a second one on a connection: BAD_REQUEST; a full
 * introducer: BUSY) must leave nothing behind on the connection. The server made the
 * connection's subscription object (and a listener on the channel's close) before the
 * introducer looked at the request, and kept both until the connection closed: one connection
 * sending nothing but refused 13-byte SUBSCRIBEs grew the introducer's heap by a few hundred
 * bytes each, without bound and outside every budget (and each one copied the connection's
 * whole copy-on-write list of them).
 *
 * <p>Real TLS on loopback, the real {@link IntroducerService} behind a pass-through backend that
 * only remembers, weakly, the subscription objects it was handed.
 */
class RefusedSubscribeRetentionTest {
  private static final int REFUSED = 2_000;

  /** Delegates to the real service; keeps a weak reference to every subscription handed in. */
  static final class Watching implements IntroducerBackend {
    final IntroducerService service = IntroducerService.create();
    final List<WeakReference<Subscription>> handed = new ArrayList<>();

    @Override
    public void publish(Caller caller, byte[] signedAnnouncement) throws RequestException {
      service.publish(caller, signedAnnouncement);
    }

    @Override
    public void subscribe(Caller caller, Subscription subscription) throws RequestException {
      synchronized (handed) {
        handed.add(new WeakReference<>(subscription));
      }
      service.subscribe(caller, subscription);
    }
  }

  @Test
  void refusedSubscribesAreNotKeptByTheConnection() throws Exception {
    Watching backend = new Watching();
    NodeKey key = NodeKey.generate();
    try (ProtocolServer server = ProtocolServer.start(ServerConfig.builder(key)
        .host("127.0.0.1").port(0).introducer(backend).build());
        ProtocolClient client = ProtocolClient.connect(
            ClientOptions.builder().connectTimeout(Duration.ofSeconds(5)).build(),
            NodeKey.generate(), "127.0.0.1", server.port(), key.nodeId())
            .get(10, TimeUnit.SECONDS)) {
      client.subscribe(pushes -> { }).get(10, TimeUnit.SECONDS);
      List<CompletableFuture<Response>> refused = new ArrayList<>();
      for (int i = 0; i < REFUSED; i++) {
        refused.add(client.request(new Request.Subscribe()));
      }
      for (CompletableFuture<Response> f : refused) {
        try {
          f.get(30, TimeUnit.SECONDS);
          throw new AssertionError("a second subscribe on one connection was accepted");
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(RemoteException.class);
          assertThat(((RemoteException) e.getCause()).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        }
      }
      assertThat(client.isOpen()).isTrue();
      assertThat(backend.handed).hasSize(REFUSED + 1);

      // The first subscription is live and held; the refused ones must be garbage by now.
      long reachable = REFUSED;
      for (int attempt = 0; attempt < 20 && reachable > 0; attempt++) {
        System.gc();
        Thread.sleep(50);
        synchronized (backend.handed) {
          reachable = backend.handed.subList(1, backend.handed.size()).stream()
              .filter(r -> r.get() != null).count();
        }
      }
      assertThat(reachable)
          .as("refused subscriptions still held by the open connection")
          .isZero();
      assertThat(backend.handed.get(0).get()).isNotNull();
    }
  }
}
