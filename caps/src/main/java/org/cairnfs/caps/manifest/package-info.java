/**
 * Chunked files: the manifest tree that lists a file's chunks (immutable files, literals,
 * holes), its node byte layout and strict codec, and the pure helpers the file layer builds
 * on: which chunks a byte range touches, building a manifest as chunks stream in, and
 * rewriting one from an older version. Format: {@code docs/specs/manifest.md}.
 */
package org.cairnfs.caps.manifest;
