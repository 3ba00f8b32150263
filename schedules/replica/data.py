"""The content of the replica site: the seed article, a few dozen generated posts, their terms.

Everything here is plain data and deterministic (one `random.Random` with a fixed seed), so a
test that names "the third post of the category" names the same post on every run. Rendering
lives in `pages` and `feeds`; the mutable site state in `site`.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Literal
from urllib.parse import quote

# A copy of seeds/000_3b1ee1feec353f5c.txt, shipped with the package so the demo runs from a wheel
# (tests/test_demo_wheel.py checks the two are the same).
SEED_FILE = Path(__file__).resolve().parent / "seeds" / "000_3b1ee1feec353f5c.txt"
SEED_ID = 95655
# ECCI is based in Germany and the Netherlands: WordPress stores local dates and GMT dates, and
# they differ by the site's offset (summer time, fixed here so the data is reproducible).
SITE_TZ = timezone(timedelta(hours=2))
SITE_NAME = "المركز الأوروبي لدراسات مكافحة الإرهاب والاستخبارات"
SITE_DESCRIPTION = "ECCI ـ ألمانيا وهولندا"

BlockKind = Literal["p", "h2", "h3"]
Taxonomy = Literal["category", "post_tag"]


@dataclass
class ContentBlock:
    """One block of a post body as the editor wrote it: a paragraph or a subheading."""

    kind: BlockKind
    text: str


@dataclass
class InlineLink:
    """An anchor the author put around `phrase` in block `block`: to a post id or a full URL."""

    block: int
    phrase: str
    target: int | str


@dataclass
class Comment:
    id: int
    author: str
    text: str
    date: datetime


@dataclass(frozen=True)
class Term:
    id: int
    taxonomy: Taxonomy
    name: str
    slug: str


@dataclass(frozen=True)
class Author:
    id: int
    slug: str
    name: str
    bio: str


@dataclass
class Post:
    """A WordPress post. Dates are aware datetimes in UTC (WordPress' *_gmt columns)."""

    id: int
    slug: str
    title: str
    date: datetime
    modified: datetime
    author: Author
    categories: list[int]
    tags: list[int]
    blocks: list[ContentBlock]
    links: list[InlineLink] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    jsonld: bool = False
    published: bool = True
    # WordPress keeps `_wp_old_slug` meta and 301-redirects the old permalink to the new one.
    old_slugs: list[str] = field(default_factory=list)

    def path(self, hex_case: str = "upper", slug: str | None = None) -> str:
        """The pretty permalink path, /%year%/%monthnum%/%day%/%postname%/ as on ECCI."""
        local = self.date.astimezone(SITE_TZ)
        return f"/{local:%Y/%m/%d}/{encode_slug(slug or self.slug, hex_case)}/"

    def texts(self) -> list[str]:
        return [block.text for block in self.blocks]

    def last_activity(self) -> datetime:
        """When the page last changed for a reader: an edit or a new comment."""
        return max([self.modified, *(c.date for c in self.comments)])


_SLUG_DROP = re.compile(r"[^\w\s-]", re.UNICODE)
_SLUG_DASHES = re.compile(r"[\s_-]+")


def slugify(title: str) -> str:
    """WordPress' sanitize_title_with_dashes, enough of it for Arabic titles: keep letters and
    digits, drop punctuation (Arabic comma, quotes), spaces become dashes, lowercase Latin."""
    return _SLUG_DASHES.sub("-", _SLUG_DROP.sub("", title.lower())).strip("-")


def encode_slug(slug: str, hex_case: str = "upper") -> str:
    """Percent-encode a slug. WordPress stores slugs encoded in lowercase hex; what reaches the
    wire differs by site and proxy, so the case is a site setting."""
    encoded = quote(slug, safe="-")
    if hex_case == "lower":
        return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), encoded)
    return encoded


def load_seed(path: Path = SEED_FILE) -> tuple[list[ContentBlock], str]:
    """The seed document as blocks, and its short link (the last line is not article text)."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    *body, shortlink = lines
    subheadings = {
        "اهتمام حلف شمال الأطلسي بمنطقة المحيطين الهندي والهادئ": "h2",
        "مستقبل التعاون بين الناتو وIP4": "h3",
    }
    blocks = [ContentBlock(subheadings.get(line, "p"), line) for line in body]  # type: ignore[arg-type]
    return blocks, shortlink.split()[-1]


CATEGORIES = (
    Term(12, "category", "دراسات", "دراسات"),
    Term(31, "category", "الأمن الدولي", "الأمن-الدولي"),
    Term(7, "category", "مكافحة الإرهاب", "مكافحة-الإرهاب"),
    Term(19, "category", "الاستخبارات", "الاستخبارات"),
)
TAGS = (
    Term(240, "post_tag", "الناتو", "الناتو"),
    Term(977, "post_tag", "IP4", "ip4"),
    Term(301, "post_tag", "الصين", "الصين"),
    Term(302, "post_tag", "روسيا", "روسيا"),
    Term(318, "post_tag", "أوكرانيا", "أوكرانيا"),
    Term(405, "post_tag", "داعش", "داعش"),
    Term(406, "post_tag", "التطرف", "التطرف"),
    Term(512, "post_tag", "الأمن السيبراني", "الأمن-السيبراني"),
    Term(610, "post_tag", "ألمانيا", "ألمانيا"),
    Term(611, "post_tag", "هولندا", "هولندا"),
    Term(978, "post_tag", "منطقة المحيطين الهندي والهادئ", "منطقة-المحيطين-الهندي-والهادئ"),
)
AUTHORS = (
    Author(1, "ecci", "وحدة الدراسات والتقارير", "وحدة الدراسات في المركز الأوروبي ECCI."),
    Author(4, "sara-alhusseini", "سارة الحسيني", "باحثة في شؤون الأمن الأوروبي والاستخبارات."),
    Author(6, "karim-mansour", "كريم منصور", "باحث في الجماعات المتطرفة ومكافحة الإرهاب."),
)

SEED_TITLE = "حلف شمال الأطلسي وشركاؤه في منطقة المحيطين الهندي والهادئ"
SEED_DATE = datetime(2024, 7, 22, 7, 30, tzinfo=UTC)
SEED_MODIFIED = datetime(2024, 7, 22, 8, 5, tzinfo=UTC)
NATO_DECLARATION = "https://www.nato.int/cps/en/natohq/official_texts_227678.htm"

_SUBJECTS = (
    "تنظيم داعش",
    "الجماعات المتطرفة",
    "حلف شمال الأطلسي",
    "الاتحاد الأوروبي",
    "الاستخبارات الألمانية",
    "الاستخبارات الهولندية",
    "المقاتلون الأجانب",
    "الصين",
    "روسيا",
    "جماعة الإخوان المسلمين",
    "اليمين المتطرف",
    "تنظيم القاعدة",
    "الشبكات الإلكترونية المتطرفة",
    "الأجهزة الأمنية الأوروبية",
    "شركاء الناتو",
)
_ASPECTS = (
    "التحديات الأمنية",
    "مخاطر التمويل",
    "سياسات المواجهة",
    "الاستراتيجية الجديدة",
    "التعاون الاستخباري",
    "مستقبل الشراكات",
    "التهديدات الهجينة",
    "حرب المعلومات",
    "إعادة التموضع",
    "أساليب التجنيد",
    "الرقابة على الحدود",
    "الأمن السيبراني",
)
_REGIONS = (
    "أوروبا",
    "ألمانيا",
    "هولندا",
    "فرنسا",
    "منطقة الساحل",
    "الشرق الأوسط",
    "البلقان",
    "منطقة المحيطين الهندي والهادئ",
    "شمال أفريقيا",
    "آسيا الوسطى",
)
_OPENERS = (
    "في هذا السياق،",
    "وعلاوة على ذلك،",
    "من جهة أخرى،",
    "وبحسب تقارير أمنية،",
    "في المقابل،",
    "ويرى خبراء أن",
    "وتشير المعطيات إلى أن",
    "ومن اللافت أن",
)
_VERBS = ("يواجه", "يعزز", "يراجع", "يطور", "يكثف", "يعيد تقييم", "يدعم", "يرصد")
_OBJECTS = (
    "قدراته في تبادل المعلومات",
    "آليات التنسيق مع الشركاء",
    "برامج الوقاية من التطرف",
    "الرقابة على مصادر التمويل",
    "خطط الاستجابة للأزمات",
    "التشريعات الخاصة بالإرهاب",
    "حضوره في الفضاء الإلكتروني",
    "التعاون القضائي العابر للحدود",
)
_TAILS = (
    "خلال السنوات الأخيرة",
    "في ظل المتغيرات الدولية",
    "وفق تقديرات الخبراء",
    "بحسب وثائق رسمية",
    "منذ بداية العام",
    "على المدى المتوسط",
)


def _sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(_OPENERS)} {rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} "
        f"{rng.choice(_OBJECTS)} {rng.choice(_TAILS)}."
    )


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(2, 4)))


def _title(rng: random.Random) -> str:
    subject, aspect, region = rng.choice(_SUBJECTS), rng.choice(_ASPECTS), rng.choice(_REGIONS)
    return rng.choice(
        (
            f"{subject} و{aspect} في {region}",
            f"قراءة في {aspect} لدى {subject}",
            f"{region}: {subject} و{aspect}",
        )
    )


def generated_blocks(rng: random.Random) -> list[ContentBlock]:
    blocks = [ContentBlock("p", _paragraph(rng)) for _ in range(rng.randint(3, 5))]
    if rng.random() < 0.4:
        blocks.insert(2, ContentBlock("h2", rng.choice(_ASPECTS)))
    return blocks


def unique_slug(title: str, taken: set[str]) -> str:
    """WordPress appends -2, -3, … when a slug is already used."""
    base = slugify(title) or "post"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug


def _seed_post() -> Post:
    blocks, _ = load_seed()
    return Post(
        id=SEED_ID,
        slug=slugify(SEED_TITLE),
        title=SEED_TITLE,
        date=SEED_DATE,
        modified=SEED_MODIFIED,
        author=AUTHORS[0],
        categories=[12, 31],
        tags=[240, 977, 978, 301],
        blocks=blocks,
        jsonld=True,
        comments=[
            Comment(
                1201, "أحمد", "تحليل دقيق لدور الشركاء في آسيا.", SEED_DATE + timedelta(hours=5)
            ),
            Comment(1202, "Lena", "شكراً على هذه الدراسة.", SEED_DATE + timedelta(days=1)),
        ],
    )


def build_posts(extra_posts: int = 30, seed: int = SEED_ID) -> list[Post]:
    """The seed article plus `extra_posts` generated posts around it (two thirds older).

    Every generated post but the oldest links a phrase of its first paragraph to an older post,
    so links go deeper than one hop; the seed links two older posts of its category, one
    counter-terrorism post and NATO's Washington declaration, as ECCI articles do.
    """
    rng = random.Random(seed)
    seed_post = _seed_post()
    taken = {seed_post.slug}
    older = (2 * extra_posts + 2) // 3
    posts = [seed_post]
    for i in range(extra_posts):
        k = i + 1 if i < older else i - older + 1
        sign = -1 if i < older else 1
        date = SEED_DATE + sign * timedelta(
            hours=27 * k + rng.randint(0, 9), minutes=rng.randint(0, 59)
        )
        title = _title(rng)
        categories = [CATEGORIES[i % len(CATEGORIES)].id]
        if rng.random() < 0.2:
            categories.append(CATEGORIES[(i + 1) % len(CATEGORIES)].id)
        posts.append(
            Post(
                id=SEED_ID + sign * 13 * k,
                slug=unique_slug(title, taken),
                title=title,
                date=date,
                modified=date + timedelta(hours=rng.choice((0, 0, 1, 30))),
                author=rng.choice(AUTHORS),
                categories=categories,
                tags=sorted({t.id for t in rng.sample(TAGS, 2)}),
                blocks=generated_blocks(rng),
                jsonld=i % 2 == 0,
            )
        )
    by_date = sorted(posts, key=lambda p: p.date)
    for index, post in enumerate(by_date[1:], start=1):
        if post.id != SEED_ID:
            words = post.blocks[0].text.split()
            target = by_date[rng.randrange(index)]
            post.links.append(InlineLink(0, " ".join(words[1:4]), target.id))
    _link_seed(seed_post, by_date)
    return sorted(posts, key=lambda p: p.date, reverse=True)


def _link_seed(seed_post: Post, by_date: list[Post]) -> None:
    older = [p for p in reversed(by_date) if p.date < seed_post.date]
    same = [p for p in older if seed_post.categories[0] in p.categories][:2]
    other = [p for p in older if 7 in p.categories and p not in same][:1]
    phrases = [(3, "روسيا والصين"), (8, "حرب أوكرانيا"), (16, "الأمن السيبراني")]
    for (block, phrase), target in zip(phrases, same + other):
        seed_post.links.append(InlineLink(block, phrase, target.id))
    seed_post.links.append(InlineLink(9, "إعلان قمة واشنطن", NATO_DECLARATION))
