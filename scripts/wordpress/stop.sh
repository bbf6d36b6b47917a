#!/usr/bin/env bash
# Stops the WordPress started by scripts/wordpress/start.sh: php -S (with its workers, by
# process group) and MariaDB, by their PIDs. Keeps the data; --purge deletes the site
# (database, uploads, env) but keeps the extracted WordPress tree.
set -euo pipefail

ROOT="${HERALD_WP_ROOT:-/tmp/herald-wordpress}"
RUN="$ROOT/run"

stop_pid_file() {  # name pid_file as_group
    local name=$1 file=$2 group=$3 pid
    if [ -f "$file" ] && pid=$(cat "$file") && kill -0 "$pid" 2>/dev/null; then
        if [ "$group" = yes ]; then kill -- "-$pid" 2>/dev/null || kill "$pid"; else kill "$pid"; fi
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
        echo "wordpress: stopped $name (pid $pid)" >&2
    else
        echo "wordpress: $name not running" >&2
    fi
    rm -f "$file"
}

stop_pid_file "php -S" "$RUN/php.pid" yes
stop_pid_file "mariadbd" "$RUN/mysqld.pid" no

if [ "${1:-}" = "--purge" ]; then
    rm -rf "$ROOT/mysql" "$ROOT/env" "$ROOT/run" "$ROOT/salts.php" \
        "$ROOT/pkg/usr/share/wordpress/wp-content/uploads"
    echo "wordpress: removed the site's data under $ROOT" >&2
fi
