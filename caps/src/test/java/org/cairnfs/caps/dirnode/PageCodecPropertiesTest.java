package org.cairnfs.caps.dirnode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.cairnfs.caps.ImmutableReadCap;
import org.cairnfs.caps.LiteralCap;

/**
 * Version-2 pages (and version-3 leaves): encode/decode identity for arbitrary leaf pages, inner
 * pages and roots, and
 * decoding of arbitrary or mutated bytes gives a page or a {@link DirectoryFormatException},
 * never anything else, and what decodes re-encodes to the same bytes.
 */
class PageCodecPropertiesTest {
  /** Leaves of plain files, and leaves of entries of every kind (version 3 when one needs it). */
  @Provide
  Arbitrary<List<DirectoryEntry>> leaves() {
    Arbitrary<List<DirectoryEntry>> files = DirectoryCodecPropertiesTest.validNames().list()
        .ofMinSize(1).ofMaxSize(30)
        .map(names -> {
          TreeMap<EntryName, DirectoryEntry> m = new TreeMap<>();
          for (EntryName n : names) {
            m.put(n, DirectoryEntry.of(n, "cairn:x:" + n.byteLength(),
                java.util.Optional.empty(), EntryMetadata.of(EntryKind.FILE, n.byteLength(),
                    0644, Fixtures.MTIME, Fixtures.CTIME)));
          }
          return new ArrayList<>(m.values());
        });
    Arbitrary<List<DirectoryEntry>> anyKind = DirectoryCodecPropertiesTest.entryLists(1, 12)
        .map(generated -> DirectoryCodecPropertiesTest.contentsOf(generated).entries())
        .filter(entries -> PageCodec.leafLength(entries) <= PageCodec.MAX_PAGE_BYTES);
    return Arbitraries.oneOf(files, anyKind);
  }

  @Property(tries = 300)
  void leafPagesRoundTrip(@ForAll("leaves") List<DirectoryEntry> entries) {
    byte[] bytes = PageCodec.encodeLeaf(entries);
    assertThat(bytes.length).isEqualTo(PageCodec.leafLength(entries));
    assertThat(bytes[4]).isEqualTo((byte) (entries.stream()
        .anyMatch(e -> e.metadata().needsVersion3()) ? 3 : 2));
    assertThat(PageCodec.decodeLeaf(bytes)).isEqualTo(entries);
  }

  static Arbitrary<PageRef> refs() {
    Arbitrary<PageRef> stored = Combinators.combine(
        Arbitraries.bytes().array(byte[].class).ofSize(32),
        Arbitraries.bytes().array(byte[].class).ofSize(32),
        Arbitraries.integers().between(1, 256), Arbitraries.integers().between(56, 65_536))
        .as((k, e, n, size) -> new PageRef.Stored(new ImmutableReadCap(k, e, 1 + n / 2, n,
            size)));
    Arbitrary<PageRef> inline = Arbitraries.bytes().array(byte[].class).ofMaxSize(55)
        .map(b -> new PageRef.Inline(new LiteralCap(b)));
    return Arbitraries.oneOf(stored, inline);
  }

  @Provide
  Arbitrary<InnerPage> inners() {
    Arbitrary<List<PageKey>> keys = Arbitraries.bytes().array(byte[].class).ofMinSize(1)
        .ofMaxSize(30).map(PageKey::of).set().ofMinSize(1).ofMaxSize(40)
        .map(s -> s.stream().sorted().toList());
    return Combinators.combine(Arbitraries.integers().between(1, 15), keys,
        refs().list().ofSize(41)).as((level, k, r) -> new InnerPage(level, k,
            r.subList(0, k.size() + 1)));
  }

  @Property(tries = 300)
  void innerPagesAndRootsRoundTrip(@ForAll("inners") InnerPage page,
      @ForAll long count) {
    byte[] bytes = PageCodec.encodeInner(page);
    assertThat(PageCodec.decodeInner(bytes)).isEqualTo(page);
    PagedRoot root = new PagedRoot(page.level(), count & 0xffffffffL, page.separators(),
        page.children());
    assertThat(DirectoryRoot.decode(root.encode())).isEqualTo(root);
  }

  /** Each decoder either refuses with a DirectoryFormatException or round-trips exactly. */
  static void decodeHostile(byte[] bytes) {
    try {
      List<DirectoryEntry> leaf = PageCodec.decodeLeaf(bytes);
      assertThat(PageCodec.encodeLeaf(leaf)).isEqualTo(bytes);
    } catch (DirectoryFormatException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
    try {
      InnerPage inner = PageCodec.decodeInner(bytes);
      assertThat(PageCodec.encodeInner(inner)).isEqualTo(bytes);
    } catch (DirectoryFormatException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
    try {
      DirectoryRoot root = DirectoryRoot.decode(bytes);
      assertThat(root.encode()).isEqualTo(bytes);
    } catch (DirectoryFormatException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 1000)
  void arbitraryBytesNeverEscape(@ForAll @Size(max = 400) byte[] bytes) {
    decodeHostile(bytes);
  }

  @Provide
  Arbitrary<byte[]> mutatedPages() {
    Arbitrary<byte[]> valid = Arbitraries.oneOf(
        leaves().map(PageCodec::encodeLeaf),
        inners().map(PageCodec::encodeInner),
        inners().map(p -> new PagedRoot(p.level(), 7, p.separators(), p.children()).encode()));
    return Combinators.combine(valid, Arbitraries.integers().between(0, 3),
        Arbitraries.integers(), Arbitraries.bytes()).as((b, how, where, value) -> {
          int at = Math.floorMod(where, b.length);
          byte[] out = b.clone();
          switch (how) {
            case 0 -> out[at] = value;
            case 1 -> out[at] ^= (byte) (1 << Math.floorMod(value, 8));
            case 2 -> out = Arrays.copyOf(b, at);
            default -> out = Arrays.copyOf(b, b.length + 1 + Math.floorMod(value, 40));
          }
          return out;
        });
  }

  @Property(tries = 1000)
  void mutatedPagesNeverEscape(@ForAll("mutatedPages") byte[] bytes) {
    decodeHostile(bytes);
  }
}
