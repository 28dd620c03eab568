package org.cairnfs.fs.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/** The Range header's meaning (RFC 9110 14.1.2), as examples and as a property against a model. */
class RangeRequestTest {

  /** One range spec as a client writes it; the model says what it selects. */
  record Spec(Long first, Long last, Long suffix) {
    String text() {
      return suffix != null ? "-" + suffix : first + "-" + (last == null ? "" : last);
    }

    /** The bytes selected of a representation of {@code size}, or null if none. */
    ByteRange select(long size) {
      if (suffix != null) {
        return suffix == 0 || size == 0 ? null
            : new ByteRange(size - Math.min(suffix, size), size - 1);
      }
      if (first >= size) {
        return null;
      }
      return new ByteRange(first, last == null ? size - 1 : Math.min(last, size - 1));
    }
  }

  @Provide
  Arbitrary<List<Spec>> specs() {
    Arbitrary<Long> n = Arbitraries.longs().between(0, 12_000);
    Arbitrary<Spec> closed = Combinators.combine(n, n).as((a, b) ->
        new Spec(Math.min(a, b), Math.max(a, b), null));
    Arbitrary<Spec> open = n.map(a -> new Spec(a, null, null));
    Arbitrary<Spec> suffix = n.map(s -> new Spec(null, null, s));
    return Arbitraries.oneOf(closed, open, suffix).list().ofMinSize(1).ofMaxSize(6);
  }

  @Property(tries = 1000)
  void matchesTheModel(@ForAll("specs") List<Spec> specs,
      @ForAll @LongRange(min = 0, max = 10_000) long size) {
    StringBuilder h = new StringBuilder("bytes=");
    List<ByteRange> want = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      h.append(i == 0 ? "" : i % 2 == 0 ? "," : " , ").append(specs.get(i).text());
      ByteRange r = specs.get(i).select(size);
      if (r != null) {
        want.add(r);
      }
    }
    RangeRequest got = RangeRequest.of(h.toString(), size);
    if (want.isEmpty()) {
      assertThat(got).isInstanceOf(RangeRequest.Unsatisfiable.class);
    } else if (want.stream().mapToLong(ByteRange::length).sum() > size) {
      assertThat(got).as("more than the whole is the whole")
          .isInstanceOf(RangeRequest.Whole.class);
    } else {
      assertThat(got).isEqualTo(new RangeRequest.Ranges(want));
      for (ByteRange r : want) {
        assertThat(r.first()).isBetween(0L, size - 1);
        assertThat(r.last()).isBetween(r.first(), size - 1);
      }
    }
  }

  @Example
  void examples() {
    assertThat(RangeRequest.of(null, 10)).isInstanceOf(RangeRequest.Whole.class);
    assertThat(RangeRequest.of("bytes=0-0", 10))
        .isEqualTo(new RangeRequest.Ranges(List.of(new ByteRange(0, 0))));
    assertThat(RangeRequest.of("BYTES = 2-", 10))
        .isEqualTo(new RangeRequest.Ranges(List.of(new ByteRange(2, 9))));
    assertThat(RangeRequest.of("bytes=-3", 10))
        .isEqualTo(new RangeRequest.Ranges(List.of(new ByteRange(7, 9))));
    assertThat(RangeRequest.of("bytes=0-99999999999999999999999", 10))
        .isEqualTo(new RangeRequest.Ranges(List.of(new ByteRange(0, 9))));
    assertThat(RangeRequest.of("bytes=10-", 10)).isInstanceOf(RangeRequest.Unsatisfiable.class);
    assertThat(RangeRequest.of("bytes=-0", 10)).isInstanceOf(RangeRequest.Unsatisfiable.class);
    assertThat(RangeRequest.of("bytes=0-", 0)).isInstanceOf(RangeRequest.Unsatisfiable.class);
    for (String bad : new String[] {"bytes=3-2", "bytes=a-", "bytes=1", "lines=0-1", "bytes=",
        "bytes=1-2-3", "bytes=--1", "bytes=+1-2", "bytes=٣-4"}) {
      assertThat(RangeRequest.of(bad, 10)).as(bad).isInstanceOf(RangeRequest.Whole.class);
    }
    String many = "bytes=" + "0-0,".repeat(RangeRequest.MAX_RANGES) + "1-1";
    assertThat(RangeRequest.of(many, 10)).isInstanceOf(RangeRequest.Whole.class);
  }

  @Example
  void edges() {
    String atBound = "bytes=" + "0-0,".repeat(RangeRequest.MAX_RANGES - 1) + "1-1";
    assertThat(RangeRequest.of(atBound, RangeRequest.MAX_RANGES)).isInstanceOfSatisfying(RangeRequest.Ranges.class,
        r -> assertThat(r.ranges()).hasSize(RangeRequest.MAX_RANGES));
    // ranges asking more than the whole (here one byte more) get the whole, once
    assertThat(RangeRequest.of(atBound, RangeRequest.MAX_RANGES - 1))
        .isInstanceOf(RangeRequest.Whole.class);
    assertThat(RangeRequest.of("bytes=0-5,4-9", 10)).isInstanceOf(RangeRequest.Whole.class);
    assertThat(RangeRequest.of("bytes=0-4,3-7", 10)).isInstanceOf(RangeRequest.Ranges.class);
    // empty list elements are skipped, not refused
    assertThat(RangeRequest.of("bytes=,0-0, ,", 10))
        .isEqualTo(new RangeRequest.Ranges(List.of(new ByteRange(0, 0))));
    // past 18 digits a number is "very large" if it is all digits, whatever its digits
    for (String big : new String[] {"9999999999999999999", "1000000000000000000000",
        "1234567890123456789"}) {
      assertThat(RangeRequest.of("bytes=0-" + big, 10)).as(big)
          .isEqualTo(new RangeRequest.Ranges(List.of(new ByteRange(0, 9))));
      assertThat(RangeRequest.of("bytes=-" + big, 10)).as(big)
          .isEqualTo(new RangeRequest.Ranges(List.of(new ByteRange(0, 9))));
    }
    for (String bad : new String[] {"999999999999999999x", "/000000000000000000",
        "00000000000000000:0"}) {
      assertThat(RangeRequest.of("bytes=0-" + bad, 10)).as(bad)
          .isInstanceOf(RangeRequest.Whole.class);
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new RangeRequest.Ranges(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
