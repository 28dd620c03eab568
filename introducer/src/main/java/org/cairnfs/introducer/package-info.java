/** Cairn introducer module. */
package org.cairnfs.introducer;
