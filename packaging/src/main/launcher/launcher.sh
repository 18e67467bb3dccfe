#!/bin/sh
# Launcher for ha-agent and agentctl. The build installs this one script twice, as bin/ha-agent and
# bin/agentctl; the name it is installed under picks the main class.
#
# Environment:
#   JAVA_HOME           the Java 17+ runtime to use. When unset or empty: `java` from PATH.
#                       When set, it must be valid: we never fall back to another java silently.
#   HA_AGENT_JAVA_OPTS  JVM options, split at whitespace (no quoting, no glob expansion).
#                       Unset: the default below. Set (even to nothing): used instead of the default.
#   HA_AGENT_CDS        `off`: no class-data archive (see below). Anything else: on.
#   CACHE_DIRECTORY     where the class-data archives are kept (systemd's CacheDirectory= sets it);
#                       else $XDG_CACHE_HOME/ha-agent, else $HOME/.cache/ha-agent; none: no archive.
#
# Class-data archive: a cold JVM spends most of the agent's start (about 2 s) loading and verifying classes.
# The first ha-agent run on a given Java runtime and lib/ records the classes it loads and, 30 s after its
# start, writes them to an archive in the cache directory; later runs of ha-agent and of agentctl (which
# loads mostly the same classes) map that archive and start in about half the time. agentctl also looks in
# /var/cache/ha-agent, where the systemd service keeps it, and never writes one. The archive's name holds a
# checksum of the runtime and of lib/'s jars, so an upgrade of either starts a new one (older ones are removed
# then). An archive the JVM cannot use is ignored silently.
#
# The classpath is lib/*.jar beside this script's bin/ directory, found through symlinks, so that
# /usr/bin/ha-agent -> /usr/share/ha-agent/bin/ha-agent works.
#
# Exit status: the program's own, because java is exec'ed (no shell stays in between, so SIGTERM and
# SIGHUP from systemd reach the JVM directly), or 127 when there is no usable Java 17+ runtime or the
# installation is broken.

set -u
IFS='
 	'

# Small heap and the serial collector: the agent holds a few cluster snapshots, not data, so 256 MB is
# ample; a serial collector on a heap this size pauses for milliseconds, far below the leader lock's TTL,
# and leaves the machine's memory and cores to PostgreSQL.
default_java_opts='-Xms32m -Xmx256m -XX:+UseSerialGC'
min_java=17

prog=${0##*/}

die() {
    printf '%s: %s\n' "$prog" "$*" >&2
    exit 127
}

# Follows symlinks from $1 until a non-link; prints the result. Relative link targets are taken relative
# to the link's own directory.
resolve_links() {
    _p=$1
    while [ -h "$_p" ]; do
        _l=$(readlink "$_p") || die "cannot read the symlink '$_p'"
        case $_l in
            /*) _p=$_l ;;
            *)  case $_p in
                    */*) _p=${_p%/*}/$_l ;;
                    *)   _p=$_l ;;
                esac ;;
        esac
    done
    printf '%s\n' "$_p"
}

# Prints the feature release (8, 11, 17, 21, ...) of the java binary $1, or nothing if it cannot be told.
# Reads the runtime's `release` file when there is one (no JVM start); else asks `java -version`.
java_feature_release() {
    _java=$(resolve_links "$1")
    _v=
    _release=${_java%/*}/../release
    if [ -r "$_release" ]; then
        while IFS= read -r _line || [ -n "$_line" ]; do
            case $_line in
                JAVA_VERSION=*) _v=${_line#JAVA_VERSION=}; break ;;
            esac
        done < "$_release"
    fi
    if [ -z "$_v" ]; then
        _out=$("$1" -version 2>&1) || _out=
        case $_out in
            *'version "'*) _v=${_out#*version \"}; _v=${_v%%\"*} ;;
        esac
    fi
    _v=${_v#\"}
    _v=${_v%\"}
    case $_v in
        1.*) _v=${_v#1.} ;;      # 1.8.0_392 -> 8
    esac
    printf '%s\n' "${_v%%[!0-9]*}"
}

self=$(resolve_links "$0")
case $self in
    */*) bin_dir=${self%/*} ;;
    *)   bin_dir=. ;;
esac
home=$(CDPATH= cd -- "$bin_dir/.." && pwd -P) || die "cannot enter the installation directory '$bin_dir/..'"
lib=$home/lib

case ${self##*/} in
    ha-agent) main=io.haagent.agent.Main ;;
    agentctl) main=io.haagent.ctl.AgentCtl ;;
    *) die "cannot tell which program to run from the launcher's name '${self##*/}' (expected ha-agent or agentctl)" ;;
esac

have_jar=
for jar in "$lib"/*.jar; do
    if [ -f "$jar" ]; then have_jar=1; break; fi
done
[ -n "$have_jar" ] || die "no jars in '$lib': the installation is incomplete"

if [ -n "${JAVA_HOME:-}" ]; then
    java=$JAVA_HOME/bin/java
    if [ -d "$java" ] || [ ! -x "$java" ]; then
        die "JAVA_HOME is set to '$JAVA_HOME', but '$java' is not an executable file. Point JAVA_HOME at a Java $min_java or newer runtime, or unset it to use java from PATH."
    fi
else
    java=$(command -v java) || java=
    [ -n "$java" ] || die "no Java runtime found: JAVA_HOME is not set and there is no 'java' on PATH ($PATH). Install Java $min_java or newer (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME."
fi

release=$(java_feature_release "$java")
if [ -z "$release" ]; then
    die "cannot tell the version of the Java runtime '$java' (no release file, and '$java -version' gave no version); Java $min_java or newer is required"
fi
if [ "$release" -lt "$min_java" ]; then
    die "the Java runtime '$java' is Java $release; Java $min_java or newer is required. Install one (Debian: apt-get install openjdk-17-jre-headless) or point JAVA_HOME at it."
fi

java_opts=${HA_AGENT_JAVA_OPTS-$default_java_opts}

# The class-data archive options (see the top of this file), or nothing.
cds_opts() {
    [ "${HA_AGENT_CDS:-}" != off ] || return 0
    if [ -n "${CACHE_DIRECTORY:-}" ]; then
        _dir=${CACHE_DIRECTORY%%:*}
    elif [ -n "${XDG_CACHE_HOME:-}" ]; then
        _dir=$XDG_CACHE_HOME/ha-agent
    elif [ -n "${HOME:-}" ] && [ "$HOME" != / ]; then
        _dir=$HOME/.cache/ha-agent
    else
        _dir=/var/cache/ha-agent
    fi
    case $_dir in *[[:space:]]*) return 0 ;; esac
    _real_java=$(resolve_links "$java")
    _release=${_real_java%/*}/../release
    # HotSpot only (these are HotSpot options); a runtime without a release file cannot be told apart
    [ -r "$_release" ] || return 0
    case $(grep '^JVM_VARIANT=' "$_release" 2>/dev/null) in
        ''|*[Hh]ot[Ss]pot*|*server*) ;;
        *) return 0 ;;
    esac
    _key=$( { printf '%s\n' "$_real_java"; cat "$_release"
              ls -l --time-style=+%s "$lib"; } 2>/dev/null | cksum) || return 0
    _file=ha-agent-${_key%% *}.jsa
    # quiet: an archive that does not fit this JVM is not worth a warning on stdout (agentctl's JSON)
    _quiet='-Xlog:cds=off -Xlog:cds+dynamic=off'
    for _archive in "$_dir/$_file" /var/cache/ha-agent/"$_file"; do
        if [ -r "$_archive" ]; then
            printf '%s\n' "-XX:SharedArchiveFile=$_archive $_quiet"
            return 0
        fi
        [ "$main" = io.haagent.ctl.AgentCtl ] || break
    done
    [ "$main" = io.haagent.agent.Main ] || return 0
    (umask 077 && mkdir -p "$_dir") 2>/dev/null && [ -w "$_dir" ] || return 0
    for _old in "$_dir"/ha-agent-*.jsa; do
        [ -f "$_old" ] && rm -f "$_old" 2>/dev/null
    done
    printf '%s\n' "-XX:+RecordDynamicDumpInfo -Dha_agent.cds.archive=$_dir/$_file $_quiet"
}
cds=$(cds_opts)

set -f  # options such as -Xlog:gc* must reach the JVM as written, not be expanded against the cwd
# Word splitting of $java_opts and $cds is intended ($cds holds no blanks but its own: a cache directory with
# one gets no archive). "$lib/*" is Java's classpath wildcard (all jars in lib/),
# expanded by the JVM, which keeps the command line short in `ps`.
# shellcheck disable=SC2086
exec "$java" $java_opts $cds -cp "$lib/*" "$main" "$@"
