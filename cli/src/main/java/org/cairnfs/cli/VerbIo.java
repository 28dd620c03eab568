package org.cairnfs.cli;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * The byte streams of the file verbs ({@code put -} reads stdin, {@code get SOURCE -} writes
 * stdout) and whether to draw progress; tests substitute their own.
 */
record VerbIo(InputStream in, OutputStream out, boolean progress) {
  static VerbIo system() {
    return new VerbIo(System.in, System.out, Progress.stderrIsTerminal());
  }
}
