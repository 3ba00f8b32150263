"""The watch list: defaults, durations, and errors that name the file, the line and the key."""

from pathlib import Path

import pytest

from schedules.config import ConfigError, load_config, parse_duration

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "seed.txt").write_text(
        "نص\nرابط مختصر.. https://example.org/?p=1\n", encoding="utf-8"
    )
    path = tmp_path / "watch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_watch_list_watches_the_seed_article_with_its_seed():
    config = load_config(REPO / "seeds" / "watch.toml")
    target = config.targets[0]
    assert target.url == "https://www.europarabct.com/?p=95655"
    assert (
        (config.seeds_dir / target.seed).read_text(encoding="utf-8").rstrip().endswith("?p=95655")
    )
    assert target.discovery.enabled and target.discovery.depth == 1


@pytest.mark.parametrize(
    "text,seconds", [("30s", 30), ("15m", 900), ("6h", 21600), ("7d", 604800), (45, 45)]
)
def test_durations(text, seconds):
    assert parse_duration(text) == seconds


def test_bad_duration_names_file_line_and_key(tmp_path):
    path = write(
        tmp_path,
        '[defaults]\nevery = "1h"\n\n[[targets]]\nurl = "https://a.example/"\nevery = "soon"\n',
    )
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert str(error.value) == (
        f"config {path} line 6: `every` must be a duration like `30m`, got `soon`"
    )


def test_second_target_error_points_at_its_own_line(tmp_path):
    path = write(
        tmp_path,
        '[[targets]]\nurl = "https://a.example/"\nseed = "seed.txt"\n\n'
        '[[targets]]\nurl = "https://b.example/"\nseed = "missing.txt"\n',
    )
    with pytest.raises(ConfigError, match=r"line 7: `seed` names no file"):
        load_config(path)


def test_url_must_be_http(tmp_path):
    path = write(tmp_path, '[[targets]]\nurl = "file:///etc/passwd"\n')
    with pytest.raises(ConfigError, match=r"line 2: `url` must be an http\(s\) URL"):
        load_config(path)


def test_toml_syntax_error_names_the_file(tmp_path):
    path = write(tmp_path, "[[targets]\nurl = 1\n")
    with pytest.raises(ConfigError, match=str(path)):
        load_config(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read it"):
        load_config(tmp_path / "nope.toml")


def test_url_given_on_the_command_line_gets_default_settings(tmp_path):
    path = write(tmp_path, '[defaults]\nevery = "2h"\n')
    config = load_config(path)
    target = config.target_for("https://other.example/x")
    assert target.every == 7200 and target.seed is None and not target.discovery.enabled


def test_every_setting_is_documented():
    """docs/config.md must name every key the code reads, so the reference cannot drift."""
    from dataclasses import fields

    from schedules.config import DaemonSettings, Defaults, Discovery, Target
    from schedules.configkeys import every_key

    documented = (REPO / "docs" / "config.md").read_text(encoding="utf-8")
    for settings in (Defaults, Target, Discovery, DaemonSettings):
        for field in fields(settings):
            if field.name != "discovery":
                assert f"`{field.name}`" in documented, f"docs/config.md lacks `{field.name}`"
    # every key the watch list accepts (the [notify…] tables' too) is named there
    for key in every_key() - {"discovery", "notify"}:
        assert f"`{key}`" in documented, f"docs/config.md lacks `{key}`"


def test_a_proxy_refuses_private_hosts_and_targets_given_by_private_address(tmp_path):
    path = write(
        tmp_path,
        '[defaults]\nproxy = "http://proxy.example:3128"\nprivate_hosts = ["intranet.example"]\n',
    )
    with pytest.raises(ConfigError, match="line 3: `private_hosts` cannot be used with `proxy`"):
        load_config(path)
    path = write(
        tmp_path,
        '[defaults]\nproxy = "http://proxy.example:3128"\n\n'
        '[[targets]]\nurl = "http://10.0.0.5/news/"\n',
    )
    with pytest.raises(ConfigError, match="line 5: `url` on a private address 10.0.0.5 cannot"):
        load_config(path)
    path = write(
        tmp_path,
        '[defaults]\nproxy = "http://proxy.example:3128"\n\n'
        '[[targets]]\nurl = "https://news.example/"\n',
    )
    assert load_config(path).defaults.proxy == "http://proxy.example:3128"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            '[defaults]\njiter = "5m"\n',
            "line 2: unknown key `jiter` in [defaults]; did you mean `jitter`?",
        ),
        (
            '[[targets]]\nurl = "https://a.example/"\nevry = "1h"\n',
            "line 3: unknown key `evry` in [[targets]]; did you mean `every`?",
        ),
        (
            '[[targets]]\nurl = "https://a.example/"\n\n[target.discovery]\nenabled = false\n',
            "line 4: unknown table or key `target`; did you mean `targets`?",
        ),
        (
            (
                '[[targets]]\nurl = "https://a.example/"\n[[targets]]\nurl = "https://b.example/"\n'
                "[targets.discovery]\nenabeld = true\n"
            ),
            "line 6: unknown key `enabeld` in [targets.discovery]; did you mean `enabled`?",
        ),
        (
            '[daemon]\nworkers = 2\nstop_timout = "5s"\n',
            "line 3: unknown key `stop_timout` in [daemon]; did you mean `stop_timeout`?",
        ),
        (
            '[notify]\n[notify.channels.desk]\nurl = "json://x"\nsecrt = "${S}"\n',
            "line 4: unknown key `secrt` in [notify.channels.desk]; did you mean `secret`?",
        ),
        (
            '[[targets]]\nurl = "https://a.example/"\n[targets.notify]\nchanels = []\n',
            "line 4: unknown key `chanels` in [targets.notify]; did you mean `channels`?",
        ),
        (
            '[[targets]]\nurl = "https://a.example/"\nzzzz = 1\n',
            "line 3: unknown key `zzzz` in [[targets]]; docs/config.md lists the settings",
        ),
    ],
)
def test_an_unknown_key_is_refused_with_its_line_and_the_nearest_name(tmp_path, body, said):
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"config {path} {said}"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (
            '[[targets]]\nurl = "https://a.example/"\n[targets.discovery]\nmax_pages = "200"\n',
            'line 4: `max_pages` must be a whole number, got the text "200" (write 200 without quotes)',
        ),
        (
            '[[targets]]\nurl = "https://a.example/"\nconfirm = "2"\n',
            (
                "line 3: `confirm` must be the number of checks a change must be seen on (1-10), got the "
                'text "2" (write 2 without quotes)'
            ),
        ),
        (
            '[[targets]]\nurl = "https://a.example/"\n[targets.discovery]\nsitewide = "true"\n',
            'line 4: `sitewide` must be true or false, got the text "true" (write true without quotes)',
        ),
        (
            '[notify]\nmax_attempts = "3"\n',
            (
                'line 2: `max_attempts` must be a whole number from 1, got the text "3" (write 3 without '
                "quotes)"
            ),
        ),
    ],
)
def test_a_number_written_as_text_is_said_to_be_text(tmp_path, body, said):
    path = write(tmp_path, body)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"config {path} {said}"


def test_a_bad_regular_expression_is_pointed_at_its_own_key(tmp_path):
    path = write(
        tmp_path,
        '[[targets]]\nurl = "https://a.example/"\nignore = ["fine"]\n\n'
        '[targets.discovery]\ninclude = ["/news/"]\nexclude = ["(unclosed"]\n',
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(
        f"config {path} line 7: `exclude` has a bad regular expression: '(unclosed'"
    )
