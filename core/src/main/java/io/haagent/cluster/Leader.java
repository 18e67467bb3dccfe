package io.haagent.cluster;

/** The {@code leader} key: the lock holder's name, with the key's revision and lease. */
public record Leader(String name, long modRevision, long lease) {
}
