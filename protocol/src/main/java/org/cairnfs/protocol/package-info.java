/** Cairn protocol module. */
package org.cairnfs.protocol;
