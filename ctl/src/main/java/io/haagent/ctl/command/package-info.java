/** The picocli subcommands of agentctl: each reads one snapshot, checks it, asks what is missing, acts, reports. */
package io.haagent.ctl.command;
