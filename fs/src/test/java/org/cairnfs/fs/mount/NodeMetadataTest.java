package org.cairnfs.fs.mount;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.cairnfs.caps.dirnode.EntryKind;
import org.junit.jupiter.api.Test;

/** What a directory entry says about its child: the checks at each edge, and the factories. */
class NodeMetadataTest {
  static final Instant T = Instant.ofEpochSecond(1_700_000_000);

  static NodeMetadata of(EntryKind kind, long size, int mode, Optional<String> target,
      long rdev) {
    return new NodeMetadata(kind, size, mode, T, T, target, Map.of(), rdev);
  }

  @Test
  void sizesAndModesAreCheckedAtTheirEdges() {
    assertThat(of(EntryKind.FILE, 0, 0, Optional.empty(), 0).size()).isZero();
    assertThat(of(EntryKind.FILE, 5, 07777, Optional.empty(), 0).mode()).isEqualTo(07777);
    assertThatThrownBy(() -> of(EntryKind.FILE, -1, 0644, Optional.empty(), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
    assertThatThrownBy(() -> of(EntryKind.FILE, 0, 010000, Optional.empty(), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 010000");
    assertThatThrownBy(() -> of(EntryKind.FILE, 0, -1, Optional.empty(), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mode must be");
  }

  @Test
  void aSymlinkAndOnlyASymlinkHasATarget() {
    assertThat(of(EntryKind.SYMLINK, 1, 0777, Optional.of("x"), 0).symlinkTarget())
        .contains("x");
    assertThatThrownBy(() -> of(EntryKind.SYMLINK, 1, 0777, Optional.empty(), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only a symlink");
    assertThatThrownBy(() -> of(EntryKind.FILE, 1, 0644, Optional.of("x"), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only a symlink");
  }

  @Test
  void aDeviceNumberIsThirtyTwoBitsAndOnlyOnADevice() {
    assertThat(of(EntryKind.CHAR_DEVICE, 0, 0600, Optional.empty(), 0xffff_ffffL).rdev())
        .isEqualTo(0xffff_ffffL);
    assertThat(of(EntryKind.BLOCK_DEVICE, 0, 0600, Optional.empty(), 1).rdev()).isEqualTo(1);
    assertThatThrownBy(() -> of(EntryKind.CHAR_DEVICE, 0, 0600, Optional.empty(), 1L << 32))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device number");
    assertThatThrownBy(() -> of(EntryKind.CHAR_DEVICE, 0, 0600, Optional.empty(), -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device number");
    assertThatThrownBy(() -> of(EntryKind.FIFO, 0, 0600, Optional.empty(), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not on a device");
    assertThat(of(EntryKind.FIFO, 0, 0600, Optional.empty(), 0).rdev()).isZero();
  }

  @Test
  void specialFilesHaveSizeZero() {
    assertThat(of(EntryKind.SOCKET, 0, 0600, Optional.empty(), 0).size()).isZero();
    assertThatThrownBy(() -> of(EntryKind.SOCKET, 1, 0600, Optional.empty(), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has size 0");
    assertThatThrownBy(() -> of(EntryKind.BLOCK_DEVICE, 1, 0600, Optional.empty(), 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has size 0");
  }

  @Test
  void everyPartIsRequired() {
    Map<String, byte[]> none = Map.of();
    assertThatThrownBy(() -> new NodeMetadata(null, 0, 0, T, T, Optional.empty(), none))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs kind");
    assertThatThrownBy(() -> new NodeMetadata(EntryKind.FILE, 0, 0, null, T, Optional.empty(),
        none)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NodeMetadata(EntryKind.FILE, 0, 0, T, null, Optional.empty(),
        none)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NodeMetadata(EntryKind.FILE, 0, 0, T, T, null, none))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new NodeMetadata(EntryKind.FILE, 0, 0, T, T, Optional.empty(),
        null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void xattrsAreACopySortedByNameAndCannotBeChanged() {
    Map<String, byte[]> given = new HashMap<>();
    given.put("user.b", new byte[] {2});
    given.put("user.a", new byte[] {1});
    NodeMetadata m = new NodeMetadata(EntryKind.FILE, 0, 0644, T, T, Optional.empty(), given);
    given.put("user.c", new byte[] {3});
    assertThat(m.xattrs().keySet()).containsExactly("user.a", "user.b");
    assertThatThrownBy(() -> m.xattrs().put("user.d", new byte[0]))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void theFactoriesFillTheRest() {
    NodeMetadata s = NodeMetadata.symlink("é/x", 0777, T, T.plusSeconds(1));
    assertThat(s.kind()).isEqualTo(EntryKind.SYMLINK);
    assertThat(s.size()).as("UTF-8 bytes, not chars").isEqualTo(4);
    assertThat(s.symlinkTarget()).contains("é/x");
    assertThat(s.ctime()).isEqualTo(T.plusSeconds(1));
    NodeMetadata f = NodeMetadata.of(EntryKind.FILE, 9, 0640, T, T);
    assertThat(f.withSize(12).size()).isEqualTo(12);
    assertThat(f.withSize(12).mode()).isEqualTo(0640);
    assertThat(f.rdev()).isZero();
    NodeMetadata d = NodeMetadata.of(EntryKind.CHAR_DEVICE, 0, 0600, T, T).withRdev(0x0501);
    assertThat(d.rdev()).isEqualTo(0x0501);
    assertThat(d.kind()).isEqualTo(EntryKind.CHAR_DEVICE);
    assertThat(d.withSize(0).rdev()).as("withSize keeps the device number").isEqualTo(0x0501);
  }
}
