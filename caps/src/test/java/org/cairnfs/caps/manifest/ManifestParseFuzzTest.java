package org.cairnfs.caps.manifest;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Hostile bytes through the manifest node decoder. Decoding may only fail with {@link
 * ManifestFormatException}; a node that parses must re-encode to exactly the input (the format
 * is canonical), and opening it with a key may only fail with {@link ManifestFormatException}.
 * Seeds: src/test/resources/org/cairnfs/caps/manifest/ManifestParseFuzzTestInputs/decode/;
 * fuzz with {@code JAZZER_FUZZ=1 mvn -pl caps -am test -Dtest=ManifestParseFuzzTest}.
 */
class ManifestParseFuzzTest {
  private static final byte[] KEY = new byte[32];

  @FuzzTest(maxDuration = "30s")
  void decode(FuzzedDataProvider data) {
    byte[] bytes = data.consumeRemainingAsBytes();
    ManifestNode node;
    try {
      node = ManifestCodec.decode(bytes);
    } catch (ManifestFormatException expected) {
      return;
    }
    if (!Arrays.equals(node.toBytes(), bytes)) {
      throw new AssertionError("a parsed node is not its own bytes");
    }
    node.verifyEntries();
    try {
      if (node.position().isLeaf()) {
        node.chunks(KEY);
      } else {
        node.subtrees(KEY);
      }
    } catch (ManifestFormatException expected) {
      // the key does not open this node
    }
  }
}
