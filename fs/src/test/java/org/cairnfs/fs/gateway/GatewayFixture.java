package org.cairnfs.fs.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.mount.MemoryGrid;

/** A gateway on loopback over a grid, and a real HTTP client for it. */
final class GatewayFixture implements AutoCloseable {
  final MemoryGrid grid;
  final Gateway gateway;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

  private GatewayFixture(MemoryGrid grid, Gateway gateway) {
    this.grid = grid;
    this.gateway = gateway;
  }

  static GatewayFixture start() throws IOException {
    return start(GatewayConfig.builder().build());
  }

  static GatewayFixture start(GatewayConfig config) throws IOException {
    return start(config, NodeStatusSource.NONE);
  }

  static GatewayFixture start(GatewayConfig config, NodeStatusSource status) throws IOException {
    MemoryGrid grid = MemoryGrid.inMemory();
    return new GatewayFixture(grid, Gateway.start(config, grid, status));
  }

  static GatewayFixture start(GatewayConfig config, MemoryGrid grid, GridFileSystem files)
      throws IOException {
    return new GatewayFixture(grid, Gateway.start(config, files, NodeStatusSource.NONE));
  }

  URI uri(String pathAndQuery) {
    return gateway.url().resolve(pathAndQuery);
  }

  HttpRequest.Builder request(String pathAndQuery) {
    return HttpRequest.newBuilder(uri(pathAndQuery)).timeout(Duration.ofSeconds(20));
  }

  HttpResponse<byte[]> send(HttpRequest r) throws IOException, InterruptedException {
    return http.send(r, HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<byte[]> get(String pathAndQuery, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = request(pathAndQuery).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b.build());
  }

  HttpResponse<String> getText(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(request(pathAndQuery).GET().build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  HttpResponse<String> put(String pathAndQuery, byte[] body)
      throws IOException, InterruptedException {
    return http.send(request(pathAndQuery).PUT(HttpRequest.BodyPublishers.ofByteArray(body))
        .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  HttpResponse<String> post(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(request(pathAndQuery).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  HttpResponse<String> delete(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(request(pathAndQuery).DELETE().build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** A raw socket to the gateway, for what HttpClient will not send. */
  Socket socket() throws IOException {
    Socket s = new Socket(gateway.url().getHost(), gateway.url().getPort());
    s.setSoTimeout(20_000);
    return s;
  }

  /** Sends raw bytes and reads the whole answer until the server closes. */
  String raw(String request) throws IOException {
    try (Socket s = socket()) {
      OutputStream out = s.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }

  /** Writes {@code text} to a raw socket, flushed. */
  static void send(Socket s, String text) throws IOException {
    OutputStream out = s.getOutputStream();
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  /**
   * A response head up to and with its blank line, or what came before the stream ended (or
   * the server's close reset it): callers check that it ends with {@code "\r\n\r\n"}.
   */
  static String readHead(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    while (b.length() < 4 || !b.substring(b.length() - 4).equals("\r\n\r\n")) {
      int c;
      try {
        c = in.read();
      } catch (java.net.SocketException e) {
        break; // reset by the server's close
      }
      if (c < 0) {
        break;
      }
      b.append((char) c);
    }
    return b.toString();
  }

  @Override
  public void close() {
    gateway.close();
  }
}
