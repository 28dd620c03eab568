package org.cairnfs.introducer.announcement;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Untrusted bytes may only ever parse to a verified announcement or fail with the typed exception. */
class AnnouncementParsePropertyTest {
  private static final byte[] GOOD =
      Announcement.sign(AnnouncementTest.DETAILS, TestKeys.ed25519()).toBytes();

  @Property(tries = 300)
  void randomBytesNeverEscapeTheTypedException(@ForAll @Size(max = 600) byte[] bytes) {
    assertThat(parseOutcome(bytes)).isIn("rejected", "accepted");
  }

  @Property(tries = 300)
  void mutatedAnnouncementsAreRejectedOrIdentical(@ForAll @IntRange(min = 0, max = 400) int position,
      @ForAll byte value, @ForAll @IntRange(min = -3, max = 3) int lengthChange) {
    byte[] mutated = java.util.Arrays.copyOf(GOOD, Math.max(0, GOOD.length + lengthChange));
    if (position < mutated.length) {
      mutated[position] = value;
    }
    String outcome = parseOutcome(mutated);
    if (outcome.equals("accepted")) {
      assertThat(mutated).isEqualTo(GOOD);
    }
  }

  private static String parseOutcome(byte[] bytes) {
    try {
      Announcement.parse(bytes);
      return "accepted";
    } catch (AnnouncementException e) {
      return "rejected";
    }
  }
}
