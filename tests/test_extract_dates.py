"""Publication dates in ISO 8601, from machine values and from Arabic and English prose."""

import pytest

from crawler.dates import find_date, parse_date


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("أغسطس 19, 2019", "2019-08-19"),
        ("١٩ أغسطس ٢٠١٩", "2019-08-19"),
        ("۱۹ اغسطس ۲۰۱۹", "2019-08-19"),
        ("22 يوليو/تموز 2024", "2024-07-22"),
        ("الاثنين 22 تموز 2024", "2024-07-22"),
        ("نشر في 3 تشرين الأول 2023", "2023-10-03"),
        ("5 كانون الثاني 2020", "2020-01-05"),
        ("5 كانون الأول 2020", "2020-12-05"),
        ("14 حزيران 2022 - 10:30", "2022-06-14"),
        ("١ آذار ٢٠٢١", "2021-03-01"),
        ("10 يونيه 2021", "2021-06-10"),
        ("9 ابريل 2024", "2024-04-09"),
        ("12 جويلية 2023", "2023-07-12"),
        ("July 3, 2024", "2024-07-03"),
        ("3 July 2024", "2024-07-03"),
        ("19/08/2019", "2019-08-19"),
        ("2019/08/19", "2019-08-19"),
    ],
)
def test_written_dates(written, iso):
    assert parse_date(written) == iso


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2024-07-22T10:15:00+03:00", "2024-07-22T10:15:00+03:00"),
        ("2024-07-22T10:15:00Z", "2024-07-22T10:15:00+00:00"),
        ("2024-07-22T10:15:00.250+0300", "2024-07-22T10:15:00+03:00"),
        ("2024-07-22 10:15:00+03:00", "2024-07-22T10:15:00+03:00"),
        ("2024-07-22", "2024-07-22"),
        # A local time without its offset claims a precision the page does not give.
        ("2024-07-22T10:15:00", "2024-07-22"),
        ("Mon, 22 Jul 2024 10:15:00 GMT", "2024-07-22T10:15:00+00:00"),
        ("20240722", "2024-07-22"),
    ],
)
def test_machine_dates(value, iso):
    assert parse_date(value) == iso


@pytest.mark.parametrize(
    "value",
    [None, "", "قريبا", "١٥ محرم ١٤٤٦", "31 فبراير 2020", "2024-13-40", "عام 2010", "99/99/2019"],
)
def test_not_dates(value):
    assert parse_date(value) is None


def test_find_date_takes_the_first_date_in_the_text():
    text = "بواسطة فريق التحرير · ٢ نوفمبر ٢٠٢٣ · آخر تحديث 5 نوفمبر 2023"
    assert find_date(text) == "2023-11-02"
