package org.cairnfs.fs.gateway;

import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Instant;
import java.util.Optional;
import org.cairnfs.caps.Cap;
import org.cairnfs.caps.CapFormatException;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.mount.RemoteEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one request on a worker thread: picks the handler by path and method, enforces the
 * public read-only mode, and maps every failure to a response once. Paths:
 * {@code /} (status page), {@code /status}, {@code /metrics}, {@code /uri} (open form, unlinked
 * PUT and mkdir) and {@code /uri/<cap>[/name...]}.
 */
final class RequestRouter {
  private static final Logger log = LoggerFactory.getLogger(RequestRouter.class);

  private final GatewayConfig config;
  private final GridFileSystem files;
  private final NodeStatusSource status;
  private final GatewayMetrics metrics;
  private final PathWalker walker;
  private final FileResponder fileResponder;
  private final DirectoryResponder directories;
  private final WebApi api;
  private final ClientApi clientApi;
  private final TransferLog transfers = new TransferLog();
  /** Whether requests for other sites' names are refused (DNS rebinding): see HostNames. */
  private final boolean checkHost;

  RequestRouter(GatewayConfig config, GridFileSystem files, NodeStatusSource status,
      GatewayMetrics metrics) {
    this.config = config;
    this.files = files;
    this.status = status;
    this.metrics = metrics;
    this.walker = new PathWalker(files);
    this.checkHost = !config.publicReadOnly() && HostNames.isLoopback(config.host());
    MemorySlots mutableSlots = MemorySlots.forMutables(config.slotPace());
    this.directories = new DirectoryResponder(files,
        MemorySlots.forListings(config.slotPace()), config.listingPage());
    this.fileResponder = new FileResponder(files, transfers, mutableSlots);
    this.api = new WebApi(files, walker, transfers, mutableSlots);
    this.clientApi = new ClientApi(files, walker, config.clientToken(), config.publicReadOnly(),
        mutableSlots);
  }

  void serve(Exchange ex) {
    try {
      route(ex);
    } catch (HttpError e) {
      fail(ex, e);
    } catch (ClientGoneException e) {
      log.debug("client of {} {} went away", ex.method(), CapRedaction.redact(ex.request().uri()));
      ex.abort();
    } catch (Exception e) {
      HttpError h = GridFailures.map(e, "serving the request");
      if (h.status().code() == 500) {
        log.warn("gateway request {} {} failed", ex.method(),
            CapRedaction.redact(ex.request().uri()), e);
      }
      fail(ex, h);
    } finally {
      if (ex.body() != null) {
        ex.body().close();
      }
    }
  }

  private void fail(Exchange ex, HttpError e) {
    if (ex.headSent()) {
      ex.abort(); // mid-stream: the client sees the body cut short
    } else {
      ex.respond(Responses.error(e.status(), e.getMessage()));
    }
  }

  private void route(Exchange ex) throws Exception {
    String raw = ex.rawPath();
    HttpMethod m = ex.method();
    if (checkHost && !HostNames.ofThisMachine(ex.header(HttpHeaderNames.HOST))) {
      throw new HttpError(HttpResponseStatus.MISDIRECTED_REQUEST, "this gateway listens on"
          + " loopback and answers requests for this machine only (Host: an IP address or"
          + " localhost), not for another site's name: a page of that site must not reach it");
    }
    if (raw.startsWith(ClientApi.PREFIX)) {
      clientApi.serve(ex); // the local client channel: token-checked, answers its own failures
      return;
    }
    boolean read = m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD);
    if (!read && !m.equals(HttpMethod.PUT) && !m.equals(HttpMethod.POST)
        && !m.equals(HttpMethod.DELETE)) {
      FullHttpResponse r = Responses.error(HttpResponseStatus.METHOD_NOT_ALLOWED,
          m.name() + " is not served here");
      r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD, PUT, POST, DELETE");
      ex.respond(r);
      return;
    }
    if (!read && config.publicReadOnly()) {
      throw HttpError.forbidden("this gateway is public and read-only: it takes no PUT, POST"
          + " or DELETE");
    }
    switch (raw) {
      case "/" -> {
        requireRead(ex);
        ex.respond(Responses.html(HttpResponseStatus.OK,
            StatusPage.html(nodeStatus(), config.publicReadOnly(), Instant.now())));
      }
      case "/status" -> {
        requireRead(ex);
        if ("json".equals(ex.param("t"))) {
          ex.respond(Responses.json(HttpResponseStatus.OK,
              StatusPage.json(nodeStatus(), config.publicReadOnly())));
        } else {
          ex.respond(Responses.html(HttpResponseStatus.OK,
              StatusPage.html(nodeStatus(), config.publicReadOnly(), Instant.now())));
        }
      }
      case "/metrics" -> {
        requireRead(ex);
        if (config.publicReadOnly()) {
          throw HttpError.forbidden("a public read-only gateway does not serve metrics");
        }
        ex.respond(Responses.of(HttpResponseStatus.OK,
            "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
      }
      case "/uri", "/uri/" -> bareUri(ex);
      default -> {
        if (raw.startsWith("/uri/")) {
          capPath(ex, UriPath.parse(raw.substring("/uri/".length())));
        } else {
          throw HttpError.notFound("nothing at " + raw + "; files are at /uri/<cap>");
        }
      }
    }
  }

  /** What the node reports, with this gateway's own transfers added. */
  private NodeStatus nodeStatus() {
    return status.status().withTransfers(transfers.snapshot());
  }

  private static void requireRead(Exchange ex) {
    if (!ex.method().equals(HttpMethod.GET) && !ex.method().equals(HttpMethod.HEAD)) {
      throw new HttpError(HttpResponseStatus.METHOD_NOT_ALLOWED, ex.method().name()
          + " is not served here");
    }
  }

  /** {@code /uri}: the open-a-cap form's target (GET ?uri=), unlinked PUT, unlinked mkdir. */
  private void bareUri(Exchange ex) throws Exception {
    HttpMethod m = ex.method();
    if (m.equals(HttpMethod.PUT)) {
      respond(ex, "true".equals(ex.param("mutable")) ? api.createMutable(ex)
          : api.uploadUnlinked(ex.body()));
    } else if (m.equals(HttpMethod.POST) && "mkdir".equals(ex.param("t"))) {
      respond(ex, api.mkdirUnlinked());
    } else if (m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD)) {
      String cap = ex.param("uri");
      if (cap == null || cap.isBlank()) {
        throw HttpError.badRequest("give a cap: /uri?uri=cairn:... or /uri/cairn:...");
      }
      Cap parsed;
      try {
        parsed = Cap.parse(cap.strip());
      } catch (CapFormatException e) {
        throw HttpError.badRequest("malformed cap: " + e.getMessage());
      }
      refuseWriteCapIfPublic(parsed);
      FullHttpResponse r = Responses.empty(HttpResponseStatus.SEE_OTHER);
      r.headers().set(HttpHeaderNames.LOCATION, "/uri/" + parsed);
      ex.respond(r);
    } else {
      throw HttpError.badRequest(m.name() + " /uri needs t=mkdir (POST) or a body (PUT)");
    }
  }

  private void refuseWriteCapIfPublic(Cap cap) {
    if (config.publicReadOnly() && cap.isWritable()) {
      throw HttpError.forbidden("this gateway is public and read-only: it takes no write caps;"
          + " share the read cap instead");
    }
  }

  private void capPath(Exchange ex, UriPath path) throws Exception {
    refuseWriteCapIfPublic(path.cap());
    HttpMethod m = ex.method();
    String t = ex.param("t");
    boolean replace = !"false".equals(ex.param("replace"));
    if (m.equals(HttpMethod.PUT)) {
      if (t != null) {
        throw HttpError.badRequest("PUT takes no t=" + t);
      }
      // a mutable file's read cap falls to put, refused there by the same requireWritable
      boolean mutableFile = path.names().isEmpty() && path.cap() instanceof MutableWriteCap;
      respond(ex, mutableFile ? api.overwriteMutable(path, ex)
          : api.put(path, ex.body(), replace));
    } else if (m.equals(HttpMethod.DELETE)) {
      respond(ex, api.delete(path));
    } else if (m.equals(HttpMethod.POST)) {
      if ("mkdir".equals(t)) {
        respond(ex, api.mkdir(path));
      } else if ("set-children".equals(t)) {
        clientApi.setChildren(ex, path);
      } else if ("rename".equals(t)) {
        respond(ex, api.rename(path, ex.param("from_name"), ex.param("to_name"), replace));
      } else {
        WebApi.requireWritable(path.cap(), "POST");
        throw HttpError.badRequest("POST needs t=mkdir, t=rename or t=set-children, got t="
            + t);
      }
    } else {
      get(ex, path, t);
    }
  }

  private void get(Exchange ex, UriPath path, String t) throws Exception {
    if (t != null && !t.equals("json")) {
      throw HttpError.badRequest("unknown t=" + t + " (GET takes t=json or nothing)");
    }
    PathWalker.Node node = walker.walk(path);
    if (node.isDirectory()) {
      directories.serve(ex, path, node, "json".equals(t));
      return;
    }
    String name = ex.param("filename") != null ? ex.param("filename") : path.lastName();
    if ("json".equals(t)) {
      Optional<String> writeCap = node.parsed().isWritable() ? Optional.of(node.cap())
          : Optional.empty();
      ex.respond(Responses.json(HttpResponseStatus.OK, DirectoryPages.fileJson(
          node.parsed().readOnly().toString(), writeCap, fileResponder.size(node),
          node.entry().map(RemoteEntry::metadata))));
      return;
    }
    fileResponder.serve(ex, node, name, TransferLog.label(path, name));
  }

  private static void respond(Exchange ex, WebApi.Result r) {
    ex.respond(Responses.text(r.status(), r.body() + "\n"));
  }
}
