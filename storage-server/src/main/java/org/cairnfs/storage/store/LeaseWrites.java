package org.cairnfs.storage.store;

/**
 * What a lease request did: how many shares it leased or renewed, and the bytes of lease
 * records it made the database write, which the server charges the address that asked
 * (resource-limits.md, "Leases").
 */
public record LeaseWrites(int shares, long recordBytes) {}
