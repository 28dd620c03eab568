package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.cairnfs.fs.gateway.Gateway;
import org.cairnfs.fs.gateway.GatewayConfig;
import org.cairnfs.fs.gateway.NodeStatusSource;
import org.cairnfs.fs.mount.GridException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The routing seam: with the node's gateway answering on its client channel, verbs run through
 * it (the in-process opener is never called) and print and exit exactly as in-process; with a
 * stale address they work in-process silently; with a wrong token they say so and go on.
 * The node is a real gateway on loopback over a grid in memory.
 */
class NodeChannelVerbsTest {
  @TempDir
  Path dir;

  VerbFixture f;
  Gateway gateway;
  final AtomicInteger inProcessOpens = new AtomicInteger();
  String out;
  String err;
  byte[] stdout;

  @BeforeEach
  void start() throws Exception {
    f = new VerbFixture(dir);
    String token = ClientToken.create(f.node);
    gateway = Gateway.start(GatewayConfig.builder().clientToken(token).build(), f.grid,
        NodeStatusSource.NONE);
    WebAddress.write(f.node, gateway.url().toString());
    assertThat(f.run("create-alias", "home")).isZero();
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  /** Runs a verb with the real routing seam; in-process means the fixture's grid directly. */
  int warm(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    PrintWriter errWriter = new PrintWriter(e, true);
    GridOpener inProcess = nodeDir -> {
      inProcessOpens.incrementAndGet();
      return VerbFixture.session(f.grid);
    };
    CommandLine cl = Cli.commandLine(new CairnCommand(GridOpener.nodeFirst(inProcess, errWriter),
        new VerbIo(new ByteArrayInputStream("from stdin".getBytes()), data, false)));
    cl.setOut(new PrintWriter(o, true));
    cl.setErr(errWriter);
    String[] all = new String[args.length + 2];
    all[0] = args[0];
    all[1] = "--node";
    all[2] = f.node.toString();
    System.arraycopy(args, 1, all, 3, args.length - 1);
    int rc = cl.execute(all);
    out = o.toString();
    err = e.toString();
    stdout = data.toByteArray();
    return rc;
  }

  /** Runs the verb both ways and asserts the same exit code, stdout and stderr. */
  void same(String... args) {
    int cold = f.run(args);
    int hot = warm(args);
    assertThat(hot).as("exit of %s", String.join(" ", args)).isEqualTo(cold);
    assertThat(out).as("stdout of %s", String.join(" ", args)).isEqualTo(f.out());
    assertThat(err).as("stderr of %s", String.join(" ", args)).isEqualTo(f.err());
  }

  private Path local(String name, int size, int seed) throws Exception {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return Files.write(dir.resolve(name), b);
  }

  @Test
  void verbsGoThroughTheNodeAndPrintWhatInProcessPrints() throws Exception {
    Path big = local("big", 700_000, 1);
    assertThat(warm("put", big.toString(), "home:big")).isZero();
    String cap = out.strip();
    assertThat(f.grid.content(cap)).isEqualTo(Files.readAllBytes(big));
    assertThat(warm("get", "home:big", "-")).isZero();
    assertThat(stdout).isEqualTo(Files.readAllBytes(big));
    Path got = dir.resolve("got");
    assertThat(warm("get", "home:big", got.toString())).isZero();
    assertThat(Files.readAllBytes(got)).isEqualTo(Files.readAllBytes(big));
    assertThat(warm("put", "-", "home:in")).isZero();
    assertThat(f.grid.content(out.strip())).isEqualTo("from stdin".getBytes());
    assertThat(warm("mkdir", "home:d")).isZero();
    Path tree = Files.createDirectories(dir.resolve("tree"));
    for (int i = 0; i < 40; i++) {
      local("tree/f" + i, 4096, 100 + i);
    }
    Files.createDirectories(tree.resolve("sub"));
    local("tree/sub/deep", 10, 7);
    Files.createSymbolicLink(tree.resolve("link"), Path.of("f1"));
    int publishes = f.grid.publishCount();
    assertThat(warm("cp", "-r", tree.toString(), "home:d/tree")).isZero();
    assertThat(f.grid.publishCount() - publishes)
        .as("one publish per new directory and one to link the tree").isEqualTo(3);
    assertThat(warm("mv", "home:big", "home:d/big")).isZero();
    assertThat(warm("ln", "home:d/big", "home:big2")).isZero();
    assertThat(warm("rm", "home:big2")).isZero();
    Path back = dir.resolve("back");
    assertThat(warm("cp", "-r", "home:d/tree", back.toString())).isZero();
    for (int i = 0; i < 40; i++) {
      assertThat(Files.readAllBytes(back.resolve("f" + i)))
          .isEqualTo(Files.readAllBytes(tree.resolve("f" + i)));
    }
    assertThat(Files.readSymbolicLink(back.resolve("link"))).isEqualTo(Path.of("f1"));
    assertThat(inProcessOpens).as("no verb opened the grid in-process").hasValue(0);

    same("ls", "home:");
    same("ls", "-l", "home:d");
    same("ls", "--json", "home:d/tree");
    same("ls", "-l", "home:d/big");
    same("share", "home:d/tree");
    same("share", "--verify", "home:d/big");
    same("get", "home:nope", "-");
    same("mkdir", "home:d");
    same("rm", "home:d");
    same("ls", "home:d/big/x");
    same("mv", "home:d", "home:d/tree/x");
    same("put", dir.resolve("absent").toString(), "home:x");
    same("cp", tree.toString(), "home:t2");
    assertThat(f.run("ls", "home:")).isZero();
    assertThat(f.out()).isEqualTo("d\nin\n");
  }

  @Test
  void gridFailuresPrintAndExitAsInProcess() throws Exception {
    Path a = local("a", 10, 2);
    f.grid.failWith(GridException.Kind.NOT_HAPPY);
    same("put", a.toString(), "home:a");
    assertThat(err).contains("not enough servers took shares");
    same("mkdir", "home:x");
    f.grid.heal();
    assertThat(f.grid.entries(Aliases.load(f.node).get("home").orElseThrow())).isEmpty();
  }

  @Test
  void aStaleAddressWorksInProcessSilently() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    WebAddress.write(f.node, "http://127.0.0.1:" + port + "/");
    assertThat(warm("mkdir", "home:d")).isZero();
    assertThat(err).isEmpty();
    assertThat(inProcessOpens).hasValue(1);
    WebAddress.remove(f.node);
    assertThat(warm("ls", "home:")).isZero();
    assertThat(out).isEqualTo("d\n");
    assertThat(inProcessOpens).hasValue(2);
  }

  @Test
  void aWrongTokenIsSaidAndTheVerbWorksInProcess() throws Exception {
    Files.writeString(f.node.resolve(ClientToken.FILE), "x".repeat(43) + "\n",
        StandardCharsets.US_ASCII);
    assertThat(warm("mkdir", "home:d")).isZero();
    assertThat(err).contains("could not prove it holds the node's client token")
        .contains("working in-process");
    assertThat(inProcessOpens).hasValue(1);
    assertThat(f.run("ls", "home:")).isZero();
    assertThat(f.out()).isEqualTo("d\n");
  }

  /**
   * A node killed without cleanup leaves web.url and the token behind; another local user may
   * then listen on that port. It gets one hello without token or cap, cannot answer the
   * challenge (here it answers as an older node would, and with a made-up proof), and the
   * command works in-process.
   */
  @Test
  void whatListensOnAStaleAddressGetsNeitherTheTokenNorACap() throws Exception {
    String token = ClientToken.read(f.node).orElseThrow();
    for (String answer : List.of("cairn-client-api 1\nxattrs true\n",
        "cairn-client-api 1\nxattrs true\nproof " + "0".repeat(64) + "\n")) {
      try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
        WebAddress.write(f.node, "http://127.0.0.1:" + listener.getLocalPort() + "/");
        ByteArrayOutputStream heard = new ByteArrayOutputStream();
        AtomicInteger requests = new AtomicInteger();
        Thread fake = new Thread(() -> {
          while (true) {
            try (Socket s = listener.accept()) {
              requests.incrementAndGet();
              s.setSoTimeout(2000);
              byte[] buf = new byte[8192];
              int n = s.getInputStream().read(buf);
              synchronized (heard) {
                heard.write(buf, 0, Math.max(n, 0));
              }
              byte[] body = answer.getBytes(StandardCharsets.US_ASCII);
              s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length
                  + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
              s.getOutputStream().write(body);
            } catch (IOException e) {
              return; // the listener closed
            }
          }
        });
        fake.start();
        int opens = inProcessOpens.get();
        assertThat(warm("ls", "home:")).isZero();
        listener.close();
        fake.join(5000);
        assertThat(err).contains("is not the node of this node directory")
            .contains("working in-process");
        assertThat(inProcessOpens).hasValue(opens + 1);
        assertThat(requests).hasValue(1);
        String said = heard.toString(StandardCharsets.ISO_8859_1);
        assertThat(said).startsWith("GET /cli/v1/hello?challenge=").doesNotContain(token)
            .doesNotContainIgnoringCase("x-cairn-token").doesNotContain("cairn:");
      }
    }
  }

  /**
   * A listener at a stale address that relays the command's challenge to the node (running now
   * on another port) gets a proof for the node's port, which the command refuses: it sends
   * nothing more there, and a redirect to the node is not followed either.
   */
  @Test
  void aListenerRelayingTheChallengeToTheNodeIsRefused() throws Exception {
    String token = ClientToken.read(f.node).orElseThrow();
    String real = gateway.url().toString();
    for (boolean redirect : List.of(false, true)) {
      try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
        WebAddress.write(f.node, "http://127.0.0.1:" + listener.getLocalPort() + "/");
        ByteArrayOutputStream heard = new ByteArrayOutputStream();
        Thread relay = new Thread(() -> {
          while (true) {
            try (Socket s = listener.accept()) {
              s.setSoTimeout(2000);
              byte[] buf = new byte[8192];
              int n = s.getInputStream().read(buf);
              String head = new String(buf, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1);
              synchronized (heard) {
                heard.write(buf, 0, Math.max(n, 0));
              }
              String path = head.substring(head.indexOf(' ') + 2, head.indexOf(" HTTP/"));
              String reply;
              if (!path.startsWith("cli/v1/hello")) {
                continue; // what a proof let through: heard, and closed unanswered
              } else if (redirect) {
                reply = "HTTP/1.1 302 Found\r\nLocation: " + real + path
                    + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
              } else {
                java.net.HttpURLConnection c = (java.net.HttpURLConnection)
                    new java.net.URL(real + path).openConnection();
                byte[] body = c.getInputStream().readAllBytes();
                reply = "HTTP/1.1 200 OK\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n"
                    + new String(body, StandardCharsets.ISO_8859_1);
              }
              s.getOutputStream().write(reply.getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
              return; // the listener closed
            }
          }
        });
        relay.start();
        int opens = inProcessOpens.get();
        assertThat(warm("ls", "home:")).isZero();
        listener.close();
        relay.join(5000);
        assertThat(err).as("redirect=" + redirect).contains("is not the node of this node directory");
        assertThat(inProcessOpens).hasValue(opens + 1);
        String said = heard.toString(StandardCharsets.ISO_8859_1);
        assertThat(said).startsWith("GET /cli/v1/hello?challenge=").doesNotContain(token)
            .doesNotContain("cairn:");
      }
    }
  }

  @Test
  void theTokenFileIsPrivate() throws Exception {
    assertThat(Files.getPosixFilePermissions(f.node.resolve(ClientToken.FILE)))
        .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    WebAddress.remove(f.node);
    assertThat(f.node.resolve(ClientToken.FILE)).doesNotExist();
  }
}
