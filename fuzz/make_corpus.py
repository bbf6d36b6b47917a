#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/corpus/<target>/ from inputs the test suite uses
(tests/http/*_api_test.cpp bodies and queries, tests/http/server_test.cpp raw requests,
tests/domain/slots_test.cpp settings). Run it again after changing the lists; the files are
committed, so fuzz/run.sh and the replay tests need no Python."""
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# json_bodies: the first byte picks the resource (0 create site, 1 patch site, 2 put
# settings, 3 patch settings, 4 content, 5 action bodies), the rest is the body.
JSON = {
    0: ['{"name": "Main blog", "platform_type": "wordpress", "domain": "https://blog.example.com",'
        ' "api_key": "app-pass", "username": "editor", "timezone": "Europe/Berlin"}',
        '{"name": 5}', '{"name": "x", "is_active": "yes"}', '{"platform_type": "custom"}',
        '{"name": "x", "platform_type": "myspace"}', '{"name": "x", "timezone": "Mars/Olympus"}',
        '{"name": "a\\u0000b"}', '{"name":"Smuggled","platform_type":"custom"}',
        '{"name": "wp", "platform_type": "wordpress", "options": {"status": "draft"}}',
        '{"name": "shop", "platform_type": "shopify", "domain": "https://s.myshopify.com",'
        ' "options": {"blog_id": 123}}',
        '{"name": "g", "platform_type": "ghost", "options": {"newsletter": "weekly"}}',
        '[]', '', '{', '{"name": "x", "options": null}'],
    1: ['{"timezone": "Europe/Berlin", "is_active": false}', '{"api_key": ""}',
        '{"name": "ok", "timezone": "Nowhere/City"}', '{"name": "ok", "is_active": 1}',
        '{"options": {"author": "bob"}}', '{"name": "Renamed"}', '{"domain": "ftp://x"}'],
    2: ['{"publish_time_slots": ["07:30"], "weekly_publish_limit": 5}', '{}',
        '{"publish_days": ["mon", "sun"], "publish_time_slots": ["25:00"]}',
        '{"publish_time_slots": ["9am"]}', '{"publish_time_slots": ["09:00", "09:00"]}',
        '{"daily_publish_limit": -1}', '{"monthly_publish_limit": 99999999999}',
        '{"publish_days": ["\u20ac"]}'],
    3: ['{"auto_publish_enabled": true, "publish_days": ["mon", "wed"],'
        ' "daily_publish_limit": 2}', '{"weekly_publish_limit": null}',
        '{"daily_publish_limit": 3}', '{"publish_days": "mon"}'],
    4: ['{"site_id": 1, "title": "Hello", "content_html": "<p>Hi</p>", "excerpt": "x",'
        ' "slug": "hello-world", "categories": ["News"], "tags": ["a", "b"],'
        ' "cluster_id": 7, "status": "approved", "featured_image_url": "https://i/x.png"}',
        '{"title": 5}', '{"site_id": "1"}', '{"categories": "News"}', '{"tags": [1, 2]}',
        '{"cluster_id": "x"}', '{"status": "published"}', '{"title": "t", "content_html": "x"}',
        '{"status": "draft", "title": "Back to work"}', '{"slug": "Not A Slug"}',
        '{"title": "New", "content_type": ""}'],
    5: ['{"scheduled_at": "2026-01-22T09:00:00Z"}', '{"scheduled_at": "2026-01-20T11:59:59Z"}',
        '{"scheduled_at": "tomorrow"}', '{"scheduled_at": "2026-01-21T09:00:00"}',
        '{"scheduled_at": 1737}', '{"scheduled_at": "2026-03-29T02:30:00+02:00"}',
        '{"content_id": 1, "destinations": ["wordpress"]}', '{"name": "ci key"}',
        '{"dry_run": true}', ''],
}

QUERIES = [
    'ordering=title', 'page_size=-1', 'scheduled_after=soon', 'site_id=', 'site_id=abc',
    'site_status=gone', 'status=approved&page_size=1&page=', 'status=approved&page_size=1&page=2',
    'status=done', 'page=1', 'scheduled_after=2026-01-20T00:00:00%2B01:00&scheduled_before='
    '2026-02-01T00:00:00Z&ordering=-scheduled_publish_at', 'site_id=1&cluster_id=2&page_size=500',
    'page_size=100000&page=3', 'a=%zz&b=%4', '&&=&page=%32',
]

AUTH = 'Authorization: Api-Key hk_test\r\n'
HTTP = [
    'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'
    'GET /api/v1/nope HTTP/1.1\r\nHost: x\r\n' + AUTH + '\r\n'
    'GET /api/v1/sites/ HTTP/1.1\r\nHost: x\r\n' + AUTH + '\r\n',
    'THIS IS NOT HTTP\r\n\r\n',
    'POST /api/v1/sites/ HTTP/1.1\r\nHost: x\r\n' + AUTH + 'Content-Type: application/json\r\n'
    'Content-Length: 42\r\nTransfer-Encoding: chunked\r\n\r\n{"name":"Smuggled","platform_type":"custom"}',
    'POST /api/v1/sites/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n'
    '5\r\n{"a":\r\n2\r\n1}\r\n0\r\n\r\n',
    'GET http://herald.example/healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET HTTPS://x:1/api/v1/sites/?page=1 HTTP/1.1\r\nHost: x\r\n' + AUTH + '\r\n',
    'PATCH /api/v1/writer/content/1/ HTTP/1.1\r\nHost: x\r\nIf-Match: "3"\r\n'
    'Content-Length: 15\r\nConnection: close\r\n\r\n{"title":"New"}',
    'POST /api/v1/sites/ HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n'
    'Content-Length: 2000000\r\n\r\n',
    'GET /api/v1/writer/content/?status=approved&page_size=1&page=2 HTTP/1.0\r\n\r\n',
]

# slots: zone index, day bits, day rotation, slot count, slots (odd byte: an interesting
# minute; even: a 4-byte minute), three limit bytes, 4-byte minute of now, …
SLOTS = [
    bytes([2, 0b0011111, 0, 3, 1 | (10 << 1), 1 | (11 << 1), 1 | (12 << 1), 0, 0, 0]),  # NY
    bytes([1, 0b1111111, 3, 2, 1 | (8 << 1), 1 | (5 << 1), 5, 7, 9]) + struct.pack('>I', 19_000_000),
    bytes([3, 0b1111111, 0, 2, 1, 1 | (13 << 1), 3, 0, 0]) + struct.pack('>I', 15_500_000) + bytes([0, 9, 5, 4, 3, 2, 1, 0, 6]),
    bytes([13, 0b1111111, 0, 1, 1 | (10 << 1), 0, 0, 0]) + struct.pack('>I', 11_600_000) + bytes([1, 0, 40]),
    bytes([8, 0b1000001, 6, 4, 1 | (5 << 1), 1 | (6 << 1), 1 | (7 << 1), 1 | (3 << 1), 3, 3, 11]) + bytes(20),
]


def write(target, items):
    folder = os.path.join(HERE, 'corpus', target)
    os.makedirs(folder, exist_ok=True)
    for item in items:
        data = item if isinstance(item, bytes) else item.encode()
        name = hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(folder, name), 'wb') as f:
            f.write(data)


write('json_bodies', [bytes([k]) + body.encode() for k, bodies in JSON.items() for body in bodies])
write('query', QUERIES)
write('http_request', HTTP)
write('slots', SLOTS)
