/**
 * Positional share access shared by the immutable and mutable formats: {@link
 * org.cairnfs.caps.share.ShareSink} (write at offset), {@link org.cairnfs.caps.share.ShareSource}
 * (read at offset) and two carriers, in memory and in a file. Both formats know every offset
 * before encoding, so one pair of interfaces serves encoders, decoders and storage-server stubs.
 */
package org.cairnfs.caps.share;
