package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ls TARGET} and {@code mkdir TARGET} without picocli: the same output, messages and exit
 * codes as through picocli, over a grid in memory; every other shape is left to picocli.
 */
class QuickVerbsTest {
  @TempDir
  Path dir;

  VerbFixture f;
  String node;

  @BeforeEach
  void setUp() throws Exception {
    f = new VerbFixture(dir);
    assertThat(f.run("create-alias", "home")).isZero();
    node = f.node.toString();
  }

  @Test
  void mkdirAndLsGiveWhatPicocliGives() {
    assertThat(f.runQuick("mkdir", "--node", node, "home:b")).isZero();
    assertThat(f.out()).isEmpty();
    assertThat(f.runQuick("mkdir", "--node=" + node, "home:a")).isZero();
    assertThat(f.run("mkdir", "home:a/inner")).isZero();

    assertThat(f.runQuick("ls", "--node", node, "home:")).isZero();
    String quick = f.out();
    assertThat(f.run("ls", "home:")).isZero();
    assertThat(quick).isEqualTo(f.out()).isEqualTo("a\nb\n");
    assertThat(f.runQuick("ls", "home:a", "--node", node)).isZero();
    assertThat(f.out()).isEqualTo("inner\n");
  }

  @Test
  void failuresGiveTheSameMessageAndExitCode() {
    assertThat(f.run("mkdir", "home:x")).isZero();
    int viaPicocli = f.run("mkdir", "home:x");
    String message = f.err();
    assertThat(f.runQuick("mkdir", "--node", node, "home:x")).isEqualTo(viaPicocli)
        .isEqualTo(ExitCode.USAGE.code);
    assertThat(f.err()).isEqualTo(message).startsWith("cairn: already exists: ");

    viaPicocli = f.run("ls", "nosuch:");
    message = f.err();
    assertThat(f.runQuick("ls", "--node", node, "nosuch:")).isEqualTo(viaPicocli);
    assertThat(f.err()).isEqualTo(message).startsWith("cairn: ");
  }

  @Test
  void anyOtherShapeIsLeftToPicocli() {
    String[][] others = {{"ls"}, {"ls", "-l", "home:"}, {"ls", "--json", "home:"},
        {"ls", "home:", "home:"}, {"ls", "@args"}, {"ls", "--help"}, {"mkdir", "-p", "home:a/b"},
        {"mkdir", "--", "home:a"}, {"ls", "--node", node}, {"ls", "--node", node, "--node", node,
        "home:"}, {"rm", "home:a"}, {"lss", "home:"}, {"--version"}, {}};
    for (String[] args : others) {
      assertThat(f.runQuick(args)).as(String.join(" ", args)).isEqualTo(-1);
    }
  }
}
