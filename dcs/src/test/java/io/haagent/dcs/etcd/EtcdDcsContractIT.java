package io.haagent.dcs.etcd;

import io.haagent.testing.EtcdCluster;
import io.haagent.testing.EtcdExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The DCS contract against one real etcd member. */
class EtcdDcsContractIT extends EtcdContractSupport {
    @RegisterExtension
    static final EtcdExtension ETCD = EtcdExtension.singleMember();

    @Override
    EtcdCluster etcd() {
        return ETCD.cluster();
    }
}
