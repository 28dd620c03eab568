package org.cairnfs.caps.dirnode;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * Hostile bytes through the directory decoder. A decode may only fail with {@link
 * DirectoryFormatException}; a successful decode must re-encode to exactly the input (the
 * format is canonical), and opening sealed caps may only fail with {@link
 * DirectoryIntegrityException}. Seeds: src/test/resources/org/cairnfs/caps/dirnode/
 * DirectoryParseFuzzTestInputs/ (versions 1 and 3).
 */
class DirectoryParseFuzzTest {
  private static final ChildWriteCapKey KEY = ChildWriteCapKey.of(Fixtures.directory(1));

  @FuzzTest(maxDuration = "30s")
  void decode(FuzzedDataProvider data) {
    byte[] bytes = data.consumeRemainingAsBytes();
    DirectoryContents contents;
    try {
      contents = DirectoryCodec.decode(bytes);
    } catch (DirectoryFormatException expected) {
      return;
    }
    if (!Arrays.equals(DirectoryCodec.encode(contents), bytes)) {
      throw new AssertionError("decode then encode changed the bytes: not canonical");
    }
    for (DirectoryEntry e : contents.entries()) {
      if (e.writeCap().isPresent()) {
        try {
          KEY.open(e.name(), e.writeCap().get());
        } catch (DirectoryIntegrityException expected) {
          // sealed under another key, or tampered
        }
      }
    }
  }
}
