package org.cairnfs.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.cairnfs.fs.mount.NodeMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cp}: files and (with {@code -r}) trees from this machine to the grid, from the grid to
 * this machine, or within the grid. Like cp(1), a DST that is an existing directory takes each
 * source under its own name; several sources need such a DST.
 */
@Command(name = "cp", description = {"Copy files or trees (-r): local to grid, grid to local,"
    + " grid to grid.",
    "An existing directory DST takes each SRC under its own name; an existing directory in the"
        + " target place gets the copied entries added (same names replaced), recursively:"
        + " directories merge into directories of the same name, as cp -r does."})
final class CopyCommand extends GridVerb {
  @Option(names = {"-r", "--recursive"}, description = "Copy directories and everything in them.")
  boolean recursive;

  @Parameters(arity = "2..*", paramLabel = "SRC... DST",
      description = "Sources, then the target: local paths, ALIAS:path or caps.")
  List<String> args;

  @Override
  int run() throws Exception {
    List<String> sources = args.subList(0, args.size() - 1);
    Location dst = location(args.get(args.size() - 1));
    boolean dstIsDir = false;
    if (dst instanceof Location.Grid g) {
      dstIsDir = lookup().find(g.path()).map(PathLookup.Found::isDirectory).orElse(false);
    } else if (dst instanceof Location.Local l) {
      dstIsDir = Files.isDirectory(l.path());
    }
    if (sources.size() > 1 && !dstIsDir) {
      throw new CliException(ExitCode.USAGE, "copying several sources needs an existing"
          + " directory as the target; " + dst + " is not one");
    }
    try (Progress p = progress("cp", -1);
        TreeCopy copy = new TreeCopy(files(), p, spec.commandLine().getErr())) {
      for (String s : sources) {
        copyOne(location(s), dst, dstIsDir, copy, p);
      }
      if (copy.notCopied() > 0) {
        throw new CliException(ExitCode.FAILURE, copy.notCopied() + (copy.notCopied() == 1
            ? " entry was" : " entries were") + " not copied (see above); everything else was"
            + " copied");
      }
    }
    return 0;
  }

  private void copyOne(Location src, Location dst, boolean dstIsDir, TreeCopy copy, Progress p)
      throws IOException {
    boolean srcIsDir = false;
    Optional<String> name = Optional.empty();
    PathLookup.Found found = null;
    if (src instanceof Location.Local l) {
      if (!Files.exists(l.path(), LinkOption.NOFOLLOW_LINKS)) {
        throw new CliException(ExitCode.NOT_FOUND, "no such file or directory: " + l.path());
      }
      srcIsDir = Files.isDirectory(l.path());
      name = Optional.ofNullable(l.path().toAbsolutePath().normalize().getFileName())
          .map(Path::toString);
    } else if (src instanceof Location.Grid g) {
      found = lookup().resolve(g.path());
      srcIsDir = found.isDirectory();
      name = g.path().isRoot() ? Optional.empty() : Optional.of(g.path().name());
    }
    if (srcIsDir && !recursive) {
      throw new CliException(ExitCode.USAGE, "is a directory: " + src + " (use 'cairn cp -r')");
    }
    Location target = dst;
    if (dstIsDir) {
      String n = name.orElseThrow(() -> new CliException(ExitCode.USAGE, "name the copy of "
          + src + ": it has no name of its own"));
      if (dst instanceof Location.Grid g) {
        target = new Location.Grid(g.path().child(n));
      } else if (dst instanceof Location.Local l) {
        target = new Location.Local(l.path().resolve(n));
      }
    }
    if (!(src instanceof Location.Grid) && !(target instanceof Location.Grid)) {
      throw new CliException(ExitCode.USAGE, "cp copies to or from the grid; " + src + " and "
          + target + " are both local (use your system's cp)");
    }
    if (target instanceof Location.Grid t) {
      toGrid(src, found, srcIsDir, t.path(), copy, p);
    } else {
      fromGrid(found, srcIsDir, target, copy, p);
    }
  }

  private void toGrid(Location src, PathLookup.Found found, boolean srcIsDir, GridPath to,
      TreeCopy copy, Progress p) throws IOException {
    Optional<PathLookup.Found> existing = lookup().find(to);
    if (srcIsDir) {
      if (existing.isPresent() && !existing.get().isDirectory()) {
        throw new CliException(ExitCode.USAGE, "a file is in the way: " + to);
      }
      Optional<String> into = existing.map(f -> lookup().writableDirectory(to));
      if (into.isEmpty()) {
        lookup().writableDirectory(to.parent());
      }
      String cap = src instanceof Location.Local l ? copy.upload(l.path(), into)
          : copy.copy(found.requireCap(), src.toString(), into);
      if (into.isEmpty()) {
        link(to, Optional.of(cap), found != null && found.metadata().isPresent()
            ? found.metadata().get() : dirMetadata(src));
      }
      return;
    }
    refuseDirectoryAt(to);
    lookup().writableDirectory(to.parent());
    String cap;
    NodeMetadata md;
    if (src instanceof Location.Local l) {
      long size = PutGetCommands.regularFileSize(l.path(), "cp");
      cap = GridCalls.await(Transfers.upload(files(), l.path(), size, p::bytes), "upload " + src);
      md = Transfers.fileMetadata(l.path(), size);
    } else if (src instanceof Location.Stdio) {
      cap = GridCalls.await(Transfers.upload(files(), root.io.in(), p::bytes), "upload stdin");
      md = Transfers.newFile(Transfers.sizeOf(files(), cap, Optional.empty()));
    } else {
      String from = found.requireCap();
      md = found.metadata().orElseGet(() -> Transfers.newFile(
          Transfers.sizeOf(files(), from, Optional.empty())));
      cap = GridCalls.await(copy.copyFile(from, md, src.toString()), "copy " + src);
    }
    link(to, Optional.of(cap), md);
  }

  private void fromGrid(PathLookup.Found found, boolean srcIsDir, Location target,
      TreeCopy copy, Progress p) throws IOException {
    if (srcIsDir) {
      if (!(target instanceof Location.Local l)) {
        throw new CliException(ExitCode.USAGE, "a directory cannot be copied to stdout");
      }
      copy.download(found.requireCap(), found.path().toString(), l.path());
      return;
    }
    String cap = found.requireCap();
    long size = Transfers.sizeOf(files(), cap, found.metadata());
    try {
      if (target instanceof Location.Local l) {
        Transfers.downloadTo(files(), cap, size, l.path(), p::bytes);
      } else {
        Transfers.download(files(), cap, size, root.io.out(), p::bytes);
        root.io.out().flush();
      }
    } catch (IOException e) {
      throw GridCalls.failure(e, "copy " + found.path() + " to " + target);
    }
  }

  private static NodeMetadata dirMetadata(Location src) throws IOException {
    Instant mtime = src instanceof Location.Local l
        ? Files.getLastModifiedTime(l.path()).toInstant() : Instant.now();
    return NodeMetadata.of(org.cairnfs.caps.dirnode.EntryKind.DIRECTORY, 0, 0755, mtime,
        Instant.now());
  }
}
