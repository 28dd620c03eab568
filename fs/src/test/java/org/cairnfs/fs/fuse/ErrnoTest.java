package org.cairnfs.fs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.Map;
import org.cairnfs.fs.mount.FsError;
import org.junit.jupiter.api.Test;

/** Each {@link FsError} is the Linux errno its name says, negated as FUSE wants it. */
class ErrnoTest {
  @Test
  void everyErrorIsItsLinuxErrnoNegated() {
    Map<FsError, Integer> linux = new EnumMap<>(FsError.class);
    linux.put(FsError.NOT_FOUND, 2);
    linux.put(FsError.EXISTS, 17);
    linux.put(FsError.NOT_EMPTY, 39);
    linux.put(FsError.NOT_DIRECTORY, 20);
    linux.put(FsError.IS_DIRECTORY, 21);
    linux.put(FsError.READ_ONLY, 30);
    linux.put(FsError.NO_SPACE, 28);
    linux.put(FsError.IO, 5);
    linux.put(FsError.NOT_PERMITTED, 1);
    linux.put(FsError.ACCESS_DENIED, 13);
    linux.put(FsError.NAME_TOO_LONG, 36);
    linux.put(FsError.INVALID, 22);
    linux.put(FsError.CROSS_DEVICE, 18);
    linux.put(FsError.NO_ATTRIBUTE, 61);
    linux.put(FsError.NOT_SUPPORTED, 95);
    linux.put(FsError.RANGE, 34);
    linux.put(FsError.BAD_HANDLE, 9);
    linux.put(FsError.TOO_BIG, 27);
    linux.put(FsError.BUSY, 16);
    assertThat(linux).hasSize(FsError.values().length);
    linux.forEach((e, n) -> assertThat(Errno.of(e)).as(e.name()).isEqualTo(-n));
    assertThat(Errno.io()).isEqualTo(-5);
  }
}
