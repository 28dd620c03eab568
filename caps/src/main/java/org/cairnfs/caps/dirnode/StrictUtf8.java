package org.cairnfs.caps.dirnode;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** UTF-8 that refuses to guess: malformed bytes and unpaired surrogates are errors. */
final class StrictUtf8 {
  private StrictUtf8() {}

  static byte[] encode(String text, String what) {
    try {
      ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(text));
      return Arrays.copyOfRange(b.array(), b.arrayOffset() + b.position(),
          b.arrayOffset() + b.limit());
    } catch (CharacterCodingException e) {
      throw new DirectoryFormatException(what + " is not valid Unicode (unpaired surrogate)");
    }
  }

  static String decode(byte[] bytes, int offset, int length, String what) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, offset, length)).toString();
    } catch (CharacterCodingException e) {
      throw new DirectoryFormatException(what + " is not valid UTF-8");
    }
  }
}
