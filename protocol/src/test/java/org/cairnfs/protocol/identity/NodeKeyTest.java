package org.cairnfs.protocol.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeKeyTest {
  @TempDir
  Path dir;

  @Test
  void loadOrCreateCreatesOwnerOnlyFileThenLoadsTheSameIdentity() throws Exception {
    Path file = dir.resolve("node/node.key");
    NodeKey created = NodeKey.loadOrCreate(file);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    NodeKey loaded = NodeKey.loadOrCreate(file);
    assertThat(loaded.nodeId()).isEqualTo(created.nodeId());
    assertThat(loaded.algorithm()).isEqualTo(NodeKey.DEFAULT_ALGORITHM);
  }

  @Test
  void ed25519KeysRoundTripToo() throws Exception {
    NodeKey k = NodeKey.generate(KeyAlgorithm.ED25519);
    k.save(dir.resolve("ed.key"));
    assertThat(NodeKey.load(dir.resolve("ed.key")).nodeId()).isEqualTo(k.nodeId());
  }

  @Test
  void corruptOrForeignFilesAreRefusedByName() throws Exception {
    Path foreign = Files.writeString(dir.resolve("x.key"), "hello\n");
    assertThatThrownBy(() -> NodeKey.load(foreign)).isInstanceOf(IOException.class)
        .hasMessageContaining("not a Cairn node key");
    NodeKey a = NodeKey.generate();
    NodeKey b = NodeKey.generate();
    a.save(dir.resolve("a.key"));
    b.save(dir.resolve("b.key"));
    String[] la = Files.readString(dir.resolve("a.key")).split("\n");
    String[] lb = Files.readString(dir.resolve("b.key")).split("\n");
    Path mixed = Files.writeString(dir.resolve("mixed.key"), la[0] + "\n" + la[1] + "\n" + lb[2] + "\n");
    assertThatThrownBy(() -> NodeKey.load(mixed)).isInstanceOf(IOException.class)
        .hasMessageContaining("do not match");
  }

  @Test
  void saveRefusesToOverwrite() throws Exception {
    NodeKey k = NodeKey.generate();
    k.save(dir.resolve("k.key"));
    assertThatThrownBy(() -> NodeKey.generate().save(dir.resolve("k.key")))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
  }

  @Test
  void nodeIdTextFormsRoundTrip() {
    NodeId id = NodeKey.generate().nodeId();
    assertThat(NodeId.parse(id.toString())).isEqualTo(id);
    assertThat(id.toString()).hasSize(52);
    assertThat(id.shortForm()).hasSize(8).isEqualTo(id.toString().substring(0, 8));
    assertThatThrownBy(() -> NodeId.parse("abc")).hasMessageContaining("52");
  }
}
