/**
 * The HTTP gateway: a read cap is a link a browser opens. {@link
 * org.cairnfs.fs.gateway.Gateway} serves files, directories, the web API, the status page and
 * metrics over Netty, through {@link org.cairnfs.fs.client.GridFileSystem} only. The node fills
 * {@link org.cairnfs.fs.gateway.NodeStatusSource} for the status page. Wire format:
 * docs/specs/webapi.md.
 */
package org.cairnfs.fs.gateway;
