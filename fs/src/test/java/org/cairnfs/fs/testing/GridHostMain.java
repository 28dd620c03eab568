package org.cairnfs.fs.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Real storage servers ({@link TestGrid}) in a process of their own, so that a mount process
 * can be killed and started again over them: the it-tests' grid for mounts that must count
 * the bytes the servers received or lose servers during an upload backlog.
 *
 * <p>{@code GridHostMain DIR COUNT}: writes one {@code NodeAddress} a line to {@code
 * DIR/servers}, prints {@code READY}, then obeys lines on stdin and answers each with one line:
 * {@code received} (total bytes of share data the servers accepted since the start, across
 * restarts: {@code RECEIVED n}), {@code kill I} and {@code start I} (same directory and port:
 * {@code KILLED I}, {@code STARTED I}). End of input stops the servers.
 */
public final class GridHostMain {
  private GridHostMain() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    try (TestGrid grid = new TestGrid(dir, Integer.parseInt(args[1]))) {
      Files.writeString(dir.resolve("servers"), grid.servers().stream()
          .map(s -> s.address().toString()).collect(Collectors.joining("\n", "", "\n")));
      long[] before = new long[grid.servers().size()]; // received by earlier runs of each
      System.out.println("READY");
      System.out.flush();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
          StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        String[] w = line.trim().split("\\s+");
        switch (w[0]) {
          case "received" -> {
            long sum = 0;
            for (int i = 0; i < before.length; i++) {
              sum += before[i] + grid.server(i).faults().bytesReceived();
            }
            System.out.println("RECEIVED " + sum);
          }
          case "kill" -> {
            int i = Integer.parseInt(w[1]);
            if (grid.server(i).running()) {
              before[i] += grid.server(i).faults().bytesReceived();
              grid.server(i).kill();
            }
            System.out.println("KILLED " + i);
          }
          case "start" -> {
            int i = Integer.parseInt(w[1]);
            if (!grid.server(i).running()) {
              grid.server(i).start();
            }
            System.out.println("STARTED " + i);
          }
          default -> System.out.println("UNKNOWN " + line);
        }
        System.out.flush();
      }
    }
  }
}
