package org.cairnfs.storage.lease;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Feeds arbitrary bytes to {@link ShareRecordCodec#decode}, which reads every value of the lease
 * database at startup and on each lease operation: a damaged database file must be refused with
 * the documented {@link IllegalArgumentException}, never crash the server another way. Bytes that
 * decode must re-encode to themselves (the format has one encoding per record).
 *
 * <p>Without JAZZER_FUZZ it replays the seeds in {@code ShareRecordCodecFuzzTestInputs/decode/}
 * (records valid and malformed) under the normal build; with JAZZER_FUZZ=1 it fuzzes:
 * {@code JAZZER_FUZZ=1 mvn -pl storage-server -am test -Dtest=ShareRecordCodecFuzzTest}.
 */
class ShareRecordCodecFuzzTest {
  @FuzzTest(maxDuration = "60s")
  void decode(FuzzedDataProvider data) {
    byte[] bytes = data.consumeRemainingAsBytes();
    ShareRecord record;
    try {
      record = ShareRecordCodec.decode(bytes);
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage()).isNotBlank();
      return;
    }
    assertThat(ShareRecordCodec.encode(record)).isEqualTo(bytes);
  }
}
