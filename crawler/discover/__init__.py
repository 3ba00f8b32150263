"""Discovery of related pages, WordPress-aware. Pure parsers: text in, Candidates out.

The frontier (SQLite) and the discovery job live elsewhere and call these; nothing here fetches.
"""

from crawler.discover.candidate import REASONS, Candidate, Reason, iso_utc
from crawler.discover.feeds import (
    FeedDoc,
    FeedEntry,
    feed_candidates,
    feed_urls_from_html,
    parse_feed,
    site_feed_url,
)
from crawler.discover.links import archive_feed_url, archive_posts, article_links
from crawler.discover.scope import DiscoveryScope, PageKind, child_depth, page_kind
from crawler.discover.sitemaps import (
    SitemapDoc,
    SitemapEntry,
    default_sitemap_urls,
    parse_sitemap,
    sitemap_candidates,
    sitemaps_from_robots,
)
from crawler.discover.wpapi import (
    ApiPost,
    ApiPosts,
    api_candidates,
    api_root_from_html,
    api_root_from_link_header,
    default_api_root,
    parse_posts,
    posts_url,
)

__all__ = [
    "REASONS",
    "ApiPost",
    "ApiPosts",
    "Candidate",
    "DiscoveryScope",
    "FeedDoc",
    "FeedEntry",
    "PageKind",
    "Reason",
    "SitemapDoc",
    "SitemapEntry",
    "api_candidates",
    "api_root_from_html",
    "api_root_from_link_header",
    "archive_feed_url",
    "archive_posts",
    "article_links",
    "child_depth",
    "default_api_root",
    "default_sitemap_urls",
    "feed_candidates",
    "feed_urls_from_html",
    "iso_utc",
    "page_kind",
    "parse_feed",
    "parse_posts",
    "parse_sitemap",
    "posts_url",
    "site_feed_url",
    "sitemap_candidates",
    "sitemaps_from_robots",
]
