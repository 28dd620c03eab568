/**
 * Binary SHA-256 hash trees in heap (level-order) numbering, built in a stream and proved a
 * leaf or an aligned run of leaves at a time.
 */
package org.cairnfs.caps.merkle;
