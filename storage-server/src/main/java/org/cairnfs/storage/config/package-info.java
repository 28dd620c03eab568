/** The storage server's settings and the size strings ("200G") operators write them in. */
package org.cairnfs.storage.config;
