/** Where agentctl finds etcd, the cluster name and the REST API credentials: the node's file or {@code --dcs-url}. */
package io.haagent.ctl.settings;
