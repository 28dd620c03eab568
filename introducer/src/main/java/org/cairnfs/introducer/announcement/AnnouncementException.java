package org.cairnfs.introducer.announcement;

/**
 * Signed announcement bytes are malformed, out of bounds, or fail verification. The message
 * names the field and offset at fault; callers drop the announcement (and, on a server, answer
 * REJECTED) and keep running.
 */
public final class AnnouncementException extends Exception {
  public AnnouncementException(String message) {
    super(message);
  }

  public AnnouncementException(String message, Throwable cause) {
    super(message, cause);
  }
}
