package org.cairnfs.introducer.announcement;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.cairnfs.protocol.identity.NodeId;

/**
 * Feeds arbitrary bytes to {@link Announcement#parse}, the introducer's and every subscriber's
 * first contact with untrusted announcements. Only {@link AnnouncementException} may escape; bytes
 * that parse must re-encode to themselves and name the node their key hashes to.
 *
 * <p>Without JAZZER_FUZZ it replays the seeds in {@code AnnouncementParseFuzzTestInputs/parse/}
 * (signed announcements, valid and damaged) under the normal build; with JAZZER_FUZZ=1 it fuzzes:
 * {@code JAZZER_FUZZ=1 mvn -pl introducer -am test -Dtest=AnnouncementParseFuzzTest}.
 */
class AnnouncementParseFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void parse(FuzzedDataProvider data) {
    byte[] bytes = data.consumeRemainingAsBytes();
    Announcement a;
    try {
      a = Announcement.parse(bytes);
    } catch (AnnouncementException expected) {
      assertThat(expected.getMessage()).isNotBlank();
      return;
    }
    assertThat(a.toBytes()).isEqualTo(bytes);
    assertThat(a.nodeId()).isEqualTo(NodeId.ofPublicKey(a.publicKey()));
  }
}
