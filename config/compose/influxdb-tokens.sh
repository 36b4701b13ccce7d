#!/bin/bash
# Runs once, after InfluxDB's first-start setup (/docker-entrypoint-initdb.d): makes the two tokens
# the stack uses instead of the admin token, into the influx-tokens volume:
#   gateway-write.token   write-only on the telemetry bucket (the gateway)
#   grafana-read.token    read-only on the telemetry bucket (Grafana)
# The influx CLI here is already configured with the admin token by the entrypoint.
set -euo pipefail
out=/run/influx-tokens
mkdir -p "$out"
bucket_id=$(influx bucket list --org "$DOCKER_INFLUXDB_INIT_ORG" --name "$DOCKER_INFLUXDB_INIT_BUCKET" --hide-headers | cut -f1)
token_of() { sed -n 's/.*"token": *"\([^"]*\)".*/\1/p'; }
influx auth create --org "$DOCKER_INFLUXDB_INIT_ORG" --write-bucket "$bucket_id" \
  --description "facility gateway: write telemetry" --json | token_of > "$out/gateway-write.token.tmp"
influx auth create --org "$DOCKER_INFLUXDB_INIT_ORG" --read-bucket "$bucket_id" \
  --description "grafana: read telemetry" --json | token_of > "$out/grafana-read.token.tmp"
for t in gateway-write grafana-read; do
  test -s "$out/$t.token.tmp"
  chmod 0644 "$out/$t.token.tmp"
  mv "$out/$t.token.tmp" "$out/$t.token"
done
