package org.cairnfs.fs.mount;

/**
 * Why a mount operation failed, in POSIX terms. The FUSE edge maps each to its errno once; the
 * core never deals in numbers.
 */
public enum FsError {
  NOT_FOUND, // ENOENT
  EXISTS, // EEXIST
  NOT_EMPTY, // ENOTEMPTY
  NOT_DIRECTORY, // ENOTDIR
  IS_DIRECTORY, // EISDIR
  READ_ONLY, // EROFS
  NO_SPACE, // ENOSPC
  IO, // EIO
  NOT_PERMITTED, // EPERM
  ACCESS_DENIED, // EACCES
  NAME_TOO_LONG, // ENAMETOOLONG
  INVALID, // EINVAL
  CROSS_DEVICE, // EXDEV
  NO_ATTRIBUTE, // ENODATA
  NOT_SUPPORTED, // ENOTSUP
  RANGE, // ERANGE
  BAD_HANDLE, // EBADF
  TOO_BIG, // EFBIG
  BUSY // EBUSY
}
