#!/usr/bin/env bash
# Starts a throwaway WordPress 6.1 on loopback for herald's adapter tests, and writes an env
# file ($HERALD_WP_ROOT/env) with its URL and two users' application passwords: an
# administrator (HERALD_WP_USER) and a contributor without publish_posts.
# Idempotent: a running instance is reused; a stopped one is restarted with its data.
#
# No Apache, no network beyond Debian's archive: WordPress comes from Debian's `wordpress`
# package (extracted, not installed, with the packages its relative symlinks point into),
# MariaDB runs on a private socket-only datadir, and `php -S` serves it.
set -euo pipefail

ROOT="${HERALD_WP_ROOT:-/tmp/herald-wordpress}"
PORT="${HERALD_WP_PORT:-8881}"
URL="http://127.0.0.1:${PORT}"
PKG="$ROOT/pkg"                # extracted Debian packages
WP="$PKG/usr/share/wordpress"  # the WordPress tree
RUN="$ROOT/run"
DATADIR="$ROOT/mysql"
SOCKET="$RUN/mysqld.sock"
ENV_FILE="$ROOT/env"
ADMIN_USER="herald-admin"
CONTRIB_USER="herald-contributor"

log() { echo "wordpress: $*" >&2; }
die() { echo "wordpress: ERROR: $*" >&2; exit 1; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
started=$(date +%s.%N)
elapsed() { printf '%.1f' "$(echo "$(date +%s.%N) - $started" | bc)"; }

if alive "$RUN/php.pid" && alive "$RUN/mysqld.pid" && [ -f "$ENV_FILE" ] \
    && curl -fsS -o /dev/null "$URL/wp-json/"; then
    log "already running at $URL"
    cat "$ENV_FILE"
    exit 0
fi

# ---------- packages ----------
debs=(php-cli php-mysql php-gd mariadb-server-core mariadb-client-core curl bc)
missing=()
for p in "${debs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ---------- WordPress tree ----------
if [ ! -f "$PKG/.herald-extracted" ]; then
    log "extracting WordPress from Debian's packages into $PKG"
    rm -rf "$PKG" "$ROOT/debs"
    mkdir -p "$PKG" "$ROOT/debs"
    (cd "$ROOT/debs" && apt-get download -q wordpress php-getid3 libjs-underscore libjs-cropper \
        wordpress-theme-twentytwentythree >/dev/null 2>&1) \
        || die "apt-get download failed (run apt-get update?)"
    for deb in "$ROOT"/debs/*.deb; do dpkg-deb -x "$deb" "$PKG"; done
    rm -rf "$ROOT/debs"
    touch "$PKG/.herald-extracted"
fi
mkdir -p "$RUN" "$WP/wp-content/uploads"

# Debian's wp-config.php looks for /etc/wordpress/config-HOST.php; ours stands alone.
if [ ! -f "$ROOT/salts.php" ]; then
    {
        echo "<?php"
        for k in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT \
                 LOGGED_IN_SALT NONCE_SALT; do
            echo "define('$k', '$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')');"
        done
    } >"$ROOT/salts.php"
fi
cat >"$WP/wp-config.php" <<PHP
<?php
// Written by herald's scripts/wordpress/start.sh: a throwaway local site.
define('DB_NAME', 'wordpress');
define('DB_USER', 'wp');
define('DB_PASSWORD', 'wp');
define('DB_HOST', 'localhost:$SOCKET');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
\$table_prefix = 'wp_';
require '$ROOT/salts.php';
define('WP_HOME', '$URL');
define('WP_SITEURL', '$URL');
define('WP_ENVIRONMENT_TYPE', 'local');  // application passwords otherwise need HTTPS
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_DEBUG', false);
if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
require_once ABSPATH . 'wp-settings.php';
PHP

# php -S has no rewrite rules: send everything that is not a file to index.php.
cat >"$ROOT/router.php" <<'PHP'
<?php
$path = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?: '/';
$file = $_SERVER['DOCUMENT_ROOT'] . $path;
if ($path !== '/' && file_exists($file)) {
    if (!is_dir($file) || file_exists(rtrim($file, '/') . '/index.php')) return false;
}
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
PHP

# ---------- MariaDB ----------
if ! alive "$RUN/mysqld.pid"; then
    if [ ! -d "$DATADIR/mysql" ]; then
        log "initialising MariaDB in $DATADIR"
        rm -rf "$DATADIR"
        mariadb-install-db --no-defaults --datadir="$DATADIR" --user=root \
            --auth-root-authentication-method=socket --skip-test-db >"$ROOT/mysql-install.log" 2>&1 \
            || { tail -20 "$ROOT/mysql-install.log" >&2; die "mariadb-install-db failed"; }
    fi
    rm -f "$SOCKET"
    setsid mariadbd --no-defaults --datadir="$DATADIR" --user=root --skip-networking \
        --socket="$SOCKET" --pid-file="$RUN/mysqld.pid" --log-error="$ROOT/mysqld.log" \
        --innodb-buffer-pool-size=16M --innodb-log-file-size=8M --key-buffer-size=1M \
        --innodb-flush-log-at-trx-commit=0 --performance-schema=OFF --max-connections=40 \
        --skip-log-bin </dev/null >/dev/null 2>&1 &
    echo $! >"$RUN/mysqld.pid"
    for _ in $(seq 1 100); do
        [ -S "$SOCKET" ] && mariadb --no-defaults --socket="$SOCKET" -u root -e 'SELECT 1' \
            >/dev/null 2>&1 && break
        alive "$RUN/mysqld.pid" || { tail -20 "$ROOT/mysqld.log" >&2; die "mariadbd exited"; }
        sleep 0.2
    done
    mariadb --no-defaults --socket="$SOCKET" -u root -e "
        CREATE DATABASE IF NOT EXISTS wordpress CHARACTER SET utf8mb4;
        CREATE USER IF NOT EXISTS 'wp'@'localhost' IDENTIFIED BY 'wp';
        GRANT ALL ON wordpress.* TO 'wp'@'localhost';" || die "MariaDB did not come up (log: $ROOT/mysqld.log)"
fi

# ---------- install WordPress, users, application passwords ----------
if [ ! -f "$ENV_FILE" ]; then
    cat >"$ROOT/install.php" <<PHP
<?php
// Runs once: installs the site and creates herald's users and application passwords.
define('WP_INSTALLING', true);
\$_SERVER['HTTP_HOST'] = '127.0.0.1:$PORT';
\$_SERVER['REQUEST_URI'] = '/';
\$_SERVER['SERVER_NAME'] = '127.0.0.1';
\$_SERVER['SERVER_PORT'] = '$PORT';
require '$WP/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
if (!is_blog_installed()) {
    wp_install('Herald Test Site', '$ADMIN_USER', 'admin@herald.test', true, '',
               wp_generate_password(24));
}
update_option('permalink_structure', '/%postname%/');
update_option('timezone_string', 'UTC');
update_option('uploads_use_yearmonth_folders', 0);
\$admin = get_user_by('login', '$ADMIN_USER');
\$contrib = get_user_by('login', '$CONTRIB_USER');
if (!\$contrib) {
    \$id = wp_insert_user(['user_login' => '$CONTRIB_USER', 'user_pass' => wp_generate_password(24),
                          'user_email' => 'contributor@herald.test', 'role' => 'contributor']);
    \$contrib = get_user_by('id', \$id);
}
\$out = [];
foreach (['admin' => \$admin, 'contrib' => \$contrib] as \$k => \$u) {
    \$r = WP_Application_Passwords::create_new_application_password(\$u->ID, ['name' => 'herald']);
    if (is_wp_error(\$r)) { fwrite(STDERR, \$r->get_error_message() . "\n"); exit(1); }
    \$out[\$k] = \$r[0];
}
echo "HERALD_WP_URL=$URL\n";
echo "HERALD_WP_USER=$ADMIN_USER\n";
echo "HERALD_WP_APP_PASSWORD=" . \$out['admin'] . "\n";
echo "HERALD_WP_CONTRIBUTOR_USER=$CONTRIB_USER\n";
echo "HERALD_WP_CONTRIBUTOR_APP_PASSWORD=" . \$out['contrib'] . "\n";
PHP
    (cd "$WP" && php "$ROOT/install.php" >"$ENV_FILE.tmp" 2>"$ROOT/install.log") \
        || { cat "$ROOT/install.log" >&2; die "WordPress installation failed"; }
    mv "$ENV_FILE.tmp" "$ENV_FILE"
fi

# ---------- serve ----------
if ! alive "$RUN/php.pid"; then
    # Own session, so stop.sh can end the server and its workers by process group.
    PHP_CLI_SERVER_WORKERS=4 setsid php -d upload_max_filesize=32M -d post_max_size=32M \
        -d memory_limit=256M -S "127.0.0.1:$PORT" -t "$WP" "$ROOT/router.php" \
        </dev/null >>"$ROOT/php.log" 2>&1 &
    echo $! >"$RUN/php.pid"
fi
for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$URL/wp-json/" 2>/dev/null && break
    alive "$RUN/php.pid" || { tail -20 "$ROOT/php.log" >&2; die "php -S exited"; }
    sleep 0.1
done
curl -fsS -o /dev/null "$URL/wp-json/" || die "WordPress did not answer at $URL/wp-json/"

log "ready at $URL in $(elapsed) s (env: $ENV_FILE)"
cat "$ENV_FILE"
