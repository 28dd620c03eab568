package org.cairnfs.caps.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tag strings are part of every format: renaming, reordering or dropping one must fail. */
class TagTest {
  @Test
  void everyTagStringIsPinned() {
    Map<Tag, String> expected = new LinkedHashMap<>();
    expected.put(Tag.PLAINTEXT, "cairn-v1-plaintext");
    expected.put(Tag.CONVERGENT_KEY, "cairn-v1-convergent-key");
    expected.put(Tag.IMMUTABLE_STORAGE_INDEX, "cairn-v1-immutable-storage-index");
    expected.put(Tag.BLOCK, "cairn-v1-block");
    expected.put(Tag.MERKLE_NODE, "cairn-v1-merkle-node");
    expected.put(Tag.MERKLE_PAD, "cairn-v1-merkle-pad");
    expected.put(Tag.SHARE, "cairn-v1-share");
    expected.put(Tag.EXTENSION_BLOCK, "cairn-v1-extension-block");
    expected.put(Tag.MUTABLE_WRITE_KEY, "cairn-v1-mutable-write-key");
    expected.put(Tag.MUTABLE_READ_KEY, "cairn-v1-mutable-read-key");
    expected.put(Tag.VERIFYING_KEY_FINGERPRINT, "cairn-v1-verifying-key-fingerprint");
    expected.put(Tag.MUTABLE_STORAGE_INDEX, "cairn-v1-mutable-storage-index");
    expected.put(Tag.MUTABLE_DATA_KEY, "cairn-v1-mutable-data-key");
    expected.put(Tag.SIGNING_KEY_ENCRYPTION, "cairn-v1-signing-key-encryption");
    expected.put(Tag.MUTABLE_SIGNATURE, "cairn-v1-mutable-signature");
    expected.put(Tag.DIRECTORY_WRITECAP_KEY, "cairn-v1-directory-writecap-key");
    expected.put(Tag.LEASE_RENEW_SECRET, "cairn-v1-lease-renew-secret");
    expected.put(Tag.LEASE_CANCEL_SECRET, "cairn-v1-lease-cancel-secret");
    expected.put(Tag.NODE_ID, "cairn-v1-node-id");
    expected.put(Tag.ANNOUNCEMENT, "cairn-v1-announcement");
    expected.put(Tag.SEGMENT, "cairn-v1-segment");
    expected.put(Tag.MANIFEST_CONTENT, "cairn-v1-manifest-content");
    expected.put(Tag.MANIFEST_READ_KEY, "cairn-v1-manifest-read-key");
    expected.put(Tag.MANIFEST_KEY, "cairn-v1-manifest-key");
    expected.put(Tag.MANIFEST_SEAL_KEY, "cairn-v1-manifest-seal-key");
    expected.put(Tag.DIRECTORY_PAGE_SECRET, "cairn-v1-directory-page-secret");
    expected.put(Tag.PERMUTED_RING, "cairn-v1-permuted-ring");

    // New tags are appended; everything pinned here keeps its place and its string.
    Tag[] all = Tag.values();
    assertThat(all.length).isGreaterThanOrEqualTo(expected.size());
    assertThat(Arrays.asList(all).subList(0, expected.size()))
        .containsExactlyElementsOf(expected.keySet());
    expected.forEach((tag, text) -> assertThat(tag.text()).as(tag.name()).isEqualTo(text));
  }

  @Test
  void specListsEveryTag() throws java.io.IOException {
    String spec = java.nio.file.Files.readString(
        java.nio.file.Path.of("..", "docs", "specs", "caps.md"));

    for (Tag tag : Tag.values()) {
      assertThat(spec).as(tag.name())
          .contains("| `" + tag.name() + "` | `" + tag.text() + "` |");
    }
  }

  @Test
  void tagStringsAreUnique() {
    assertThat(Arrays.stream(Tag.values()).map(Tag::text)).doesNotHaveDuplicates();
  }

  @Test
  void tagStringsAreVersionedLowerCaseAscii() {
    for (Tag tag : Tag.values()) {
      assertThat(tag.text()).as(tag.name()).matches("cairn-v[0-9]+-[a-z0-9-]+");
    }
  }
}
