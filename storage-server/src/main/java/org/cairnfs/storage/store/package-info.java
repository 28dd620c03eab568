/**
 * The share store: share files under a prefix tree of storage indexes, uploads through an
 * incoming area, mutable slot versions replaced atomically, and the space limits.
 */
package org.cairnfs.storage.store;
