#!/usr/bin/env bash
# The PostgreSQL twin of bench/seed.sh: the same SITES sites and ITEMS content rows, written
# with generate_series into a migrated herald database.
# Usage: bench/seed_pg.sh DB_URL ACCOUNT_ID SITES ITEMS STATE   (STATE: approved | mixed)
set -euo pipefail
url=$1 account=$2 sites=$3 items=$4 state=$5
now_ms=$(( $(date +%s) * 1000 ))
case "$state" in
  approved) status_expr="'approved'"; site_status_expr="'not_published'"; sched_expr="NULL::bigint"; pub_expr="NULL::bigint" ;;
  mixed)
    status_expr="'approved'"
    site_status_expr="CASE n % 4 WHEN 0 THEN 'scheduled' WHEN 1 THEN 'published' WHEN 2 THEN 'not_published' ELSE 'failed' END"
    sched_expr="CASE WHEN n % 4 IN (0,1,3) THEN $now_ms + n * 60000 END"
    pub_expr="CASE WHEN n % 4 = 1 THEN $now_ms - n * 1000 END" ;;
  *) echo "STATE must be approved or mixed" >&2; exit 2 ;;
esac
psql -q -v ON_ERROR_STOP=1 "$url" <<SQL
BEGIN;
INSERT INTO sites (account_id, name, platform_type, domain, api_key, timezone, is_active,
                   created_at, updated_at)
SELECT $account, 'bench site ' || n, 'custom', 'http://127.0.0.1:9/hook', 'whsec_c2VjcmV0',
       CASE n % 5 WHEN 0 THEN 'UTC' WHEN 1 THEN 'Europe/Berlin' WHEN 2 THEN 'America/New_York'
                  WHEN 3 THEN 'Asia/Kolkata' ELSE 'Pacific/Auckland' END,
       TRUE, $now_ms, $now_ms FROM generate_series(1, $sites) AS n;
INSERT INTO publishing_settings (site_id, auto_publish_enabled, publish_days, publish_time_slots,
                                 daily_publish_limit, updated_at)
SELECT id, TRUE, '[0,1,2,3,4,5,6]', '[540,840,1080]', 3, $now_ms FROM sites
 WHERE account_id = $account;
INSERT INTO content (account_id, site_id, title, content_html, status, approved_at, site_status,
                     site_status_updated_at, scheduled_publish_at, published_at, created_at,
                     updated_at)
SELECT $account, (SELECT MIN(id) FROM sites WHERE account_id = $account) + (n % $sites),
       'Bench post ' || n, '<p>Benchmark body ' || n || '</p>', $status_expr, $now_ms + n,
       $site_status_expr, $now_ms, $sched_expr, $pub_expr, $now_ms, $now_ms
  FROM generate_series(0::bigint, $items - 1) AS n;
COMMIT;
VACUUM ANALYZE;
SQL
