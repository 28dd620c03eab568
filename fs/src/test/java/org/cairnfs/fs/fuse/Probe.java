package org.cairnfs.fs.fuse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A python3 process that makes the system calls Java cannot (utimensat with UTIME_OMIT,
 * renameat2, getxattr into a buffer of a given size, getdents64, mincore) and answers each with
 * its value or the exact errno name, so an assertion names the errno the kernel returned.
 */
final class Probe implements AutoCloseable {
  static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3"))
      ? "/usr/bin/python3" : "python3";
  private final Process process;
  private final Writer in;
  private final BufferedReader out;

  private Probe(Process process) {
    this.process = process;
    this.in = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8));
  }

  /** Starts the probe, run through {@code prefix} (e.g. setpriv and its options) if given. */
  static Probe start(String... prefix) throws IOException {
    // the script travels as an argument: a temporary file would outlive a killed JVM (PIT's
    // minions left thousands in /tmp)
    String script;
    try (InputStream s = Probe.class.getResourceAsStream("probe.py")) {
      script = new String(s.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<String> cmd = new ArrayList<>(List.of(prefix));
    cmd.addAll(List.of(PYTHON, "-u", "-c", script));
    return new Probe(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT)
        .start());
  }

  /** Runs {@code code}; its answer, "ok VALUE" or "err ENAME". */
  synchronized String run(String code) {
    try {
      in.write(code.replace("\n", "\u0001") + "\n");
      in.flush();
      String line = out.readLine();
      if (line == null) {
        throw new AssertionError("the probe ended at: " + code);
      }
      if (line.startsWith("exc ")) {
        throw new AssertionError(code + " raised " + line.substring(4));
      }
      return line;
    } catch (IOException e) {
      throw new AssertionError("the probe failed at: " + code, e);
    }
  }

  /** The value of {@code code}, which must succeed. */
  String ok(String code) {
    String r = run(code);
    if (!r.startsWith("ok ")) {
      throw new AssertionError(code + " failed with " + r.substring(4));
    }
    return r.substring(3);
  }

  long num(String code) {
    return Long.parseLong(ok(code));
  }

  /** The errno name {@code code} fails with; an assertion error if it succeeds. */
  String errno(String code) {
    String r = run(code);
    if (!r.startsWith("err ")) {
      throw new AssertionError(code + " succeeded (" + r + "), an error was expected");
    }
    return r.substring(4);
  }

  /** A Python string literal of {@code s}. */
  static String q(Object s) {
    StringBuilder b = new StringBuilder("'");
    for (char c : s.toString().toCharArray()) {
      if (c == '\\' || c == '\'') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c > 0x7e) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('\'').toString();
  }

  @Override
  public void close() {
    process.destroy();
  }
}
