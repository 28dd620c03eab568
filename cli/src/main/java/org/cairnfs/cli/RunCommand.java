package org.cairnfs.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
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

  @Override
  public Integer call() throws Exception {
    NodeDirectory node = new NodeDirectory(dir);
    java.nio.file.Files.createDirectories(node.logs());
    Logging.toDirectory(node.logs(), true);
    RunningNode running = RunningNode.start(node);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.close();
      stopped.countDown();
    }, "cairn-shutdown"));
    if (running.introducer() != null) {
      out().println("Introducer running; URL " + running.introducer().url(
          running.config().hostname()) + " (also in " + node.introducerUrl() + ")");
    } else {
      out().println("Node " + running.config().nickname() + " running"
          + (running.storage() != null ? "; storage on port " + running.storage().port() : ""));
    }
    stopped.await();
    return 0;
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
