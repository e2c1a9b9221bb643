#!/usr/bin/env bash
# One-click set-up of an AI Router cluster (control plane, proxies, health worker, Postgres, NATS, Redis).
#
#   ./scripts/setup.sh            Docker Compose: checks Docker and Compose, writes .env, starts the stack
#   ./scripts/setup.sh --local    no Docker: `npm run cluster` against local PostgreSQL, Redis and NATS
#
# Both write .env with a random ROUTER_MASTER_KEY and ROUTER_ADMIN_TOKEN (and, for Docker, NATS_PASSWORD;
# existing values are never overwritten), wait until the router answers /health, load the demo model into an empty database, and
# print the API and console URLs, the admin token and a first request.
#
# Options: --no-demo (leave an empty database empty), -h/--help.
# Environment: ROUTER_PORT (8000), ENV_FILE (.env), SETUP_TIMEOUT (seconds to wait for health, 180),
#   PROXY_REPLICAS (Docker: `--scale proxy=N`; --local: proxies on ports ROUTER_PORT, +10, ...),
#   --local only: DATABASE_URL, REDIS_URL, NATS_URL, CONTROL_PLANE_PORT (8081), HEALTH_WORKER_PORT (8082),
#   SETUP_STATE_DIR (.ai-router: log and pid file), SETUP_SKIP_BUILD=1 (use the existing build).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

MODE=docker
DEMO=1
for arg in "$@"; do
  case "$arg" in
    --local) MODE=local ;;
    --no-demo) DEMO=0 ;;
    -h | --help)
      sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "setup: unknown option '$arg' (try --help)" >&2
      exit 2
      ;;
  esac
done

ENV_FILE="${ENV_FILE:-$ROOT/.env}"
PORT="${ROUTER_PORT:-8000}"
TIMEOUT="${SETUP_TIMEOUT:-180}"
BASE="http://localhost:$PORT"
CHECK="http://127.0.0.1:$PORT"

say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
fail() {
  printf '\033[31msetup failed:\033[0m %s\n' "$1" >&2
  shift
  for line in "$@"; do printf '  %s\n' "$line" >&2; done
  exit 1
}

need() {
  command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed." "$2"
}

# 32 random bytes as hex, from the kernel (no openssl needed).
random_hex() { od -An -tx1 -N32 /dev/urandom | tr -d ' \n'; }

# The value of KEY in the env file ('' when absent); quotes around the value are removed.
env_get() {
  [ -f "$ENV_FILE" ] || return 0
  local line
  line="$(grep -E "^[[:space:]]*$1=" "$ENV_FILE" | tail -n 1 || true)"
  line="${line#*=}"
  line="${line%\"}"
  line="${line#\"}"
  printf '%s' "$line"
}

# Adds KEY=value to the env file unless it already has a non-empty value (never overwritten).
# The value is the one in the environment when set, else a fresh random one.
env_ensure() {
  local key="$1" current
  current="$(env_get "$key")"
  if [ -n "$current" ]; then
    echo "  $key: kept from $(basename "$ENV_FILE")"
    return 0
  fi
  local value="${!key:-}"
  [ -n "$value" ] || value="$(random_hex)"
  if [ -f "$ENV_FILE" ] && grep -qE "^[[:space:]]*$key=" "$ENV_FILE"; then
    # Present but empty: drop the empty line, then append the value.
    local tmp
    tmp="$(mktemp)"
    grep -vE "^[[:space:]]*$key=" "$ENV_FILE" >"$tmp" || true
    cat "$tmp" >"$ENV_FILE"
    rm -f "$tmp"
  fi
  printf '%s=%s\n' "$key" "$value" >>"$ENV_FILE"
  echo "  $key: generated"
}

write_env() {
  say "Secrets in $ENV_FILE"
  if [ ! -f "$ENV_FILE" ]; then
    (umask 077 && : >"$ENV_FILE") || fail "cannot create $ENV_FILE." "Check that the directory is writable."
  fi
  [ -w "$ENV_FILE" ] || fail "$ENV_FILE is not writable."
  env_ensure ROUTER_MASTER_KEY
  env_ensure ROUTER_ADMIN_TOKEN
  # Compose's NATS takes only the ai-router user with this password (--local uses your own NATS as it is).
  [ "$MODE" = local ] || env_ensure NATS_PASSWORD
  chmod 600 "$ENV_FILE" 2>/dev/null || true
  MASTER_KEY="$(env_get ROUTER_MASTER_KEY)"
  ADMIN_TOKEN="$(env_get ROUTER_ADMIN_TOKEN)"
  if [ "${#ADMIN_TOKEN}" -lt 16 ]; then
    fail "ROUTER_ADMIN_TOKEN in $ENV_FILE is shorter than 16 characters." "Remove the line and run setup again to generate one."
  fi
}

http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" 2>/dev/null || true; }

# Waits for GET /health to answer 200; `alive` is a command that fails when the stack died.
wait_healthy() {
  local alive="$1" waited=0
  say "Waiting for $BASE/health (up to ${TIMEOUT}s)"
  while [ "$(http_status "$CHECK/health")" != "200" ]; do
    if ! "$alive"; then return 2; fi
    if [ "$waited" -ge "$TIMEOUT" ]; then return 1; fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "  healthy after ${waited}s"
}

admin() { curl -s --max-time 10 -H "authorization: Bearer $ADMIN_TOKEN" -H 'content-type: application/json' "$@"; }

# An empty database gets the demo model (deploy/demo.yaml: demo-chat on the built-in mock provider), so the
# first request below works without any provider key. A database with models is never touched.
load_demo() {
  local importer="$1"
  [ "$DEMO" = 1 ] || return 0
  local models
  models="$(admin "$CHECK/v1/db/models" || true)"
  case "$models" in
    *'"models":[]'*) ;;
    *'"models":'*) return 0 ;;
    *) fail "the admin API did not answer as expected on $BASE/v1/db/models." "Answer: ${models:0:300}" ;;
  esac
  say "Empty database: loading the demo model (demo-chat, built-in mock provider)"
  "$importer" || fail "importing deploy/demo.yaml into the database failed (see above)."
  admin -X POST "$CHECK/v1/stats/refresh" >/dev/null || true
  local waited=0
  until curl -s --max-time 5 "$CHECK/v1/models" | grep -q '"demo-chat"'; do
    [ "$waited" -lt 30 ] || fail "the demo model did not reach the proxy within 30s." "Check: curl $BASE/v1/models"
    sleep 1
    waited=$((waited + 1))
  done
}

summary() {
  local stop="$1" logs="$2"
  cat <<EOF

AI Router is running.

  API (OpenAI-compatible)   $BASE/v1
  Console                   $BASE/ui/
  Admin API docs            $BASE/docs
  Admin token               $ADMIN_TOKEN   (kept in $ENV_FILE)

First request:
  curl $BASE/v1/chat/completions -H 'content-type: application/json' \\
    -d '{"model":"demo-chat","messages":[{"role":"user","content":"Hello"}]}'

Add a provider (admin API; the console does the same):
  curl $BASE/v1/db/providers -H "authorization: Bearer $ADMIN_TOKEN" -H 'content-type: application/json' \\
    -d '{"name":"deepseek","adapter":"deepseek","api_key":"sk-..."}'

Logs: $logs
Stop: $stop
EOF
}

# ---------------------------------------------------------------------------------------------- docker
setup_docker() {
  need docker "Install Docker: https://docs.docker.com/engine/install/ (or run ./scripts/setup.sh --local without Docker)."
  need curl "Install curl (apt-get install curl)."
  docker info >/dev/null 2>&1 || fail "Docker is installed but its daemon does not answer." \
    "Start it (sudo systemctl start docker) and check that your user may use it (docker info)."
  local compose
  if docker compose version >/dev/null 2>&1; then
    compose="docker compose"
  elif command -v docker-compose >/dev/null 2>&1; then
    compose="docker-compose"
  else
    fail "Docker Compose is missing." "Install the compose plugin: https://docs.docker.com/compose/install/"
  fi
  say "Docker: $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo unknown); compose: $compose"
  write_env
  local scale=()
  [ -z "${PROXY_REPLICAS:-}" ] || scale=(--scale "proxy=$PROXY_REPLICAS")
  say "Starting the stack ($compose up -d --build)"
  # shellcheck disable=SC2086 # "docker compose" is two words on purpose
  $compose --env-file "$ENV_FILE" up -d --build "${scale[@]}" || fail "$compose up failed (see above)." \
    "Port ${PORT} busy? Set ROUTER_PORT in $ENV_FILE."
  compose_alive() { true; }
  if ! wait_healthy compose_alive; then
    # shellcheck disable=SC2086
    $compose --env-file "$ENV_FILE" ps >&2 || true
    # shellcheck disable=SC2086
    $compose --env-file "$ENV_FILE" logs --tail 30 >&2 || true
    fail "the router did not become healthy within ${TIMEOUT}s." "Look at the logs above: $compose logs -f"
  fi
  docker_import() {
    # shellcheck disable=SC2086
    $compose --env-file "$ENV_FILE" exec -T control-plane node services/control-plane/dist/config-io/cli.js import deploy/demo.yaml
  }
  load_demo docker_import
  summary "$compose down   (data stays in the volumes; add -v to delete it)" "$compose logs -f"
}

# ----------------------------------------------------------------------------------------------- local
# host:port of a URL such as postgresql://user@host:5432/db (default port when absent).
url_host_port() {
  local rest="${1#*://}" default="$2"
  rest="${rest#*@}"
  rest="${rest%%/*}"
  rest="${rest%%\?*}"
  case "$rest" in
    *:*) printf '%s %s' "${rest%:*}" "${rest##*:}" ;;
    *) printf '%s %s' "$rest" "$default" ;;
  esac
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

check_service() {
  local name="$1" url="$2" default="$3" hint="$4" host port
  read -r host port <<<"$(url_host_port "$url" "$default")"
  if port_open "$host" "$port"; then
    echo "  $name: $host:$port reachable"
  else
    fail "$name is not reachable at $host:$port ($url)." "$hint"
  fi
}

setup_local() {
  need node "Install Node.js 20 or newer: https://nodejs.org/ (or use ./scripts/setup.sh with Docker)."
  need npm "npm comes with Node.js: reinstall Node.js 20 or newer."
  need curl "Install curl (apt-get install curl)."
  local major
  major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || fail "Node.js $(node -v) is too old." "Install Node.js 20 or newer."
  export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/ai_router}"
  export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
  export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
  say "Local services"
  check_service PostgreSQL "$DATABASE_URL" 5432 \
    "Start it (sudo systemctl start postgresql, or apt-get install postgresql) or set DATABASE_URL."
  check_service Redis "$REDIS_URL" 6379 "Start it (redis-server --daemonize yes, or apt-get install redis-server) or set REDIS_URL."
  check_service NATS "$NATS_URL" 4222 "Start it with JetStream (nats-server -js) or set NATS_URL."
  write_env
  export ROUTER_MASTER_KEY="$MASTER_KEY" ROUTER_ADMIN_TOKEN="$ADMIN_TOKEN"
  export PROXY_BASE_PORT="$PORT"

  local state="${SETUP_STATE_DIR:-$ROOT/.ai-router}"
  mkdir -p "$state"
  local pidfile="$state/cluster.pid" log="$state/cluster.log"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    say "A cluster started by setup is already running (pid $(cat "$pidfile"))"
  else
    if port_open 127.0.0.1 "$PORT"; then
      fail "port $PORT is already in use by another program." "Stop it, or choose another port: ROUTER_PORT=8100 $0 --local"
    fi
    if [ ! -d node_modules ]; then
      say "Installing dependencies (npm ci)"
      npm ci --no-audit --no-fund || fail "npm ci failed (see above)."
    fi
    if [ "${SETUP_SKIP_BUILD:-0}" != 1 ]; then
      say "Building (npm run build)"
      npm run build --silent || fail "the build failed (see above)."
    fi
    say "Starting the cluster (npm run cluster), log: $log"
    nohup node scripts/cluster.mjs >"$log" 2>&1 &
    echo $! >"$pidfile"
  fi
  local pid
  pid="$(cat "$pidfile")"
  cluster_alive() { kill -0 "$pid" 2>/dev/null; }
  local rc=0
  wait_healthy cluster_alive || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "--- last lines of $log ---" >&2
    tail -n 25 "$log" >&2 || true
    if [ "$rc" -eq 2 ]; then
      rm -f "$pidfile"
      fail "the cluster stopped during start-up (log above)."
    fi
    fail "the router did not become healthy within ${TIMEOUT}s (log above)." "Stop it: kill $pid"
  fi
  local_import() { node services/control-plane/dist/config-io/cli.js import deploy/demo.yaml; }
  load_demo local_import
  summary "kill $pid   (stops the control plane, the health worker and the proxies)" "$log"
}

if [ "$MODE" = local ]; then setup_local; else setup_docker; fi
