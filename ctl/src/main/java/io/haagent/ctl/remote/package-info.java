/** etcd (linearizable reads, CAS writes, no lease) and the nodes' REST API, with failures as one line each. */
package io.haagent.ctl.remote;
