#!/usr/bin/env bash
# Make sure the servers the integration tests talk to are installed and running on loopback:
# RabbitMQ (127.0.0.1:5672), PostgreSQL (127.0.0.1:5432, database `test`) and OpenSSH's sshd binary
# (the tests start their own sshd on a free port), and Chromium with its driver for the console's
# browser test. Starts only what is down; stops nothing.
set -uo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

wait_port() { # host port seconds
  local i
  for ((i = 0; i < $3 * 2; i++)); do
    (echo >"/dev/tcp/$1/$2") 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}

if [ ! -x /usr/sbin/sshd ]; then
  echo "services: installing openssh-server"
  as_root apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq openssh-server >/dev/null
fi

# The ops console's browser test drives Debian's headless Chromium through its WebDriver.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  echo "services: installing chromium and chromium-driver"
  as_root apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if ! (echo >/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  echo "services: starting RabbitMQ"
  as_root rabbitmq-server -detached >/dev/null 2>&1 || true
  wait_port 127.0.0.1 5672 60 || echo "services: RabbitMQ did not come up on 127.0.0.1:5672" >&2
fi
# The management API lets `crossdock queues` read dead-letter counts; enable it when available.
if command -v rabbitmq-plugins >/dev/null 2>&1; then
  as_root rabbitmq-plugins enable --quiet rabbitmq_management >/dev/null 2>&1 || true
fi

if ! (echo >/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "services: starting PostgreSQL"
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  wait_port 127.0.0.1 5432 30 || echo "services: PostgreSQL did not come up on 127.0.0.1:5432" >&2
fi
exit 0
