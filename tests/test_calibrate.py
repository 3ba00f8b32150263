"""WordPress calibration (crawler.calibrate): the post's own text from the REST API tells how far
an extraction agrees with it, and names the element that holds it, which extraction then
prefers on the site's pages."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from crawler.calibrate import agreement, container_for, rendered_text, signature
from crawler.extract import extract
from crawler.segments import read_page
from tests.servers.replica_feeds import post_json
from tests.servers.replica_pages import post_page
from tests.servers.replica_site import ReplicaSite

ARTICLE = [
    "تعمل الأجهزة الأمنية الأوروبية على تطوير أدوات جديدة لرصد خطاب الكراهية على الشبكات.",
    "ويرى خبراء أن التعاون بين الدول الأعضاء ما زال محدودا بسبب اختلاف القوانين الوطنية.",
    "وتدعو منظمات حقوقية إلى حماية حرية التعبير أثناء تطبيق هذه الأدوات الجديدة.",
]
# A theme whose "about the centre" box holds more prose than the article and no chrome name:
# the scorer alone takes it.
ABOUT = " ".join(
    f"المركز الأوروبي لدراسات مكافحة الإرهاب مؤسسة بحثية مستقلة تأسست لدراسة الظاهرة رقم {i}،"
    " وتنشر الدراسات والتقارير باللغتين العربية والإنجليزية."
    for i in range(12)
)


def themed_page(paragraphs: list[str], number: int) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<html lang='ar' dir='rtl'><body><div class='shell'>"
        f"<div class='story-x post-{number}'><h1>عنوان {number}</h1>{body}</div>"
        f"<div class='centre-x'><p>{ABOUT}</p></div>"
        "</div></body></html>"
    )


def test_the_extraction_agrees_with_wordpress_own_text_on_the_replica():
    site = ReplicaSite()
    for post in site.published()[:5]:
        html = post_page(site, post)
        reference = rendered_text(post_json(site, post)["content"]["rendered"])  # type: ignore[index]
        assert agreement(extract(html, site.permalink(post)).text, reference) >= 0.9


def test_a_disagreeing_site_is_calibrated_to_the_container_of_its_posts():
    html = themed_page(ARTICLE, 7)
    reference = "\n".join(ARTICLE)
    plain = extract(html)
    assert agreement(plain.text, reference) < 0.5  # the "about" box won
    found = container_for(read_page(LexborHTMLParser(html).body), reference)
    assert found is not None
    name, score = found
    assert name == "div.story-x" and score >= 0.9  # post-7 changes from post to post
    other = themed_page([p.replace("الأوروبية", "الوطنية") for p in ARTICLE], 8)
    calibrated = extract(other, container=name)
    assert calibrated.method == "calibrated" and calibrated.confidence == 0.95
    assert "الوطنية" in calibrated.text and "مؤسسة بحثية" not in calibrated.text


def test_a_calibrated_container_missing_from_a_page_falls_back_to_the_scorer():
    result = extract(themed_page(ARTICLE, 9), container="div.never-there")
    assert result.method in ("density", "container") and not result.empty


def test_signatures_leave_out_names_that_change_per_post():
    page = read_page(
        LexborHTMLParser(
            "<body><article id='post-12' class='post-12 type-post hentry'><p>x</p></article>"
            "<div id='main'><p>y</p></div></body>"
        ).body
    )
    names = [signature(element) for element in page.elements[1:]]
    assert names[:2] == ["article.hentry.type-post", None] or "article.hentry.type-post" in names
    assert "div#main" in names
