package org.cairnfs.fs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link MountTable} over this process's real /proc/self/mountinfo, and its unescaping. */
class MountTableTest {
  @Test
  void unescapesOctalEscapesAndKeepsAnEscapeCutShort() {
    assertThat(MountTable.unescape("/mnt/a\\040b")).isEqualTo("/mnt/a b");
    assertThat(MountTable.unescape("\\011tab\\134")).isEqualTo("\ttab\\");
    assertThat(MountTable.unescape("/plain")).isEqualTo("/plain");
    assertThat(MountTable.unescape("end\\04")).isEqualTo("end\\04");
    assertThat(MountTable.unescape("end\\")).isEqualTo("end\\");
  }

  @Test
  void findsTheTypeMountedAtAPathAndOnlyThere() throws Exception {
    assertThat(MountTable.typeAt(Path.of("/proc"))).contains("proc");
    assertThat(MountTable.typeAt(Path.of("/proc/../proc/"))).contains("proc");
    Path dir = Files.createTempDirectory("cairn-mounttable");
    try {
      assertThat(MountTable.typeAt(dir)).isEmpty();
    } finally {
      Files.delete(dir);
    }
    assertThat(MountTable.mountsOfType("proc")).contains(Path.of("/proc"));
    assertThat(MountTable.mountsOfType("no-such-type")).isEmpty();
  }
}
