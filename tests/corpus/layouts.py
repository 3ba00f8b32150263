"""Page layouts of the corpus: the target's theme, five other WordPress themes, three non-WordPress
news layouts. Markup follows each theme's published structure (class names, nesting, where the
plugins put their widgets); the words are ours."""

from __future__ import annotations

from html import escape

from chrome import (
    comments,
    footer,
    head,
    menu,
    related,
    share,
    sidebar_widgets,
    tail_scripts,
    words,
)
from content import classic, gutenberg, jsonld


def _meta(art: dict, opts: dict) -> str:
    url = art["url"]
    parts = [
        f'<link rel="canonical" href="{url}" />',
        f'<meta property="og:title" content="{escape(art["title"])}" />',
        f'<meta property="og:url" content="{url}" />',
        '<meta property="og:image" content="https://example.org/img/lead.jpg" />',
    ]
    if opts.get("shortlink"):
        parts.append(f"<link rel='shortlink' href='{opts['shortlink']}' />")
    if opts.get("date_meta", True):
        parts.append(
            f'<meta property="article:published_time" content="{art["date"]}T08:30:00+00:00" />'
        )
        parts.append(
            f'<meta property="article:modified_time" content="{art["date"]}T11:05:00+00:00" />'
        )
    if opts.get("jsonld"):
        parts.append(jsonld(art, url, graph=opts.get("graph", False)))
    return "\n".join(parts)


def _doc(art: dict, opts: dict, body: str, body_class: str, site: str) -> str:
    lang = art["lang"]
    direction = "rtl" if lang == "ar" else "ltr"
    return (
        f'<!DOCTYPE html>\n<html lang="{"ar" if lang == "ar" else "en-US"}" dir="{direction}">\n'
        f'{head(art["title"], lang, site, _meta(art, opts))}\n<body class="{body_class}">\n'
        f"{body}\n{tail_scripts()}\n</body>\n</html>\n"
    )


def _tags(art: dict, cls: str = "post-tags") -> str:
    w = words(art["lang"])
    links = ", ".join(
        f'<a href="/tag/{i}/" rel="tag">{escape(t)}</a>' for i, t in enumerate(art["tags"])
    )
    return f'<div class="{cls}">{escape(w["tags_label"])} {links}</div>'


def ecci(art: dict, opts: dict) -> str:
    """The target site's theme: share, related posts and tags inside `.entry-content`."""
    w = words("ar")
    date_text = opts.get("date_text", art["date"])
    time_tag = (
        f'<time class="entry-date published" datetime="{art["date"]}T08:30:00+00:00">'
        f"{date_text}</time>"
        if opts.get("time_tag", True)
        else f'<span class="entry-date">{escape(date_text)}</span>'
    )
    content = classic(art["blocks"], heading=opts.get("heading", "h3"))
    if opts.get("read_also"):
        head_part, _, rest = content.partition("\n")
        rest_first, _, rest_more = rest.partition("\n")
        content = (
            f"{head_part}\n{rest_first}\n<p><strong>{w['read_also']}</strong></p>\n<ul>"
            + "".join(
                f'<li><a href="/also-{i}/">{escape(t)}</a></li>'
                for i, t in enumerate(art["related"][:3])
            )
            + f"</ul>\n{rest_more}"
        )
    if opts.get("shortlink_line"):
        content += f"\n<p>رابط مختصر.. {opts['shortlink']}</p>"
    body = f"""<div id="page" class="site">
<a class="skip-link screen-reader-text" href="#content">تخطى إلى المحتوى</a>
<header id="masthead" class="site-header"><div class="top-bar"><div class="breaking-news-ticker">{w["breaking"]}</div></div>
<div class="site-branding"><a href="/" rel="home"><img src="/logo.png" alt="ECCI"></a><p class="site-title">المركز الأوروبي لدراسات مكافحة الإرهاب والاستخبارات</p></div>
<nav id="site-navigation" class="main-navigation">{menu("ar", "primary-menu")}</nav></header>
<div id="content" class="site-content"><div class="container"><div class="row">
<div id="primary" class="content-area col-md-8"><main id="main" class="site-main">
<nav class="breadcrumbs"><a href="/">الرئيسية</a> » <a href="/cat/">{escape(art["category"])}</a></nav>
<article id="post-95655" class="post-95655 post type-post status-publish format-standard has-post-thumbnail hentry">
<header class="entry-header"><div class="cat-links"><a href="/category/studies/" rel="category tag">{escape(art["category"])}</a></div>
<h1 class="entry-title">{escape(art["title"])}</h1>
<div class="entry-meta"><span class="posted-on">{time_tag}</span> <span class="byline">بواسطة <span class="author vcard"><a class="url fn n" href="/author/admin/">{escape(art["author"])}</a></span></span></div></header>
<div class="post-thumbnail"><img src="/wp-content/uploads/lead.jpg" alt=""></div>
<div class="entry-content">
<div class="heateor_sss_sharing_container heateor_sss_horizontal_sharing">{share("ar", "heateor_sss_sharing_ul")}</div>
{content}
<div class="addtoany_share_save_container addtoany_content addtoany_content_bottom">{share("ar", "a2a_kit")}</div>
{related("ar", art["related"], "crp_related")}
{_tags(art)}
</div>
<footer class="entry-footer"><span class="tags-links">{_tags(art, "tag-list")}</span></footer>
</article>
<nav class="navigation post-navigation"><div class="nav-links"><div class="nav-previous"><a href="/prev/" rel="prev">{w["prev"]}: {escape(art["related"][0])}</a></div></div></nav>
{comments("ar")}
</main></div>
<aside id="secondary" class="widget-area col-md-4">{sidebar_widgets("ar", art["recent"])}</aside>
</div></div></div>
{footer("ar")}</div>"""
    return _doc(
        art, opts, body, "post-template-default single single-post postid-95655 has-sidebar", "ECCI"
    )


def twentytwentyone(art: dict, opts: dict) -> str:
    lang = art["lang"]
    w = words(lang)
    body = f"""<div id="page" class="site"><a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header id="masthead" class="site-header has-title-and-tagline has-menu" role="banner"><div class="site-branding"><p class="site-title"><a href="/">Observatory</a></p></div>
<nav id="site-navigation" class="primary-navigation" aria-label="Primary menu"><div class="primary-menu-container">{menu(lang, "menu-wrapper")}</div></nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area"><main id="main" class="site-main">
<article id="post-12" class="post-12 post type-post status-publish format-standard hentry entry">
<header class="entry-header alignwide"><h1 class="entry-title">{escape(art["title"])}</h1>
<figure class="post-thumbnail"><img src="/img/lead.jpg" alt=""><figcaption class="wp-caption-text">{w["caption"]}</figcaption></figure></header>
<div class="entry-content">
{gutenberg(art["blocks"], image=w["caption"])}
<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block sd-social sd-social-icon-text sd-sharing"><h3 class="sd-title">{w["share"]}</h3><div class="sd-content">{share(lang, "share-icons")}</div></div></div>
<div id='jp-relatedposts' class='jp-relatedposts'>{related(lang, art["related"], "jp-relatedposts-items", item="div")}</div>
</div>
<footer class="entry-footer default-max-width"><div class="posted-by"><span class="posted-on">Published <time class="entry-date published updated" datetime="{art["date"]}T09:00:00+00:00">{art["date"]}</time></span><span class="byline">By <a href="/author/x/" rel="author">{escape(art["author"])}</a></span></div>
<div class="post-taxonomies"><span class="cat-links">Categorized as <a href="/c/" rel="category tag">{escape(art["category"])}</a></span><span class="tags-links">{_tags(art, "tags")}</span></div></footer>
<div class="author-bio show-avatars"><h2 class="author-title">{escape(art["author"])}</h2><p class="author-description">{w["author_bio"]}</p></div>
</article>
<nav class="navigation post-navigation" aria-label="Posts"><div class="nav-links"><a href="/n/" rel="next"><p class="meta-nav">{w["next"]}</p><p class="post-title">{escape(art["related"][1])}</p></a></div></nav>
{comments(lang)}
</main></div></div>
<aside class="widget-area">{sidebar_widgets(lang, art["recent"])}</aside>
{footer(lang, "site-footer")}</div>"""
    return _doc(
        art,
        opts,
        body,
        "post-template-default single single-post wp-embed-responsive is-light-theme",
        "Observatory",
    )


def astra(art: dict, opts: dict) -> str:
    """Astra: related posts below the article carry their own `.entry-content` excerpts."""
    lang = art["lang"]
    w = words(lang)
    body = f"""<div class="hfeed site" id="page"><header class="site-header header-main-layout-1 ast-primary-menu-enabled ast-logo-title-inline" id="masthead">
<div id="ast-desktop-header"><div class="ast-main-header-wrap main-header-bar-wrap"><div class="ast-primary-header-bar ast-primary-header main-header-bar site-header-focus-item">
<div class="site-primary-header-wrap ast-builder-grid-row-container site-header-focus-item ast-container"><nav class="main-header-menu ast-nav-menu">{menu(lang)}</nav></div></div></div></div></header>
<div id="content" class="site-content"><div class="ast-container"><div id="primary" class="content-area primary"><main id="main" class="site-main">
<article class="post-5 post type-post status-publish ast-article-single" id="post-5" itemtype="https://schema.org/CreativeWork" itemscope="itemscope">
<div class="ast-post-format- single-layout-1"><header class="entry-header"><h1 class="entry-title" itemprop="headline">{escape(art["title"])}</h1>
<div class="entry-meta"><span class="posted-on"><span class="published" itemprop="datePublished">{art["date"]}</span></span> / <span class="posted-by vcard author" itemtype="https://schema.org/Person" itemscope="itemscope" itemprop="author"><a class="url fn n" rel="author"><span class="author-name" itemprop="name">{escape(art["author"])}</span></a></span></div></header>
<div class="entry-content clear" itemprop="text">
{classic(art["blocks"])}
<div class='code-block code-block-3' style='margin: 8px auto; text-align: center;'>{w["ad"]}</div>
</div></div></article>
<div class="ast-single-related-posts-container"><div class="ast-related-posts-title-section"><h2 class="ast-related-posts-title">{w["related"]}</h2></div>
<div class="ast-related-posts-wrapper">{"".join(f'<article class="ast-related-post post-{i}"><div class="ast-related-post-content"><h3 class="ast-related-post-title"><a href="/r{i}/">{escape(t)}</a></h3><div class="entry-content clear"><p>{escape(t)} — {escape(w["cookie"])}</p></div></div></article>' for i, t in enumerate(art["related"]))}</div></div>
{comments(lang)}
</main></div>
<div class="widget-area secondary" id="secondary"><div class="sidebar-main">{sidebar_widgets(lang, art["recent"])}</div></div></div></div>
{footer(lang, "site-footer ast-footer")}</div>"""
    return _doc(
        art,
        opts,
        body,
        "post-template-default single single-post ast-right-sidebar astra-4.6.4 ast-single-post",
        "Astra Site",
    )


def generatepress(art: dict, opts: dict) -> str:
    lang = art["lang"]
    w = words(lang)
    blocks = art["blocks"]
    half = len(blocks) // 2
    body = f"""<header class="site-header grid-container" id="masthead"><div class="inside-header grid-container"><div class="site-logo"><a href="/"><img class="header-image" src="/logo.png" alt=""></a></div>
<nav class="main-navigation sub-menu-right" id="site-navigation"><div class="inside-navigation grid-container"><div id="primary-menu" class="main-nav">{menu(lang)}</div></div></nav></div></header>
<div class="site grid-container container hfeed" id="page"><div class="site-content" id="content"><div class="content-area" id="primary"><main class="site-main" id="main">
<article id="post-31" class="post-31 post type-post status-publish format-standard" itemtype="https://schema.org/CreativeWork" itemscope><div class="inside-article">
<header class="entry-header"><h1 class="entry-title" itemprop="headline">{escape(art["title"])}</h1>
<div class="entry-meta"><span class="posted-on"><time class="entry-date published" datetime="{art["date"]}T07:00:00+03:00" itemprop="datePublished">{art["date"]}</time></span> <span class="byline">by <span class="author vcard" itemprop="author"><a class="url fn n" rel="author"><span class="author-name" itemprop="name">{escape(art["author"])}</span></a></span></span></div></header>
<div class="entry-content" itemprop="text">
{classic(blocks[:half])}
<div class='code-block code-block-2' style='margin: 8px auto; text-align: center; display: block; clear: both;'><ins class="adsbygoogle" style="display:block" data-ad-slot="123"></ins><p>{w["ad"]}</p></div>
{classic(blocks[half:])}
</div>
<footer class="entry-meta" aria-label="Entry meta"><span class="cat-links"><a href="/c/" rel="category tag">{escape(art["category"])}</a></span> <span class="tags-links">{_tags(art, "tags")}</span>
<nav id="nav-below" class="post-navigation"><div class="nav-previous"><a href="/p/" rel="prev">{escape(art["related"][0])}</a></div></nav></footer>
</div></article>
<div class="comments-area">{comments(lang)}</div>
</main></div>
<div class="widget-area sidebar is-right-sidebar" id="right-sidebar"><div class="inside-right-sidebar">{sidebar_widgets(lang, art["recent"])}</div></div></div></div>
<div class="site-footer">{footer(lang, "site-info")}</div>"""
    return _doc(
        art,
        opts,
        body,
        "post-template-default single single-post right-sidebar nav-float-right",
        "GP Site",
    )


def newspaper(art: dict, opts: dict) -> str:
    """tagDiv Newspaper: ads inside `.td-post-content`, tags and author box in the post footer."""
    w = words("ar")
    blocks = art["blocks"]
    body = f"""<div class="td-scroll-up"></div><div id="td-outer-wrap" class="td-theme-wrap">
<div class="tdc-header-wrap"><div class="td-header-wrap td-header-style-1"><div class="td-header-top-menu-full"><div class="td-header-row td-header-top-menu"><div class="td_data_time">الأحد, أغسطس 4, 2024</div></div></div>
<div class="td-header-menu-wrap-full"><div id="td-header-menu" role="navigation">{menu("ar", "sf-menu")}</div></div></div></div>
<div class="td-main-content-wrap td-container-wrap"><div class="td-container td-post-template-default"><div class="td-crumb-container"><div class="entry-crumbs"><span><a href="/">الرئيسية</a></span> <i class="td-icon-right td-bread-sep"></i> <span>{escape(art["category"])}</span></div></div>
<div class="td-pb-row"><div class="td-pb-span8 td-main-content" role="main"><div class="td-ss-main-content">
<article id="post-77" class="post-77 post type-post status-publish" itemscope itemtype="https://schema.org/Article">
<div class="td-post-header"><ul class="td-category"><li class="entry-category"><a href="/c/">{escape(art["category"])}</a></li></ul>
<header class="td-post-title"><h1 class="entry-title">{escape(art["title"])}</h1><div class="td-module-meta-info"><div class="td-post-author-name"><div class="td-author-by">بواسطة</div> <a href="/author/x/">{escape(art["author"])}</a><div class="td-author-line"> - </div></div>
<span class="td-post-date"><time class="entry-date updated td-module-date" datetime="{art["date"]}T10:20:00+03:00">{art["date"]}</time></span><div class="td-post-views"><i class="td-icon-views"></i><span class="td-nr-views-77">2458</span></div></div></header></div>
<div class="td-post-sharing-top">{share("ar", "td-social-sharing-button")}</div>
<div class="td-post-content tagdiv-type">
<div class="td-post-featured-image"><figure><img src="/img/lead.jpg" alt=""><figcaption class="wp-caption-text">{w["caption"]}</figcaption></figure></div>
{classic(blocks[:2])}
<div class="td-a-rec td-a-rec-id-content_inline tdi_3 td_block_template_1"><span class="td-adspot-title">- إعلان -</span><div>{w["ad"]}</div></div>
{classic(blocks[2:])}
</div>
<footer><div class="td-post-source-tags"><ul class="td-tags td-post-small-box clearfix"><li><span>الوسوم</span></li>{"".join(f'<li><a href="/t{i}/">{escape(t)}</a></li>' for i, t in enumerate(art["tags"]))}</ul></div>
<div class="td-post-sharing-bottom">{share("ar", "td-social-sharing-button")}</div>
<div class="td-block-row td-post-next-prev"><div class="td-block-span6 td-post-prev-post"><div class="td-post-next-prev-content"><span>{w["prev"]}</span><a href="/p/">{escape(art["related"][0])}</a></div></div></div>
<div class="author-box-wrap"><a href="/author/x/"><img src="/a.jpg" alt=""></a><div class="desc"><div class="td-author-name vcard author"><span class="fn">{escape(art["author"])}</span></div><div class="td-author-description">{w["author_bio"]}</div></div></div></footer>
</article>
<div class="td_block_wrap td_block_related_posts tdi_4 td_with_ajax_pagination td-pb-border-top td_block_template_1"><h4 class="td-related-title td-block-title"><a class="td-related-left td-cur-simple-item">{w["related"]}</a></h4>
<div id="tdi_4" class="td_block_inner">{"".join(f'<div class="td-related-span4"><div class="td_module_related_posts td-animation-stack td_mod_related_posts"><div class="item-details"><h3 class="entry-title td-module-title"><a href="/r{i}/">{escape(t)}</a></h3></div></div></div>' for i, t in enumerate(art["related"]))}</div></div>
<div class="comments" id="comments">{comments("ar")}</div>
</div></div>
<div class="td-pb-span4 td-main-sidebar" role="complementary"><div class="td-ss-main-sidebar">{sidebar_widgets("ar", art["recent"])}</div></div></div></div></div>
<div class="td-footer-wrapper td-footer-template-14">{footer("ar", "td-footer-bottom-full")}</div></div>"""
    return _doc(
        art,
        opts,
        body,
        "post-template-default single single-post td-standard-pack global-block-template-1 td-full-layout",
        "Newspaper News",
    )


def jannah(art: dict, opts: dict) -> str:
    """TieLabs Jannah: the article element itself has class `post-content`."""
    w = words("ar")
    date_text = opts.get("date_text", art["date"])
    body = f"""<div class="background-overlay"><div id="tie-container" class="site tie-container"><div id="tie-wrapper">
<header id="theme-header" class="theme-header header-layout-3 main-nav-dark has-stream-item top-nav-active"><nav id="top-nav" class="has-date-breaking-components top-nav header-nav has-breaking-news"><div class="breaking"><span class="breaking-title">عاجل</span><ul id="breaking-news-in-header" class="breaking-news"><li class="news-item"><a href="/b/">{w["breaking"]}</a></li></ul></div></nav>
<div class="main-nav-wrapper"><nav id="main-nav" class="main-nav header-nav">{menu("ar", "main-menu")}</nav></div></header>
<div id="content" class="site-content container"><div id="main-content-row" class="tie-row main-content-row">
<div class="main-content tie-col-md-8 tie-col-xs-12" role="main">
<article id="the-post" class="container-wrapper post-content tie-standard">
<header class="entry-header-outer"><nav id="breadcrumb"><a href="/">الرئيسية</a><em class="delimiter">/</em><span class="current">{escape(art["title"])}</span></nav>
<div class="entry-header"><span class="post-cat-wrap"><a class="post-cat tie-cat-2" href="/c/">{escape(art["category"])}</a></span><h1 class="post-title entry-title">{escape(art["title"])}</h1>
<div class="single-post-meta post-meta clearfix"><span class="author-meta single-author with-avatars"><span class="meta-item meta-author-wrapper"><span class="meta-author"><a href="/author/x/" class="author-name tie-icon" title="{escape(art["author"])}">{escape(art["author"])}</a></span></span></span>
<span class="date meta-item tie-icon">{date_text}</span><div class="tie-alignright"><span class="meta-views meta-item">1,204 {w["views"]}</span> <span class="meta-reading-time meta-item">دقيقتان</span></div></div></div></header>
<div class="featured-area"><div class="featured-area-inner"><figure class="single-featured-image"><img src="/img/lead.jpg" alt=""><figcaption class="single-caption-text">{w["caption"]}</figcaption></figure></div></div>
<div class="entry-content entry clearfix">
{classic(art["blocks"][:2])}
<div class="stream-item stream-item-in-post stream-item-inline-post aligncenter"><a href="/ads/">{w["ad"]}</a></div>
{classic(art["blocks"][2:])}
</div>
<div id="post-extra-info"><div class="theiaStickySidebar"><div class="single-post-meta post-meta clearfix"><span class="date meta-item tie-icon">{date_text}</span></div></div></div>
<div class="post-footer post-footer-on-bottom"><div class="post-footer-inner"><div class="share-links share-centered icons-text">{share("ar", "social-sharing")}</div></div></div>
</article>
<div class="post-components"><div class="about-author container-wrapper about-author-1"><div class="author-info"><h3 class="author-name"><a href="/author/x/">{escape(art["author"])}</a></h3><div class="author-bio">{w["author_bio"]}</div></div></div>
<div id="related-posts" class="container-wrapper has-extra-post"><div class="mag-box-title the-global-title"><h3>{w["related"]}</h3></div><div class="related-posts-list">{"".join(f'<div class="related-item tie-standard"><h3 class="post-title"><a href="/r{i}/">{escape(t)}</a></h3></div>' for i, t in enumerate(art["related"]))}</div></div>
{comments("ar")}</div></div>
<aside class="sidebar tie-col-md-4 tie-col-xs-12 normal-side is-sticky" aria-label="القائمة الجانبية الرئيسية"><div class="theiaStickySidebar">{sidebar_widgets("ar", art["recent"])}</div></aside>
</div></div>
<footer id="footer" class="site-footer dark-skin dark-widgetized-area">{footer("ar", "footer-bottom")}</footer></div></div></div>"""
    return _doc(
        art,
        opts,
        body,
        "post-template-default single single-post tie-no-js wrapper-has-shadow block-head-1 magazine1 is-thumb-overlay-disabled is-desktop is-header-layout-3 sidebar-left has-sidebar post-layout-1",
        "جنة الأخبار",
    )


def jnews(art: dict, opts: dict) -> str:
    """JNews: `.content-inner` inside `.entry-content`, a floating share bar inside the content."""
    w = words("ar")
    date_text = opts.get("date_text", art["date"])
    body = f"""<div class="jeg_ad jeg_ad_top jnews_header_top_ads"><div class='ads-wrapper'>{w["ad"]}</div></div>
<div class="jeg_viewport"><div class="jeg_header_wrapper"><div class="jeg_header normal"><div class="jeg_topbar jeg_container dark"><div class="jeg_nav_item jeg_top_date">الأحد، 4 أغسطس 2024</div></div>
<div class="jeg_bottombar jeg_navbar jeg_container jeg_navbar_wrapper"><div class="jeg_nav_item jeg_main_menu_wrapper"><div class="jeg_mainmenu_wrap">{menu("ar", "jeg_menu jeg_main_menu")}</div></div></div></div></div>
<div class="post-wrapper"><div class="post-wrap"><div class="jeg_main "><div class="jeg_container"><div class="jeg_content jeg_singlepage"><div class="container">
<div class="jeg_breadcrumbs jeg_breadcrumb_container"><div id="breadcrumbs"><span><a href="/">الرئيسية</a></span><i class="fa fa-angle-right"></i><span class="breadcrumb_last_link"><a href="/c/">{escape(art["category"])}</a></span></div></div>
<div class="row"><div class="jeg_main_content col-md-8"><div class="jeg_inner_content">
<div class="entry-header"><h1 class="jeg_post_title">{escape(art["title"])}</h1>
<div class="jeg_meta_container"><div class="jeg_post_meta jeg_post_meta_1"><div class="meta_left"><div class="jeg_meta_author"><span class="meta_text">بواسطة</span> <a href="/author/x/">{escape(art["author"])}</a></div>
<div class="jeg_meta_date"><a href="/{art["date"]}/">{date_text}</a></div><div class="jeg_meta_category"><span><span class="meta_text">في</span> <a href="/c/" rel="category tag">{escape(art["category"])}</a></span></div></div>
<div class="meta_right"><div class="jeg_meta_comment"><a href="#comments"><i class="fa fa-comment-o"></i> 2</a></div></div></div></div></div>
<div class="jeg_featured featured_image"><a href="/img/lead.jpg"><div class="thumbnail-container animate-lazy"><img src="/img/lead.jpg" alt=""></div></a><p class="wp-caption-text">{w["caption"]}</p></div>
<div class="jeg_share_top_container">{share("ar", "jeg_share_button clearfix")}</div>
<div class="jeg_ad jeg_article jnews_content_top_ads "><div class='ads-wrapper'>{w["ad"]}</div></div>
<div class="entry-content no-share"><div class="jeg_share_button share-float jeg_sticky_share clearfix share-monocrhome">{share("ar", "jeg_share_float_container")}</div>
<div class="content-inner ">
{gutenberg(art["blocks"])}
<div class="jeg_ad jeg_ad_article jnews_content_inline_ads"><div class='ads-wrapper align-center'>{w["ad"]}</div></div>
</div></div>
<div class="jeg_share_bottom_container"></div>
<div class="jnews_prev_next_container"><div class="jeg_prevnext_post"><a href="/p/" class="post prev-post"><span class="caption">{w["prev"]}</span><h3 class="post-title">{escape(art["related"][0])}</h3></a></div></div>
<div class="jnews_author_box_container "><div class="jeg_authorbox"><div class="jeg_author_content"><h3 class="jeg_author_name">{escape(art["author"])}</h3><p class="jeg_author_desc">{w["author_bio"]}</p></div></div></div>
<div class="jnews_related_post_container"><div class="jeg_postblock_22 jeg_postblock jeg_module_hook jeg_pagination_disable jeg_col_2o3 jnews_module_1_0"><div class="jeg_block_heading jeg_block_heading_6 jeg_subcat_right"><h3 class="jeg_block_title"><span>{w["related"]}</span></h3></div>
<div class="jeg_block_container"><div class="jeg_posts_wrap"><div class="jeg_posts jeg_load_more_flag">{"".join(f'<article class="jeg_post jeg_pl_md_5"><div class="jeg_postblock_content"><h3 class="jeg_post_title"><a href="/r{i}/">{escape(t)}</a></h3></div></article>' for i, t in enumerate(art["related"]))}</div></div></div></div></div>
<div class="jnews_comment_container">{comments("ar")}</div>
</div></div>
<div class="jeg_sidebar left jeg_sticky_sidebar col-md-4"><div class="jegStickyHolder"><div class="theiaStickySidebar">{sidebar_widgets("ar", art["recent"])}</div></div></div>
</div></div></div></div></div></div></div>
<div class="footer-holder" id="footer">{footer("ar", "jeg_footer jeg_footer_1 dark")}</div></div>"""
    return _doc(
        art,
        opts,
        body,
        "post-template-default single single-post jeg_toggle_light jnews jsc_normal",
        "JNews Arabia",
    )
