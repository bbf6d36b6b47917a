#!/usr/bin/env bash
# Fills a herald SQLite database with SITES sites (custom platform, auto-publish on,
# Mon–Sun, 09:00/14:00/18:00, daily limit 3, a spread of time zones) and ITEMS content rows.
# STATE=approved: every item approved and unscheduled (slot assignment benchmark).
# STATE=mixed: a quarter each scheduled/published/not_published/failed (list benchmark).
# RULES=1 (with STATE=approved) turns every planner rule on: slots 30 min apart
# (09:00–12:00, daily limit 3) with min_spacing_minutes 90, so spacing rules out four of the
# seven slots; two blackout ranges inside the horizon (today+2..+3, and the last two days of a
# month through the 2nd of the next); 5 % of the items pinned and already scheduled at fixed times (they hold
# their slots); 10 % of the rest with a recurrence (every 7 days, count 4 or until +60 days).
# Usage: [RULES=1] bench/seed.sh DB_FILE ACCOUNT_ID SITES ITEMS STATE
set -euo pipefail
db=$1 account=$2 sites=$3 items=$4 state=$5
now_ms=$(( $(date +%s) * 1000 ))
case "$state" in
  approved) status_expr="'approved'"; site_status_expr="'not_published'"; sched_expr="NULL"; pub_expr="NULL" ;;
  mixed)
    status_expr="'approved'"
    site_status_expr="CASE n % 4 WHEN 0 THEN 'scheduled' WHEN 1 THEN 'published' WHEN 2 THEN 'not_published' ELSE 'failed' END"
    sched_expr="CASE WHEN n % 4 IN (0,1,3) THEN $now_ms + n * 60000 END"
    pub_expr="CASE WHEN n % 4 = 1 THEN $now_ms - n * 1000 END" ;;
  *) echo "STATE must be approved or mixed" >&2; exit 2 ;;
esac
sqlite3 "$db" <<SQL
PRAGMA journal_mode=WAL;
PRAGMA synchronous=OFF;
BEGIN;
WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $sites)
INSERT INTO sites (account_id, name, platform_type, domain, api_key, timezone, is_active,
                   created_at, updated_at)
SELECT $account, 'bench site ' || n, 'custom', 'http://127.0.0.1:9/hook', 'whsec_c2VjcmV0',
       CASE n % 5 WHEN 0 THEN 'UTC' WHEN 1 THEN 'Europe/Berlin' WHEN 2 THEN 'America/New_York'
                  WHEN 3 THEN 'Asia/Kolkata' ELSE 'Pacific/Auckland' END,
       1, $now_ms, $now_ms FROM s;
INSERT INTO publishing_settings (site_id, auto_publish_enabled, publish_days, publish_time_slots,
                                 daily_publish_limit, updated_at)
SELECT id, 1, '[0,1,2,3,4,5,6]', '[540,840,1080]', 3, $now_ms FROM sites WHERE account_id = $account;
WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < $items - 1),
     first_site(id) AS (SELECT MIN(id) FROM sites WHERE account_id = $account)
INSERT INTO content (account_id, site_id, title, content_html, status, approved_at, site_status,
                     site_status_updated_at, scheduled_publish_at, published_at, created_at, updated_at)
SELECT $account, (SELECT id FROM first_site) + (n % $sites), 'Bench post ' || n,
       '<p>Benchmark body ' || n || '</p>', $status_expr, $now_ms + n, $site_status_expr,
       $now_ms, $sched_expr, $pub_expr, $now_ms, $now_ms
  FROM s;
COMMIT;
SQL
if [[ -n ${RULES:-} && $state == approved ]]; then
  # Item n (content id first + n) belongs to site n % sites; n / sites is its rank there.
  # Pinned: ranks 0, 20, 40, … at 09:30 UTC on days +1, +5, +9, … (one site never twice a day).
  first=$(sqlite3 "$db" "SELECT MAX(id) - $items + 1 FROM content WHERE account_id = $account")
  sqlite3 "$db" <<SQL
PRAGMA synchronous=OFF;
BEGIN;
UPDATE publishing_settings
   SET publish_time_slots = '[540,570,600,630,660,690,720]', daily_publish_limit = 3,
       min_spacing_minutes = 90, missed_slot_policy = 'next_free_slot', max_lateness_minutes = 30,
       blackout_dates = json_array(
         json_object('from', date('now', '+2 days'), 'to', date('now', '+3 days'),
                     'reason', 'bench blackout'),
         json_object('from', date('now', '+10 days', 'start of month', '+1 month', '-2 days'),
                     'to', date('now', '+10 days', 'start of month', '+1 month', '+1 day'),
                     'reason', 'bench month end'))
 WHERE site_id IN (SELECT id FROM sites WHERE account_id = $account);
UPDATE content
   SET pinned = 1, site_status = 'scheduled',
       scheduled_publish_at = ($now_ms / 86400000 + 1 + (id - $first) / $sites / 20 * 4) * 86400000
                              + 34200000
 WHERE account_id = $account AND id >= $first AND ((id - $first) / $sites) % 20 = 0;
UPDATE content
   SET recurrence_every_days = 7,
       recurrence_count = CASE WHEN id % 2 = 0 THEN 4 END,
       recurrence_until = CASE WHEN id % 2 = 1 THEN date('now', '+60 days') END
 WHERE account_id = $account AND id >= $first AND pinned = 0
   AND ((id - $first) / $sites) % 10 = 5;
COMMIT;
SQL
fi
sqlite3 "$db" "ANALYZE;"
