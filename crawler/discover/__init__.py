"""Discovery of related pages, WordPress-aware. Pure parsers: text in, Candidates out.

The frontier (SQLite) and the discovery job live elsewhere and call these; nothing here fetches.
"""

from crawler.discover.article import ArticlePage, post_id_in, read_article
from crawler.discover.candidate import REASONS, Candidate, Reason, iso_utc
from crawler.discover.feeds import (
    FeedDoc,
    FeedEntry,
    feed_candidates,
    feed_urls_from_html,
    parse_feed,
    site_feed_url,
)
from crawler.discover.links import archive_feed_url, archive_posts, article_links, links_in
from crawler.discover.scope import DiscoveryScope, PageKind, child_depth, page_kind
from crawler.discover.sitemaps import (
    SitemapDoc,
    SitemapEntry,
    default_sitemap_urls,
    lists_posts,
    parse_sitemap,
    sitemap_candidates,
    sitemaps_from_robots,
    xml_bytes,
)
from crawler.discover.wpapi import (
    ApiPost,
    ApiPosts,
    api_candidates,
    api_root_from_html,
    api_root_from_link_header,
    api_root_in,
    default_api_root,
    parse_posts,
    posts_url,
)

__all__ = [
    "REASONS",
    "ApiPost",
    "ApiPosts",
    "ArticlePage",
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
    "api_root_in",
    "archive_feed_url",
    "archive_posts",
    "article_links",
    "child_depth",
    "default_api_root",
    "default_sitemap_urls",
    "feed_candidates",
    "feed_urls_from_html",
    "iso_utc",
    "links_in",
    "lists_posts",
    "page_kind",
    "parse_feed",
    "parse_posts",
    "parse_sitemap",
    "post_id_in",
    "posts_url",
    "read_article",
    "site_feed_url",
    "sitemap_candidates",
    "sitemaps_from_robots",
    "xml_bytes",
]
