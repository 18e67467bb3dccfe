package io.haagent.dcs.etcd;

import io.haagent.testing.EtcdCluster;
import io.haagent.testing.EtcdExtension;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The DCS contract against a three-member etcd cluster (clients spread over all members). */
class EtcdDcsThreeMemberContractIT extends EtcdContractSupport {
    @RegisterExtension
    static final EtcdExtension ETCD = EtcdExtension.threeMembers();

    @Override
    EtcdCluster etcd() {
        return ETCD.cluster();
    }
}
