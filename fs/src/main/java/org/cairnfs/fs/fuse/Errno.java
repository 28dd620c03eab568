package org.cairnfs.fs.fuse;

import org.cairnfs.fs.mount.FsError;
import ru.serce.jnrfuse.ErrorCodes;

/** The one place a mount failure becomes an errno (negated, as FUSE callbacks return it). */
final class Errno {
  private Errno() {}

  static int of(FsError e) {
    int errno = switch (e) {
      case NOT_FOUND -> ErrorCodes.ENOENT();
      case EXISTS -> ErrorCodes.EEXIST();
      case NOT_EMPTY -> ErrorCodes.ENOTEMPTY();
      case NOT_DIRECTORY -> ErrorCodes.ENOTDIR();
      case IS_DIRECTORY -> ErrorCodes.EISDIR();
      case READ_ONLY -> ErrorCodes.EROFS();
      case NO_SPACE -> ErrorCodes.ENOSPC();
      case IO -> ErrorCodes.EIO();
      case NOT_PERMITTED -> ErrorCodes.EPERM();
      case ACCESS_DENIED -> ErrorCodes.EACCES();
      case NAME_TOO_LONG -> ErrorCodes.ENAMETOOLONG();
      case INVALID -> ErrorCodes.EINVAL();
      case CROSS_DEVICE -> ErrorCodes.EXDEV();
      case NO_ATTRIBUTE -> ErrorCodes.ENODATA();
      case NOT_SUPPORTED -> ErrorCodes.EOPNOTSUPP();
      case RANGE -> ErrorCodes.ERANGE();
      case BAD_HANDLE -> ErrorCodes.EBADF();
      case TOO_BIG -> ErrorCodes.EFBIG();
      case BUSY -> ErrorCodes.EBUSY();
    };
    return -errno;
  }

  static int io() {
    return -ErrorCodes.EIO();
  }
}
