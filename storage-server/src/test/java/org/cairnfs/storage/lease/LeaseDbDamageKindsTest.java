package org.cairnfs.storage.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import org.junit.jupiter.api.Test;
import org.mapdb.DBException;

/**
 * Which MapDB failures mean the file's bytes are wrong (the operator is told to move the file
 * aside) and which do not (a lock, a permission: moving the file aside would lose leases).
 */
class LeaseDbDamageKindsTest {
  @Test
  void wrongBytesAreDamage() {
    assertThat(LeaseDbDamagedException.isDamage(new DBException.DataCorruption("bad"))).isTrue();
    assertThat(LeaseDbDamagedException.isDamage(new DBException.WrongFormat("bad header")))
        .isTrue();
    assertThat(LeaseDbDamagedException.isDamage(new DBException.PointerChecksumBroken()))
        .isTrue();
    assertThat(LeaseDbDamagedException.isDamage(new DBException.VolumeEOF("short"))).isTrue();
    assertThat(LeaseDbDamagedException.isDamage(
        new DBException.VolumeIOError(new IOException("read", new EOFException())))).isTrue();
    assertThat(LeaseDbDamagedException.isDamage(new java.sql.SQLException("malformed", "x", 11)))
        .isTrue();
    assertThat(LeaseDbDamagedException.isDamage(new java.sql.SQLException("index", "x", 779)))
        .as("an extended code of SQLITE_CORRUPT").isTrue();
    assertThat(LeaseDbDamagedException.isDamage(new java.sql.SQLException("not a db", "x", 26)))
        .isTrue();
  }

  @Test
  void otherFailuresAreNot() {
    assertThat(LeaseDbDamagedException.isDamage(
        new DBException.VolumeIOError(new AccessDeniedException("leases.db")))).isFalse();
    assertThat(LeaseDbDamagedException.isDamage(new DBException.VolumeIOError("locked")))
        .isFalse();
    assertThat(LeaseDbDamagedException.isDamage(new DBException.FileLocked(
        java.nio.file.Path.of("leases.db"), new IOException("held")))).isFalse();
    assertThat(LeaseDbDamagedException.isDamage(new IllegalStateException("closed"))).isFalse();
    assertThat(LeaseDbDamagedException.isDamage(new java.sql.SQLException("locked", "x", 5)))
        .isFalse();
    assertThat(LeaseDbDamagedException.isDamage(new java.sql.SQLException("full", "x", 13)))
        .as("SQLITE_FULL").isFalse();
  }

  @Test
  void theMessageNamesTheFileAndTheFirstSentenceOfMapDbsReason() {
    java.nio.file.Path file = java.nio.file.Path.of("/srv/cairn/leases.db");
    LeaseDbDamagedException e = new LeaseDbDamagedException(file,
        new DBException.DataCorruption("Header checksum broken. Store was not closed"));
    assertThat(e.file()).isEqualTo(file);
    assertThat(e.getMessage())
        .startsWith("lease database /srv/cairn/leases.db is damaged (Header checksum broken);")
        .contains("mv /srv/cairn/leases.db /srv/cairn/leases.db.damaged")
        .contains("files beside it whose names start with leases.db");
  }

  @Test
  void aReasonWithoutWordsSaysWhatItCan() {
    java.nio.file.Path file = java.nio.file.Path.of("leases.db");
    assertThat(new LeaseDbDamagedException(file,
        new DBException.VolumeIOError(null, new EOFException())).getMessage())
        .contains("(it ends too early: truncated)");
    assertThat(new LeaseDbDamagedException(file,
        new DBException.VolumeIOError(" ", new IOException("short"))).getMessage())
        .contains("(VolumeIOError)");
    assertThat(new LeaseDbDamagedException(file, new DBException.DataCorruption(""))
        .getMessage()).contains("(DataCorruption)");
    // No sentence break, or one at the very start: the whole text is the reason.
    assertThat(new LeaseDbDamagedException(file, new DBException.WrongFormat("bad header"))
        .getMessage()).contains("(bad header)");
    assertThat(new LeaseDbDamagedException(file, new DBException.WrongFormat(". odd"))
        .getMessage()).contains("(. odd)");
  }
}
