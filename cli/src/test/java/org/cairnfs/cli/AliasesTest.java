package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cairnfs.caps.DirectoryWriteCap;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.cli.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AliasesTest {
  @TempDir
  Path node;

  private static int counter;

  static String dirCap() {
    byte[] k = new byte[32];
    byte[] f = new byte[32];
    int c = ++counter;
    k[0] = (byte) c;
    f[0] = (byte) c;
    k[1] = (byte) (c >> 8);
    f[1] = (byte) (c >> 8);
    return new DirectoryWriteCap(new MutableWriteCap(k, f)).toString();
  }

  private Path file() {
    return node.resolve("private/aliases");
  }

  @Test
  void putThenLoadReadsBackAndFileIsPrivate() throws Exception {
    String a = dirCap();
    String b = dirCap();
    Aliases aliases = Aliases.load(node);
    assertThat(aliases.names()).isEmpty();
    aliases.put("home", a);
    aliases.put("work", b);
    assertThat(aliases.get("home")).contains(a);
    Aliases again = Aliases.load(node);
    assertThat(again.names()).containsExactly("home", "work");
    assertThat(again.get("work")).contains(b);
    assertThat(again.get("nope")).isEmpty();
    assertThat(Files.readString(file())).isEqualTo("home: " + a + "\nwork: " + b + "\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file())))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file().getParent())))
        .isEqualTo("rwx------");
    assertThat(Files.exists(node.resolve("private/aliases.tmp"))).isFalse();
  }

  @Test
  void putReplacesInPlaceAndKeepsComments() throws Exception {
    String a = dirCap();
    String b = dirCap();
    Files.createDirectories(file().getParent());
    Files.writeString(file(), "# mine\n\nhome: " + a + "\nx: " + a + "\n");
    Aliases aliases = Aliases.load(node);
    aliases.put("home", b);
    assertThat(Files.readString(file())).isEqualTo("# mine\n\nhome: " + b + "\nx: " + a + "\n");
  }

  @Test
  void twoWritersBothKeepTheirAlias() throws Exception {
    Aliases one = Aliases.load(node);
    Aliases two = Aliases.load(node);
    one.put("a", dirCap());
    two.put("b", dirCap());
    assertThat(Aliases.load(node).names()).containsExactly("a", "b");
  }

  @Test
  void concurrentPutsLoseNothing() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> fs = new ArrayList<>();
      List<String> caps = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        caps.add(dirCap());
      }
      for (int i = 0; i < 20; i++) {
        int n = i;
        fs.add(pool.submit(() -> {
          Aliases.load(node).put("n" + n, caps.get(n));
          return null;
        }));
      }
      for (Future<?> f : fs) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(Aliases.load(node).names()).hasSize(20);
  }

  @Test
  void malformedLineNamesFileAndLine() throws Exception {
    Files.createDirectories(file().getParent());
    Files.writeString(file(), "home: " + dirCap() + "\n# ok\nthis is not an alias\n");
    assertThatThrownBy(() -> Aliases.load(node)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("private/aliases:3:").hasMessageContaining("expected 'name: cap'");
  }

  @Test
  void badCapOrDuplicateNameInFileNamesTheLine() throws Exception {
    Files.createDirectories(file().getParent());
    Files.writeString(file(), "home: cairn:lit:nbswy3dp\n");
    assertThatThrownBy(() -> Aliases.load(node)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("aliases:1:").hasMessageContaining("not a directory");
    String c = dirCap();
    Files.writeString(file(), "home: " + c + "\nhome: " + c + "\n");
    assertThatThrownBy(() -> Aliases.load(node)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("aliases:2:").hasMessageContaining("appears twice");
    Files.writeString(file(), "home: garbage\n");
    assertThatThrownBy(() -> Aliases.load(node)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("aliases:1:");
  }

  @Test
  void badNamesAndCapsAreRefusedAndNothingIsWritten() throws Exception {
    Aliases aliases = Aliases.load(node);
    for (String bad : new String[] {"", "a:b", "a/b", "-x", ".x", "has space", "cairn",
        "x".repeat(65)}) {
      assertThatThrownBy(() -> aliases.put(bad, dirCap()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad alias name");
    }
    assertThatThrownBy(() -> aliases.put("ok", "cairn:lit:nbswy3dp"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a directory")
        .hasMessageNotContaining("nbswy3dp");
    assertThat(Files.exists(file())).isFalse();
  }

  @Test
  void readCapsAreAcceptedAndCanonicalised() throws Exception {
    String ro = org.cairnfs.caps.Cap.parse(dirCap()).readOnly().toString();
    Aliases.load(node).put("shared", ro);
    assertThat(Aliases.load(node).get("shared")).contains(ro);
  }
}
