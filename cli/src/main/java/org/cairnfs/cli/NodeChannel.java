package org.cairnfs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
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
import org.cairnfs.fs.gateway.NodeProof;
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

  private final LoopbackHttp http;
  private final boolean keepsXattrs;

  private NodeChannel(LoopbackHttp http, boolean keepsXattrs) {
    this.http = http;
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
    String challenge = NodeProof.challenge();
    try {
      // no token, no cap: whatever listens there must first prove it holds the token
      LoopbackHttp.Answer r = new LoopbackHttp(url.get(), null).send("GET",
          "cli/v1/hello?challenge=" + challenge, Optional.empty(), null, Optional.of(HELLO_WAIT));
      String body = r.text();
      if (r.status() == 200 && body.startsWith("cairn-client-api 1\n")
          && NodeProof.holds(field(body, "proof"), token.get(), challenge, port(url.get()))) {
        return Optional.of(new NodeChannel(new LoopbackHttp(url.get(), token.get()),
            "true".equals(field(body, "xattrs"))));
      }
      err.println("cairn: what listens at " + url.get() + " is not the node of this node"
          + " directory: it could not prove it holds the node's client token (HTTP "
          + r.status() + ": " + firstLine(body) + "; a web.url left by a node that stopped?);"
          + " working in-process");
    } catch (ConnectException e) {
      return Optional.empty(); // not running: a stale address
    } catch (SocketTimeoutException e) {
      err.println("cairn: the node at " + url.get() + " did not answer within "
          + HELLO_WAIT.toSeconds() + " s; working in-process");
    } catch (IOException e) {
      if (!(e.getCause() instanceof ConnectException)) {
        err.println("cairn: the node at " + url.get() + " answered wrongly ("
            + Cli.messageOf(e) + "); working in-process");
      }
    }
    err.flush();
    return Optional.empty();
  }

  /** The port of {@code url}, as dialled (-1 if it names none: no proof can hold then). */
  private static int port(String url) {
    try {
      return java.net.URI.create(url).getPort();
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }

  /** The value of the line {@code name value} of a hello answer, or null. */
  private static String field(String body, String name) {
    for (String line : body.split("\n")) {
      if (line.startsWith(name + " ")) {
        return line.substring(name.length() + 1);
      }
    }
    return null;
  }

  /** The node's gateway address. */
  String base() {
    return http.base();
  }

  private static String q(String v) {
    return URLEncoder.encode(v, StandardCharsets.UTF_8);
  }

  @Override
  public CompletableFuture<List<RemoteEntry>> list(String directoryCap) {
    return call("GET", "cli/v1/list?dir=" + q(directoryCap), null)
        .thenApply(EntryLines::parseEntries);
  }

  @Override
  public CompletableFuture<Optional<RemoteEntry>> lookup(String directoryCap, String name) {
    return call("GET", "cli/v1/lookup?dir=" + q(directoryCap) + "&name=" + q(name), null)
        .thenApply(s -> EntryLines.parseEntries(s).stream().findFirst());
  }

  @Override
  public CompletableFuture<String> createDirectory() {
    return call("POST", "cli/v1/mkdir", null)
        .thenApply(String::strip);
  }

  @Override
  public CompletableFuture<List<EntryChange.Outcome>> applyChanges(String directoryCap,
      List<EntryChange> changes) {
    String lines;
    try {
      lines = EntryLines.changes(changes); // puts and removes only: they always apply
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(e);
    }
    return call("POST", "uri/" + directoryCap + "?t=set-children", EntryLines.MEDIA_TYPE,
        LoopbackHttp.text(lines))
        .thenApply(s -> java.util.Collections.nCopies(changes.size(), EntryChange.Outcome.APPLIED));
  }

  /**
   * Uploads a local file that the node reads in place (no copy through the socket); what the
   * in-process upload of {@link Transfers} does, done warm.
   */
  CompletableFuture<String> uploadInPlace(Path local, long size) {
    return call("POST", "cli/v1/upload?path=" + q(local.toAbsolutePath().toString())
        + "&size=" + size, null).thenApply(String::strip);
  }

  /**
   * Has the node write the whole file {@code cap} into the existing local file {@code local}
   * (the download's temporary file): no copy through the socket, none in this cold JVM.
   */
  CompletableFuture<Void> downloadInPlace(String cap, long size, Path local) {
    return call("POST", "cli/v1/download?cap=" + q(cap) + "&size=" + size + "&path="
        + q(local.toAbsolutePath().toString()), null).thenApply(s -> null);
  }

  @Override
  public CompletableFuture<String> upload(InputStream in) {
    return call("PUT", "cli/v1/upload", null, LoopbackHttp.stream(in)).thenApply(String::strip);
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
    }, LoopbackHttp.CALLS);
  }

  /** The bytes streamed from the node; a failure surfaces from {@code read} as in-process. */
  @Override
  public InputStream open(String fileCap, long offset, long length) {
    String path = "cli/v1/read?cap=" + q(fileCap) + "&offset=" + offset + "&length=" + length;
    return new InputStream() {
      private InputStream body;

      private InputStream body() throws IOException {
        if (body == null) {
          LoopbackHttp.Answer r = http.send("GET", path, Optional.empty(), null,
              Optional.empty());
          if (r.status() != 200) {
            String msg;
            try (InputStream in = r.body()) {
              msg = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
            }
            Throwable t = failure(r.status(), r.failure(), msg);
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

  private CompletableFuture<String> call(String method, String path, LoopbackHttp.Body body) {
    return call(method, path, null, body);
  }

  private CompletableFuture<String> call(String method, String path, String contentType,
      LoopbackHttp.Body body) {
    return CompletableFuture.supplyAsync(() -> {
      LoopbackHttp.Answer r;
      String text;
      try {
        r = http.send(method, path, Optional.ofNullable(contentType), body, Optional.empty());
        text = r.text();
      } catch (IOException e) {
        throw new CompletionException(new IOException("lost the node at " + http.base() + " ("
            + Cli.messageOf(e) + ")", e));
      }
      if (r.status() == 200) {
        return text;
      }
      throw new CompletionException(failure(r.status(), r.failure(), text));
    }, LoopbackHttp.CALLS);
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
