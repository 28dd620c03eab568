package org.cairnfs.protocol.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Signature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void signsWithTheKeysOwnAlgorithmSoThePublicKeyVerifies(KeyAlgorithm algorithm)
      throws Exception {
    NodeKey key = NodeKey.generate(algorithm);
    byte[] message = "announce me".getBytes(StandardCharsets.US_ASCII);
    byte[] sig = key.sign(message);
    String jca = algorithm == KeyAlgorithm.ED25519 ? "Ed25519" : "SHA256withECDSA";
    assertThat(verifies(jca, key, message, sig)).isTrue();
    byte[] other = message.clone();
    other[0] ^= 1;
    assertThat(verifies(jca, key, other, sig)).isFalse();
    assertThat(verifies(jca, NodeKey.generate(algorithm), message, sig)).isFalse();
  }

  @Test
  void aReloadedKeySignsForTheSameIdentity() throws Exception {
    NodeKey key = NodeKey.generate();
    key.save(dir.resolve("s.key"));
    byte[] sig = NodeKey.load(dir.resolve("s.key")).sign(new byte[] {1, 2, 3});
    assertThat(verifies("SHA256withECDSA", key, new byte[] {1, 2, 3}, sig)).isTrue();
  }

  private static boolean verifies(String jca, NodeKey key, byte[] message, byte[] sig)
      throws Exception {
    Signature s = Signature.getInstance(jca);
    s.initVerify(key.publicKey());
    s.update(message);
    return s.verify(sig);
  }
}
