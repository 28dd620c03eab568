/** Cairn it-tests module. */
package org.cairnfs.it;
