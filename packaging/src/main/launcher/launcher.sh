#!/bin/sh
# Launcher for ha-agent and agentctl. The build installs this one script twice, as bin/ha-agent and
# bin/agentctl; the name it is installed under picks the main class.
#
# Environment:
#   JAVA_HOME           the Java 17+ runtime to use. When unset or empty: `java` from PATH.
#                       When set, it must be valid: we never fall back to another java silently.
#   HA_AGENT_JAVA_OPTS  JVM options, split at whitespace (no quoting, no glob expansion).
#                       Unset: the default below. Set (even to nothing): used instead of the default.
#   HA_AGENT_EXTRA_JAVA_OPTS  JVM options added after those (e.g. -Xlog:safepoint:file=/tmp/sp-%p.log),
#                       split the same way.
#   HA_AGENT_CDS        `off`: no class-data archive (see below). Anything else: on.
#   CACHE_DIRECTORY     where the class-data archives are kept (systemd's CacheDirectory= sets it);
#                       else $XDG_CACHE_HOME/ha-agent, else $HOME/.cache/ha-agent, else /var/cache/ha-agent.
#
# Class-data archive: a cold JVM spends most of the agent's start (about 2 s) loading and verifying classes.
# An archive of those classes, mapped at start, halves that for ha-agent and for agentctl (which loads mostly
# the same classes). It is made by a training run, never by a running agent (a dump stops the JVM it runs in for
# seconds): a JVM of its own (io.haagent.agent.ArchiveTraining) walks the start-up paths on loopback (the
# configuration, logging, the REST API and the peer client, etcd and pgjdbc against closed ports, agentctl's
# commands) and writes the classes it loaded when it exits (-XX:ArchiveClassesAtExit), to a temporary file
# then renamed. It runs
#   - in the background, niced and detached, when `ha-agent CONFIG` starts and no archive fits (the agent's
#     own start does not wait for it; the next start maps the archive). One at a time per cache directory;
#     after a failed training (a runtime without CDS) only the explicit option tries again;
#   - in the foreground with `ha-agent --write-class-data-archive`, which prints the archive's path (exit 0)
#     or why there is none (exit 1); the .deb's postinst runs it.
# agentctl also looks in /var/cache/ha-agent, where the systemd service keeps it, and never trains. The
# archive's name holds a checksum of the runtime and of lib/'s jars, so an upgrade of either starts a new one
# (a successful training removes those unused for a week). An archive the JVM cannot use is ignored silently.
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

# The JVM options, each measured by bench/runtime/run.sh (bench/RESULTS.md, issue 15). The agent holds a few cluster
# snapshots, not data (live set about 12 MB):
#   -Xms32m -Xmx96m -XX:+UseSerialGC  a small heap and the serial collector: young pauses of a few ms, and
#       an old generation with room for hours of promotions before a full collection (about 20 ms of CPU for this
#       live set); no collector threads competing with PostgreSQL for the cores
#   -XX:MetaspaceSize=64m  no full collection for class metadata while a start without the archive loads classes
#   -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=24m  C1 only, one compiler thread:
#       the agent's paths run a few times a minute, C2 would only spend CPU and code cache on them
#   -XX:CompileThresholdScaling=0.1  (ha-agent only) compile a method after a tenth of the usual calls: at one HA
#       cycle per loop_wait the default thresholds left the cycle's code interpreted, and C1 still compiling, many
#       minutes after the start (idle CPU 0.15 s/min at 4.5 min, 0.08-0.09 with it at 7 min; RSS +9 MiB of code).
#       Not for agentctl, a run of a second, where compiling sooner costs more than it saves (+0.08 s CPU for
#       `version`, +0.17 s for `list`)
#   -Xmn4m for ha-agent, -Xmn8m for agentctl: the agent's young generation is half agentctl's: every page of it is
#       resident between collections (3.3 MiB less RSS), and young collections came no more often (16-17 in an
#       agent's first 210 s against 20, one every minute or two at steady state; bench/RESULTS.md, lean3).
#       agentctl keeps 8m: a listing allocates tens of MB in a second
#   -XX:MaxDirectMemorySize=32m -Dio.netty.allocator.type=unpooled  no pooled arenas for the few KB gRPC sends
#   -Dio.netty.eventLoopThreads=1  one gRPC event loop thread (etcd traffic is a few calls per loop_wait)
#   -XX:-UsePerfData  no hsperfdata file and no 50 ms sampling tick (jcmd PID still works; jps does not list it)
# and MALLOC_ARENA_MAX=2 (unless set): glibc's per-thread malloc arenas would hold memory for each of ~30 threads.
default_java_opts='-Xms32m -Xmx96m -XX:+UseSerialGC -XX:MetaspaceSize=64m -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -XX:ReservedCodeCacheSize=24m -XX:MaxDirectMemorySize=32m -XX:-UsePerfData -Dio.netty.allocator.type=unpooled -Dio.netty.eventLoopThreads=1'
agent_java_opts='-Xmn4m -XX:CompileThresholdScaling=0.1'
ctl_java_opts='-Xmn8m'
MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
export MALLOC_ARENA_MAX
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

if [ "$main" = io.haagent.agent.Main ]; then
    default_java_opts="$default_java_opts $agent_java_opts"
else
    default_java_opts="$default_java_opts $ctl_java_opts"
fi
base_java_opts=${HA_AGENT_JAVA_OPTS-$default_java_opts}
java_opts="$base_java_opts ${HA_AGENT_EXTRA_JAVA_OPTS:-}"

# The directory of the class-data archives (see the top of this file); nothing when CDS is off or the directory
# cannot hold them.
cds_dir() {
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
    printf '%s\n' "$_dir"
}

# The archive's file name for this runtime and lib/; nothing when the runtime cannot be told apart (no release
# file) or is not HotSpot (these are HotSpot options).
cds_file() {
    _real_java=$(resolve_links "$java")
    _release=${_real_java%/*}/../release
    [ -r "$_release" ] || return 0
    case $(grep '^JVM_VARIANT=' "$_release" 2>/dev/null) in
        ''|*[Hh]ot[Ss]pot*|*server*) ;;
        *) return 0 ;;
    esac
    _key=$( { printf '%s\n' "$_real_java"; cat "$_release"
              ls -l --time-style=+%s "$lib"; } 2>/dev/null | cksum) || return 0
    printf 'ha-agent-%s.jsa\n' "${_key%% *}"
}

# quiet: an archive that does not fit this JVM is not worth a warning on stdout (agentctl's JSON)
cds_quiet='-Xlog:cds=off -Xlog:cds+dynamic=off'

# train DIR FILE: the training run (see the top of this file); writes DIR/FILE, removes stale archives.
# Its output goes to stderr. Status 0 when the archive is in place.
train() {
    _tmp=$1/.$2.$$.tmp
    rm -f "$_tmp"
    set -f  # the options as written (see below)
    # shellcheck disable=SC2086
    # the programs' own options (not HA_AGENT_EXTRA_JAVA_OPTS: a log file meant for the agent is not the training's)
    "$java" $base_java_opts -XX:ArchiveClassesAtExit="$_tmp" $cds_quiet -cp "$lib/*" io.haagent.agent.ArchiveTraining
    _status=$?
    set +f
    if [ "$_status" -ne 0 ] || [ ! -s "$_tmp" ]; then
        rm -f "$_tmp"
        printf '%s: no class-data archive: the training run exited %s%s\n' "$prog" "$_status" \
            "$( [ "$_status" -ne 0 ] || printf ' without writing one (a runtime without CDS?)')" >&2
        : > "$1/$2.failed" 2>/dev/null
        return 1
    fi
    chmod 0644 "$_tmp" 2>/dev/null
    mv -f "$_tmp" "$1/$2" || { rm -f "$_tmp"; return 1; }
    rm -f "$1/$2.failed"
    # archives of other runtimes or lib/ trees, unused for a week (another installation on this host may still
    # use a younger one: removing it would only make that one train again)
    find "$1" -maxdepth 1 \( -name 'ha-agent-*.jsa' -o -name 'ha-agent-*.jsa.failed' \) ! -name "$2" \
        -mtime +7 -exec rm -f {} + 2>/dev/null
    return 0
}

# ha-agent --write-class-data-archive [--background]: train now, one training per directory at a time.
# --background (the launcher's own detached run): skip when another training runs or one failed before.
write_archive() {
    _dir=$(cds_dir)
    [ -n "$_dir" ] || { printf '%s: no class-data archive: HA_AGENT_CDS=off, or no usable cache directory\n' "$prog" >&2; exit 1; }
    _file=$(cds_file)
    [ -n "$_file" ] || { printf "%s: no class-data archive: the runtime '%s' is not HotSpot or has no release file\n" "$prog" "$java" >&2; exit 1; }
    (umask 077 && mkdir -p "$_dir") 2>/dev/null && [ -w "$_dir" ] \
        || { printf "%s: no class-data archive: cannot write to '%s'\n" "$prog" "$_dir" >&2; exit 1; }
    if [ "${1:-}" = --background ]; then
        [ ! -e "$_dir/$_file" ] && [ ! -e "$_dir/$_file.failed" ] || exit 0
        if command -v flock >/dev/null 2>&1; then
            exec 9>>"$_dir/.training.lock" && flock -n 9 || exit 0
        fi
        [ ! -e "$_dir/$_file" ] || exit 0
        train "$_dir" "$_file" > "$_dir/training.log" 2>&1
        exit $?
    fi
    if command -v flock >/dev/null 2>&1; then
        exec 9>>"$_dir/.training.lock" && flock 9
    fi
    train "$_dir" "$_file" || exit 1
    printf '%s\n' "$_dir/$_file"
    exit 0
}

# The class-data archive options for this run, or nothing; when ha-agent starts a node and no archive fits,
# starts the training in the background (detached: reparented away from the JVM, so nothing waits for it).
cds_opts() {
    _dir=$(cds_dir)
    [ -n "$_dir" ] || return 0
    _file=$(cds_file)
    [ -n "$_file" ] || return 0
    for _archive in "$_dir/$_file" /var/cache/ha-agent/"$_file"; do
        if [ -r "$_archive" ]; then
            printf '%s\n' "-XX:SharedArchiveFile=$_archive $cds_quiet"
            return 0
        fi
        [ "$main" = io.haagent.ctl.AgentCtl ] || break
    done
    [ "$main" = io.haagent.agent.Main ] && [ "$node_run" = 1 ] || return 0
    [ ! -e "$_dir/$_file.failed" ] || return 0
    _low=
    command -v ionice >/dev/null 2>&1 && _low='ionice -c 3'
    command -v setsid >/dev/null 2>&1 && _low="setsid $_low"
    # shellcheck disable=SC2086
    ( cd / && exec $_low nice -n 19 "$self" --write-class-data-archive --background \
        </dev/null >/dev/null 2>&1 & ) >/dev/null 2>&1
    return 0
}

# ha-agent CONFIG (or no argument: PATRONI_* variables) runs a node; options (--version, --validate-config,
# --help) do not, and start no training.
node_run=0
case ${1:-} in
    -*) ;;
    *) node_run=1 ;;
esac

if [ "$main" = io.haagent.agent.Main ] && [ "${1:-}" = --write-class-data-archive ]; then
    shift
    write_archive "$@"
fi

cds=$(cds_opts)

set -f  # options such as -Xlog:gc* must reach the JVM as written, not be expanded against the cwd
# Word splitting of $java_opts and $cds is intended ($cds holds no blanks but its own: a cache directory with
# one gets no archive). "$lib/*" is Java's classpath wildcard (all jars in lib/),
# expanded by the JVM, which keeps the command line short in `ps`.
# shellcheck disable=SC2086
exec "$java" $java_opts $cds -cp "$lib/*" "$main" "$@"
