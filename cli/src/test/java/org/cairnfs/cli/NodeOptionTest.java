package org.cairnfs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NodeOptionTest {
  private static final Path DEFAULT = Path.of("/default");

  @Test
  void flagWinsOverEnvironmentWhichWinsOverDefault() {
    assertThat(NodeOption.choose(Path.of("/flag"), "/env", () -> DEFAULT))
        .isEqualTo(Path.of("/flag"));
    assertThat(NodeOption.choose(null, "/env", () -> DEFAULT)).isEqualTo(Path.of("/env"));
    assertThat(NodeOption.choose(null, " ", () -> DEFAULT)).isEqualTo(DEFAULT);
    assertThat(NodeOption.choose(null, null, () -> DEFAULT)).isEqualTo(DEFAULT);
  }
}
