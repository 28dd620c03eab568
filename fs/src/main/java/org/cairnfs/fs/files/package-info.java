/**
 * Chunked files on the grid (DESIGN.md "Chunked file", docs/specs/manifest.md): a file's bytes
 * cut into fixed-size chunks, each a convergent immutable file, listed by a manifest tree of
 * immutable node files. {@link org.cairnfs.fs.files.ChunkedFiles} uploads streams, rewrites
 * byte ranges of an existing version by re-encoding only the chunks they touch, and reads any
 * range, all with memory bounded by the configured parallelism times the chunk size.
 */
package org.cairnfs.fs.files;
