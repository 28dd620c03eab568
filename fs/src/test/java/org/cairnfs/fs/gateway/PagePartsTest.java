package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.cairnfs.caps.MutableWriteCap;
import org.cairnfs.caps.dirnode.EntryKind;
import org.cairnfs.fs.mount.NodeMetadata;
import org.junit.jupiter.api.Test;

/**
 * The pieces pages are made of, at their edges: the JSON writer's commas and escapes, byte
 * counts, the CSP by media type, name checks, and directory rows of every kind.
 */
class PagePartsTest {
  private static final DirectoryPages.Paging WHOLE = DirectoryPages.Paging.WHOLE;

  static final Instant T = WebApiGoldenTest.T;

  @Test
  void jsonPutsACommaBeforeEveryValueAfterTheFirst() {
    String j = new Json().beginArray().value("a").value(1L).value(1.25).number("2.5")
        .value(true).beginArray().endArray().beginObject().endObject().value((String) null)
        .value(Double.NaN).value(Double.POSITIVE_INFINITY).endArray().toString();
    assertThat(j).isEqualTo("[\"a\",1,1.3,2.5,true,[],{},null,null,null]");
    assertThat(new Json().beginObject().name("x").value(false).name("y").beginArray()
        .value(0L).endArray().endObject().toString()).isEqualTo("{\"x\":false,\"y\":[0]}");
  }

  @Test
  void jsonEscapesWhatCouldEndAStringOrATag() {
    assertThat(new Json().value("\"\\\n\r\t<>&\u2028\u2029\u0000\u001f \u007f\u00e9/").toString())
        .isEqualTo("\"\\\"\\\\\\n\\r\\t\\u003c\\u003e\\u0026\\u2028\\u2029\\u0000\\u001f "
            + "\u007f\u00e9/\"");
  }

  @Test
  void byteCountsChangeUnitAtEach1024() {
    assertThat(Html.bytes(0)).isEqualTo("0 B");
    assertThat(Html.bytes(1023)).isEqualTo("1023 B");
    assertThat(Html.bytes(1024)).isEqualTo("1.0 KiB");
    assertThat(Html.bytes((1L << 20) - 1)).isEqualTo("1024.0 KiB");
    assertThat(Html.bytes(1L << 20)).isEqualTo("1.0 MiB");
    assertThat(Html.bytes(1L << 60)).isEqualTo("1.0 EiB");
    assertThat(Html.bytes(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
  }

  @Test
  void audioAndVideoGetTheMediaPolicyAndEverythingElseTheSandbox() {
    assertThat(Html.fileCsp("audio/ogg")).isEqualTo(Html.MEDIA_CSP);
    assertThat(Html.fileCsp("Video/MP4")).isEqualTo(Html.MEDIA_CSP);
    assertThat(Html.fileCsp("text/html; charset=utf-8")).isEqualTo(Html.FILE_CSP);
    assertThat(Html.fileCsp("application/audio")).isEqualTo(Html.FILE_CSP);
    assertThat(Html.fileCsp(null)).isEqualTo(Html.FILE_CSP);
    assertThat(Html.FILE_CSP).endsWith("sandbox");
    assertThat(Html.MEDIA_CSP).doesNotContain("sandbox");
  }

  @Test
  void namesAreCheckedAtEveryPlaceOfTheirBadCharactersAndAtTheirLength() {
    for (String bad : new String[] {"/a", "a/", "a/b", "\0a", "a\0"}) {
      assertThatThrownBy(() -> UriPath.checkName(bad)).as(bad).isInstanceOf(HttpError.class)
          .hasMessageContaining("must not contain");
    }
    assertThatCode(() -> UriPath.checkName("n".repeat(255))).doesNotThrowAnyException();
    assertThatThrownBy(() -> UriPath.checkName("n".repeat(256)))
        .hasMessageContaining("longer than 255 bytes");
    // bytes, not characters: 128 two-byte letters are 256 bytes
    assertThatCode(() -> UriPath.checkName("\u00e9".repeat(127) + "n"))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> UriPath.checkName("\u00e9".repeat(128)))
        .hasMessageContaining("longer than 255 bytes");
  }

  @Test
  void mediaTypesFromTheTableThenTheJdksThenOctets() {
    assertThat(MediaTypes.of(".txt")).isEqualTo("text/plain; charset=utf-8");
    assertThat(MediaTypes.of("a.b.MKV")).isEqualTo("video/x-matroska");
    assertThat(MediaTypes.of("a.doc")).isEqualTo("application/msword");
    assertThat(MediaTypes.of("a.unknownext")).isEqualTo(MediaTypes.OCTETS);
    assertThat(MediaTypes.of("txt")).isEqualTo(MediaTypes.OCTETS);
  }

  static final String MUT = new MutableWriteCap(WebApiGoldenTest.fill(7),
      WebApiGoldenTest.fill(8)).toString();

  static DirectoryPages.Child child(String name, NodeMetadata m, String cap) {
    Optional<String> ro = Optional.ofNullable(cap).map(GridContent::readCap);
    Optional<String> rw = Optional.ofNullable(cap)
        .filter(c -> org.cairnfs.caps.Cap.parse(c).isWritable());
    return new DirectoryPages.Child(name, m.kind(), ro, rw, m);
  }

  @Test
  void aDirectoryPageRowForEachKind() {
    List<DirectoryPages.Child> rows = List.of(
        child("f.txt", NodeMetadata.of(EntryKind.FILE, 2048, 0644, T, T), WebApiGoldenTest.FILE),
        child("d", NodeMetadata.of(EntryKind.DIRECTORY, 99, 0755, T, T), WebApiGoldenTest.SUB),
        child("l", NodeMetadata.symlink("f.txt", 0777, T, T), null),
        child("pipe", NodeMetadata.of(EntryKind.FIFO, 0, 0644, T, T), null));
    String h = DirectoryPages.html("Directory", false, rows, WHOLE);
    assertThat(h).contains("<p>4 entries</p>")
        .contains("<tr><td><a href=\"/uri/" + WebApiGoldenTest.FILE + "?filename=f.txt\">"
            + "f.txt</a></td><td>file</td><td class=\"n\">2.0 KiB</td>")
        .contains("<tr><td><a href=\"/uri/" + GridContent.readCap(WebApiGoldenTest.SUB)
            + "\">d/</a></td><td>directory</td><td class=\"n\"></td>")
        .contains("<tr><td>l &rarr; f.txt</td><td>symlink</td><td class=\"n\"></td>")
        .contains("<tr><td>pipe</td><td>fifo</td><td class=\"n\"></td>");
    assertThat(DirectoryPages.html("Directory", true, rows.subList(0, 1), WHOLE))
        .contains("<p>1 entry (opened with a write cap; links below are read-only)</p>");
    assertThat(DirectoryPages.html("Directory", false, List.of(), WHOLE))
        .contains("<p>0 entries</p>");
  }

  @Test
  void directoryJsonForSpecialKindsMutableFilesAndCapsItCannotRead() {
    List<DirectoryPages.Child> rows = List.of(
        child("dev", NodeMetadata.of(EntryKind.CHAR_DEVICE, 0, 0600, T, T).withRdev(0x0103),
            null),
        child("pipe", NodeMetadata.of(EntryKind.FIFO, 0, 0644, T, T), null),
        child("mut", NodeMetadata.of(EntryKind.FILE, 5, 0644, T, T), MUT),
        child("mut-read", NodeMetadata.of(EntryKind.FILE, 6, 0644, T, T),
            GridContent.readCap(MUT)),
        child("dir-read", NodeMetadata.of(EntryKind.DIRECTORY, 0, 0755, T, T),
            GridContent.readCap(WebApiGoldenTest.SUB)),
        new DirectoryPages.Child("odd", EntryKind.FILE, Optional.empty(), Optional.empty(),
            NodeMetadata.of(EntryKind.FILE, 7, 0644, T, T)));
    String meta = "\"metadata\":{\"mtime\":1772600767.000000123,\"ctime\":1772600767.000000123,";
    String ro = GridContent.readCap(WebApiGoldenTest.DIR);
    String read = DirectoryPages.json(ro, Optional.empty(), rows, WHOLE);
    assertThat(read)
        .contains("\"dev\":[\"char-device\",{\"rdev\":259," + meta + "\"mode\":384}}]")
        .contains("\"pipe\":[\"fifo\",{" + meta + "\"mode\":420}}]")
        .contains("\"mut\":[\"filenode\",{\"ro_uri\":\"" + GridContent.readCap(MUT)
            + "\",\"size\":5,\"mutable\":true,")
        .contains("\"mut-read\":[\"filenode\",{\"ro_uri\":\"" + GridContent.readCap(MUT)
            + "\",\"size\":6,\"mutable\":true,")
        .contains("\"dir-read\":[\"dirnode\",{\"ro_uri\":\""
            + GridContent.readCap(WebApiGoldenTest.SUB) + "\",\"mutable\":true,")
        .contains("\"odd\":[\"unknown\",{\"ro_uri\":null,\"size\":7,\"mutable\":false,")
        .doesNotContain(MUT);
    String written = DirectoryPages.json(ro, Optional.of(WebApiGoldenTest.DIR), rows, WHOLE);
    assertThat(written).contains("\"mut\":[\"filenode\",{\"ro_uri\":\""
        + GridContent.readCap(MUT) + "\",\"rw_uri\":\"" + MUT + "\",\"size\":5,\"mutable\":true,");
  }
}
