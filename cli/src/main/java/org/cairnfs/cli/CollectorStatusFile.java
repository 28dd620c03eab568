package org.cairnfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What the demo's last collection round did, as a small text file in its client's node
 * directory ({@code collector}), so that {@code cairn status} can say why nothing is collected
 * (a directory not healthy, a mount's changes left behind) without reading the log.
 *
 * <p>Format, one {@code key: value} per line: {@code pid}, {@code at} (when the round ended) and
 * {@code outcome}, read as a mount's status file is ({@link MountStatusFile#read}). Only a file
 * whose pid still runs is shown.
 */
final class CollectorStatusFile {
  static final String NAME = "collector";

  private CollectorStatusFile() {}

  static void write(Path nodeDir, Instant at, String outcome) throws IOException {
    RunningNode.writeAtomically(nodeDir.resolve(NAME), "pid: " + ProcessHandle.current().pid()
        + "\nat: " + at + "\noutcome: " + outcome.replace('\n', ' ') + "\n");
  }

  static void remove(Path nodeDir) {
    try {
      Files.deleteIfExists(nodeDir.resolve(NAME));
    } catch (IOException e) {
      // a stale file is shown only while its pid runs
    }
  }

  /** One line for {@code cairn status}, if a running demo wrote one. */
  static Optional<String> describe(Path nodeDir, Instant now) {
    Map<String, String> f = MountStatusFile.read(nodeDir.resolve(NAME));
    if (!MountStatusFile.writerRuns(f)) {
      return Optional.empty();
    }
    try {
      Instant at = Instant.parse(f.get("at"));
      return Optional.of("Demo collector, last round " + Ages.format(Duration.between(at, now))
          + " ago: " + f.getOrDefault("outcome", "?"));
    } catch (RuntimeException e) {
      return Optional.empty(); // being replaced
    }
  }
}
