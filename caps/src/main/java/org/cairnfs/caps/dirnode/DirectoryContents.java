package org.cairnfs.caps.dirnode;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The entries of one directory version, sorted by name bytes, immutable.
 *
 * <p>Entries live in one sorted array: lookup is a binary search, iteration is in stored order,
 * and decoding (which already checks the order) wraps its array without sorting. Changes go
 * through a {@link Builder}, a sorted map, so a batch of k changes to n entries costs
 * O(n + k log n), never O(n k).
 */
public final class DirectoryContents {
  private static final DirectoryContents EMPTY = new DirectoryContents(new DirectoryEntry[0]);
  private final DirectoryEntry[] entries;

  private DirectoryContents(DirectoryEntry[] sortedUnique) {
    this.entries = sortedUnique;
  }

  public static DirectoryContents empty() {
    return EMPTY;
  }

  /** Wraps entries the caller guarantees are strictly ascending by name; no copy. */
  static DirectoryContents ofSorted(DirectoryEntry[] sortedUnique) {
    return new DirectoryContents(sortedUnique);
  }

  public int size() {
    return entries.length;
  }

  /** The entries in stored (name byte) order, unmodifiable. */
  public List<DirectoryEntry> entries() {
    return Collections.unmodifiableList(Arrays.asList(entries));
  }

  /** The entry named {@code name}; O(log n). */
  public Optional<DirectoryEntry> get(EntryName name) {
    int lo = 0;
    int hi = entries.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = entries[mid].name().compareTo(name);
      if (c == 0) {
        return Optional.of(entries[mid]);
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return Optional.empty();
  }

  /** A builder starting from these entries; O(n log n). */
  public Builder toBuilder() {
    Builder b = new Builder();
    for (DirectoryEntry e : entries) {
      b.entries.put(e.name(), e);
    }
    return b;
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DirectoryContents d && Arrays.equals(entries, d.entries);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(entries);
  }

  @Override
  public String toString() {
    return "DirectoryContents[" + entries.length + " entries]";
  }

  /** Collects changes to a directory; not thread-safe. */
  public static final class Builder {
    private final TreeMap<EntryName, DirectoryEntry> entries = new TreeMap<>();

    private Builder() {}

    /** Adds or replaces the entry with {@code entry}'s name. */
    public Builder put(DirectoryEntry entry) {
      if (entry == null) {
        throw new IllegalArgumentException("entry is null");
      }
      entries.put(entry.name(), entry);
      return this;
    }

    /** Removes the entry named {@code name}; returns whether there was one. */
    public boolean remove(EntryName name) {
      return entries.remove(name) != null;
    }

    public int size() {
      return entries.size();
    }

    public DirectoryContents build() {
      if (entries.size() > DirectoryCodec.MAX_ENTRIES) {
        throw new DirectoryFormatException("a directory holds at most "
            + DirectoryCodec.MAX_ENTRIES + " entries, got " + entries.size());
      }
      return new DirectoryContents(entries.values().toArray(new DirectoryEntry[0]));
    }
  }
}
