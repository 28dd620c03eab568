package org.cairnfs.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.cairnfs.fs.mount.NodeMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code put} and {@code get}: one file between this machine and the grid. */
final class PutGetCommands {
  private PutGetCommands() {}

  @Command(name = "put", description = {"Upload a local file (or stdin, '-') to the grid and"
      + " print its cap (the last line of the output).",
      "With TARGET, also link it there (an existing directory takes it under the file's name);"
          + " nothing else is created."})
  static final class Put extends GridVerb {
    @Parameters(index = "0", paramLabel = "LOCAL", description = "A local file, or - for stdin.")
    String source;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TARGET",
        description = "Where to link it: ALIAS:path or CAP/path.")
    String target;

    @Override
    int run() throws Exception {
      Location src = location(source);
      if (src instanceof Location.Grid) {
        throw new CliException(ExitCode.USAGE, "put uploads a local file or '-'; " + source
            + " is on the grid already (use 'cairn cp' or 'cairn ln')");
      }
      Optional<Path> local = src instanceof Location.Local l ? Optional.of(l.path())
          : Optional.empty();
      long size = -1;
      if (local.isPresent()) {
        size = regularFileSize(local.get(), "put");
      }
      GridPath at = null;
      if (target != null) {
        at = destination(grid(target), local.map(p -> p.getFileName().toString()));
        refuseDirectoryAt(at);
        lookup().writableDirectory(at.parent());
      }
      String cap;
      try (Progress p = progress("put " + source, size)) {
        cap = GridCalls.await(local.isPresent()
            ? Transfers.upload(files(), local.get(), size, p::bytes)
            : Transfers.upload(files(), root.io.in(), p::bytes),
            "upload " + source);
      }
      if (at != null) {
        long length = size >= 0 ? size : Transfers.sizeOf(files(), cap, Optional.empty());
        NodeMetadata md = local.isPresent() ? Transfers.fileMetadata(local.get(), length)
            : Transfers.newFile(length);
        link(at, Optional.of(cap), md);
      }
      out().println(cap);
      return 0;
    }
  }

  @Command(name = "get", description = "Download a file from the grid to a local file, or to"
      + " stdout when LOCAL is '-' or missing.")
  static final class Get extends GridVerb {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "ALIAS:path, a cap, or CAP/path.")
    String source;

    @Parameters(index = "1", arity = "0..1", paramLabel = "LOCAL",
        description = "A local file or directory, or - for stdout (the default).")
    String target;

    @Override
    int run() throws Exception {
      GridPath from = grid(source);
      PathLookup.Found f = lookup().resolve(from);
      if (f.isDirectory()) {
        throw new CliException(ExitCode.USAGE, "is a directory: " + from
            + " (use 'cairn cp -r' to copy a tree)");
      }
      String cap = f.requireCap();
      long size = Transfers.sizeOf(files(), cap, f.metadata());
      Location to = target == null ? new Location.Stdio() : location(target);
      if (to instanceof Location.Grid) {
        throw new CliException(ExitCode.USAGE, "get writes a local file or '-'; use 'cairn cp'"
            + " to copy within the grid");
      }
      try (Progress p = progress("get " + source, size)) {
        if (to instanceof Location.Local l) {
          Path dest = l.path();
          if (Files.isDirectory(dest)) {
            dest = dest.resolve(from.isRoot() ? "file" : from.name());
          }
          try {
            Transfers.downloadTo(files(), cap, size, dest, p::bytes);
          } catch (IOException e) {
            throw GridCalls.failure(e, "get " + from + " into " + dest);
          }
        } else {
          OutputStream out = root.io.out();
          try {
            Transfers.download(files(), cap, size, out, p::bytes);
            out.flush();
          } catch (IOException e) {
            throw GridCalls.failure(e, "get " + from);
          }
        }
      }
      return 0;
    }
  }

  /** The size of a local regular file, or a clear failure naming it. */
  static long regularFileSize(Path local, String verb) throws IOException {
    if (!Files.exists(local, LinkOption.NOFOLLOW_LINKS) && !Files.exists(local)) {
      throw new CliException(ExitCode.NOT_FOUND, "no such file: " + local);
    }
    if (Files.isDirectory(local)) {
      throw new CliException(ExitCode.USAGE, "is a directory: " + local + " (use 'cairn cp -r'"
          + " to copy a tree)");
    }
    if (!Files.isRegularFile(local)) {
      throw new CliException(ExitCode.USAGE, "not a regular file: " + local);
    }
    try {
      return Files.size(local);
    } catch (NoSuchFileException e) {
      throw new CliException(ExitCode.NOT_FOUND, "no such file: " + local);
    }
  }
}
