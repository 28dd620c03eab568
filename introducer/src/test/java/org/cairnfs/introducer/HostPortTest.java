package org.cairnfs.introducer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  void parsesNameAndIpv4() {
    assertThat(HostPort.parse("example.org:4001")).isEqualTo(new HostPort("example.org", 4001));
    assertThat(HostPort.parse("127.0.0.1:65535").port()).isEqualTo(65535);
  }

  @Test
  void parsesAndFormatsBracketedIpv6() {
    HostPort p = HostPort.parse("[::1]:4001");
    assertThat(p.host()).isEqualTo("::1");
    assertThat(p.isIpv6()).isTrue();
    assertThat(p.toString()).isEqualTo("[::1]:4001");
  }

  @Test
  void rejectsMalformed() {
    assertThatThrownBy(() -> HostPort.parse("example.org")).hasMessageContaining("missing ':port'");
    assertThatThrownBy(() -> HostPort.parse("::1:4001")).hasMessageContaining("brackets");
    assertThatThrownBy(() -> HostPort.parse("[::1:4001")).hasMessageContaining("closing ']'");
    assertThatThrownBy(() -> HostPort.parse("[::1]4001")).hasMessageContaining("':port' after ']'");
    assertThatThrownBy(() -> HostPort.parse("host:0")).hasMessageContaining("outside 1..65535");
    assertThatThrownBy(() -> HostPort.parse("host:70000")).hasMessageContaining("outside 1..65535");
    assertThatThrownBy(() -> HostPort.parse("host:-1")).hasMessageContaining("not a number");
    assertThatThrownBy(() -> HostPort.parse(":80")).hasMessageContaining("host is empty");
    assertThatThrownBy(() -> HostPort.parse("ho st:80")).hasMessageContaining("bad character at position 2");
    assertThatThrownBy(() -> HostPort.parse("[1.2.3.4]:80")).hasMessageContaining("only for IPv6");
  }
}
