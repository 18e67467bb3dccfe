package io.haagent.dcs.codec;

/**
 * One key of the cluster as stored: its name relative to the cluster prefix, its UTF-8 value and the etcd
 * metadata the HA loop uses ({@code mod_revision} for CAS writes, the lease it is attached to, 0 for none).
 */
public record RawKey(String relative, String value, long modRevision, long lease) {
}
