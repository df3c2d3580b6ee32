"""Reads feed files with Python's feedparser and prints what it understood, as JSON on stdout.

Usage: python3 feedparser-check.py FILE...
Used by feedparser.test.ts; feedparser is an independent, widely deployed parser (Debian package
python3-feedparser), so it catches output that our own code would read back happily. JSON Feed
support arrived in feedparser 6.1; Debian 12 ships 6.0.10, which has none ("json_supported").
"""

import calendar
import importlib.util
import json
import sys

import feedparser

JSON_SUPPORTED = importlib.util.find_spec("feedparser.parsers.json") is not None


def instant(parsed):
    """feedparser's *_parsed fields are UTC struct_times; return epoch seconds or None."""
    return calendar.timegm(parsed) if parsed else None


def describe(path):
    with open(path, "rb") as handle:
        data = handle.read()
    # feedparser picks its JSON parser from the content type, as it would over HTTP.
    headers = {"content-type": "application/feed+json"} if path.endswith(".json") else {}
    result = feedparser.parse(data, response_headers=headers)
    feed = result.feed
    return {
        "file": path,
        "bozo": int(bool(result.bozo)),
        "bozo_exception": repr(result.get("bozo_exception")) if result.bozo else None,
        "version": result.version,
        "encoding": result.get("encoding"),
        "feed": {
            "title": feed.get("title"),
            "language": feed.get("language"),
            "links": [
                {key: link.get(key) for key in ("rel", "href", "hreflang", "type")}
                for link in feed.get("links", [])
            ],
        },
        "entries": [
            {
                "id": entry.get("id"),
                "title": entry.get("title"),
                "link": entry.get("link"),
                "published": instant(entry.get("published_parsed")),
                "updated": instant(entry.get("updated_parsed")),
            }
            for entry in result.entries
        ],
    }


if __name__ == "__main__":
    report = {
        "feedparser": feedparser.__version__,
        "json_supported": JSON_SUPPORTED,
        "feeds": [describe(path) for path in sys.argv[1:]],
    }
    json.dump(report, sys.stdout, ensure_ascii=False)
