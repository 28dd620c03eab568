package org.cairnfs.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/** Tests that run node commands: their file log goes to a temp dir, stopped before it goes. */
final class FileLog {
  private FileLog() {}

  /** Stops and detaches the root logger's file appender, if a command attached one. */
  static void detach() {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    if (root.getAppender("file") != null) {
      root.getAppender("file").stop();
      root.detachAppender("file");
    }
  }
}
