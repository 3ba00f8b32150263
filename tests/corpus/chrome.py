"""Page chrome for the corpus: what real pages wrap around an article, in two languages.

Every visible chrome string that must never reach the extracted text is listed in FORBIDDEN, so
the sidecars can name it under "must_not_contain".
"""

from __future__ import annotations

from html import escape

AR = {
    "menu": ["الرئيسية", "من نحن", "ملفات ساخنة", "اتصل بنا", "أرشيف الإصدارات"],
    "newsletter": "اشترك في النشرة البريدية لتصلك أحدث الإصدارات أسبوعيا",
    "poll": "هل تعتقد أن الاتحاد الأوروبي قادر على مواجهة خطر التطرف العنيف؟",
    "poll_answers": ["نعم إلى حد كبير", "لا أعتقد ذلك", "لا رأي لي"],
    "comment": "مقال ممتاز يطرح أسئلة جوهرية عن مستقبل الأمن في القارة، شكرا للكاتب على هذا الجهد",
    "comment2": "أختلف مع الكاتب في تقييمه، فالمسألة أعقد من أن تختزل في بعد أمني واحد",
    "reply": "اترك تعليقاً",
    "share": "شارك هذا المقال",
    "related": "مقالات ذات صلة",
    "author_bio": "باحث متخصص في شؤون الأمن الأوروبي والجماعات المتطرفة منذ عقدين",
    "footer": "جميع الحقوق محفوظة للمركز الأوروبي لدراسات مكافحة الإرهاب والاستخبارات",
    "ad": "مساحة إعلانية متاحة للحجز",
    "most_read": "الأكثر قراءة هذا الأسبوع",
    "breaking": "عاجل: انطلاق أعمال المؤتمر السنوي للأمن في ميونخ",
    "search": "ابحث في الموقع",
    "caption": "صورة أرشيفية من اجتماع سابق لوزراء الداخلية الأوروبيين",
    "tags_label": "الوسوم:",
    "prev": "المقال السابق",
    "next": "المقال التالي",
    "read_also": "اقرأ أيضا:",
    "cookie": "يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك",
    "views": "عدد المشاهدات",
    "font_tools": "حجم الخط",
    "print": "طباعة",
    "send": "أرسل لصديق",
    "follow": "تابعونا على تطبيق واتساب وقناة تلغرام لمتابعة آخر الأخبار العاجلة",
    "plug": "اشترك الآن في نشرتنا الإخبارية اليومية ليصلك ملخص أهم الأخبار صباح كل يوم",
    "app": "حمّل تطبيق الموقع على هاتفك",
}
EN = {
    "menu": ["Home", "About us", "Research", "Contact", "Publications"],
    "newsletter": "Subscribe to our weekly newsletter and never miss an analysis",
    "poll": "Do you think Europe is ready for the next cyber crisis?",
    "poll_answers": ["Yes, mostly", "Not at all", "No opinion"],
    "comment": "Great piece, it raises exactly the questions policymakers keep avoiding",
    "comment2": "I disagree with the conclusion, the budget numbers tell another story",
    "reply": "Leave a Reply",
    "share": "Share this article",
    "related": "Related posts",
    "author_bio": "Writes about European security and emerging technologies since 2010",
    "footer": "All rights reserved by the European Security Observatory",
    "ad": "Advertise with us on this space",
    "most_read": "Most read this week",
    "breaking": "Breaking: Munich security conference opens today",
    "search": "Search the site",
    "caption": "Archive photo of a previous meeting of interior ministers",
    "tags_label": "Tags:",
    "prev": "Previous article",
    "next": "Next article",
    "read_also": "Read also:",
    "cookie": "This website uses cookies to improve your experience",
    "views": "views",
    "font_tools": "Font size",
    "print": "Print",
    "send": "Send to a friend",
    "follow": "Follow us on WhatsApp and Telegram for the latest breaking news",
    "plug": "Sign up now for our daily newsletter and get the top stories every morning",
    "app": "Download our app on your phone",
}
FORBIDDEN = {
    "ar": [
        AR[k]
        for k in (
            "newsletter",
            "poll",
            "comment",
            "comment2",
            "reply",
            "share",
            "related",
            "author_bio",
            "footer",
            "ad",
            "most_read",
            "breaking",
            "caption",
            "cookie",
        )
    ],
    "en": [
        EN[k]
        for k in (
            "newsletter",
            "poll",
            "comment",
            "comment2",
            "reply",
            "share",
            "related",
            "author_bio",
            "footer",
            "ad",
            "most_read",
            "breaking",
            "caption",
            "cookie",
        )
    ],
}


def words(lang: str) -> dict:
    return AR if lang == "ar" else EN


def head(title: str, lang: str, site: str, extra: str = "", css_size: int = 60) -> str:
    """A WordPress-sized <head>: stylesheets, inline CSS and scripts, as real pages carry."""
    styles = "\n".join(
        f"<link rel='stylesheet' id='style-{i}-css' href='https://cdn.example.org/wp-content/"
        f"plugins/plugin-{i}/assets/css/style.min.css?ver=6.4.{i}' media='all' />"
        for i in range(14)
    )
    rules = "\n".join(
        f".c{i}{{margin:{i % 7}px;padding:{i % 5}px {i % 3}px;color:#{i:03x};"
        f"font-family:'Cairo','Tajawal',sans-serif;line-height:1.{i % 9}}}"
        for i in range(css_size * 4)
    )
    script = (
        'window._wpemojiSettings = {"baseUrl":"https:\\/\\/s.w.org\\/images\\/core\\/'
        'emoji\\/14.0.0\\/72x72\\/","ext":".png","source":{"concatemoji":"https:'
        '\\/\\/example.org\\/wp-includes\\/js\\/wp-emoji-release.min.js"}};'
        + "!function(i,n){var o,s,e;function c(e){try{var t={supportTests:e,timestamp:"
        "(new Date).valueOf()};sessionStorage.setItem(o,JSON.stringify(t))}catch(e){}}}" * 12
    )
    return (
        f'<head>\n<meta charset="UTF-8">\n<meta name="viewport" content="width=device-width,'
        f' initial-scale=1">\n<title>{escape(title)} - {escape(site)}</title>\n'
        f'<meta property="og:site_name" content="{escape(site)}" />\n{extra}\n{styles}\n'
        f"<style id='global-styles-inline-css'>\n{rules}\n</style>\n"
        f"<script>{script}</script>\n</head>"
    )


def tail_scripts() -> str:
    return "\n".join(
        f"<script src='https://example.org/wp-includes/js/dist/vendor/lib-{i}.min.js?ver=3.{i}'"
        f" id='lib-{i}-js'></script>"
        for i in range(10)
    ) + (
        "<script>var ajaxurl='/wp-admin/admin-ajax.php';"
        "document.addEventListener('DOMContentLoaded',function(){console.log('ready')});</script>"
    )


def menu(lang: str, cls: str = "menu") -> str:
    items = "".join(
        f'<li class="menu-item menu-item-{i}"><a href="/section-{i}/">{escape(t)}</a>'
        f'<ul class="sub-menu"><li><a href="/section-{i}/a/">{escape(t)} 1</a></li>'
        f'<li><a href="/section-{i}/b/">{escape(t)} 2</a></li></ul></li>'
        for i, t in enumerate(words(lang)["menu"])
    )
    return f'<ul class="{cls}">{items}</ul>'


def share(lang: str, cls: str) -> str:
    w = words(lang)
    nets = ["Facebook", "X", "WhatsApp", "Telegram", "LinkedIn", "Email"]
    links = "".join(
        f'<a class="{cls}-{n.lower()}" href="https://share.example/{n.lower()}?u=x"'
        f' rel="nofollow noopener" target="_blank"><span>{n}</span></a>'
        for n in nets
    )
    return f'<div class="{cls}"><span class="{cls}-title">{escape(w["share"])}</span>{links}</div>'


def related(lang: str, titles: list[str], cls: str, item: str = "li", excerpt: bool = False) -> str:
    w = words(lang)
    rows = []
    for i, title in enumerate(titles):
        body = (
            f'<a href="/rel-{i}/"><img src="/img/rel-{i}.jpg" alt=""></a>'
            f'<h3 class="rel-title"><a href="/rel-{i}/">{escape(title)}</a></h3>'
        )
        if excerpt:
            body += (
                f'<div class="entry-content"><p>{escape(title)} … {escape(w["related"])}</p></div>'
            )
        rows.append(f'<{item} class="{cls}-item">{body}</{item}>')
    wrap = "ul" if item == "li" else "div"
    return (
        f'<div class="{cls}"><h3 class="{cls}-heading">{escape(w["related"])}</h3>'
        f"<{wrap}>{''.join(rows)}</{wrap}></div>"
    )


def comments(lang: str, wrapper: str = "div") -> str:
    w = words(lang)
    items = "".join(
        f'<li id="comment-{i}" class="comment even thread-even depth-1"><article id="div-comment-{i}"'
        f' class="comment-body"><footer class="comment-meta"><div class="comment-author vcard">'
        f'<b class="fn">Visitor {i}</b></div><div class="comment-metadata"><time datetime='
        f'"2024-08-0{i + 1}T09:00:00+00:00">2024-08-0{i + 1}</time></div></footer>'
        f'<div class="comment-content"><p>{escape(text)}</p></div></article></li>'
        for i, text in enumerate([w["comment"], w["comment2"]])
    )
    form = (
        f'<div id="respond" class="comment-respond"><h3 id="reply-title">{escape(w["reply"])}'
        f'</h3><form action="/wp-comments-post.php" method="post"><p><label>Name</label>'
        f'<input name="author"></p><p><textarea name="comment"></textarea></p><p>'
        f'<input type="submit" value="{escape(w["reply"])}"></p></form></div>'
    )
    return (
        f'<{wrapper} id="comments" class="comments-area"><h2 class="comments-title">2'
        f'</h2><ol class="comment-list">{items}</ol>{form}</{wrapper}>'
    )


def sidebar_widgets(lang: str, recent: list[str]) -> str:
    w = words(lang)
    answers = "".join(
        f'<li><input type="radio" name="poll" value="{i}"><label>{escape(a)}</label></li>'
        for i, a in enumerate(w["poll_answers"])
    )
    recent_items = "".join(
        f'<li><a href="/recent-{i}/">{escape(t)}</a><span class="post-date">'
        f"2024-0{i + 1}-01</span></li>"
        for i, t in enumerate(recent)
    )
    return (
        f'<section class="widget widget_search"><form role="search"><input type="search"'
        f' placeholder="{escape(w["search"])}"></form></section>'
        f'<section class="widget widget_polls-widget"><h2 class="widget-title">استطلاع</h2>'
        f'<div class="wp-polls"><p><strong>{escape(w["poll"])}</strong></p><ul>{answers}</ul>'
        f"</div></section>"
        f'<section class="widget widget_mc4wp_form_widget"><div class="mc4wp-form-fields"><p>'
        f'{escape(w["newsletter"])}</p><input type="email"></div></section>'
        f'<section class="widget widget_recent_entries"><h2 class="widget-title">'
        f"{escape(w['most_read'])}</h2><ul>{recent_items}</ul></section>"
        f'<section class="widget widget_text"><div class="textwidget"><p>{escape(w["ad"])}</p>'
        f"</div></section>"
    )


def footer(lang: str, cls: str = "site-footer") -> str:
    w = words(lang)
    return (
        f'<footer id="colophon" class="{cls}"><div class="footer-widgets">{menu(lang)}</div>'
        f'<div class="site-info">© 2024 {escape(w["footer"])}</div></footer>'
        f'<div id="cookie-notice" class="cookie-notice">{escape(w["cookie"])}'
        f"<button>OK</button></div>"
    )
