package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.cairnfs.caps.dirnode.EntryKind;
import org.junit.jupiter.api.Test;

/**
 * What the entry-line parser refuses, and where: every refusal is a {@link
 * EntryLines.FormatException} naming the line, never another exception from deeper down, and
 * the escape alphabet is exactly the spec's.
 */
class EntryLinesParseTest {
  private static final String TIMES = "2026-03-04T05:06:08Z 2026-03-04T05:06:08Z";
  private static final String DOC = EntryLines.HEADER + "\nentry ok - file 1 644 " + TIMES
      + " - -\n";

  @Test
  void aDeviceEntryHasTenFieldsAndNothingHasMore() {
    var e = EntryLines.parseEntries(EntryLines.HEADER + "\nentry null - char-device 0 666 "
        + TIMES + " - - 259\n").get(0);
    assertThat(e.metadata().kind()).isEqualTo(EntryKind.CHAR_DEVICE);
    assertThat(e.metadata().rdev()).isEqualTo(259);
    assertRefused(() -> EntryLines.parseEntries(DOC + "entry f - file 1 644 " + TIMES
        + " - - 3 4\n"), "entry line 3: expected 'entry' and 9 fields");
    assertRefused(() -> EntryLines.parseChanges(EntryLines.HEADER + "\nput f - file 1 644 "
        + TIMES + " - - 3 4\n"), "entry line 2: expected 'put'");
  }

  @Test
  void refusalsInsideALineNameIt() {
    assertRefused(() -> EntryLines.parseEntries(DOC + "entry f - file x 644 " + TIMES
        + " - -\n"), "entry line 3: bad number");
    assertRefused(() -> EntryLines.parseEntries(DOC + "entry f - nonsense 1 644 " + TIMES
        + " - -\n"), "entry line 3: unknown kind 'nonsense'");
    assertRefused(() -> EntryLines.parseChanges(EntryLines.HEADER + "\nremove a\nremove -\n"),
        "entry line 3: the name is missing");
    assertRefused(() -> EntryLines.parseChanges(EntryLines.HEADER + "\nremove \n"),
        "entry line 2: the name is missing");
    assertRefused(() -> EntryLines.parseEntries(DOC + "entry  - file 1 644 " + TIMES
        + " - -\n"), "entry line 3: the name is missing");
  }

  @Test
  void anXattrNeedsANameBeforeItsEqualsSign() {
    assertRefused(() -> EntryLines.parseEntries(EntryLines.HEADER + "\nentry f - file 1 644 "
        + TIMES + " - =eHl6\n"), "entry line 2: an xattr needs name=base64");
    assertRefused(() -> EntryLines.parseEntries(EntryLines.HEADER + "\nentry f - file 1 644 "
        + TIMES + " - user.a\n"), "entry line 2: an xattr needs name=base64");
    var e = EntryLines.parseEntries(EntryLines.HEADER + "\nentry f - file 1 644 " + TIMES
        + " - a=,user.b=eHl6\n").get(0);
    assertThat(e.metadata().xattrs()).containsOnlyKeys("a", "user.b");
    assertThat(e.metadata().xattrs().get("a")).isEmpty();
  }

  @Test
  void theSafeAlphabetIsExactlyTheSpecs() {
    assertThat(EntryLines.encode("AZaz09._~:/+=")).isEqualTo("AZaz09._~:/+=");
    assertThat(EntryLines.encode("@[`{/:")).isEqualTo("%40%5B%60%7B/:");
    assertThat(EntryLines.encode("\u007f !-")).isEqualTo("%7F%20%21%2D");
    assertThat(EntryLines.decode("!~%41")).isEqualTo("!~A");
    for (String bad : new String[] {"a\u007f", "a b", "%G1", "%1G", "%4", "x%"}) {
      assertThatThrownBy(() -> EntryLines.decode(bad)).as(bad)
          .isExactlyInstanceOf(IllegalArgumentException.class);
    }
  }

  private static void assertRefused(Runnable parse, String message) {
    assertThatThrownBy(parse::run).isExactlyInstanceOf(EntryLines.FormatException.class)
        .hasMessageStartingWith(message);
  }
}
