package org.cairnfs.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Plain-HTTP requests to the node on loopback, with {@link HttpURLConnection}. Not
 * {@code java.net.http.HttpClient}: building one sets up TLS (the default SSL context and the CA
 * certificates) even for {@code http:} URLs, which was a third of a warm {@code cairn ls}
 * (docs/startup.md). Keep-alive connections are reused by the JDK's cache.
 */
final class LoopbackHttp {
  static {
    // the JDK keeps 5 idle connections per address by default; cp -r runs 32 calls at once
    if (System.getProperty("http.maxConnections") == null) {
      System.setProperty("http.maxConnections", "32");
    }
  }

  /** Where blocking calls run for the asynchronous API: daemon threads, made as needed. */
  static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "cairn-node-call");
    t.setDaemon(true);
    return t;
  });

  /** An answer: its status, the typed failure header, and its body (to be closed). */
  record Answer(int status, Optional<String> failure, InputStream body) {
    String text() throws IOException {
      try (InputStream in = body) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
  }

  /** What a request sends: nothing, or a stream written out in chunks. */
  interface Body {
    void writeTo(OutputStream out) throws IOException;

    /** Its length when known in advance, else -1 (sent in chunks). */
    default long length() {
      return -1;
    }
  }

  private final String base;
  private final String token;

  /** With {@code token} null, requests carry none (the hello, before the node proved itself). */
  LoopbackHttp(String base, String token) {
    this.base = base;
    this.token = token;
  }

  String base() {
    return base;
  }

  /**
   * Sends one request and returns once the answer's head is in. {@code timeout} bounds connect
   * and each read (empty: none, for long transfers).
   */
  Answer send(String method, String path, Optional<String> contentType, Body body,
      Optional<Duration> timeout) throws IOException {
    HttpURLConnection c = (HttpURLConnection) new URL(base + path).openConnection();
    c.setRequestMethod(method);
    c.setInstanceFollowRedirects(false); // the node answers itself: a redirect is someone else
    if (token != null) {
      c.setRequestProperty("X-Cairn-Token", token);
    }
    contentType.ifPresent(t -> c.setRequestProperty("Content-Type", t));
    c.setUseCaches(false);
    timeout.ifPresent(t -> {
      c.setConnectTimeout((int) t.toMillis());
      c.setReadTimeout((int) t.toMillis());
    });
    if (body != null) {
      c.setDoOutput(true);
      if (body.length() >= 0) {
        c.setFixedLengthStreamingMode(body.length());
      } else {
        c.setChunkedStreamingMode(64 * 1024);
      }
      try (OutputStream out = c.getOutputStream()) {
        body.writeTo(out);
      }
    } else if (method.equals("POST") || method.equals("PUT")) {
      c.setDoOutput(true);
      c.setFixedLengthStreamingMode(0);
      c.getOutputStream().close();
    }
    int status = c.getResponseCode();
    InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
    if (in == null) {
      in = InputStream.nullInputStream();
    }
    return new Answer(status, Optional.ofNullable(c.getHeaderField("X-Cairn-Failure")), in);
  }

  /** A body of text. */
  static Body text(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return new Body() {
      @Override
      public void writeTo(OutputStream out) throws IOException {
        out.write(b);
      }

      @Override
      public long length() {
        return b.length;
      }
    };
  }

  /** A body copied from a stream. */
  static Body stream(InputStream in) {
    return out -> in.transferTo(out);
  }
}
