"""Prints the feeds and items newsboat stored in its SQLite cache, as JSON on stdout.

Usage: python3 newsboat-cache.py CACHE_FILE
Used by newsboat.test.ts after `newsboat -x reload`: the cache is what newsboat would show.
"""

import json
import sqlite3
import sys

connection = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
feeds = [
    {"rssurl": rssurl, "title": title}
    for rssurl, title in connection.execute("SELECT rssurl, title FROM rss_feed ORDER BY rssurl")
]
items = [
    {"feedurl": feedurl, "guid": guid, "title": title, "url": url, "pubDate": pub_date, "author": author}
    for feedurl, guid, title, url, pub_date, author in connection.execute(
        "SELECT feedurl, guid, title, url, pubDate, author FROM rss_item ORDER BY feedurl, pubDate DESC"
    )
]
json.dump({"feeds": feeds, "items": items}, sys.stdout, ensure_ascii=False)
