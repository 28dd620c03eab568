package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Random ranges over HTTP: the bytes of every part are the file's bytes at those offsets. */
class GatewayRangePropertyTest {
  static final int SIZE = 150_000;
  static GatewayFixture g;
  static byte[] content;
  static String cap;

  @BeforeContainer
  static void start() throws Exception {
    g = GatewayFixture.start();
    content = GridContent.random(SIZE, 11);
    cap = GridContent.file(g.grid, g.grid.newRoot(), "f.bin", content);
  }

  @AfterContainer
  static void stop() {
    g.close();
  }

  @Provide
  Arbitrary<List<long[]>> ranges() {
    Arbitrary<Long> n = Arbitraries.longs().between(0, SIZE + 50L);
    return Combinators.combine(n, n).as((a, b) -> new long[] {Math.min(a, b), Math.max(a, b)})
        .list().ofMinSize(1).ofMaxSize(4);
  }

  @Property(tries = 60)
  void partsCarryTheRightBytes(@ForAll("ranges") List<long[]> ranges) throws Exception {
    StringBuilder h = new StringBuilder("bytes=");
    long satisfiable = 0;
    for (long[] r : ranges) {
      h.append(h.length() > 6 ? "," : "").append(r[0]).append('-').append(r[1]);
      satisfiable += r[0] < SIZE ? 1 : 0;
    }
    HttpResponse<byte[]> resp = g.get("/uri/" + cap, "Range", h.toString());
    if (satisfiable == 0) {
      assertThat(resp.statusCode()).isEqualTo(416);
      return;
    }
    List<long[]> sat = ranges.stream().filter(r -> r[0] < SIZE).toList();
    if (sat.stream().mapToLong(r -> Math.min(r[1], SIZE - 1) - r[0] + 1).sum() > SIZE) {
      assertThat(resp.statusCode()).as("more than the whole is the whole").isEqualTo(200);
      assertThat(resp.body()).isEqualTo(content);
      return;
    }
    assertThat(resp.statusCode()).isEqualTo(206);
    if (sat.size() == 1) {
      assertSlice(resp.body(), sat.get(0));
      return;
    }
    String type = resp.headers().firstValue("content-type").orElseThrow();
    List<Multipart.Part> parts = Multipart.parse(resp.body(),
        type.substring(type.indexOf("boundary=") + 9));
    assertThat(parts).hasSize(sat.size());
    for (int i = 0; i < parts.size(); i++) {
      long last = Math.min(sat.get(i)[1], SIZE - 1);
      assertThat(parts.get(i).contentRange())
          .isEqualTo("bytes " + sat.get(i)[0] + "-" + last + "/" + SIZE);
      assertSlice(parts.get(i).body(), sat.get(i));
    }
  }

  private static void assertSlice(byte[] got, long[] r) {
    int last = (int) Math.min(r[1], SIZE - 1);
    assertThat(got).isEqualTo(Arrays.copyOfRange(content, (int) r[0], last + 1));
  }
}
