package org.cairnfs.caps.dirnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cairnfs.caps.dirnode.PageCodecTest.goldenInner;
import static org.cairnfs.caps.dirnode.PageCodecTest.stored;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.cairnfs.caps.LiteralCap;
import org.junit.jupiter.api.Test;

/**
 * The page codec's checks exactly at their edges, beside {@link PageCodecTest}'s named faults:
 * each bound refuses one past it with its own message and lets the edge through, so a page a
 * writer forged to sit on an edge is judged by the rule meant for it.
 */
class PageCodecEdgesTest {
  private static final int MAX = PageCodec.MAX_PAGE_BYTES;

  private static PageKey key(int i) {
    return PageKey.of(new byte[] {(byte) ('a' + i / 26), (byte) ('a' + i % 26)});
  }

  /** An inner page of {@code count} inline children of 55 bytes: 57 bytes each plus keys. */
  private static InnerPage wideInner(int count) {
    List<PageKey> separators = new ArrayList<>();
    List<PageRef> children = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        separators.add(key(i));
      }
      children.add(new PageRef.Inline(new LiteralCap(new byte[LiteralCap.MAX_SIZE])));
    }
    return new InnerPage(1, separators, children);
  }

  @Test
  void anOversizedPageIsRefusedBeforeItsBytesAreRead() {
    for (String what : List.of("inner", "root")) {
      byte[] page = new byte[MAX + 1];
      assertThatThrownBy(() -> {
        if (what.equals("inner")) {
          PageCodec.decodeInner(page);
        } else {
          PageCodec.decodeRoot(page);
        }
      }).hasMessageContaining("of " + (MAX + 1) + " bytes exceeds " + MAX);
    }
    // Exactly the limit passes the size check and fails on what it holds.
    assertThatThrownBy(() -> PageCodec.decodeInner(new byte[MAX]))
        .hasMessageContaining("bad magic");
    assertThatThrownBy(() -> PageCodec.decodeRoot(new byte[MAX]))
        .hasMessageContaining("bad magic");
    assertThatThrownBy(() -> PageCodec.decodeLeaf(new byte[MAX]))
        .hasMessageContaining("bad magic");
  }

  @Test
  void anOversizedPageIsNeverEncoded() {
    int count = MAX / 59 + 10; // 57 bytes a child plus a 3-byte separator: over 64 KiB
    InnerPage wide = wideInner(count);
    assertThatThrownBy(() -> PageCodec.encodeInner(wide))
        .hasMessageContaining("inner page of").hasMessageContaining("exceeds " + MAX);
    PagedRoot root = new PagedRoot(2, 5, wide.separators(), wide.children());
    assertThatThrownBy(() -> PageCodec.encodeRoot(root))
        .hasMessageContaining("paged root of").hasMessageContaining("exceeds " + MAX);
    List<DirectoryEntry> entries = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      entries.add(Fixtures.file(String.format("entry-%05d-%s", i, "x".repeat(20)),
          "cairn:x:" + i));
    }
    assertThatThrownBy(() -> PageCodec.encodeLeaf(entries))
        .hasMessageContaining("leaf page of").hasMessageContaining("exceeds " + MAX);
  }

  @Test
  void aLeafHoldsAtMost65535EntriesWhateverTheirSize() {
    List<DirectoryEntry> entries = new ArrayList<>();
    for (int i = 0; i < 0xffff; i++) {
      entries.add(Fixtures.file(String.format("%05x", i), "cairn:x"));
    }
    // 65 535 entries: allowed by count, refused for size only.
    assertThatThrownBy(() -> PageCodec.encodeLeaf(entries)).hasMessageContaining("exceeds");
    entries.add(Fixtures.file("fffff", "cairn:x"));
    assertThatThrownBy(() -> PageCodec.encodeLeaf(entries))
        .hasMessageContaining("1..65535 entries, got 65536");
  }

  @Test
  void leafEntriesMustBeStrictlyAscending() {
    assertThatThrownBy(() -> PageCodec.encodeLeaf(List.of(Fixtures.file("a", "cairn:x:1"),
        Fixtures.file("a", "cairn:x:2")))).hasMessageContaining("strictly ascending");
    assertThatThrownBy(() -> PageCodec.encodeLeaf(List.of(Fixtures.file("b", "cairn:x:1"),
        Fixtures.file("a", "cairn:x:2")))).hasMessageContaining("\"a\" after \"b\"");
    assertThat(PageCodec.decodeLeaf(PageCodec.encodeLeaf(List.of(Fixtures.file("a", "cairn:x:1"),
        Fixtures.file("b", "cairn:x:2"))))).hasSize(2);
  }

  @Test
  void innerPagesAndRootsOfAnotherVersionAreRefused() {
    byte[] inner = PageCodec.encodeInner(goldenInner());
    inner[4] = 3;
    assertThatThrownBy(() -> PageCodec.decodeInner(inner))
        .hasMessageContaining("unknown inner page version 3");
    byte[] root = new PagedRoot(1, 5, List.of(PageKey.of("m".getBytes())),
        List.of(stored(0, 100), stored(1, 100))).encode();
    root[4] = 3;
    assertThatThrownBy(() -> PageCodec.decodeRoot(root))
        .hasMessageContaining("unknown paged root version 3");
  }

  @Test
  void aRootMayBeAsTallAsTheLimitAndNoTaller() {
    byte[] root = new PagedRoot(1, 5, List.of(PageKey.of("m".getBytes())),
        List.of(stored(0, 100), stored(1, 100))).encode();
    root[5] = (byte) PageCodec.MAX_HEIGHT;
    assertThat(PageCodec.decodeRoot(root).height()).isEqualTo(PageCodec.MAX_HEIGHT);
    root[5] = (byte) (PageCodec.MAX_HEIGHT + 1);
    assertThatThrownBy(() -> PageCodec.decodeRoot(root))
        .hasMessageContaining("paged root height 17 outside 1..16");
  }

  /** The child count is bounded by the bytes left, two a child (the smallest inline ref). */
  @Test
  void theChildCountIsBoundedByTheBytesLeftExactly() {
    byte[] good = PageCodec.encodeInner(goldenInner());
    int left = good.length - PageCodec.INNER_HEADER;
    byte[] b = good.clone();
    ByteBuffer.wrap(b).putShort(6, (short) (left / 2 + 1));
    assertThatThrownBy(() -> PageCodec.decodeInner(b))
        .hasMessageContaining((left / 2 + 1) + " children cannot fit in " + left + " bytes");
    ByteBuffer.wrap(b).putShort(6, (short) (left / 2));
    assertThatThrownBy(() -> PageCodec.decodeInner(b)).isInstanceOf(
        DirectoryFormatException.class).hasMessageNotContaining("cannot fit");
  }

  @Test
  void aOneByteSeparatorIsAllowed() {
    InnerPage page = new InnerPage(1, List.of(PageKey.of(new byte[] {'m'})),
        List.of(stored(0, 100), stored(1, 100)));
    assertThat(PageCodec.decodeInner(PageCodec.encodeInner(page))).isEqualTo(page);
  }

  @Test
  void aNodeNeedsOneSeparatorFewerThanChildrenInStrictOrder() {
    List<PageRef> three = List.of(stored(0, 100), stored(1, 100), stored(2, 100));
    assertThatThrownBy(() -> new InnerPage(1, List.of(key(1)), three))
        .hasMessageContaining("one separator fewer");
    assertThatThrownBy(() -> new InnerPage(1, List.of(key(1), key(2), key(3)), three))
        .hasMessageContaining("one separator fewer");
    assertThatThrownBy(() -> new InnerPage(1, List.of(key(1), key(1)), three))
        .hasMessageContaining("separator 1 is not after the one before it");
    assertThatThrownBy(() -> new InnerPage(1, List.of(key(2), key(1)), three))
        .hasMessageContaining("separator 1 is not after");
    assertThatThrownBy(() -> new InnerPage(1, null, three))
        .hasMessageContaining("at least 2 children");
    assertThatThrownBy(() -> new InnerPage(1, List.of(), null))
        .hasMessageContaining("at least 2 children");
    assertThat(new InnerPage(1, List.of(key(1), key(2)), three).children()).hasSize(3);
  }
}
