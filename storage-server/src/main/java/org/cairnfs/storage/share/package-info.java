/**
 * The vocabulary shared by the store, the lease database and the garbage collector: which share
 * of which storage index, and of which kind.
 */
package org.cairnfs.storage.share;
