package io.haagent.dcs.etcd;

import io.etcd.jetcd.KeyValue;

/**
 * What a connection tells its local copy of the cluster's keys after a read or write of its own: a member's
 * {@link ClusterCopy} follows at once; a tool's connection keeps no copy ({@link #NONE}).
 */
interface LocalCopy {
    LocalCopy NONE = new LocalCopy() {
        @Override
        public void ownPut(String relative, String value, long modRevision, long lease) {
        }

        @Override
        public void ownDelete(String relative, long revision) {
        }

        @Override
        public void offer(String relative, KeyValue kv, long headerRevision) {
        }
    };

    /** Our own successful put. */
    void ownPut(String relative, String value, long modRevision, long lease);

    /** Our own successful delete at {@code revision}. */
    void ownDelete(String relative, long revision);

    /** What a read outside the watch saw of one key ({@code kv} null: absent at {@code headerRevision}). */
    void offer(String relative, KeyValue kv, long headerRevision);
}
