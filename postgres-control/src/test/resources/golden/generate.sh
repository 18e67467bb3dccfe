#!/bin/sh
# Regenerates the golden files from real PostgreSQL 15 output (see README.md beside this script).
# Run as the postgres OS user from the worktree root, after: scripts/test.sh -o -pl core,postgres-control -am -DskipTests
set -eu
cd "$(dirname "$0")/../../../../.."
m2="${HOME:-/var/lib/postgresql}/.m2/repository"
jar() { find "$m2/$1" -name "$2-*.jar" ! -name '*-sources.jar' ! -name '*-tests.jar' | sort | tail -1; }
cp="postgres-control/target/test-classes:postgres-control/target/classes:core/target/classes:core/target/test-classes"
cp="$cp:$(jar org/postgresql/postgresql postgresql):$(jar org/slf4j/slf4j-api slf4j-api)"
cp="$cp:$(jar ch/qos/logback/logback-classic logback-classic):$(jar ch/qos/logback/logback-core logback-core)"
exec java -cp "$cp" io.haagent.pg.golden.GenerateGoldenFiles \
  postgres-control/src/test/resources/golden core/src/test/resources/io/haagent/pg/golden
