package org.cairnfs.introducer.announcement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import org.cairnfs.introducer.HostPort;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AnnouncementTest {
  static final ServerDetails DETAILS = new ServerDetails("büro-1", List.of(
      new HostPort("10.0.0.5", 4001), new HostPort("::1", 4001)), 200L << 30, "cairn 0.1.0",
      42, Instant.ofEpochMilli(1_700_000_000_000L));

  @Nested
  class SignAndParse {
    @Test
    void ed25519RoundTrips() throws Exception {
      NodeSigner signer = TestKeys.ed25519();
      Announcement a = Announcement.sign(DETAILS, signer);
      Announcement back = Announcement.parse(a.toBytes());
      assertThat(back).isEqualTo(a);
      assertThat(back.nodeId()).isEqualTo(NodeId.ofPublicKey(signer.publicKey()));
      assertThat(back.details()).isEqualTo(DETAILS);
      assertThat(back.publicKey()).isEqualTo(signer.publicKey());
    }

    @Test
    void ecdsaRoundTrips() throws Exception {
      Announcement a = Announcement.sign(DETAILS, TestKeys.ecdsa());
      assertThat(Announcement.parse(a.toBytes()).details()).isEqualTo(DETAILS);
    }

    @Test
    void supersedesOnlyWithHigherSequenceOfSameNode() {
      NodeSigner s = TestKeys.ed25519();
      Announcement a = Announcement.sign(DETAILS, s);
      Announcement b = Announcement.sign(DETAILS.next(43, Instant.now(), 1), s);
      Announcement other = Announcement.sign(DETAILS.next(99, Instant.now(), 1), TestKeys.ed25519());
      assertThat(b.supersedes(a)).isTrue();
      assertThat(a.supersedes(b)).isFalse();
      assertThat(a.supersedes(a)).isFalse();
      assertThat(other.supersedes(a)).isFalse();
    }
  }

  @Nested
  class Rejection {
    @Test
    void everyFlippedByteIsRejected() {
      byte[] good = Announcement.sign(DETAILS, TestKeys.ed25519()).toBytes();
      for (int i = 0; i < good.length; i++) {
        byte[] bad = good.clone();
        bad[i] ^= 0x01;
        assertThatThrownBy(() -> Announcement.parse(bad)).as("byte %d", i)
            .isInstanceOf(AnnouncementException.class);
      }
    }

    @Test
    void keyNotMatchingNodeIdIsRejected() {
      byte[] bytes = Announcement.sign(DETAILS, TestKeys.ed25519()).toBytes();
      byte[] otherId = NodeId.ofPublicKey(TestKeys.ed25519().publicKey()).toBytes();
      System.arraycopy(otherId, 0, bytes, AnnouncementLayout.OFFSET_NODE_ID, 32);
      assertThatThrownBy(() -> Announcement.parse(bytes))
          .isInstanceOf(AnnouncementException.class).hasMessageContaining("public key belongs to node");
    }

    @Test
    void signatureByAnotherKeyIsRejected() {
      NodeSigner owner = TestKeys.ed25519();
      NodeSigner thief = TestKeys.ed25519();
      NodeSigner forger = new NodeSigner() {
        @Override
        public java.security.PublicKey publicKey() {
          return owner.publicKey();
        }

        @Override
        public byte[] sign(byte[] message) {
          return thief.sign(message);
        }
      };
      assertThatThrownBy(() -> Announcement.sign(DETAILS, forger)).isInstanceOf(IllegalStateException.class);
      Announcement real = Announcement.sign(DETAILS, owner);
      byte[] bytes = real.toBytes();
      byte[] sig = thief.sign(new byte[] {1});
      System.arraycopy(sig, 0, bytes, bytes.length - 64, 64);
      assertThatThrownBy(() -> Announcement.parse(bytes)).hasMessageContaining("does not verify");
    }

    @Test
    void truncationAndTrailingBytesAreRejected() {
      byte[] good = Announcement.sign(DETAILS, TestKeys.ed25519()).toBytes();
      for (int n = 0; n < good.length; n++) {
        byte[] cut = java.util.Arrays.copyOf(good, n);
        assertThatThrownBy(() -> Announcement.parse(cut)).isInstanceOf(AnnouncementException.class);
      }
      byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
      assertThatThrownBy(() -> Announcement.parse(longer)).hasMessageContaining("trailing");
    }

    @Test
    void wrongMagicAndVersionAreNamed() {
      byte[] good = Announcement.sign(DETAILS, TestKeys.ed25519()).toBytes();
      byte[] magic = good.clone();
      magic[0] = 'X';
      assertThatThrownBy(() -> Announcement.parse(magic)).hasMessageContaining("bad magic");
      byte[] version = good.clone();
      version[5] = 2;
      assertThatThrownBy(() -> Announcement.parse(version)).hasMessageContaining("version 2");
    }

    @Test
    void oversizedLengthFieldIsRejectedBeforeReading() {
      byte[] good = Announcement.sign(DETAILS, TestKeys.ed25519()).toBytes();
      byte[] bad = good.clone();
      bad[AnnouncementLayout.OFFSET_KEY_LENGTH] = (byte) 0xFF;
      assertThatThrownBy(() -> Announcement.parse(bad)).hasMessageContaining("outside 1..256");
    }

    @Test
    void negativeSequenceIsRejected() {
      byte[] bad = Announcement.sign(DETAILS, TestKeys.ed25519()).toBytes();
      bad[AnnouncementLayout.OFFSET_SEQUENCE] = (byte) 0x80;
      assertThatThrownBy(() -> Announcement.parse(bad)).hasMessageContaining("sequence at offset 38");
    }
  }

  @Nested
  class DetailsBounds {
    @Test
    void boundsAreEnforcedWhenBuilding() {
      List<HostPort> one = List.of(new HostPort("h", 1));
      Instant t = Instant.EPOCH;
      assertThatThrownBy(() -> new ServerDetails("x".repeat(129), one, 0, "v", 0, t)).hasMessageContaining("nickname");
      assertThatThrownBy(() -> new ServerDetails("a\nb", one, 0, "v", 0, t)).hasMessageContaining("control or format character");
      // format characters: a bidi override or a zero-width space would show a fake as "s1"
      for (String spoof : List.of("1s\u202E", "s\u200B1", "\uFEFFs1", "s\u20661",
          "s1" + new String(Character.toChars(0xE0041)), "s\uD8001")) {
        assertThatThrownBy(() -> new ServerDetails(spoof, one, 0, "v", 0, t))
            .hasMessageContaining("U+");
      }
      // joiners stay: scripts and emoji sequences need them
      for (String fine : List.of("büro-1 ☃", "\u0645\u06CC\u200C\u0634\u0648\u062F",
          "\uD83D\uDC68\u200D\uD83D\uDCBB", "\uD83D\uDE00")) {
        assertThat(new ServerDetails(fine, one, 0, "v", 0, t).nickname()).isEqualTo(fine);
      }
      assertThatThrownBy(() -> new ServerDetails("n", List.of(), 0, "v", 0, t)).hasMessageContaining("addresses");
      assertThatThrownBy(() -> new ServerDetails("n", one, -1, "v", 0, t)).hasMessageContaining("free space");
      assertThatThrownBy(() -> new ServerDetails("n", one, 0, "v", -1, t)).hasMessageContaining("sequence");
    }
  }

  @Nested
  class Golden {
    /** Pins the body layout: changing any offset, width or order changes this hash. */
    @Test
    void bodyLayoutIsPinned() throws Exception {
      byte[] nodeId = new byte[32];
      for (int i = 0; i < 32; i++) {
        nodeId[i] = (byte) i;
      }
      byte[] spki = new byte[44];
      java.util.Arrays.fill(spki, (byte) 0xAB);
      byte[] body = AnnouncementLayout.encodeBody(nodeId, DETAILS, SignatureScheme.ED25519, spki);
      assertThat(new String(body, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("CANN");
      ByteBuffer b = ByteBuffer.wrap(body);
      assertThat(b.getShort(4)).isEqualTo((short) 1);
      assertThat(b.getLong(AnnouncementLayout.OFFSET_SEQUENCE)).isEqualTo(42);
      assertThat(b.getLong(AnnouncementLayout.OFFSET_ISSUED_AT)).isEqualTo(1_700_000_000_000L);
      assertThat(b.getLong(AnnouncementLayout.OFFSET_FREE_SPACE)).isEqualTo(200L << 30);
      assertThat(body[AnnouncementLayout.OFFSET_KEY_ALGORITHM]).isEqualTo((byte) 1);
      assertThat(b.getShort(AnnouncementLayout.OFFSET_KEY_LENGTH)).isEqualTo((short) 44);
      assertThat(body).hasSize(65 + 44 + 2 + 7 + 2 + 11 + 1 + (1 + 8 + 2) + (1 + 3 + 2));
      byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(body);
      assertThat(org.cairnfs.caps.Base32.encode(sha)).isEqualTo(GOLDEN_BODY_SHA256);
    }
  }

  static final String GOLDEN_BODY_SHA256 = "ushx3epaiy4felihkk7i4bxadvfpsexbrbcqp54ekgn6l3dexpua";
}
