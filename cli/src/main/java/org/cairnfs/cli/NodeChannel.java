package org.cairnfs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.gateway.EntryLines;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.FileWrite;
import org.cairnfs.fs.mount.GridException;
import org.cairnfs.fs.mount.GridSpace;
import org.cairnfs.fs.mount.RemoteEntry;

/**
 * The grid as the running node of this node directory serves it over its local client channel
 * (docs/specs/webapi.md, "Local client channel"): each call is one HTTP request to the node's
 * gateway on loopback, carrying the token from {@link ClientToken}. The node does the work warm,
 * on its open connections and with its caches; bytes stream both ways in bounded memory.
 *
 * <p>Failures come back typed ({@code X-Cairn-Failure}) and are rethrown as the exceptions the
 * in-process client would throw, so a command prints the same message and exits the same way.
 */
final class NodeChannel implements GridFileSystem {
  private static final Duration HELLO_WAIT = Duration.ofSeconds(5);

  private final HttpClient http;
  private final String base;
  private final String token;
  private final boolean keepsXattrs;

  private NodeChannel(HttpClient http, String base, String token, boolean keepsXattrs) {
    this.http = http;
    this.base = base;
    this.token = token;
    this.keepsXattrs = keepsXattrs;
  }

  /**
   * The channel to the node of {@code nodeDir} when it runs and answers as this node; empty
   * when it does not run (no address or token, or nothing listens). A node that answers wrongly
   * gets one line on {@code err}, and the command goes on in-process.
   */
  static Optional<NodeChannel> connect(Path nodeDir, PrintWriter err) {
    Optional<String> url = WebAddress.read(nodeDir);
    Optional<String> token = ClientToken.read(nodeDir);
    if (url.isEmpty() || token.isEmpty()) {
      return Optional.empty();
    }
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(HELLO_WAIT).build();
    NodeChannel c = new NodeChannel(http, url.get(), token.get(), false);
    try {
      HttpResponse<String> r = http.send(c.request("cli/v1/hello").timeout(HELLO_WAIT).GET()
          .build(), HttpResponse.BodyHandlers.ofString());
      String body = r.body();
      if (r.statusCode() == 200 && body.startsWith("cairn-client-api 1\n")) {
        return Optional.of(new NodeChannel(http, url.get(), token.get(),
            body.contains("\nxattrs true")));
      }
      err.println("cairn: the node at " + url.get() + " did not take this node directory's"
          + " client token (HTTP " + r.statusCode() + ": " + firstLine(body) + "); working"
          + " in-process");
    } catch (ConnectException e) {
      return Optional.empty(); // not running: a stale address
    } catch (HttpTimeoutException e) {
      err.println("cairn: the node at " + url.get() + " did not answer within "
          + HELLO_WAIT.toSeconds() + " s; working in-process");
    } catch (IOException e) {
      if (!(e.getCause() instanceof ConnectException)) {
        err.println("cairn: the node at " + url.get() + " answered wrongly ("
            + Cli.messageOf(e) + "); working in-process");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    err.flush();
    return Optional.empty();
  }

  /** The node's gateway address. */
  String base() {
    return base;
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path)).header("X-Cairn-Token", token);
  }

  private static String q(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }

  @Override
  public CompletableFuture<List<RemoteEntry>> list(String directoryCap) {
    return call(request("cli/v1/list?dir=" + q(directoryCap)).GET())
        .thenApply(EntryLines::parseEntries);
  }

  @Override
  public CompletableFuture<Optional<RemoteEntry>> lookup(String directoryCap, String name) {
    return call(request("cli/v1/lookup?dir=" + q(directoryCap) + "&name=" + q(name)).GET())
        .thenApply(s -> EntryLines.parseEntries(s).stream().findFirst());
  }

  @Override
  public CompletableFuture<String> createDirectory() {
    return call(request("cli/v1/mkdir").POST(HttpRequest.BodyPublishers.noBody()))
        .thenApply(String::strip);
  }

  @Override
  public CompletableFuture<Void> applyChanges(String directoryCap, List<EntryChange> changes) {
    return call(request("uri/" + directoryCap + "?t=set-children")
        .header("Content-Type", EntryLines.MEDIA_TYPE)
        .POST(HttpRequest.BodyPublishers.ofString(EntryLines.changes(changes))))
        .thenApply(s -> null);
  }

  /**
   * Uploads a local file that the node reads in place (no copy through the socket); what the
   * in-process upload of {@link Transfers} does, done warm.
   */
  CompletableFuture<String> uploadInPlace(Path local, long size) {
    return call(request("cli/v1/upload?path=" + q(local.toAbsolutePath().toString())
        + "&size=" + size).POST(HttpRequest.BodyPublishers.noBody())).thenApply(String::strip);
  }

  @Override
  public CompletableFuture<String> upload(InputStream in) {
    return call(request("cli/v1/upload").PUT(HttpRequest.BodyPublishers.ofInputStream(() -> in)))
        .thenApply(String::strip);
  }

  /** A new file streamed to the node in order (edits of an existing file stay in-process). */
  @Override
  public CompletableFuture<String> writeFile(FileWrite w) {
    if (w.base().isPresent() || (!w.dirty().isEmpty()
        && (w.dirty().size() != 1 || w.dirty().get(0).length() != w.size()))) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException(
          "the node channel stores new whole files only"));
    }
    InputStream in = new InputStream() {
      private long at;

      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (at >= w.size()) {
          return -1;
        }
        int n = (int) Math.min(len, w.size() - at);
        w.source().read(at, ByteBuffer.wrap(b, off, n));
        at += n;
        return n;
      }
    };
    return upload(in);
  }

  @Override
  public CompletableFuture<byte[]> read(String fileCap, long offset, int length) {
    return CompletableFuture.supplyAsync(() -> {
      try (InputStream in = open(fileCap, offset, length)) {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new CompletionException(e.getCause() instanceof GridException g ? g : e);
      }
    });
  }

  /** The bytes streamed from the node; a failure surfaces from {@code read} as in-process. */
  @Override
  public InputStream open(String fileCap, long offset, long length) {
    HttpRequest req = request("cli/v1/read?cap=" + q(fileCap) + "&offset=" + offset
        + "&length=" + length).GET().build();
    return new InputStream() {
      private InputStream body;

      private InputStream body() throws IOException {
        if (body == null) {
          HttpResponse<InputStream> r;
          try {
            r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted");
          }
          if (r.statusCode() != 200) {
            String msg;
            try (InputStream in = r.body()) {
              msg = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            }
            Throwable t = failure(r.statusCode(), r.headers().firstValue("X-Cairn-Failure"), msg);
            throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
          }
          body = r.body();
        }
        return body;
      }

      @Override
      public int read() throws IOException {
        return body().read();
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return body().read(b, off, len);
      }

      @Override
      public void close() throws IOException {
        if (body != null) {
          body.close();
        }
      }
    };
  }

  @Override
  public CompletableFuture<GridSpace> space() {
    return CompletableFuture.failedFuture(new UnsupportedOperationException(
        "space is not served over the node channel"));
  }

  @Override
  public boolean keepsUserXattrs() {
    return keepsXattrs;
  }

  private CompletableFuture<String> call(HttpRequest.Builder b) {
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
        .handle((r, e) -> {
          if (e != null) {
            Throwable c = e instanceof CompletionException && e.getCause() != null
                ? e.getCause() : e;
            throw new CompletionException(new IOException("lost the node at " + base + " ("
                + Cli.messageOf(c) + ")", c));
          }
          if (r.statusCode() == 200) {
            return r.body();
          }
          throw new CompletionException(failure(r.statusCode(),
              r.headers().firstValue("X-Cairn-Failure"), r.body()));
        });
  }

  /** The exception the in-process client would have thrown for this answer. */
  static Throwable failure(int status, Optional<String> kind, String body) {
    String m = body.strip();
    String k = kind.orElse("http");
    for (GridException.Kind g : GridException.Kind.values()) {
      if (g.name().equals(k)) {
        return new GridException(g, m);
      }
    }
    return switch (k) {
      case "io" -> new IOException(m);
      case "argument" -> new IllegalArgumentException(m);
      case "other" -> new IllegalStateException(m);
      default -> new IOException("the node refused the call (HTTP " + status + "): "
          + firstLine(m));
    };
  }

  private static String firstLine(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl);
  }
}
