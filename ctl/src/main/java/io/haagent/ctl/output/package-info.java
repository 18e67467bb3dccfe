/** What agentctl prints, as patronictl prints it: tables, tsv, json, yaml, unified diffs; colour on terminals. */
package io.haagent.ctl.output;
