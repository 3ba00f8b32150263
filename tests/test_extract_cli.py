"""`marsad extract` as users and scripts call it (the command alone, through click's runner)."""

import json

from click.testing import CliRunner

from schedules.commands.extract import extract_command

PAGE = (
    "<html lang='ar'><head><title>عنوان</title></head><body><article><h1 class='entry-title'>"
    "عنوان المقال</h1><div class='entry-content'><p>خاص ـ المركز الأوروبي لدراسات مكافحة الإرهاب"
    " والاستخبارات، نص المقال الأول وهو طويل بما يكفي ليعد محتوى مقال حقيقي في الصفحة.</p>"
    "<p>الفقرة الثانية مع <a href='/doc'>رابط</a> داخلي يشير إلى وثيقة في الموقع نفسه.</p>"
    "<div class='sharedaddy'>شارك هذا المقال</div></div></article></body></html>"
)


def test_plain_text_from_a_file(tmp_path):
    saved = tmp_path / "page.html"
    saved.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(extract_command, [str(saved)])
    assert result.exit_code == 0
    paragraphs = result.output.strip().split("\n\n")
    assert paragraphs[0].startswith("خاص ـ المركز الأوروبي") and len(paragraphs) == 2
    assert "شارك" not in result.output


def test_json_from_stdin_with_url():
    result = CliRunner().invoke(
        extract_command,
        ["-", "--url", "https://example.org/a/", "--json"],
        input=PAGE.encode("utf-8"),
    )
    assert result.exit_code == 0
    assert "\\u" not in result.output  # Arabic stays readable
    data = json.loads(result.output)
    assert data["title"] == "عنوان المقال"
    assert data["links"] == [{"url": "https://example.org/doc", "text": "رابط"}]
    assert data["text"].count("\n\n") == 1 and data["empty"] is False
    assert data["blocks"][0]["kind"] == "paragraph"


def test_unreadable_file_is_exit_2_with_one_line(tmp_path):
    result = CliRunner().invoke(extract_command, [str(tmp_path / "missing.html")])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert "missing.html" in result.output


def test_page_without_article_says_why():
    result = CliRunner().invoke(extract_command, ["-"], input=b"<html><body></body></html>")
    assert result.exit_code == 1
    assert "no article" in result.output and "no visible text" in result.output


def test_a_page_nested_past_the_guard_is_not_parsed_and_says_why():
    # what a check refuses to parse (crawler.guard), the command refuses too
    nested = b"<html><body>" + b"<div>" * 200_000 + b"\xd9\x86\xd8\xb5</body></html>"
    result = CliRunner().invoke(extract_command, ["-"], input=nested)
    assert result.exit_code == 1
    assert "not read" in result.output and "nest" in result.output
    assert len(result.output.strip().splitlines()) == 1
