#!/usr/bin/env python3
"""A small in-memory stand-in for the herald API, for developing and
sanity-checking the web UI before/without the C++ server.

NOT a substitute for the real server in browser tests: those must run
against `herald serve`. This stub follows the README's API description loosely plus
the UI's extra endpoints (slots, schedule-approved, events).

Usage: python3 tests/ui/stub_api.py [--port 8099] [--dist web/dist]
           [--no-sse] [--no-slots] [--empty]
API key: "test-key" (a second account: "other-key"). Test hooks:
  POST /__stub/set {"id": N, ...fields}   changes an item and emits an SSE event
  POST /__stub/reset                       back to the seed data
"""
import argparse
import json
import os
import queue
import threading
from datetime import datetime, timedelta, timezone
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

KEYS = {"test-key": 1, "other-key": 2}
LOCK = threading.RLock()
SUBSCRIBERS = []  # (account, site_id, queue)
ARGS = None


def now():
    return datetime.now(timezone.utc).replace(microsecond=0)


def iso(d):
    return d.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if d else None


def parse(s):
    if s is None:
        return None
    d = datetime.fromisoformat(s.replace("Z", "+00:00"))
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)
    return d


DB = {}


def seed(empty=False):
    DB.clear()
    DB.update(sites={}, settings={}, content={}, records={}, next_id=100)
    if empty:
        return
    t = now()
    base = t.replace(minute=0, second=0)
    DB["sites"][1] = dict(id=1, account=1, name="Main blog", platform_type="wordpress", domain="https://blog.example.com",
                          username="editor", timezone="Europe/Berlin", is_active=True, has_api_key=True)
    DB["sites"][2] = dict(id=2, account=1, name="Shop journal", platform_type="shopify", domain="https://shop.example.com",
                          username=None, timezone="America/New_York", is_active=True, has_api_key=True)
    DB["sites"][3] = dict(id=3, account=2, name="Other account", platform_type="ghost", domain="https://x.example.com",
                          username=None, timezone="UTC", is_active=True, has_api_key=False)
    for sid in DB["sites"]:
        DB["settings"][sid] = dict(auto_publish_enabled=True, publish_days=["mon", "tue", "wed", "thu", "fri"],
                                   publish_time_slots=["09:00", "14:00", "18:00"], daily_publish_limit=2,
                                   weekly_publish_limit=None, monthly_publish_limit=None)

    def mk(id_, site, title, status, site_status, sched=None, pub=None, err=None):
        c = dict(id=id_, site_id=site, title=title, content_html="<p>Hello</p>", excerpt="An excerpt", slug=None,
                 content_type="post", cluster_id=None, categories=["News"], tags=["demo"], featured_image_url=None,
                 status=status, approved_at=iso(t - timedelta(days=3)) if status == "approved" else None,
                 site_status=site_status, site_status_updated_at=iso(t), scheduled_publish_at=iso(sched),
                 published_at=iso(pub), external_id="55" if pub else None,
                 external_url="https://blog.example.com/?p=55" if pub else None, last_error=err,
                 created_at=iso(t - timedelta(days=5)), updated_at=iso(t))
        DB["content"][id_] = c

    mk(1, 1, "Spring launch announcement", "approved", "scheduled", base + timedelta(days=1, hours=2))
    mk(2, 1, "How we test releases", "approved", "published", base - timedelta(days=2), base - timedelta(days=2))
    mk(3, 1, "Broken webhook post", "approved", "failed", base - timedelta(hours=5), err="WordPress answered 401: the application password was refused")
    mk(4, 1, "Publishing right now", "approved", "publishing", base - timedelta(minutes=1))
    mk(5, 1, "Ready for a slot", "approved", "not_published")
    mk(6, 1, "Needs a second look", "review", "not_published")
    mk(7, 1, "Half-written draft", "draft", "not_published")
    mk(8, 2, "Shop: holiday gift guide", "approved", "scheduled", base + timedelta(days=2, hours=5))
    mk(9, 3, "Other account's post", "approved", "scheduled", base + timedelta(days=1))
    DB["records"][1] = dict(id=1, content_id=3, site_id=1, attempt=1, started_at=iso(base - timedelta(hours=5)),
                            finished_at=iso(base - timedelta(hours=5)), outcome="failed", http_status=401,
                            error="WordPress answered 401: the application password was refused", external_id=None, external_url=None)
    DB["records"][2] = dict(id=2, content_id=2, site_id=1, attempt=1, started_at=iso(base - timedelta(days=2)),
                            finished_at=iso(base - timedelta(days=2)), outcome="published", http_status=201,
                            error=None, external_id="55", external_url="https://blog.example.com/?p=55")


def next_id():
    DB["next_id"] += 1
    return DB["next_id"]


def public_site(s):
    return {k: v for k, v in s.items() if k != "account"}


class ApiErr(Exception):
    def __init__(self, status, code, message, field=None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


def emit(c):
    site = DB["sites"].get(c["site_id"])
    for acct, sid, q in list(SUBSCRIBERS):
        if site and site["account"] == acct and sid == c["site_id"]:
            q.put(c)


def slots_for(site, start, end):
    st = DB["settings"][site["id"]]
    tz = ZoneInfo(site["timezone"])
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    taken = {c["scheduled_publish_at"] for c in DB["content"].values()
             if c["site_id"] == site["id"] and c["site_status"] in ("scheduled", "publishing")}
    per_day = {}
    for c in DB["content"].values():
        if c["site_id"] == site["id"] and c["site_status"] in ("scheduled", "publishing", "published"):
            at = parse(c["published_at"] if c["site_status"] == "published" else c["scheduled_publish_at"])
            if at:
                k = at.astimezone(tz).date()
                per_day[k] = per_day.get(k, 0) + 1
    out = []
    d = start.astimezone(tz).date()
    while d <= end.astimezone(tz).date():
        if days[d.weekday()] in st["publish_days"]:
            for hm in st["publish_time_slots"]:
                h, m = map(int, hm.split(":"))
                at = datetime(d.year, d.month, d.day, h, m, tzinfo=tz)
                if not (start <= at < end) or at <= now():
                    continue
                state = "taken" if iso(at) in taken else "free"
                lim = st["daily_publish_limit"]
                if state == "free" and lim is not None and per_day.get(d, 0) >= lim:
                    state = "full"
                out.append({"at": iso(at), "state": state})
        d += timedelta(days=1)
    return out


class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def __init__(self, *a, **kw):
        super().__init__(*a, directory=ARGS.dist, **kw)

    def log_message(self, fmt, *args):
        if os.environ.get("STUB_VERBOSE"):
            super().log_message(fmt, *args)

    # ---- helpers
    def send_json(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_body(self):
        # always drain the request body so a kept-alive connection stays in sync
        n = int(self.headers.get("Content-Length") or 0)
        self._raw = self.rfile.read(n) if n else b""

    def body(self):
        raw = getattr(self, "_raw", b"")
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise ApiErr(400, "malformed_json", "The request body is not valid JSON.")

    def account(self, q):
        auth = self.headers.get("Authorization", "")
        key = auth[len("Api-Key "):] if auth.startswith("Api-Key ") else (q.get("api_key", [None])[0])
        acct = KEYS.get(key)
        if not acct:
            raise ApiErr(401, "unauthorized", "Missing or invalid API key.")
        return acct

    def site(self, acct, sid):
        s = DB["sites"].get(int(sid))
        if not s or s["account"] != acct:
            raise ApiErr(404, "not_found", "Site not found.")
        return s

    def content(self, acct, cid):
        c = DB["content"].get(int(cid))
        if not c or DB["sites"][c["site_id"]]["account"] != acct:
            raise ApiErr(404, "not_found", "Content not found.")
        return c

    def page(self, items, q):
        size = min(int(q.get("page_size", ["50"])[0]), 500)
        page = int(q.get("page", ["1"])[0])
        chunk = items[(page - 1) * size: page * size]
        base = self.path.split("?")[0]

        def link(p):
            qq = {k: v[0] for k, v in q.items()}
            qq["page"] = str(p)
            return "http://" + self.headers.get("Host", "x") + base + "?" + "&".join(f"{k}={v}" for k, v in qq.items())
        return {"count": len(items), "next": link(page + 1) if page * size < len(items) else None,
                "previous": link(page - 1) if page > 1 else None, "results": chunk}

    # ---- dispatch
    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")

    def do_PATCH(self):
        self.route("PATCH")

    def route(self, method):
        u = urlparse(self.path)
        if not u.path.startswith("/api/") and not u.path.startswith("/__stub/") and u.path != "/healthz":
            if method != "GET":
                return self.send_json(405, {"error": {"code": "method", "message": "no", "field": None}})
            return super().do_GET()
        q = parse_qs(u.query)
        self.read_body()
        try:
            with LOCK:
                if u.path.startswith("/api/v1/events/"):
                    pass  # handled below, outside the lock
                else:
                    status, obj = self.api(method, u.path, q)
                    return self.send_json(status, obj)
            return self.events(q)
        except ApiErr as e:
            self.send_json(e.status, {"error": {"code": e.code, "message": e.message, "field": e.field}})

    def events(self, q):
        if ARGS.no_sse:
            raise ApiErr(404, "not_found", "Not found.")
        acct = self.account(q)
        sid = int(q.get("site_id", ["0"])[0])
        self.site(acct, sid)
        qu = queue.Queue()
        entry = (acct, sid, qu)
        SUBSCRIBERS.append(entry)
        try:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            self.wfile.write(b": hello\n\n")
            self.wfile.flush()
            while True:
                try:
                    c = qu.get(timeout=15)
                    self.wfile.write(f"event: content\ndata: {json.dumps(c)}\n\n".encode())
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            SUBSCRIBERS.remove(entry)
            self.close_connection = True

    def api(self, method, path, q):
        parts = [p for p in path.split("/") if p]
        if path == "/healthz":
            return 200, {"ok": True}
        if parts[:1] == ["__stub"]:
            if parts[1] == "reset":
                seed(ARGS.empty)
                return 200, {"ok": True}
            if parts[1] == "set":
                b = self.body()
                c = DB["content"][int(b.pop("id"))]
                c.update(b)
                emit(c)
                return 200, c
        acct = self.account(q)
        rest = parts[2:]  # after api/v1
        b = self.body() if method in ("POST", "PUT", "PATCH") else None

        if rest == ["sites"]:
            if method == "GET":
                return 200, self.page([public_site(s) for s in DB["sites"].values() if s["account"] == acct], q)
            for f in ("name", "platform_type", "domain"):
                if not b.get(f):
                    raise ApiErr(422, "required", f"{f} is required.", f)
            if b["platform_type"] not in ("wordpress", "shopify", "ghost", "custom"):
                raise ApiErr(422, "invalid_choice", "platform_type must be wordpress, shopify, ghost or custom.", "platform_type")
            tz = b.get("timezone") or "UTC"
            try:
                ZoneInfo(tz)
            except Exception:
                raise ApiErr(422, "invalid_timezone", f"Unknown time zone: {tz}.", "timezone")
            sid = next_id()
            s = dict(id=sid, account=acct, name=b["name"], platform_type=b["platform_type"], domain=b["domain"],
                     username=b.get("username"), timezone=tz, is_active=True, has_api_key=bool(b.get("api_key")))
            DB["sites"][sid] = s
            DB["settings"][sid] = dict(auto_publish_enabled=False, publish_days=["mon", "tue", "wed", "thu", "fri"],
                                       publish_time_slots=["09:00", "14:00", "18:00"], daily_publish_limit=None,
                                       weekly_publish_limit=None, monthly_publish_limit=None)
            return 201, public_site(s)
        if len(rest) >= 2 and rest[0] == "sites":
            s = self.site(acct, rest[1])
            if len(rest) == 2:
                if method == "PATCH":
                    if "timezone" in b:
                        try:
                            ZoneInfo(b["timezone"])
                        except Exception:
                            raise ApiErr(422, "invalid_timezone", f"Unknown time zone: {b['timezone']}.", "timezone")
                    s.update({k: v for k, v in b.items() if k in ("name", "domain", "timezone", "is_active", "username")})
                return 200, public_site(s)
            if rest[2] == "publishing-settings":
                st = DB["settings"][s["id"]]
                if method in ("PUT", "PATCH"):
                    new = dict(st)
                    new.update(b)
                    bad_days = [d for d in new["publish_days"] if d not in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")]
                    if bad_days:
                        raise ApiErr(422, "invalid_day", f"Unknown day: {bad_days[0]}.", "publish_days")
                    import re
                    seen = set()
                    for t in new["publish_time_slots"]:
                        if not isinstance(t, str) or not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", t):
                            raise ApiErr(422, "invalid_time_slot", f"“{t}” is not a time of day as HH:MM (24 h).", "publish_time_slots")
                        if t in seen:
                            raise ApiErr(422, "duplicate_time_slot", f"The time slot {t} is listed twice.", "publish_time_slots")
                        seen.add(t)
                    for k in ("daily_publish_limit", "weekly_publish_limit", "monthly_publish_limit"):
                        v = new[k]
                        if v is not None and (not isinstance(v, int) or isinstance(v, bool)):
                            raise ApiErr(400, "wrong_type", f"{k} must be a whole number or null.", k)
                        if v is not None and v < 0:
                            raise ApiErr(422, "negative_limit", "A limit cannot be negative.", k)
                    st.clear()
                    st.update(new)
                return 200, st
            if rest[2] == "slots":
                if ARGS.no_slots:
                    raise ApiErr(404, "not_found", "Not found.")
                return 200, {"results": slots_for(s, parse(q["from"][0]), parse(q["to"][0]))}
            if rest[2] == "schedule-approved" and method == "POST":
                ready = sorted([c for c in DB["content"].values() if c["site_id"] == s["id"] and c["status"] == "approved"
                                and c["site_status"] == "not_published"], key=lambda c: c["id"])
                free = [x for x in slots_for(s, now(), now() + timedelta(days=30)) if x["state"] == "free"]
                out = []
                for c, slot in zip(ready, free):
                    out.append({"content_id": c["id"], "scheduled_publish_at": slot["at"]})
                    if not b.get("dry_run"):
                        c.update(site_status="scheduled", scheduled_publish_at=slot["at"])
                        emit(c)
                return 200, {"assigned": len(out), "assignments": out}
        if rest[:2] == ["writer", "content"]:
            if len(rest) == 2:
                if method == "POST":
                    s = self.site(acct, b.get("site_id") or 0)
                    for f in ("title", "content_html"):
                        if not b.get(f):
                            raise ApiErr(422, "required", f"{f} is required.", f)
                    cid = next_id()
                    c = dict(id=cid, site_id=s["id"], title=b["title"], content_html=b["content_html"], excerpt=b.get("excerpt"),
                             slug=None, content_type="post", cluster_id=None, categories=b.get("categories", []),
                             tags=b.get("tags", []), featured_image_url=None, status="draft", approved_at=None,
                             site_status="not_published", site_status_updated_at=None, scheduled_publish_at=None,
                             published_at=None, external_id=None, external_url=None, last_error=None,
                             created_at=iso(now()), updated_at=iso(now()))
                    DB["content"][cid] = c
                    return 201, c
                items = [c for c in DB["content"].values() if DB["sites"][c["site_id"]]["account"] == acct]
                for f in ("site_id",):
                    if f in q:
                        items = [c for c in items if str(c[f]) == q[f][0]]
                for f in ("status", "site_status"):
                    if f in q:
                        items = [c for c in items if c[f] == q[f][0]]
                if "scheduled_after" in q:
                    a = parse(q["scheduled_after"][0])
                    items = [c for c in items if c["scheduled_publish_at"] and parse(c["scheduled_publish_at"]) >= a]
                if "scheduled_before" in q:
                    a = parse(q["scheduled_before"][0])
                    items = [c for c in items if c["scheduled_publish_at"] and parse(c["scheduled_publish_at"]) < a]
                return 200, self.page(sorted(items, key=lambda c: c["id"]), q)
            c = self.content(acct, rest[2])
            if len(rest) == 3:
                if method == "PATCH":
                    st = b.get("status")
                    if st:
                        allowed = {("draft", "review"), ("review", "approved"), ("review", "draft"), ("approved", "draft")}
                        if (c["status"], st) not in allowed and c["status"] != st:
                            raise ApiErr(409, "invalid_transition", f"Cannot move from {c['status']} to {st}.", "status")
                        if st == "approved":
                            c["approved_at"] = iso(now())
                    c.update({k: v for k, v in b.items() if k in ("title", "content_html", "excerpt", "status", "categories", "tags")})
                    emit(c)
                return 200, c
            action = rest[3]
            if action in ("schedule", "reschedule"):
                at = parse(b.get("scheduled_at"))
                if action == "schedule" and (c["status"] != "approved" or c["site_status"] != "not_published"):
                    raise ApiErr(409, "not_schedulable", "Only approved, unpublished content can be scheduled.", None)
                if c["site_status"] == "publishing":
                    raise ApiErr(409, "publishing", "This item is being published right now.", None)
                if at <= now():
                    raise ApiErr(422, "in_the_past", "The publication time must be in the future.", "scheduled_at")
                c.update(scheduled_publish_at=iso(at), site_status="scheduled", site_status_updated_at=iso(now()))
                emit(c)
                return 200, c
            if action == "unschedule":
                if c["site_status"] != "scheduled":
                    raise ApiErr(409, "not_scheduled", "Only scheduled content can be unscheduled.", None)
                c.update(scheduled_publish_at=None, site_status="not_published")
                emit(c)
                return 200, c
        if rest == ["publisher", "publish"]:
            c = self.content(acct, b.get("content_id") or 0)
            rid = next_id()
            c.update(site_status="published", published_at=iso(now()), external_id=str(rid),
                     external_url=f"https://blog.example.com/?p={rid}", last_error=None)
            DB["records"][rid] = dict(id=rid, content_id=c["id"], site_id=c["site_id"], attempt=1, started_at=iso(now()),
                                      finished_at=iso(now()), outcome="published", http_status=201, error=None,
                                      external_id=str(rid), external_url=c["external_url"])
            emit(c)
            return 200, {"success": True, "external_id": str(rid), "external_url": c["external_url"], "record_id": rid}
        if rest == ["publisher", "records"]:
            items = [r for r in DB["records"].values() if DB["sites"][r["site_id"]]["account"] == acct]
            if "content_id" in q:
                items = [r for r in items if str(r["content_id"]) == q["content_id"][0]]
            return 200, self.page(items, q)
        raise ApiErr(404, "not_found", "Not found.")


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=8099)
    p.add_argument("--dist", default=os.path.join(os.path.dirname(__file__), "..", "..", "web", "dist"))
    p.add_argument("--no-sse", action="store_true")
    p.add_argument("--no-slots", action="store_true")
    p.add_argument("--empty", action="store_true", help="start with no sites (first-run path)")
    ARGS = p.parse_args()
    ARGS.dist = os.path.abspath(ARGS.dist)
    seed(ARGS.empty)
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    srv.daemon_threads = True
    print(f"stub API on http://127.0.0.1:{ARGS.port}/ serving {ARGS.dist}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
