package org.cairnfs.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/** Sends a long-running node's logs to DIR/logs as well as the terminal. */
final class Logging {
  /** Writes only to the log file: the terminal already shows the failure's message. */
  private static final String FAILURE_LOGGER = "cairn.exit";
  private static volatile boolean toFile;

  private Logging() {}

  /**
   * Records a command's failure in {@code logs/cairn.log} when this process logs to one (a
   * service's start-up failure must be found there, not only on a terminal nobody watched).
   */
  static void failure(int exitCode, String message, Throwable e) {
    if (toFile) {
      LoggerFactory.getLogger(FAILURE_LOGGER).error("exiting with code {}: {}", exitCode, message, e);
    }
  }

  /** Adds DIR/logs/cairn.log at INFO; the terminal shows INFO too only if {@code terminalInfo}. */
  static void toDirectory(Path logs, boolean terminalInfo) {
    LoggerContext ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(ctx);
    encoder.setPattern("%d{ISO8601} %-5level [%thread] %logger{36} - %msg%n");
    encoder.start();
    RollingFileAppender<ILoggingEvent> file = new RollingFileAppender<>();
    file.setContext(ctx);
    file.setName("file");
    file.setFile(logs.resolve("cairn.log").toString());
    SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
    policy.setContext(ctx);
    policy.setParent(file);
    policy.setFileNamePattern(logs.resolve("cairn.%d{yyyy-MM-dd}.%i.log.gz").toString());
    policy.setMaxFileSize(FileSize.valueOf("50MB"));
    policy.setMaxHistory(14);
    policy.setTotalSizeCap(FileSize.valueOf("1GB"));
    policy.start();
    file.setRollingPolicy(policy);
    file.setEncoder(encoder);
    file.start();
    Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
    root.addAppender(file);
    Logger failures = ctx.getLogger(FAILURE_LOGGER);
    failures.setAdditive(false);
    failures.addAppender(file);
    toFile = true;
    root.setLevel(Level.INFO);
    if (!terminalInfo && root.getAppender("stderr") != null) {
      ThresholdFilter warn = new ThresholdFilter();
      warn.setLevel("WARN");
      warn.start();
      root.getAppender("stderr").addFilter(warn);
    }
  }
}
