package org.cairnfs.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.cairnfs.fs.client.GridFileSystem;
import org.cairnfs.fs.gateway.Gateway;
import org.cairnfs.fs.gateway.GatewayConfig;
import org.cairnfs.fs.gateway.NodeStatusSource;
import picocli.CommandLine.Option;

/**
 * Where a node serves its HTTP gateway: on loopback by default (a cap in a URL is the whole
 * authority, so the gateway is private unless asked otherwise), on the default port when it is
 * free, else on any free port; the address is printed either way.
 */
final class WebOptions {
  /** Tahoe's web port, for users who come from there. */
  static final int DEFAULT_PORT = 3456;

  @Option(names = "--web-port", paramLabel = "PORT",
      description = "Port of the HTTP gateway (default: " + DEFAULT_PORT + ", or any free port"
          + " when that is taken; 0: any free port; -1: no gateway).")
  Integer port;

  @Option(names = "--web-host", paramLabel = "HOST", defaultValue = "127.0.0.1",
      description = "Address the gateway listens on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--public-readonly",
      description = "Serve reads only: no PUT, POST or DELETE, no write cap in any URL, no"
          + " status beyond health. For a gateway others can reach.")
  boolean publicReadOnly;

  private String token;

  boolean enabled() {
    return port == null || port >= 0;
  }

  /** Starts the gateway, or throws naming the address; null when disabled. */
  Gateway start(GridFileSystem files, NodeStatusSource status) throws IOException {
    return start(files, status, null);
  }

  /**
   * Starts the gateway; with {@code nodeDir} (and not public) it also opens the local client
   * channel to commands of that node directory (a fresh token in {@link ClientToken#FILE}).
   */
  Gateway start(GridFileSystem files, NodeStatusSource status, Path nodeDir)
      throws IOException {
    if (!enabled()) {
      return null;
    }
    token = nodeDir != null && !publicReadOnly ? ClientToken.create(nodeDir) : null;
    if (port != null && port > 65535) {
      throw new CliException(ExitCode.USAGE, "--web-port must be 0-65535, got " + port);
    }
    try {
      return Gateway.start(config(port != null ? port : DEFAULT_PORT), files, status);
    } catch (IOException taken) {
      if (port != null) {
        throw taken;
      }
      return Gateway.start(config(0), files, status);
    }
  }

  private GatewayConfig config(int p) {
    GatewayConfig.Builder b = GatewayConfig.builder().host(host).port(p)
        .publicReadOnly(publicReadOnly);
    if (token != null) {
      b.clientToken(token);
    }
    return b.build();
  }
}
