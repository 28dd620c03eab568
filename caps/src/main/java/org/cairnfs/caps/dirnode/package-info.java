/**
 * Directory plaintext: a canonical, strictly parsed list of entries with child read caps in
 * the clear and child write caps sealed for directory writers only. Format: {@code
 * docs/specs/dirnode.md}.
 */
package org.cairnfs.caps.dirnode;
