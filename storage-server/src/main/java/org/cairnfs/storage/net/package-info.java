/** The share store behind the wire protocol: request mapping and error codes. */
package org.cairnfs.storage.net;
