package org.cairnfs.bench;

/** The {@code --name value} options of the benchmark mains, with their defaults. */
public final class CommandArgs {
  private CommandArgs() {}

  public static int intArg(String[] args, String name, int fallback) {
    String v = stringArg(args, name, null);
    return v == null ? fallback : Integer.parseInt(v);
  }

  public static String stringArg(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }
}
