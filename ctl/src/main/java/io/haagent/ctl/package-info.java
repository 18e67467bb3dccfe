/**
 * {@code agentctl}, the operator's CLI: patronictl's commands and output, on any cluster with Patroni's etcd layout.
 * It reads the cluster from etcd ({@link io.haagent.ctl.remote.ClusterStore}) and acts through the nodes' REST API
 * ({@link io.haagent.ctl.remote.MemberApi}); what to show and whether a request makes sense is decided in pure code
 * ({@code members}, {@code handover}, {@code edit}, {@code output}); the picocli commands ({@code command}) do the
 * asking, calling and printing. Exit status: 0 done, 1 refused or failed, 2 usage error.
 */
package io.haagent.ctl;
