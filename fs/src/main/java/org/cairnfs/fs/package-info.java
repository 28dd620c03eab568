/** Cairn fs module. */
package org.cairnfs.fs;
