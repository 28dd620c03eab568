package org.cairnfs.introducer.announcement;

import static org.assertj.core.api.Assertions.assertThat;

import org.cairnfs.protocol.identity.KeyAlgorithm;
import org.cairnfs.protocol.identity.NodeKey;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NodeSignerTest {
  @ParameterizedTest
  @EnumSource(KeyAlgorithm.class)
  void aNodeKeySignerMakesAnnouncementsThatParseAsThatNode(KeyAlgorithm algorithm)
      throws Exception {
    NodeKey key = NodeKey.generate(algorithm);
    NodeSigner signer = NodeSigner.of(key);
    assertThat(signer.publicKey()).isEqualTo(key.publicKey());
    Announcement back = Announcement.parse(
        Announcement.sign(AnnouncementTest.DETAILS, signer).toBytes());
    assertThat(back.nodeId()).isEqualTo(key.nodeId());
    assertThat(back.details()).isEqualTo(AnnouncementTest.DETAILS);
  }
}
