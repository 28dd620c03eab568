/** Garbage collection of shares whose leases have all expired. */
package org.cairnfs.storage.gc;
