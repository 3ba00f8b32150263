"""Non-WordPress layouts (Drupal, a table-based custom CMS, AMP), English pages, and the hard
cases: pages whose markup is odd on purpose."""

from __future__ import annotations

import json
from html import escape

from chrome import (
    comments,
    footer,
    head,
    menu,
    related,
    share,
    sidebar_widgets,
    words,
)
from content import classic, decorate, jsonld, with_breaks, word_soup
from layouts import _doc


def drupal(art: dict, opts: dict) -> str:
    """Drupal 9/10 (Olivero-like): `.field--name-body` inside `.node__content`, tags and comments
    as sibling fields, a Levantine date in the node meta."""
    words("ar")
    date_text = opts.get("date_text", art["date"])
    body = f"""<a href="#main-content" class="visually-hidden focusable skip-link">انتقل إلى المحتوى الرئيسي</a>
<div class="dialog-off-canvas-main-canvas" data-off-canvas-main-canvas><div class="layout-container">
<header role="banner" class="site-header"><div class="region region-header"><div id="block-sitebranding" class="block block-system block-system-branding-block"><a href="/" rel="home">صحيفة المشرق</a></div></div>
<div class="region region-primary-menu"><nav role="navigation" aria-labelledby="block-mainnavigation-menu" id="block-mainnavigation">{menu("ar", "menu menu--main")}</nav></div></header>
<div class="region region-highlighted"><div data-drupal-messages-fallback class="hidden"></div></div>
<main role="main"><a id="main-content" tabindex="-1"></a><div class="layout-content"><div class="region region-content">
<div id="block-mainpagecontent" class="block block-system block-system-main-block">
<article role="article" about="/node/4412" class="node node--type-article node--promoted node--view-mode-full">
<h1 class="page-title"><span class="field field--name-title field--type-string field--label-hidden">{escape(art["title"])}</span></h1>
<div class="node__meta"><span class="field field--name-uid field--type-entity-reference field--label-hidden"><span>{escape(art["author"])}</span></span>
<span class="field field--name-created field--type-created field--label-hidden">{date_text}</span></div>
<div class="node__content clearfix">
<div class="field field--name-field-image field--type-image field--label-hidden field__item"><img src="/sites/default/files/lead.jpg" alt=""></div>
<div class="clearfix text-formatted field field--name-body field--type-text-with-summary field--label-hidden field__item">{classic(art["blocks"], heading="h3")}</div>
<div class="field field--name-field-tags field--type-entity-reference field--label-above"><div class="field__label">الوسوم</div><div class="field__items">{"".join(f'<div class="field__item"><a href="/taxonomy/term/{i}" hreflang="ar">{escape(t)}</a></div>' for i, t in enumerate(art["tags"]))}</div></div>
<section class="field field--name-comment field--type-comment field--label-above comment-wrapper">{comments("ar", "div")}</section>
</div></article></div></div></div>
<aside class="layout-sidebar-first" role="complementary"><div class="region region-sidebar-first">{sidebar_widgets("ar", art["recent"])}</div></aside></main>
<footer role="contentinfo" class="site-footer">{footer("ar", "region region-footer")}</footer></div></div>"""
    return _doc(art, opts, body, "path-node page-node-type-article", "صحيفة المشرق")


def table_cms(art: dict, opts: dict) -> str:
    """A home-grown CMS of the 2000s: table layout, `<div id="article-body">` of <br>-text."""
    w = words("ar")
    inner = with_breaks(art["blocks"]) if opts.get("breaks", True) else word_soup(art["blocks"])
    links = "".join(
        f'<li><a href="/news.php?id={400 + i}">{escape(t)}</a></li>'
        for i, t in enumerate(art["related"])
    )
    body = f"""<div id="wrapper"><div id="top-bar"><span class="today">{art["date"]}</span> | <a href="/rss.xml">RSS</a></div>
<div id="header"><a href="/index.php"><img src="/images/logo.gif" alt="شبكة الأخبار العربية" border="0"></a></div>
<div id="main-menu"><table cellpadding="0" cellspacing="0"><tr>{"".join(f'<td class="mm"><a href="/cat.php?id={i}">{escape(t)}</a></td>' for i, t in enumerate(w["menu"]))}</tr></table></div>
<table width="100%" border="0" cellspacing="0" cellpadding="4" id="layout"><tr>
<td class="right-col" valign="top" width="180"><div class="box"><div class="box-title">{w["most_read"]}</div><ul>{links}</ul></div></td>
<td class="main-col" valign="top"><div class="news-path"><a href="/">الرئيسية</a> &gt; <a href="/cat.php?id=2">{escape(art["category"])}</a></div>
<div class="news-title"><h1>{escape(art["title"])}</h1></div>
<div class="news-date">نشر بتاريخ: {art["date"]} - الكاتب: {escape(art["author"])}</div>
<div class="news-img"><img src="/upload/lead.jpg" alt=""><br><span class="img-desc">{w["caption"]}</span></div>
<div id="article-body" dir="rtl">
{inner}
</div>
<div class="news-tools"><a href="javascript:print()">طباعة</a> | <a href="/send.php">أرسل لصديق</a> | {share("ar", "tools-share")}</div>
<div class="more-news"><b>{w["related"]}</b><ul>{links}</ul></div>
<div class="comments-box"><form action="/comment.php" method="post"><b>{w["reply"]}</b><textarea name="c"></textarea></form><div class="comment"><p>{w["comment"]}</p></div></div>
</td>
<td class="left-col" valign="top" width="160"><div class="ads-box">{w["ad"]}</div><div class="box"><div class="box-title">{w["newsletter"]}</div><form><input name="email"></form></div></td>
</tr></table>
<div id="footer"><p>{w["footer"]}</p></div></div>"""
    return _doc(art, opts, body, "inner", "شبكة الأخبار العربية")


def amp(art: dict, opts: dict) -> str:
    """AMP for WP: amp-* components, `.amp-wp-article-content`, inline amp-ad."""
    lang = art["lang"]
    w = words(lang)
    blocks = art["blocks"]
    content = (
        classic(blocks[:2])
        + (
            f'<amp-ad width="300" height="250" type="adsense">'
            f"<div fallback>{w['ad']}</div></amp-ad>"
        )
        + classic(blocks[2:])
    )
    boiler = (
        "<style amp-boilerplate>body{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both;"
        "animation:-amp-start 8s steps(1,end) 0s 1 normal both}</style>"
    )
    extra = f"""<script async src="https://cdn.ampproject.org/v0.js"></script>
<script async custom-element="amp-ad" src="https://cdn.ampproject.org/v0/amp-ad-0.1.js"></script>{boiler}
<link rel="canonical" href="{art["url"]}"><meta property="article:published_time" content="{art["date"]}T08:30:00+00:00">
{jsonld(art, art["url"])}"""
    direction = "rtl" if lang == "ar" else "ltr"
    return f"""<!doctype html>
<html amp lang="{lang}" dir="{direction}">
{head(art["title"], lang, "AMP", extra, css_size=20)}
<body class="single-post amp-single body"><amp-analytics type="gtag"><script type="application/json">{{"vars":{{"gtag_id":"G-1"}}}}</script></amp-analytics>
<header class="header h_m h_m_1"><div class="amp-logo"><a href="/amp/"><amp-img src="/logo.png" width="190" height="36" alt="logo"></amp-img></a></div>
<amp-sidebar id="sidebar" layout="nodisplay" side="right"><nav class="m-menu">{menu(lang)}</nav></amp-sidebar></header>
<div class="content-wrapper"><div class="amp-wp-article"><header class="amp-wp-article-header"><h1 class="amp-wp-title">{escape(art["title"])}</h1>
<div class="amp-wp-meta amp-wp-posted-on"><time datetime="{art["date"]}T08:30:00+00:00">{art["date"]}</time></div></header>
<figure class="amp-wp-article-featured-image wp-caption"><amp-img width="800" height="450" src="/img/lead.jpg" layout="responsive"></amp-img><figcaption class="wp-caption-text">{w["caption"]}</figcaption></figure>
<div class="amp-wp-article-content">{content}</div>
<footer class="amp-wp-article-footer"><div class="amp-wp-meta amp-wp-tax-category">{escape(art["category"])}</div><div class="amp-wp-meta amp-wp-tax-tag">{", ".join(escape(t) for t in art["tags"])}</div></footer>
<amp-social-share type="facebook" width="40" height="40">{w["share"]}</amp-social-share>
<div class="amp-related-posts">{related(lang, art["related"], "amp-related-wrapper")}</div></div></div>
<footer class="amp-wp-footer"><div><p>{w["footer"]}</p></div></footer>
</body>
</html>
"""


def english_news(art: dict, opts: dict) -> str:
    """A custom English news CMS: `.article__body` between a byline strip and a "more" rail."""
    w = words("en")
    body = f"""<div class="app"><div class="banner-top">{w["breaking"]}</div><header class="masthead"><a class="brand" href="/">The Observer Desk</a><nav class="nav-primary">{menu("en", "nav-list")}</nav></header>
<main class="page"><div class="article-layout"><div class="article-layout__main">
<article class="story"><div class="story__kicker"><a href="/section/">{escape(art["category"])}</a></div><h1 class="story__headline">{escape(art["title"])}</h1>
<div class="story__byline">By <a href="/people/x" rel="author">{escape(art["author"])}</a> · <time datetime="{art["date"]}T14:02:00-04:00">{art["date"]}</time></div>
<figure class="story__media"><img src="/img/lead.jpg" alt=""><figcaption>{w["caption"]}</figcaption></figure>
<div class="article__body">{classic(art["blocks"])}<div class="inline-promo promo--newsletter"><p>{w["newsletter"]}</p><form><input type="email"></form></div></div>
<div class="story__share">{share("en", "share-bar")}</div></article>
<section class="more-stories"><h2>{w["related"]}</h2><ul>{"".join(f'<li><a href="/s/{i}">{escape(t)}</a></li>' for i, t in enumerate(art["related"]))}</ul></section>
</div><div class="article-layout__rail"><div class="rail-module most-read"><h2>{w["most_read"]}</h2><ol>{"".join(f'<li><a href="/m/{i}">{escape(t)}</a></li>' for i, t in enumerate(art["recent"]))}</ol></div><div class="ad-slot ad-slot--rail">{w["ad"]}</div></div></div></main>
<footer class="page-footer"><p>{w["footer"]}</p><div class="cookie-banner">{w["cookie"]}</div></footer></div>"""
    return _doc(art, opts, body, "story-page", "The Observer Desk")


def unknown_theme(art: dict, opts: dict) -> str:
    """No class any list knows: only the generic fallback can find the article."""
    lang = art["lang"]
    w = words(lang)
    paras = "\n".join(
        f"<p>{decorate(t, i)}</p>" if k != "h" else f"<h2>{escape(t)}</h2>"
        for i, (k, t) in enumerate(art["blocks"])
    )
    rail = "".join(
        f'<div class="card"><a href="/c/{i}"><img src="/i{i}.jpg" alt="">'
        f"<span>{escape(t)}</span></a></div>"
        for i, t in enumerate(art["recent"])
    )
    body = f"""<div class="wrap"><div class="top"><div class="brand-x"><a href="/">{"منصة الرصد" if lang == "ar" else "Field Notes"}</a></div>{menu(lang, "links-top")}</div>
<div class="grid"><div class="col-a"><div class="hd"><h1>{escape(art["title"])}</h1><div class="when">{art["date"]}</div></div>
<div class="blk-txt">{paras}</div>
<div class="under"><div class="pills">{"".join(f'<a href="/k/{i}">{escape(t)}</a>' for i, t in enumerate(art["tags"]))}</div></div>
<div class="discuss"><div class="c-item"><p>{w["comment"]}</p></div><div class="c-item"><p>{w["comment2"]}</p></div></div></div>
<div class="col-b">{rail}<div class="box-nl"><p>{w["newsletter"]}</p></div></div></div>
<div class="bottom"><p>{w["footer"]}</p></div></div>"""
    return _doc(art, {**opts, "date_meta": False}, body, "", "Field Notes")


def jsonld_only(art: dict, opts: dict) -> str:
    """A JavaScript app shell: the text exists only in the JSON-LD `articleBody`."""
    data = jsonld(art, art["url"], body=True)
    return f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{escape(art["title"])}</title>
{data}<link rel="canonical" href="{art["url"]}"><script src="/static/js/main.4f2a.js" defer></script></head>
<body><noscript>يجب تفعيل جافاسكربت لعرض هذا الموقع.</noscript><div id="root"></div>
<script>window.__INITIAL_STATE__={json.dumps({"route": "/article/1", "user": None})}</script></body></html>
"""


def split_containers(art: dict, opts: dict) -> str:
    """One story in two `.article-body` blocks, an ad and a newsletter box between them."""
    w = words("ar")
    blocks = art["blocks"]
    body = f"""<div class="page"><header class="hdr"><nav>{menu("ar")}</nav></header><div class="main-wrap"><div class="story-col">
<h1 class="article-title">{escape(art["title"])}</h1><div class="article-date">{art["date"]}</div>
<div class="article-body">{classic(blocks[:2])}</div>
<div class="ad-inline ad-300">{w["ad"]}</div><div class="nl-box newsletter-inline"><p>{w["newsletter"]}</p></div>
<div class="article-body">{classic(blocks[2:])}</div>
{related("ar", art["related"], "related-box")}</div><aside class="side">{sidebar_widgets("ar", art["recent"])}</aside></div>{footer("ar")}</div>"""
    return _doc(art, opts, body, "article-page", "الخبر اليقين")


def chrome_inside(art: dict, opts: dict) -> str:
    """Everything a plugin can inject, injected inside `.entry-content`."""
    w = words("ar")
    blocks = art["blocks"]
    toc = (
        '<div id="ez-toc-container" class="ez-toc-v2_0 counter-hierarchy"><p class="ez-toc-title">'
        'محتويات المقال</p><ul class="ez-toc-list"><li><a href="#h1">المقدمة</a></li>'
        '<li><a href="#h2">الخلاصة</a></li></ul></div>'
    )
    poll = (
        f'<div id="polls-3" class="wp-polls"><p style="text-align: center;"><strong>{w["poll"]}</strong></p>'
        f'<ul class="wp-polls-ul">{"".join(f"<li><label>{a}</label></li>" for a in w["poll_answers"])}</ul></div>'
    )
    also = (
        f'<p><strong>{w["read_also"]}</strong> <a href="/also/">{escape(art["related"][0])}</a></p>'
    )
    body = f"""<div id="page"><header id="masthead" class="site-header"><nav>{menu("ar")}</nav></header><div id="content"><main id="main"><article class="post">
<header class="entry-header"><h1 class="entry-title">{escape(art["title"])}</h1></header>
<div class="entry-content">
<div class="sharedaddy sd-sharing-enabled">{share("ar", "sd-sharing")}</div>
{toc}
{classic(blocks[:1])}
{also}
{classic(blocks[1:2])}
<div class="mc4wp-form mc4wp-form-122"><div class="mc4wp-form-fields"><p>{w["newsletter"]}</p><p><input type="email" name="EMAIL"></p></div></div>
<p style="display:none">{w["cookie"]}</p>
{classic(blocks[2:])}
{poll}
<div class="saboxplugin-wrap"><div class="saboxplugin-authorname">{escape(art["author"])}</div><div class="saboxplugin-desc"><p>{w["author_bio"]}</p></div></div>
<div class="yarpp yarpp-related yarpp-template-list"><h3>{w["related"]}</h3><ol>{"".join(f'<li><a href="/y{i}/">{escape(t)}</a></li>' for i, t in enumerate(art["related"]))}</ol></div>
{comments("ar")}
</div></article></main></div>{footer("ar")}</div>"""
    return _doc(art, opts, body, "single single-post", "موقع تجريبي")


def nested_tables(art: dict, opts: dict) -> str:
    """The article at the bottom of 50 nested tables, chrome in the outer cells."""
    w = words("ar")
    inner = "".join(f"<p>{escape(t)}</p>" for _, t in art["blocks"])
    for level in range(50):
        side = f'<td class="side">{escape(w["menu"][level % 5])}</td>' if level % 10 == 0 else ""
        inner = f'<table border="0" cellpadding="0"><tr>{side}<td>{inner}</td></tr></table>'
    body = f'<div>{menu("ar")}</div><h1>{escape(art["title"])}</h1>{inner}<div class="foot">{w["footer"]}</div>'
    return _doc(art, opts, body, "", "جداول")


def broken_markup(art: dict, opts: dict) -> str:
    """Unclosed paragraphs, crossed inline tags, stray closing tags, unquoted attributes."""
    w = words("ar")
    parts = []
    for i, (kind, text) in enumerate(art["blocks"]):
        words_ = text.split(" ")
        if i % 2 == 0:
            parts.append(
                f"<p class=txt><b>{' '.join(words_[:2])} <i>{words_[2]}</b></i> {' '.join(words_[3:])}"
            )
        else:
            parts.append(f"<p>{text}</div></span>")
    body = (
        f"<div id=page><header class=site-header><nav>{menu('ar')}</nav></header><div class=wrap>"
        f"<article class=post><h1 class=entry-title>{escape(art['title'])}<div class=entry-content>"
        + "\n".join(parts)
        + f"<div class=sharedaddy>{w['share']}</div></article></div><aside class=widget-area>"
        f"{sidebar_widgets('ar', art['recent'])}<footer class=site-footer><p>{w['footer']}"
    )
    return (
        f"<!DOCTYPE html><html lang=ar dir=rtl><head><meta charset=utf-8><title>{escape(art['title'])}"
        f"</title><body>{body}"
    )


def paywall_teaser(art: dict, opts: dict) -> str:
    """The page shows one paragraph; the JSON-LD states the whole body."""
    w = words("ar")
    first = art["blocks"][0][1]
    body = f"""<div class="site"><header class="site-header"><nav>{menu("ar")}</nav></header><main><article class="post">
<h1 class="entry-title">{escape(art["title"])}</h1><div class="entry-content"><p>{escape(first)}</p>
<div class="paywall-box subscription-required"><p>{w["newsletter"]}</p></div></div></article></main>{footer("ar")}</div>"""
    html = _doc(art, {**opts, "jsonld": False}, body, "single", "المرصد")
    return html.replace("</head>", jsonld(art, art["url"], body=True) + "</head>", 1)


def presentation_forms(art: dict, opts: dict) -> str:
    """Text pasted from a PDF: presentation forms, elongation, invisible bidi marks."""
    from layouts import ecci

    return ecci(art, opts)


def empty_body(art: dict, opts: dict) -> str:
    return (
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>'
        f"{escape(art['title'])}</title></head><body></body></html>"
    )


def all_scripts(art: dict, opts: dict) -> str:
    scripts = "".join(
        f"<script>var block{i} = {json.dumps(art['blocks'][0][1], ensure_ascii=False)};"
        f"document.write(block{i});</script>"
        for i in range(20)
    )
    return (
        f'<!DOCTYPE html><html lang="ar"><head><title>{escape(art["title"])}</title>'
        f"<style>body{{color:red}}</style></head><body>{scripts}<noscript><p>فعّل جافاسكربت</p>"
        f"</noscript><template><p>{escape(art['blocks'][1][1])}</p></template></body></html>"
    )


def arabic_portal(art: dict, opts: dict) -> str:
    """An Arabic news portal whose chrome carries no class any list knows and sits inside the
    story's own container: a font-size and print bar, an "اقرأ أيضا" line between paragraphs, a
    "follow us" line and a newsletter plug after the text, a numbered most-read list, an app
    banner. Only words and link density give them away (real-page failures: chrome kept on
    Arabic news sites)."""
    lang = art["lang"]
    w = words(lang)
    blocks = art["blocks"]
    middle = max(1, len(blocks) // 2)
    paras = []
    for i, (k, t) in enumerate(blocks):
        if i == middle:
            paras.append(
                f'<p><strong>{escape(w["read_also"])}</strong> <a href="/news/{i}/">'
                f"{escape(art['related'][0])}</a></p>"
            )
        paras.append(f"<h2>{escape(t)}</h2>" if k == "h" else f"<p>{decorate(t, i)}</p>")
    tools = (
        f'<div class="bar"><span>{escape(w["font_tools"])}</span><a href="#">+</a>'
        f'<a href="#">-</a><a href="javascript:print()">{escape(w["print"])}</a>'
        f'<a href="/send">{escape(w["send"])}</a></div>'
    )
    ranked = "".join(
        f'<div class="row"><span class="n">{i + 1}</span><a href="/top/{i}/">{escape(t)}</a></div>'
        for i, t in enumerate(art["recent"][:4])
    )
    body = f"""<div class="page"><div class="masthead"><a href="/">{"بوابة الخبر" if lang == "ar" else "News Gate"}</a>{menu(lang, "topmenu")}</div>
<div class="strip">{escape(w["breaking"])}</div>
<div class="cols"><div class="main-col"><div class="story">
<h1>{escape(art["title"])}</h1><div class="info">{art["date"]} | {escape(art["author"])}</div>{tools}
<div class="pic"><img src="/lead.jpg" alt=""><span>{escape(w["caption"])}</span></div>
<div class="txt">{"".join(paras)}</div>
<p class="src"><a href="https://wa.example/ch">{escape(w["follow"])}</a></p>
<div class="nl"><p>{escape(w["plug"])}</p><input type="email"></div>
<div class="kw">{escape(w["tags_label"])} {" ".join(f'<a href="/kw/{i}">{escape(t)}</a>' for i, t in enumerate(art["tags"]))}</div>
</div>
<div class="top5"><h3>{escape(w["most_read"])}</h3>{ranked}</div></div>
<div class="side-col"><div class="appx"><a href="/app">{escape(w["app"])}</a></div><div class="adx">{escape(w["ad"])}</div></div></div>
<div class="bottom">{escape(w["footer"])}</div></div>"""
    return _doc(art, opts, body, "", "بوابة الخبر" if lang == "ar" else "News Gate")
