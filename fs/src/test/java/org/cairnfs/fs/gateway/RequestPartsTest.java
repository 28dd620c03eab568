package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parsing of /uri paths, redaction of caps for logs, escaping, media types, dispositions. */
class RequestPartsTest {
  static final String DIR = WebApiGoldenTest.DIR;

  @Test
  void uriPathsDecodeEachSegment() {
    UriPath p = UriPath.parse(DIR + "/a%20b/%C3%A9t%C3%A9/");
    assertThat(p.capText()).isEqualTo(DIR);
    assertThat(p.names()).containsExactly("a b", "été");
    // a decoded slash inside one segment is refused as a name
    assertThatThrownBy(() -> UriPath.parse(DIR + "/a%2Fb").names())
        .isInstanceOf(HttpError.class).hasMessageContaining("'/'");
    assertThat(UriPath.parse(DIR.replace(":", "%3A")).capText()).isEqualTo(DIR);
    assertThat(UriPath.parse(DIR + "/a+b").names()).containsExactly("a+b");
  }

  @Test
  void badPathsSayWhy() {
    assertThatThrownBy(() -> UriPath.parse("cairn:nonsense")).hasMessageContaining("nonsense");
    assertThatThrownBy(() -> UriPath.parse(DIR + "/../x")).hasMessageContaining("'..'");
    assertThatThrownBy(() -> UriPath.parse(DIR + "//x")).hasMessageContaining("empty name");
    assertThatThrownBy(() -> UriPath.parse(DIR + "/" + "n".repeat(256)))
        .hasMessageContaining("255");
    assertThatThrownBy(() -> UriPath.parse("")).hasMessageContaining("no cap");
    for (String bad : List.of("%", "a%2", "a%zz", "%G0")) {
      assertThatThrownBy(() -> UriPath.parse(DIR + "/" + bad)).as(bad)
          .hasMessageContaining("bad percent-encoding");
    }
  }

  /**
   * Names must be UTF-8 once decoded: a decoder replacing bad bytes made %FF and %FE one name,
   * the name of an entry holding U+FFFD. That character itself, encoded, is a name like others.
   */
  @Test
  void namesThatAreNotUtf8AreRefused() {
    for (String bad : List.of("x%FF", "x%FE", "x%C0", "%C3", "a%ED%A0%80b")) {
      assertThatThrownBy(() -> UriPath.parse(DIR + "/" + bad)).as(bad)
          .isInstanceOf(HttpError.class).hasMessageContaining("not UTF-8");
    }
    assertThat(UriPath.parse(DIR + "/x%EF%BF%BD").names()).containsExactly("x\uFFFD");
  }

  @Test
  void redactionKeepsKindAndFourCharacters() {
    String key = DIR.substring("cairn:dir:".length(), DIR.lastIndexOf(':'));
    String line = CapRedaction.redact("/uri/" + DIR + "/x?uri=" + DIR.replace(":", "%3A"));
    assertThat(line).isEqualTo("/uri/cairn:dir:" + key.substring(0, 4) + "…/x?uri=cairn:dir:"
        + key.substring(0, 4) + "…");
    assertThat(CapRedaction.redact("/status?t=json")).isEqualTo("/status?t=json");
  }

  @Test
  void redactionSeesThroughEscapesTheGatewayDecodes() {
    String key = DIR.substring("cairn:dir:".length(), DIR.lastIndexOf(':'));
    // each is a cap the gateway parses (it decodes a segment before parsing), so each must be
    // cut in the access log too
    for (String spelled : new String[] {"c%61irn" + DIR.substring(5),
        "cairn:d%69r" + DIR.substring(9), "%63airn%3adir%3A" + DIR.substring(10),
        "cairn:dir:%" + Integer.toHexString(key.charAt(0)) + DIR.substring(11)}) {
      assertThat(UriPath.parse(spelled).capText()).as(spelled).isEqualTo(DIR);
      assertThat(CapRedaction.redact("/uri/" + spelled + "/x?uri=" + spelled))
          .as(spelled).doesNotContain(key.substring(4, 12));
    }
  }

  @Test
  void htmlEscapesEverythingThatCouldOpenATagOrAttribute() {
    assertThat(Html.escape("<script>\"a\" & 'b'</script>\u0001"))
        .isEqualTo("&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;&#xfffd;");
    assertThat(Html.PAGE_CSP).contains("style-src 'sha256-").doesNotContain("unsafe");
  }

  @Test
  void mediaTypesAndDispositions() {
    assertThat(MediaTypes.of("a.MP4")).isEqualTo("video/mp4");
    assertThat(MediaTypes.of("noext")).isEqualTo("application/octet-stream");
    assertThat(MediaTypes.of("x.")).isEqualTo("application/octet-stream");
    assertThat(FileResponder.disposition("a \"b\".txt", false))
        .isEqualTo("inline; filename=\"a _b_.txt\"; filename*=UTF-8''a%20%22b%22.txt");
    assertThat(FileResponder.disposition("x\r\nSet-Cookie: y", true))
        .doesNotContain("\r").doesNotContain("\n").startsWith("attachment;");
  }
}
