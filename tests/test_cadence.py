"""Adaptive re-check intervals within the configured bounds."""

import pytest

from schedules.cadence import Cadence, changed_since_check, next_interval

HOUR, DAY = 3600.0, 86400.0
BOUNDS = Cadence(every=6 * HOUR, min_interval=15 * 60, max_interval=7 * DAY)


def test_a_page_without_a_version_is_checked_every_configured_interval():
    assert next_interval(BOUNDS, since_change=None, changes=0) == 6 * HOUR


def test_a_page_that_just_changed_is_checked_at_the_lower_bound():
    assert next_interval(BOUNDS, since_change=60, changes=3) == 15 * 60


def test_recent_change_means_more_often_than_every_and_quiet_weeks_less_often():
    recent = next_interval(BOUNDS, since_change=2 * HOUR, changes=1)
    quiet = next_interval(BOUNDS, since_change=21 * DAY, changes=1)
    assert recent < BOUNDS.every < quiet


def test_the_interval_never_passes_the_upper_bound():
    assert next_interval(BOUNDS, since_change=365 * DAY, changes=5) == 7 * DAY
    assert next_interval(BOUNDS, since_change=365 * DAY, changes=0) == 7 * DAY


def test_a_page_seen_once_is_not_checked_more_often_than_every():
    # The first version is a first sight, not a change.
    assert next_interval(BOUNDS, since_change=60, changes=0) == 6 * HOUR
    assert next_interval(BOUNDS, since_change=40 * DAY, changes=0) == 7 * DAY


def test_equal_bounds_switch_adaptation_off():
    fixed = Cadence(every=HOUR, min_interval=HOUR, max_interval=HOUR)
    assert {
        next_interval(fixed, since_change=s, changes=c) for s in (1, DAY, 90 * DAY) for c in (0, 4)
    } == {HOUR}


def test_bounds_must_be_ordered():
    with pytest.raises(ValueError, match="min_interval"):
        Cadence(every=HOUR, min_interval=DAY, max_interval=HOUR)


@pytest.mark.parametrize(
    "lastmod, last_checked, expected",
    [
        ("2025-03-01T10:00:01Z", "2025-03-01T10:00:00.000Z", True),
        ("2025-03-01T10:00:00Z", "2025-03-01T10:00:00.000Z", False),  # same instant
        ("2025-03-01T09:59:59Z", "2025-03-01T10:00:00.500Z", False),
        ("2025-03-01T10:00:00.900Z", "2025-03-01T10:00:00.500Z", True),
        (None, "2025-03-01T10:00:00.000Z", False),
        ("2025-03-01T10:00:00Z", None, False),  # never checked: due anyway
    ],
)
def test_a_source_lastmod_newer_than_the_last_check_means_changed(lastmod, last_checked, expected):
    assert changed_since_check(lastmod, last_checked) is expected


def write(tmp_path, text):
    path = tmp_path / "watch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bounds_and_discovery_switches_come_from_the_watch_list(tmp_path):
    from schedules.config import load_config

    config = load_config(
        write(
            tmp_path,
            (
                '[defaults]\nmin_interval = "10m"\nmax_interval = "3d"\n'
                '[[targets]]\nurl = "https://a.example/?p=1"\nmax_interval = "1d"\n'
                "[targets.discovery]\nrest_api = false\nsitewide = true\n"
            ),
        )
    )
    [target] = config.targets
    assert (target.min_interval, target.max_interval) == (600, 86400)
    assert target.discovery.rest_api is False and target.discovery.sitewide is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[defaults]\nmin_interval = "2d"\nmax_interval = "1d"\n',
            "line 2: `min_interval` must leave",
        ),
        (
            '[[targets]]\nurl = "https://a.example/"\n[targets.discovery]\nrest_api = "yes"\n',
            "line 4: `rest_api` must be true or false",
        ),
    ],
)
def test_bad_bounds_and_switches_name_the_line_and_key(tmp_path, text, message):
    from schedules.config import ConfigError, load_config

    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, text))


def test_a_checked_page_is_next_due_by_its_own_history(tmp_path, replica):
    """The road hands the cadence the page's history (read with its claim): a page seen for the
    first time waits `every`, one that has just changed twice the lower bound."""
    from schedules.config import load_config
    from schedules.jobs import check_page, make_fetcher, prepare
    from store.schema import connect
    from store.timestamps import parse_iso

    (tmp_path / "watch.toml").write_text(
        '[defaults]\nmin_delay = "0s"\nevery = "6h"\nmin_interval = "15m"\njitter = "0s"\n'
        f'[[targets]]\nurl = "{replica.base_url}/?p=95655"\n'
        "[targets.discovery]\nenabled = false\n",
        encoding="utf-8",
    )
    config = load_config(tmp_path / "watch.toml")
    db = connect(tmp_path / "m.db")
    [page] = prepare(db, config)
    fetcher = make_fetcher(config)

    def wait_after_check() -> float:
        checked, due = db.execute("SELECT last_checked, next_check_at FROM pages").fetchone()
        return (parse_iso(due) - parse_iso(checked)).total_seconds()

    paragraphs = replica.site.seed_paragraphs()
    waits = []
    for edit in range(3):
        if edit:
            replica.site.edit_paragraph(95655, 3, f"{paragraphs[3]} تعديل {edit}")
        assert check_page(db, fetcher, page).outcome == "new_version"
        waits.append(round(wait_after_check()))
    assert waits[0] == 6 * HOUR  # no version before: the configured interval
    assert waits[2] == 15 * 60  # two changes, the last just now: the lower bound
    db.conn.close()
