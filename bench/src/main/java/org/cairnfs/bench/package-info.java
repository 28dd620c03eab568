/** Cairn bench module. */
package org.cairnfs.bench;
