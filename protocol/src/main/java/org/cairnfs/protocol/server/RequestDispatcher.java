package org.cairnfs.protocol.server;

import java.util.concurrent.CompletableFuture;
import org.cairnfs.protocol.message.ErrorCode;
import org.cairnfs.protocol.message.Hello;
import org.cairnfs.protocol.message.Request;
import org.cairnfs.protocol.message.Response;
import org.cairnfs.protocol.message.WriteChunk;

/**
 * Maps each request to its backend call and the call's result to a response. Runs off the event
 * loop. Every answer is ready when {@link #dispatch} returns except a close's, which comes when
 * the backend's commit completes ({@link StorageBackend#closeShareAsync}).
 */
final class RequestDispatcher {
  private static final Response.Ok OK = new Response.Ok();
  private final StorageBackend storage;
  private final IntroducerBackend introducer;
  private final int maxFrameLength;
  private final int maxInFlight;

  RequestDispatcher(StorageBackend storage, IntroducerBackend introducer, int maxFrameLength,
      int maxInFlight) {
    this.storage = storage;
    this.introducer = introducer;
    this.maxFrameLength = maxFrameLength;
    this.maxInFlight = maxInFlight;
  }

  int roles() {
    return (storage != null ? Hello.ROLE_STORAGE : 0) | (introducer != null ? Hello.ROLE_INTRODUCER : 0);
  }

  /**
   * The answer to {@code request}, completed unless it is a close still committing; a refusal
   * is thrown or, for a close, may fail the future. {@code subscription} is created lazily,
   * only for Subscribe.
   */
  CompletableFuture<Response> dispatch(Caller caller, Request request,
      java.util.function.Supplier<Subscription> subscription) throws RequestException {
    if (request instanceof Request.CloseShare c) {
      return storage().closeShareAsync(caller, c.index(), c.share()).thenApply(v -> OK);
    }
    return CompletableFuture.completedFuture(answer(caller, request, subscription));
  }

  private Response answer(Caller caller, Request request,
      java.util.function.Supplier<Subscription> subscription) throws RequestException {
    if (request instanceof Request.Ping) {
      return OK;
    }
    if (request instanceof Request.Publish p) {
      intro().publish(caller, p.announcement());
      return OK;
    }
    if (request instanceof Request.Subscribe) {
      intro().subscribe(caller, subscription.get());
      return OK;
    }
    StorageBackend s = storage();
    if (request instanceof Request.GetServerInfo) {
      StorageStatus st = s.status(caller);
      return new Response.ServerInfo(Hello.CURRENT_VERSION, st.softwareVersion(), st.freeSpace(),
          st.maxShareSize(), maxFrameLength, maxInFlight);
    } else if (request instanceof Request.GetShareNumbers g) {
      return new Response.ShareNumbers(s.shareNumbers(caller, g.index()));
    } else if (request instanceof Request.Allocate a) {
      return s.allocate(caller, a);
    } else if (request instanceof WriteChunk w) {
      s.writeChunk(caller, w);
      return OK;
    } else if (request instanceof Request.AbortShare a) {
      s.abortShare(caller, a.index(), a.share());
      return OK;
    } else if (request instanceof Request.ReadRange r) {
      Response.Data data = s.readRangeData(caller, r);
      if (data.length() > r.length()) {
        data.release();
        throw new IllegalStateException("backend returned " + data.length()
            + " bytes for a read of " + r.length());
      }
      return data;
    } else if (request instanceof Request.ListShares l) {
      return new Response.ShareList(s.listShares(caller, l.index()));
    } else if (request instanceof Request.ReadSlot r) {
      return new Response.SlotData(s.readSlot(caller, r));
    } else if (request instanceof Request.WriteSlotShare w) {
      s.writeSlotShare(caller, w);
      return OK;
    } else if (request instanceof Request.AddLease a) {
      s.addLease(caller, a);
      return OK;
    } else if (request instanceof Request.RenewLease r) {
      s.renewLease(caller, r);
      return OK;
    }
    throw new RequestException(ErrorCode.UNSUPPORTED, "unsupported request " + request.type());
  }

  private StorageBackend storage() throws RequestException {
    if (storage == null) {
      throw new RequestException(ErrorCode.UNSUPPORTED, "this node is not a storage server");
    }
    return storage;
  }

  private IntroducerBackend intro() throws RequestException {
    if (introducer == null) {
      throw new RequestException(ErrorCode.UNSUPPORTED, "this node is not an introducer");
    }
    return introducer;
  }
}
