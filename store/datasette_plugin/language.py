"""marsad's own pages in Arabic and English: the words they are made of, and which language a
reader gets.

The language is `?lang=ar|en` when a reader picks one (kept in a cookie), else the `language`
setting of the plugin (`"ar"`, `"en"`, or `"auto"`, the default), and under `"auto"` the
browser's `Accept-Language` (RFC 9110 section 12.5.4: the highest `q` of `ar` and `en` wins),
English when it names neither. Arabic pages are laid out right to left (`dir="rtl"`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

LANGUAGES = ("en", "ar")
COOKIE = "marsad_lang"

# One entry per phrase: English, Arabic. `{}` fields are filled by `format` after escaping.
MESSAGES: dict[str, tuple[str, str]] = {
    "watched_pages": ("Watched pages", "الصفحات المرصودة"),
    "latest_changes": ("latest changes", "آخر التغييرات"),
    "search": ("search", "بحث"),
    "seed_drift": ("pages moving away from their seed", "صفحات تبتعد عن أصلها"),
    "pages_gone": ("pages gone", "صفحات اختفت"),
    "fetch_errors": ("fetch errors", "أخطاء الجلب"),
    "atom_feed": ("Atom feed", "موجز Atom"),
    "all_tables": ("all tables", "كل الجداول"),
    "also": ("Also:", "أيضا:"),
    "index_intro": (
        "Each page's timeline shows its versions and events with links to every diff.",
        "يعرض سجل كل صفحة إصداراتها وأحداثها مع روابط إلى كل فرق بينها.",
    ),
    "col_page": ("page", "الصفحة"),
    "col_latest_title": ("latest title", "آخر عنوان"),
    "col_state": ("state", "الحالة"),
    "col_versions": ("versions", "الإصدارات"),
    "col_last_change": ("last change", "آخر تغيير"),
    "col_last_check": ("last check", "آخر فحص"),
    "never": ("never", "لم يفحص بعد"),
    "no_pages": (
        "No pages yet: run <code>marsad check</code> or <code>marsad run</code>.",
        "لا صفحات بعد: شغّل <code>marsad check</code> أو <code>marsad run</code>.",
    ),
    "state_new": ("new", "جديدة"),
    "state_ok": ("ok", "تعمل"),
    "state_error": ("error", "خطأ"),
    "state_gone": ("gone", "اختفت"),
    "state_merged": ("merged", "مدمجة"),
    "check_failed": ("Last check failed", "فشل الفحص الأخير"),
    "next_try": ("next try", "المحاولة التالية"),
    "not_scheduled": ("not scheduled", "غير مجدولة"),
    "watched_url": ("Watched URL", "الرابط المرصود"),
    "after_redirects": ("After redirects", "بعد التحويلات"),
    "state": ("State", "الحالة"),
    "last_checked": ("last checked", "آخر فحص"),
    "versions": ("Versions", "الإصدارات"),
    "as_table": ("as a table", "جدولا"),
    "latest_diff": ("latest diff", "آخر فرق"),
    "seed": ("Seed", "الأصل"),
    "changes_over_time": ("Changes over time", "التغييرات عبر الزمن"),
    "chart_legend": (
        'Bars: words <span class="added">added</span> (up) and <span class="removed">removed</span> (down) per version; the first version is drawn apart, on its own scale; dots: other events. Click a bar for its diff.',
        'الأعمدة: الكلمات <span class="added">المضافة</span> (لأعلى) و<span class="removed">المحذوفة</span> (لأسفل) في كل إصدار؛ الإصدار الأول مرسوم وحده بمقياسه؛ النقاط: أحداث أخرى. انقر عمودا لترى فرقه.',
    ),
    "timeline": ("Timeline", "السجل"),
    "col_when": ("when", "متى"),
    "col_event": ("event", "الحدث"),
    "col_version": ("version", "الإصدار"),
    "col_title": ("title", "العنوان"),
    "col_words": ("words", "الكلمات"),
    "col_changed": ("changed", "ما تغير"),
    "col_seed_similarity": ("seed similarity", "الشبه بالأصل"),
    "col_diffs": ("diffs", "الفروق"),
    "first_text": ("first text", "النص الأول"),
    "diff_with": ("diff with {}", "الفرق مع {}"),
    "with_latest": ("with latest", "مع الأحدث"),
    "kind_first_seen": ("first seen", "أول رصد"),
    "kind_changed": ("changed", "تغيّر"),
    "kind_gone": ("gone", "اختفى"),
    "kind_restored": ("restored", "عاد"),
    "kind_reverted": ("reverted", "رجع إلى إصدار سابق"),
    "kind_redirect_changed": ("redirect changed", "تغيّر التحويل"),
    "kind_merged": ("merged", "دُمج"),
    "kind_reread": ("re-read", "أعيدت قراءته"),
    "kind_rebaselined": ("rebaselined", "أعيد تأسيسه"),
    "kind_check_failed": ("check failed", "فشل الفحص"),
    "version_to": ("Version {} → {}", "الإصدار {} ← {}"),
    "from": ("from", "من"),
    "to": ("to", "إلى"),
    "nothing": ("nothing", "لا شيء"),
    "compare": ("Compare", "قارن"),
    "words_added": ("+{} words", "+{} كلمة"),
    "words_removed": ("−{} words", "−{} كلمة"),
    "too_long": (
        "The word diff of these two versions took too long to compute; the text is not shown.",
        "استغرق حساب الفرق بين هذين الإصدارين وقتا طويلا؛ النص غير معروض.",
    ),
    "coarse": (
        "Some edits are {}: they are shown as text removed and text added.",
        "بعض التعديلات كثيرة جدا لعرضها كلمة كلمة: تُعرض نصا محذوفا ونصا مضافا.",
    ),
    "title_and_metadata": ("Title and metadata", "العنوان والبيانات الوصفية"),
    "field": ("field", "الحقل"),
    "before": ("before", "قبل"),
    "after": ("after", "بعد"),
    "text": ("Text", "النص"),
    "inline": ("inline", "في سياقه"),
    "side_by_side": ("side by side", "جنبا إلى جنب"),
    "before_first": ("Before the first version", "قبل الإصدار الأول"),
    "version_n": ("Version {}", "الإصدار {}"),
    "changed_places": ("{} changed places:", "مواضع التغيير ({}):"),
    "one_changed_place": ("1 changed place:", "موضع تغيير واحد:"),
    "no_change_in_text": ("The text did not change.", "لم يتغير النص."),
    "next_change": ("next change ↓", "التغيير التالي ↓"),
    "unchanged_paragraphs": ("{} unchanged paragraphs — show", "{} فقرات لم تتغير — اعرضها"),
    "whole_text": ("whole text", "النص كاملا"),
    "changes_only": ("changes only", "التغييرات فقط"),
    "search_title": ("Search the text of every version", "البحث في نصوص كل الإصدارات"),
    "search_button": ("Search", "ابحث"),
    "search_help": (
        "Harakat, alef forms and attached و ف ب ك ل ال are ignored; a word of three letters or more matches the words it begins.",
        "تُتجاهل الحركات وأشكال الألف وحروف و ف ب ك ل ال المتصلة؛ والكلمة من ثلاثة أحرف فأكثر تطابق الكلمات التي تبدأ بها.",
    ),
    "search_pages": ("{} pages hold these words", "{} صفحات تحوي هذه الكلمات"),
    "search_none": ("No version holds these words.", "لا يحوي أي إصدار هذه الكلمات."),
    "search_latest": ("latest version holding them: {}", "آخر إصدار يحويها: {}"),
    "search_count": ("{} of {} versions hold them", "{} من {} إصدارات تحويها"),
    "timeline_link": ("timeline", "السجل"),
    "not_found": ("Not found", "غير موجود"),
    "error": ("Error", "خطأ"),
    "language": ("العربية", "English"),  # the link to the other language, in that language
    "feed_note": (
        "This is an Atom feed of changes: to follow it, give this address to a feed reader:",
        "هذا موجز Atom للتغييرات: لمتابعته أعط هذا العنوان لقارئ موجزات:",
    ),
    "csv_for_excel": ("CSV for Excel", "CSV لبرنامج Excel"),
}


def choose(asked: str | None, cookie: str | None, setting: str | None, accept: str | None) -> str:
    """The reader's language: asked for (`?lang=`), then remembered, then configured, then
    what the browser prefers."""
    for value in (asked, cookie):
        if value in LANGUAGES:
            return str(value)
    if setting in LANGUAGES:
        return str(setting)
    return from_accept_language(accept or "")


def from_accept_language(header: str) -> str:
    best, best_q = "en", 0.0
    for order, item in enumerate(header[:1000].split(",")):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGUAGES:
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q:  # the first of equal weights wins
            best, best_q = primary, q
    return best


def translator(lang: str) -> Callable[..., str]:
    index = LANGUAGES.index(lang) if lang in LANGUAGES else 0

    def t(key: str, *args: Any) -> str:
        if key not in MESSAGES:  # a state or event kind from a newer marsad: shown as stored
            return key.split("_", 1)[1] if key.startswith(("kind_", "state_")) else key
        phrase = MESSAGES[key][index]
        return phrase.format(*args) if args else phrase

    return t


def page_context(lang: str) -> Mapping[str, Any]:
    """What every marsad page template needs to speak the reader's language."""
    return {
        "lang": lang,
        "dir": "rtl" if lang == "ar" else "ltr",
        "t": translator(lang),
        "other_lang": "en" if lang == "ar" else "ar",
    }
