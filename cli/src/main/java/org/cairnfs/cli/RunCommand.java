package org.cairnfs.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import org.cairnfs.fs.gateway.Gateway;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.cairnfs.cli.config.ConfigException;
import org.cairnfs.cli.config.NodeConfig;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "run",
    description = "Run an introducer or node in the foreground until Ctrl-C or SIGTERM.")
final class RunCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "Node or introducer directory.")
  Path dir;

  @Mixin
  WebOptions web = new WebOptions();

  @Override
  public Integer call() throws Exception {
    return runForeground(new NodeDirectory(dir), spec.commandLine().getOut(), web);
  }

  /**
   * Starts the node in {@code node} and blocks until the JVM is asked to stop. Nothing is
   * created in a directory that holds no node; once the node's {@code logs/} exists, start-up
   * failures are logged there too.
   */
  static int runForeground(NodeDirectory node, PrintWriter out)
      throws ConfigException, IOException, InterruptedException {
    return runForeground(node, out, null);
  }

  /**
   * As {@link #runForeground(NodeDirectory, PrintWriter)}, with a gateway: a node serves one
   * when {@code web} names a port, or, without one, when it stores nothing (a client node is
   * there to be used; a storage node's gateway is asked for).
   */
  static int runForeground(NodeDirectory node, PrintWriter out, WebOptions web)
      throws ConfigException, IOException, InterruptedException {
    StartChecks.requireNode(node);
    Files.createDirectories(node.logs());
    Logging.toDirectory(node.logs(), true);
    NodeConfig config = NodeConfig.read(node.root());
    StaleTempLibs.sweepTempDir();
    for (String warning : StartChecks.check(config)) {
      out.println("warning: " + warning);
      LoggerFactory.getLogger(RunCommand.class).warn(warning);
    }
    RunningNode running;
    try {
      running = RunningNode.start(node);
    } catch (IOException | RuntimeException e) {
      RuntimeException named = StartChecks.listenFailure(node, config, e);
      if (named != null) {
        named.initCause(e);
        throw named;
      }
      throw e;
    }
    ClientNode client = null;
    Gateway gateway = null;
    boolean serveWeb = web != null && web.enabled() && running.introducer() == null
        && (web.port != null || !config.storageEnabled());
    try {
      if (serveWeb) {
        client = ClientNode.open(node.root(), null, running.membership());
        gateway = web.start(client.files(), new NodeStatusReport(client, List::of,
            running.storage()), node.root());
      }
    } catch (ConfigException | IOException | RuntimeException e) {
      if (client != null) {
        client.close();
      }
      running.close();
      throw e;
    }
    ClientNode clientPart = client;
    Gateway gatewayPart = gateway;
    CountDownLatch stopped = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
    Runnable stop = () -> {
      if (!once.compareAndSet(false, true)) {
        return;
      }
      if (gatewayPart != null) {
        gatewayPart.close();
        WebAddress.remove(node.root());
      }
      if (clientPart != null) {
        clientPart.close();
      }
      running.close();
      stopped.countDown();
    };
    Thread hook = new Thread(stop, "cairn-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    if (running.introducer() != null) {
      out.println("Introducer running; URL " + running.introducer().url(
          running.config().hostname()) + " (also in " + node.introducerUrl() + ")");
    } else {
      out.println("Node " + running.config().nickname() + " running"
          + (running.storage() != null ? "; storage on port " + running.storage().port()
          + ", serving shares from " + running.config().storageDir() : ""));
    }
    if (gateway != null) {
      WebAddress.write(node.root(), gateway.url().toString());
      out.println("Gateway: " + gateway.url() + "  (a cap opens at "
          + DemoCommand.withSlash(gateway.url().toString()) + "uri/<cap>)");
    }
    out.flush();
    Interrupts.awaitOrStop(stopped, hook, stop);
    return 0;
  }
}
