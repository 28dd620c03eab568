/**
 * Directories as client logic: the page tree of a large directory (a B+-tree keyed by entry
 * name over immutable pages, under a small mutable root), entry-level changes that merge onto
 * the newest version after a collision, and which pages a new version stops using. Byte layouts
 * live in {@code org.cairnfs.caps.dirnode}; the grid supplies a {@link PageStore}.
 */
package org.cairnfs.fs.dirs;
