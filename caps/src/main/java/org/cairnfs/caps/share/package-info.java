/**
 * Positional share access shared by the immutable and mutable formats: {@link
 * org.cairnfs.caps.share.ShareSink} (write at offset), {@link org.cairnfs.caps.share.ShareSource}
 * (read at offset), two carriers (in memory and in a file), and the {@link
 * org.cairnfs.caps.share.ShareTreeLeaf} hash that binds a share's block tree to its number in
 * both formats. Both formats know every offset before encoding, so one pair of interfaces serves
 * encoders, decoders and storage-server stubs.
 */
package org.cairnfs.caps.share;
