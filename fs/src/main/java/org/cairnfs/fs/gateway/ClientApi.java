package org.cairnfs.fs.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.mount.EntryChange;
import org.cairnfs.fs.mount.FileWrite;
import org.cairnfs.fs.mount.GridException;
import org.cairnfs.fs.mount.RemoteEntry;

/**
 * The node's local client channel ({@code /cli/v1/...}) and the set-children batch: what lets a
 * one-shot {@code cairn} command hand its grid calls to the running node, which is warm (JIT,
 * AES intrinsics), connected to the servers and holds the caches. Spec: docs/specs/webapi.md,
 * "Local client channel".
 *
 * <p>Why a token and not only caps: these calls read local files as the node's user and serve
 * any cap the caller names, so each must carry {@value #TOKEN_HEADER} with the token the node
 * wrote to a file only its user can read. A custom header also keeps browsers' cross-site
 * requests out. {@code hello} alone needs no token: it is where the node proves it holds the
 * token ({@link NodeProof}) before the command sends it. Failures answer with {@value
 * #FAILURE_HEADER} naming the kind, so the command prints and exits as it would in-process.
 */
final class ClientApi {
  static final String PREFIX = "/cli/v1/";
  static final String TOKEN_HEADER = "X-Cairn-Token";
  static final String FAILURE_HEADER = "X-Cairn-Failure";
  static final String HELLO = "cairn-client-api 1";
  /** The largest set-children document taken (about 50 000 entries). */
  static final int MAX_CHANGES_BYTES = 16 << 20;
  private static final int CHUNK = 1 << 16;

  private final GridFileSystem files;
  private final PathWalker walker;
  private final Optional<String> token;
  private final boolean publicReadOnly;
  private final MemorySlots inMemory;

  ClientApi(GridFileSystem files, PathWalker walker, Optional<String> token,
      boolean publicReadOnly, MemorySlots inMemory) {
    this.files = files;
    this.walker = walker;
    this.inMemory = inMemory;
    this.token = token;
    this.publicReadOnly = publicReadOnly;
  }

  /** Serves {@code /cli/v1/<call>}; every failure is answered here, typed. */
  void serve(Exchange ex) {
    try {
      if (publicReadOnly || token.isEmpty()) {
        throw new HttpError(HttpResponseStatus.NOT_FOUND, "this gateway has no local client"
            + " channel" + (publicReadOnly ? " (it is public)" : ""));
      }
      String name = ex.rawPath().substring(PREFIX.length());
      if (name.equals("hello")) {
        hello(ex); // before the token: the command sends it only to a node that proved itself
        return;
      }
      String given = ex.header(TOKEN_HEADER);
      if (given == null || !MessageDigest.isEqual(token.get().getBytes(StandardCharsets.US_ASCII),
          given.getBytes(StandardCharsets.US_ASCII))) {
        throw new HttpError(HttpResponseStatus.UNAUTHORIZED, "the " + TOKEN_HEADER
            + " header does not hold this node's client token");
      }
      call(ex, name, ex.method());
    } catch (Exception e) {
      failed(ex, e);
    }
  }

  private void call(Exchange ex, String name, HttpMethod m) throws Exception {
    switch (name) {
      case "list" -> entries(ex, files.list(param(ex, "dir")).get());
      case "lookup" -> entries(ex, files.lookup(param(ex, "dir"), param(ex, "name")).get()
          .map(List::of).orElse(List.of()));
      case "mkdir" -> text(ex, files.createDirectory().get());
      case "upload" -> {
        if (m.equals(HttpMethod.PUT)) {
          text(ex, files.upload(ex.body() == null ? InputStream.nullInputStream() : ex.body())
              .get());
        } else {
          text(ex, uploadInPlace(ex, Path.of(param(ex, "path")), number(ex, "size")).get());
        }
      }
      case "read" -> read(ex, param(ex, "cap"), number(ex, "offset"), number(ex, "length"));
      case "download" -> {
        if (!m.equals(HttpMethod.POST)) {
          throw HttpError.badRequest("download is a POST");
        }
        text(ex, "wrote " + downloadInPlace(ex, param(ex, "cap"), number(ex, "size"),
            Path.of(param(ex, "path"))));
      }
      default -> throw HttpError.notFound("no client call " + name);
    }
  }

  /** The version, and the proof of holding the token for the command's challenge. */
  private void hello(Exchange ex) {
    String challenge = ex.param("challenge");
    if (!NodeProof.isChallenge(challenge)) {
      throw HttpError.badRequest("hello needs ?challenge= with 64 lowercase hex digits");
    }
    text(ex, HELLO + "\nxattrs " + files.keepsUserXattrs() + "\nproof "
        + NodeProof.of(token.get(), challenge, ex.localPort()));
  }

  /**
   * {@code POST /uri/<dircap>[/path]?t=set-children}: applies a batch of entry changes (entry
   * lines) to that directory in one publish. The cap in the URL is the authority.
   */
  void setChildren(Exchange ex, UriPath path) {
    try {
      PathWalker.Node dir = walker.walk(path);
      if (!dir.isDirectory()) {
        throw HttpError.badRequest("set-children needs a directory; this is a file");
      }
      WebApi.requireWritable(dir.parsed(), "set-children");
      // the batch is held whole (up to 16 MiB, and parsed) until applied: it takes one of the
      // slots that bound such bodies in memory, as a mutable file does
      int applied = inMemory.hold(ex, () -> {
        List<EntryChange> changes;
        try {
          changes = EntryLines.parseChanges(readText(ex));
        } catch (IllegalArgumentException e) {
          throw HttpError.badRequest(e.getMessage());
        }
        files.applyChanges(dir.cap(), changes).get();
        return changes.size();
      });
      text(ex, "ok " + applied);
    } catch (Exception e) {
      failed(ex, e);
    }
  }

  /**
   * Uploads a local file of the node's machine read in place, as the in-process CLI does. A
   * caller that goes away (a {@code cairn put} stopped by Ctrl-C) stops it at its next read.
   */
  private CompletableFuture<String> uploadInPlace(Exchange ex, Path local, long size)
      throws IOException {
    if (!local.isAbsolute()) {
      throw HttpError.badRequest("path must be absolute: " + local);
    }
    if (size == 0) {
      return files.writeFile(new FileWrite(Optional.empty(), 0, 0, List.of(), (o, d) -> {
        throw new EOFException(local + " is empty");
      }));
    }
    FileChannel ch = FileChannel.open(local, StandardOpenOption.READ);
    try {
      FileWrite w = new FileWrite(Optional.empty(), 0, size,
          List.of(new FileWrite.Range(0, size)), (offset, dst) -> {
            stopIfGone(ex, "upload of " + local);
            long at = offset;
            while (dst.hasRemaining()) {
              int n = ch.read(dst, at);
              if (n < 0) {
                throw new EOFException(local + " shrank while it was uploaded (ends at " + at
                    + ", was " + size + " bytes)");
              }
              at += n;
            }
          });
      return files.writeFile(w).whenComplete((cap, e) -> close(ch));
    } catch (RuntimeException e) {
      close(ch);
      throw e;
    }
  }

  private static void stopIfGone(Exchange ex, String what) throws IOException {
    if (ex.clientGone()) {
      throw new IOException("the client closed its connection; " + what + " stopped");
    }
  }

  /**
   * Writes the whole file {@code cap} ({@code size} bytes) into the existing regular file
   * {@code local} of the node's machine, truncating it first: the caller's temporary file, which
   * it renames over its target once this answered. Never creates a file or follows a symlink.
   */
  private long downloadInPlace(Exchange ex, String cap, long size, Path local)
      throws IOException {
    if (!local.isAbsolute()) {
      throw HttpError.badRequest("path must be absolute: " + local);
    }
    try (InputStream in = files.open(cap, 0, size);
        FileChannel out = FileChannel.open(local, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      long written = 0;
      int n;
      while ((n = in.read(buf.array(), 0, buf.capacity())) >= 0) {
        stopIfGone(ex, "download into " + local);
        buf.limit(n).position(0);
        while (buf.hasRemaining()) {
          written += out.write(buf);
        }
        buf.clear();
      }
      if (written != size) {
        throw new EOFException("the file has " + written + " bytes, not " + size);
      }
      return written;
    }
  }

  private void read(Exchange ex, String cap, long offset, long length) throws IOException {
    try (InputStream in = files.open(cap, offset, length)) {
      ByteBuf first = chunk(in);
      HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
      HttpUtil.setTransferEncodingChunked(head, true);
      ex.sendHead(head);
      while (first != null) {
        ex.write(first);
        first = chunk(in);
      }
      ex.finish();
    }
  }

  /** Up to {@link #CHUNK} bytes, or null at the end. */
  private static ByteBuf chunk(InputStream in) throws IOException {
    ByteBuf buf = ByteBufAllocator.DEFAULT.buffer(CHUNK);
    try {
      while (buf.writerIndex() < CHUNK) {
        if (buf.writeBytes(in, CHUNK - buf.writerIndex()) < 0) {
          break;
        }
      }
      if (buf.writerIndex() == 0) {
        buf.release();
        return null;
      }
      return buf;
    } catch (IOException | RuntimeException e) {
      buf.release();
      throw e;
    }
  }

  private static String readText(Exchange ex) throws IOException {
    if (ex.body() == null) {
      return "";
    }
    byte[] b = ex.body().readNBytes(MAX_CHANGES_BYTES + 1);
    if (b.length > MAX_CHANGES_BYTES) {
      throw new HttpError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "a set-children batch"
          + " may hold at most " + MAX_CHANGES_BYTES + " bytes; split it");
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  private static String param(Exchange ex, String name) {
    String v = ex.param(name);
    if (v == null || v.isEmpty()) {
      throw HttpError.badRequest("the call needs ?" + name + "=");
    }
    return v;
  }

  private static long number(Exchange ex, String name) {
    try {
      long n = Long.parseLong(param(ex, name));
      if (n < 0) {
        throw new NumberFormatException("negative");
      }
      return n;
    } catch (NumberFormatException e) {
      throw HttpError.badRequest(name + " must be a number >= 0, got " + ex.param(name));
    }
  }

  private static void text(Exchange ex, String body) {
    ex.respond(Responses.text(HttpResponseStatus.OK, body + "\n"));
  }

  private static void entries(Exchange ex, List<RemoteEntry> entries) {
    ex.respond(Responses.of(HttpResponseStatus.OK, EntryLines.MEDIA_TYPE,
        EntryLines.entries(entries)));
  }

  /**
   * Answers a failure with its kind: a grid failure's {@link GridException.Kind}, {@code io},
   * {@code argument} (a cap of the wrong kind, a bad name) or {@code http} (the call itself was
   * refused); the body is the message alone.
   */
  private static void failed(Exchange ex, Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (ex.headSent()) {
      // mid-stream: the client sees the body cut short (a ClientGoneException comes from a
      // write, so always after the head)
      ex.abort();
      return;
    }
    HttpResponseStatus status;
    String kind;
    if (c instanceof HttpError h) {
      status = h.status();
      kind = "http";
    } else if (c instanceof GridException g) {
      status = HttpResponseStatus.SERVICE_UNAVAILABLE;
      kind = g.kind().name();
    } else if (c instanceof IOException io && io.getCause() instanceof GridException g) {
      status = HttpResponseStatus.SERVICE_UNAVAILABLE;
      kind = g.kind().name();
      c = g;
    } else if (c instanceof IOException) {
      status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
      kind = "io";
    } else if (c instanceof IllegalArgumentException) {
      status = HttpResponseStatus.BAD_REQUEST;
      kind = "argument";
    } else {
      status = HttpResponseStatus.INTERNAL_SERVER_ERROR;
      kind = "other";
    }
    String m = c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
    if (c instanceof java.nio.file.NoSuchFileException n) {
      m = "no such file: " + n.getFile();
    } else if (c instanceof java.nio.file.AccessDeniedException a) {
      m = "permission denied: " + a.getFile();
    }
    FullHttpResponse r = Responses.text(status, m.replace('\n', ' ') + "\n");
    r.headers().set(FAILURE_HEADER, kind);
    ex.respond(r);
  }

  private static void close(FileChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // read-only channel: nothing was lost
    }
  }
}
