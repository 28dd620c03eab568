package org.cairnfs.protocol.server;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslClosedEngineException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Frame;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WireLimits;
import org.cairnfs.protocol.server.RequestOrder.Queued;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's requests from arrival to answer: run on the backend executor in the order
 * {@link RequestOrder} allows (one storage index's requests one at a time in arrival order, up
 * to {@code maxRunningPerConnection} of different indexes at once), answered under their
 * request ids as they finish. A close waiting for the backend's commit gives back its running
 * place as soon as the backend call returns and is answered when the commit completes. A
 * backend failure, thrown or completed later, is answered as an error.
 *
 * <p>Why the answers are bounded here: a request starts only while the socket is writable and
 * after the bytes of its largest possible response ({@link #replyBound}) were taken from the
 * server-wide response budget, so a peer that stops reading holds at most {@code
 * maxRunningPerConnection} responses beyond Netty's write buffer; and reading stops while
 * {@code maxInFlight} requests are unanswered.
 *
 * <p>Event loop only, but for the backend calls it hands to the executor.
 */
final class ConnectionRequests {
  /** Logs as the connection's handler. */
  private static final Logger log = LoggerFactory.getLogger(ServerHandler.class);
  /** Bound on any response other than data: errors, server info, share lists. */
  static final int SMALL_RESPONSE = 8192;

  private final RequestDispatcher dispatcher;
  private final StorageBackend storage;
  private final Executor executor;
  private final PeerBudget responses;
  private final ReadGate gate;
  private final ConnectionMemory memory;
  private final int maxInFlight;
  private final int maxFrameLength;
  private final RequestOrder order;
  private final List<ChannelSubscription> subscriptions = new CopyOnWriteArrayList<>();

  private ChannelHandlerContext ctx;
  private StallClock clock;
  private Caller caller;
  /** Nothing more is answered (the connection is closing or closed). */
  private boolean closed;
  /** The connection has closed (channelInactive ran). */
  private boolean inactive;
  private int inFlight;
  private boolean pumping;
  private MemoryBudget.Wait responseWait;

  ConnectionRequests(RequestDispatcher dispatcher, StorageBackend storage, Executor executor,
      ServerConfig config, PeerBudget responses, ReadGate gate, ConnectionMemory memory) {
    this.dispatcher = dispatcher;
    this.storage = storage;
    this.executor = executor;
    this.responses = responses;
    this.gate = gate;
    this.memory = memory;
    this.maxInFlight = config.maxInFlight;
    this.maxFrameLength = config.maxFrameLength;
    this.order = new RequestOrder(Math.min(config.maxRunningPerConnection, config.maxInFlight));
  }

  /** The connection's channel and stall clock, once the handler is in its pipeline. */
  void attach(ChannelHandlerContext ctx, StallClock clock) {
    this.ctx = ctx;
    this.clock = clock;
  }

  /** Who the requests come from, once TLS proved it. */
  void setCaller(Caller caller) {
    this.caller = caller;
  }

  /** Answers nothing more (the connection is closing). */
  void stopAnswering() {
    closed = true;
  }

  boolean answering() {
    return !closed;
  }

  /** Requests received and not yet answered. */
  int inFlight() {
    return inFlight;
  }

  ChannelFuture sendError(long id, ErrorCode code, String message) {
    return ctx.writeAndFlush(new Frame(id, new Response.Error(code, message)));
  }

  void enqueue(Queued q) {
    if (++inFlight >= maxInFlight) {
      gate.pause(ReadGate.IN_FLIGHT);
    }
    order.add(q);
    pump();
  }

  /** The socket became writable: start what waited for it, and drain subscriptions. */
  void writable() {
    pump();
    subscriptions.forEach(ChannelSubscription::drain);
  }

  /**
   * Starts every waiting request that {@link RequestOrder} lets run, while the socket is
   * writable and the response budget grants the bytes of each one's largest possible answer
   * (a request waiting for that budget holds back the ones after it).
   */
  private void pump() {
    if (pumping) {
      return; // a refusal answered inside the loop below
    }
    pumping = true;
    try {
      Queued next;
      while (!closed && responseWait == null && ctx.channel().isWritable()
          && (next = order.next()) != null) {
        Queued q = next;
        long replyBytes = q.request != null ? replyBound(q.request, maxFrameLength)
            : 4 + SMALL_RESPONSE;
        MemoryBudget.Wait wait = responses.takeOrWait(replyBytes, ctx.executor(), () -> {
          responseWait = null;
          if (closed) {
            responses.release(replyBytes);
          } else {
            start(q, replyBytes);
            pump();
          }
        });
        if (wait != null) {
          responseWait = wait;
          return;
        }
        start(q, replyBytes);
      }
    } finally {
      pumping = false;
    }
  }

  private void start(Queued q, long replyBytes) {
    order.started(q);
    if (q.refusal != null) {
      finish(q, replyBytes, q.refusal);
      return;
    }
    Caller who = caller;
    try {
      executor.execute(() -> {
        CompletableFuture<Response> answer = run(who, q);
        if (!answer.isDone()) {
          // Queued before the answer's own task below, so the event loop sees them in order.
          ctx.executor().execute(() -> returned(q));
        }
        answer.whenComplete((response, failure) -> {
          Response r = failure == null ? response : errorFor(who, q, failure);
          try {
            ctx.executor().execute(() -> finish(q, replyBytes, r));
          } catch (RejectedExecutionException e) {
            released(r); // the event loop is gone, and the connection with it
          }
        });
      });
    } catch (RejectedExecutionException e) {
      // The server is shutting down.
      order.finished(q);
      memory.release(q.frameBytes);
      responses.release(replyBytes);
      ctx.close();
    }
  }

  /** The backend's answer; a refusal thrown at once comes back as a failed future. */
  private CompletableFuture<Response> run(Caller who, Queued q) {
    ChannelSubscription[] made = {null};
    try {
      return dispatcher.dispatch(who, q.request, () -> {
        ChannelSubscription s = new ChannelSubscription(who, ctx.channel(), q.id,
            maxFrameLength, responses);
        subscriptions.add(s);
        made[0] = s;
        return s;
      });
    } catch (RequestException | RuntimeException | Error e) {
      if (made[0] != null) {
        // Refused (a second subscription on this connection, a full introducer): the backend
        // did not take it, so the connection must not keep it either, or every refused
        // SUBSCRIBE would stay on the heap until the connection closes.
        subscriptions.remove(made[0]);
        made[0].discard();
      }
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The error frame for a backend failure, thrown or completed later alike: a
   * {@link RequestException} gives its code and message, anything else is logged and INTERNAL.
   */
  private static Response errorFor(Caller who, Queued q, Throwable failure) {
    Throwable e = failure;
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof RequestException r) {
      return new Response.Error(r.code(), r.getMessage());
    }
    log.warn("{}: backend failed on {}", who, q.request, e);
    return new Response.Error(ErrorCode.INTERNAL, "server error: " + e);
  }

  /** On the event loop: {@code q}'s backend call returned, its answer comes later. */
  private void returned(Queued q) {
    order.returned(q);
    pump();
  }

  /** On the event loop, after the backend answered. */
  private void finish(Queued q, long replyBytes, Response response) {
    order.finished(q);
    memory.release(q.frameBytes);
    if (closed || !ctx.channel().isActive()) {
      released(response);
      responses.release(replyBytes);
      if (inactive && !order.busy()) {
        connectionEnded();
      }
      return;
    }
    clock.responseHanded(replyBytes, System.nanoTime());
    ctx.writeAndFlush(new Frame(q.id, response)).addListener(f -> {
      released(response); // encoded by now: the encoder holds its own reference
      responses.release(replyBytes);
      clock.responseWritten(System.nanoTime());
      // A peer closing TLS while its answer is in flight is a normal end, not a server fault.
      if (!f.isSuccess() && ctx.channel().isActive()
          && !(f.cause() instanceof SslClosedEngineException)) {
        log.warn("{}: could not send response to {}: {}", caller, q.what(),
            f.cause().toString());
        sendError(q.id, ErrorCode.INTERNAL, "response could not be sent: "
            + f.cause().getMessage());
      }
      answered();
    });
    pump();
  }

  /** Gives back the pooled buffer an answer owns (a read's data), once it is sent or dropped. */
  private static void released(Response response) {
    if (response instanceof Response.Data d) {
      d.release();
    }
  }

  private void answered() {
    if (--inFlight < maxInFlight) {
      gate.resume(ReadGate.IN_FLIGHT);
    }
  }

  /** The most bytes (frame plus prefix) the answer to {@code request} can take. */
  static long replyBound(Request request, int maxFrameLength) {
    long data = 0;
    if (request instanceof Request.ReadRange r) {
      data = r.length();
    } else if (request instanceof Request.ReadSlot r) {
      data = Math.min(WireLimits.MAX_CHUNK,
          (long) r.length() * (r.shares().isEmpty() ? 256 : r.shares().size()));
    }
    return 4 + Math.min(maxFrameLength, data + SMALL_RESPONSE);
  }

  /**
   * The connection closed: answers nothing more, gives back what waiting requests hold and
   * drops them. Returns whether a request was still running; if not, the caller ends the
   * connection ({@link #connectionEnded}) now, otherwise the last one to finish does.
   */
  boolean connectionInactive() {
    boolean wasRunning = order.busy();
    closed = true;
    inactive = true;
    memory.closed(order.runningBytes());
    if (responseWait != null) {
      responseWait.cancel();
      responseWait = null;
    }
    order.dropWaiting();
    return wasRunning;
  }

  /** Tells the backend, once nothing of this connection runs any more. */
  void connectionEnded() {
    Caller who = caller;
    if (who == null || storage == null) {
      return;
    }
    try {
      executor.execute(() -> {
        try {
          storage.connectionClosed(who);
        } catch (RuntimeException e) {
          log.warn("{}: backend failed on connection close", who, e);
        }
      });
    } catch (RejectedExecutionException e) {
      log.debug("{}: server shutting down; connection close not passed on", who);
    }
  }
}
