package org.cairnfs.fs.health;

/**
 * What a deep check of a directory tree found, counted over every object visited (directories
 * and files, each once).
 *
 * @param objects objects checked
 * @param healthy objects healthy when checked (after repair, when repairing)
 * @param unhealthy objects not healthy at the end (after any repair)
 * @param repaired objects a repair placed new copies for
 * @param unrecoverable objects with fewer than k good shares: lost unless servers come back
 * @param failed objects whose check failed outright (listing or check error); their message
 *     went to the consumer as a report note
 */
public record DeepCheckSummary(long objects, long healthy, long unhealthy, long repaired,
    long unrecoverable, long failed) {

  /** One line for people. */
  public String format() {
    return objects + " objects checked: " + healthy + " healthy, " + unhealthy
        + " not healthy, " + repaired + " repaired, " + unrecoverable + " unrecoverable"
        + (failed > 0 ? ", " + failed + " could not be checked" : "");
  }

  @Override
  public String toString() {
    return format();
  }
}
