package org.cairnfs.caps.dirnode;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;
import java.util.List;

/**
 * Hostile bytes through every page parser: leaf pages (version 2 or 3), inner pages, and
 * directory roots (any version, flat or paged). Each may only fail with {@link
 * DirectoryFormatException}; what parses must re-encode to exactly the input. Seeds:
 * src/test/resources/org/cairnfs/caps/dirnode/PageParseFuzzTestInputs/{leaf,inner,root}/; fuzz
 * with
 * {@code JAZZER_FUZZ=1 mvn -pl caps -am test -Dtest=PageParseFuzzTest}.
 */
class PageParseFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void leaf(FuzzedDataProvider data) {
    byte[] bytes = data.consumeRemainingAsBytes();
    List<DirectoryEntry> entries;
    try {
      entries = PageCodec.decodeLeaf(bytes);
    } catch (DirectoryFormatException expected) {
      return;
    }
    if (!Arrays.equals(PageCodec.encodeLeaf(entries), bytes)) {
      throw new AssertionError("a leaf page is not canonical");
    }
  }

  @FuzzTest(maxDuration = "30s")
  void inner(FuzzedDataProvider data) {
    byte[] bytes = data.consumeRemainingAsBytes();
    InnerPage page;
    try {
      page = PageCodec.decodeInner(bytes);
    } catch (DirectoryFormatException expected) {
      return;
    }
    if (!Arrays.equals(PageCodec.encodeInner(page), bytes)) {
      throw new AssertionError("an inner page is not canonical");
    }
  }

  @FuzzTest(maxDuration = "30s")
  void root(FuzzedDataProvider data) {
    byte[] bytes = data.consumeRemainingAsBytes();
    DirectoryRoot root;
    try {
      root = DirectoryRoot.decode(bytes);
    } catch (DirectoryFormatException expected) {
      return;
    }
    if (!Arrays.equals(root.encode(), bytes)) {
      throw new AssertionError("a directory root is not canonical");
    }
  }
}
