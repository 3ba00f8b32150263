"""Canned queries offered on every marsad database in Datasette.

Each query lists `page_id` and `version` where it can: the plugin's cell rendering turns them into
links to the page's timeline and to the version's diff.
"""

from __future__ import annotations

from store import identity

# Title and description show above each query's form in Datasette.
# Versions holding every word of :q, newest first; the canned query and `marsad search` add
# their own LIMIT. The functions are registered by `store.fts.register`.
SEARCH_SQL = """
SELECT p.url, v.page_id, v.version, v.fetched_at, v.title,
       marsad_excerpt(marsad_text(t.text, t.zstd), :q) AS excerpt
FROM versions_fts
JOIN versions v ON v.id = versions_fts.rowid
JOIN pages p ON p.id = v.page_id
JOIN texts t ON t.hash = v.text_hash
WHERE versions_fts MATCH marsad_fts_query(marsad_match_key(:q))
ORDER BY versions_fts.rowid DESC
"""

CANNED_QUERIES: dict[str, dict[str, object]] = {
    "latest_changes": {
        "title": "Latest changes across all pages",
        "description": "Newest first: new versions with their word counts, and gone, restored,"
        " reverted and redirect events (not the reread and rebaselined events of an extractor"
        " upgrade: page_history shows those).",
        "sql": """
SELECT e.at, e.kind, p.url, e.page_id, v.version, v.title, v.words_added, v.words_removed,
       v.changed_fields, e.detail
FROM events e
JOIN pages p ON p.id = e.page_id
LEFT JOIN versions v ON v.id = e.version_id
WHERE e.kind NOT IN ('first_seen', 'reread', 'rebaselined')
ORDER BY e.at DESC, e.id DESC
LIMIT 200
""",
    },
    "page_history": {
        "title": "History of one page",
        "description": "Every version and event of the page :url names, by any spelling of it"
        " (redirected, canonical, short link, decoded or encoded, http or https).",
        "sql": f"""
SELECT e.at, e.kind, e.page_id, v.version, v.title, v.words_added, v.words_removed,
       v.changed_fields, v.seed_similarity, e.detail
FROM events e
LEFT JOIN versions v ON v.id = e.version_id
-- the page first (store.identity.pages_named), then its events by index: joined the other way
-- round SQLite walked every event in time order (2 s at 1,000,000 versions; 60 ms this way)
WHERE e.page_id IN {identity.pages_named(":url")}
ORDER BY e.at, e.id
""",
    },
    "seed_drift": {
        "title": "Pages moving away from their seed",
        "description": "Pages with a seed whose latest version is less similar to it than the"
        " first one, or below :below (0–1, default 0.9). Most drifted first.",
        "sql": """
WITH ranked AS (
  SELECT page_id, version, seed_similarity,
         first_value(seed_similarity) OVER w AS first_similarity,
         row_number() OVER (PARTITION BY page_id ORDER BY version DESC) AS newest
  FROM versions
  WHERE seed_similarity IS NOT NULL
  WINDOW w AS (PARTITION BY page_id ORDER BY version
               ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)
)
SELECT p.url, r.page_id, r.version, p.seed, round(r.first_similarity, 3) AS first_similarity,
       round(r.seed_similarity, 3) AS latest_similarity,
       round(r.first_similarity - r.seed_similarity, 3) AS fell_by
FROM ranked r JOIN pages p ON p.id = r.page_id
WHERE r.newest = 1
  AND (r.seed_similarity < r.first_similarity
       OR r.seed_similarity < CAST(coalesce(nullif(:below, ''), 0.9) AS REAL))
ORDER BY r.seed_similarity, fell_by DESC
""",
    },
    "pages_gone": {
        "title": "Pages gone",
        "description": "Pages that answered 404/410 at their last check (their last text is kept).",
        "sql": """
SELECT p.url, p.id AS page_id, p.state, p.last_checked, p.versions,
       (SELECT max(at) FROM events WHERE page_id = p.id AND kind = 'gone') AS gone_since
FROM pages p
WHERE p.state = 'gone'
   OR (SELECT kind FROM events WHERE page_id = p.id AND kind IN ('gone', 'restored')
       ORDER BY at DESC, id DESC LIMIT 1) = 'gone'
ORDER BY gone_since DESC
""",
    },
    "fetch_errors_by_host": {
        "title": "Fetch errors by host, last 24 hours",
        "description": "Failed fetches (no answer, HTTP errors, pages without article text) per"
        " host, with the latest error.",
        "sql": """
SELECT marsad_host(f.url) AS host, count(*) AS errors,
       group_concat(DISTINCT f.outcome) AS outcomes,
       group_concat(DISTINCT coalesce(f.error_class, f.status)) AS kinds,
       -- SQLite takes bare columns from the row holding the single max(): the latest error.
       max(f.fetched_at) AS last_at, f.url AS last_url, f.error AS last_error
FROM fetches f
WHERE f.outcome IN ('error', 'no_content')
  AND f.fetched_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day')
GROUP BY host
ORDER BY errors DESC
""",
    },
    "shaky_extractions": {
        "title": "Shaky extractions",
        "description": "Versions whose text the extractor was least sure of: found by the"
        " listing reading (links counted as text), or with a confidence below :below (0–1,"
        " default 0.7). Newest first; compare with the page before trusting their changes.",
        "sql": """
SELECT v.fetched_at, p.url, v.page_id, v.version, v.title, v.method,
       round(v.confidence, 3) AS confidence, v.extractor_version, v.diff_summary
FROM versions v JOIN pages p ON p.id = v.page_id
WHERE v.method = 'listing'
   OR v.confidence < CAST(coalesce(nullif(:below, ''), 0.7) AS REAL)
ORDER BY v.fetched_at DESC, v.id DESC
LIMIT 200
""",
    },
    "versions_with_text": {
        "title": "Versions with their text, for a spreadsheet",
        "description": "Every version, newest first, with the article's text and its fields in"
        " plain columns (no JSON): the page's address readable and as stored (encoded), title,"
        " author, dates, words added and removed, what changed, and the text. Up to 1,000 rows"
        " here; `marsad export --what versions` writes them all.",
        "sql": """
SELECT marsad_display_url(p.url) AS page, p.url AS page_url_encoded, v.page_id, v.version,
       v.fetched_at, v.title,
       json_extract(v.metadata, '$.author') AS author,
       json_extract(v.metadata, '$.published') AS published,
       json_extract(v.metadata, '$.modified') AS modified,
       v.words_added, v.words_removed,
       (SELECT group_concat(value, ', ') FROM json_each(v.changed_fields)) AS changed,
       v.diff_summary,
       marsad_display_url(v.final_url) AS final_url, v.final_url AS final_url_encoded,
       marsad_text(t.text, t.zstd) AS text
FROM versions v
JOIN pages p ON p.id = v.page_id
JOIN texts t ON t.hash = v.text_hash
ORDER BY v.fetched_at DESC, v.id DESC
LIMIT 1000
""",
    },
    "notifications_failed": {
        "title": "Notifications that failed",
        "description": "Messages a channel did not accept: still retried (failed, with when) or"
        " given up, with the cause. Channels by name only: their URLs and secrets are never"
        " stored. Newest first.",
        "sql": """
SELECT n.id, n.channel, n.kind, n.state, n.attempts, n.last_attempt_at, n.due_at AS retry_at,
       n.error, p.url, n.page_id, v.version, n.created_at
FROM notifications n
LEFT JOIN pages p ON p.id = n.page_id
LEFT JOIN versions v ON v.id = n.version_id
WHERE n.state IN ('failed', 'given_up')
ORDER BY n.last_attempt_at DESC, n.id DESC
LIMIT 200
""",
    },
    "search": {
        "title": "Search the text of every version",
        "description": "Finds versions holding all the words of :q, whatever their harakat,"
        " alef form or attached و ف ب ك ل ال (اسلام finds الإسلام and بالإسلامية; محمد finds"
        " مُحَمَّدٌ). A word of three letters or more matches the words it begins; shorter"
        " words and numbers match whole.",
        "sql": SEARCH_SQL + "LIMIT 100\n",
    },
}
