package org.cairnfs.storage.net;

import org.cairnfs.caps.StorageIndex;
import org.cairnfs.storage.lease.LeaseOwner;

/** One open immutable upload or staged slot write, as the store keys it. */
record OpenWrite(LeaseOwner owner, StorageIndex index, int share, boolean slot) {}
