/** Cairn storage-server module. */
package org.cairnfs.storage;
