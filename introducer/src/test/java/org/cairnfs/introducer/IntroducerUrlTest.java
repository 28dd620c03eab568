package org.cairnfs.introducer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.cairnfs.protocol.identity.NodeId;
import org.junit.jupiter.api.Test;

class IntroducerUrlTest {
  private static final NodeId ID = NodeId.of(filled((byte) 7));

  private static byte[] filled(byte b) {
    byte[] a = new byte[32];
    Arrays.fill(a, b);
    return a;
  }

  @Test
  void formatThenParseRoundTrips() {
    IntroducerUrl url = new IntroducerUrl(ID, new HostPort("intro.example.org", 4000));
    String text = url.toString();
    assertThat(text).isEqualTo("cairn://" + ID + "@intro.example.org:4000");
    assertThat(IntroducerUrl.parse(text)).isEqualTo(url);
  }

  @Test
  void ipv6RoundTrips() {
    IntroducerUrl url = IntroducerUrl.parse("cairn://" + ID + "@[::1]:4000");
    assertThat(url.address()).isEqualTo(new HostPort("::1", 4000));
    assertThat(url.toString()).endsWith("@[::1]:4000");
    assertThat(IntroducerUrl.parse(url.toString())).isEqualTo(url);
  }

  @Test
  void surroundingWhitespaceIsIgnored() {
    assertThat(IntroducerUrl.parse("  cairn://" + ID + "@h:1\n").nodeId()).isEqualTo(ID);
  }

  @Test
  void errorsNameTheFault() {
    assertThatThrownBy(() -> IntroducerUrl.parse("pb://" + ID + "@h:1"))
        .isInstanceOf(AddressFormatException.class).hasMessageContaining("must start with 'cairn://'");
    assertThatThrownBy(() -> IntroducerUrl.parse("cairn://" + ID + "h:1"))
        .hasMessageContaining("missing '@'");
    assertThatThrownBy(() -> IntroducerUrl.parse("cairn://abc@h:1"))
        .hasMessageContaining("bad node id").hasMessageContaining("52");
    String upper = ID.toString().toUpperCase();
    assertThatThrownBy(() -> IntroducerUrl.parse("cairn://" + upper + "@h:1"))
        .hasMessageContaining("bad node id").hasMessageContaining("bad base32 character");
    assertThatThrownBy(() -> IntroducerUrl.parse("cairn://" + ID + "@h"))
        .hasMessageContaining("bad address").hasMessageContaining("missing ':port'");
    assertThatThrownBy(() -> IntroducerUrl.parse("cairn://" + ID + "@h:99999"))
        .hasMessageContaining("bad address").hasMessageContaining("99999");
  }

  @Test
  void nodeAddressParsesWithoutScheme() {
    NodeAddress n = NodeAddress.parse(ID + "@10.0.0.1:5000");
    assertThat(n).isEqualTo(new NodeAddress(ID, new HostPort("10.0.0.1", 5000)));
    assertThat(NodeAddress.parse(n.toString())).isEqualTo(n);
    assertThat(IntroducerUrl.parse("cairn://" + n).node()).isEqualTo(n);
  }
}
