"""The audit log page: the owner browses every staff change, newest first, 50 to a page,
filtered by who, which object, which action and which local dates, each change shown as its
fields before → after."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from shop.models import AuditEntry, Role
from tests.admin_support import signed_in
from tests.integration.test_admin_staff import NEW_PASSWORD, page_problems, post

MORNING = datetime(2025, 11, 5, 9, 0, tzinfo=UTC)

# Around the shop's midnights (Europe/Amsterdam); summer time ended on 26 October 2025.
LAST_MINUTE_OF_25_OCT = datetime(2025, 10, 25, 21, 59, tzinfo=UTC)  # 23:59 CEST
FIRST_MINUTE_OF_26_OCT = datetime(2025, 10, 25, 22, 0, tzinfo=UTC)  # 00:00 CEST
LAST_MINUTE_OF_31_OCT = datetime(2025, 10, 31, 22, 59, tzinfo=UTC)  # 23:59 CET
FIRST_MINUTE_OF_1_NOV = datetime(2025, 10, 31, 23, 0, tzinfo=UTC)  # 00:00 CET
LAST_MINUTE_OF_2_NOV = datetime(2025, 11, 2, 22, 59, tzinfo=UTC)  # 23:59 CET
FIRST_MINUTE_OF_3_NOV = datetime(2025, 11, 2, 23, 0, tzinfo=UTC)  # 00:00 CET


def log(
    session: Session,
    at: datetime = MORNING,
    *,
    staff_email: str = "owner@paddo.example",
    action: str = "update",
    object_type: str = "Product",
    object_id: str = "1",
    changes: dict[str, Any] | str | None = None,
    summary: str = "",
    commit: bool = True,
) -> AuditEntry:
    """An audit entry as a service would have written it."""
    entry = AuditEntry(
        at=at,
        staff_email=staff_email,
        action=action,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        changes=changes if isinstance(changes, str) else json.dumps(changes or {}),
    )
    session.add(entry)
    if commit:
        session.commit()
    return entry


def shown_instants(html: str) -> list[str]:
    """The entries on the page, by their time, in the order shown."""
    return re.findall(r'<td><time datetime="([^"]+)"', html)


def audit_page(client: Any, **args: Any) -> tuple[int, str]:
    response = client.get("/admin/audit", query_string=args)
    return response.status_code, response.get_data(as_text=True)


@pytest.fixture
def owner(client, session):  # type: ignore[no-untyped-def]
    return signed_in(client, session, Role.OWNER)


def test_entries_are_shown_newest_first_in_the_shops_local_time(client, session, owner):
    log(session, MORNING - timedelta(days=1), summary="the older one")
    log(session, FIRST_MINUTE_OF_3_NOV, summary="the oldest one")
    log(session, MORNING, summary="the newest one")

    status, page = audit_page(client, object_type="Product")

    assert status == 200
    assert page.index("the newest one") < page.index("the older one") < page.index("the oldest")
    assert "3 Nov 2025 00:00:00" in page  # 23:00 UTC is midnight in Amsterdam
    assert "Europe/Amsterdam" in page


def test_fifty_entries_to_a_page_and_links_to_the_others(client, session, owner):
    for minute in range(120):
        log(session, MORNING + timedelta(minutes=minute), object_id=str(minute), commit=False)
    session.commit()

    first = audit_page(client, object_type="Product")[1]
    last = audit_page(client, object_type="Product", page=3)[1]

    assert len(shown_instants(first)) == 50
    assert shown_instants(first)[0] == (MORNING + timedelta(minutes=119)).isoformat()
    assert "Page 1 of 3" in first
    assert 'href="/admin/audit?page=2&amp;object_type=Product"' in first
    assert len(shown_instants(last)) == 20
    assert shown_instants(last)[-1] == MORNING.isoformat()
    assert 'rel="next"' not in last and 'rel="prev"' in last


@pytest.mark.parametrize(("page", "expected"), [("99", "Page 2 of 2"), ("abc", "Page 1 of 2")])
def test_a_page_number_out_of_range_shows_a_page_that_exists(
    client, session, owner, page, expected
):
    for minute in range(60):
        log(session, MORNING + timedelta(minutes=minute), commit=False)
    session.commit()

    status, shown = audit_page(client, object_type="Product", page=page)

    assert status == 200
    assert expected in shown


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"staff": "kim@paddo.example"}, {"kim changed product 1"}),
        ({"staff": "  KIM@Paddo.example "}, {"kim changed product 1"}),
        ({"object_type": "PromoCode"}, {"a code was made"}),
        ({"object_type": "Product", "object_id": "2"}, {"product 2 was priced"}),
        ({"action": "create"}, {"a code was made"}),
        ({"action": "update", "staff": "sam@paddo.example"}, {"product 2 was priced"}),
        ({"object_id": "nothing-like-it"}, set()),
    ],
)
def test_the_owner_filters_by_who_what_and_which_object(client, session, owner, filters, expected):
    everything = {"kim changed product 1", "a code was made", "product 2 was priced"}
    log(session, staff_email="kim@paddo.example", summary="kim changed product 1")
    log(session, staff_email="sam@paddo.example", action="create", object_type="PromoCode",
        object_id="7", summary="a code was made")  # fmt: skip
    log(session, staff_email="sam@paddo.example", object_id="2", summary="product 2 was priced")

    status, page = audit_page(client, **filters)

    assert status == 200
    assert {summary for summary in everything if summary in page} == expected


def test_the_filters_offer_the_values_the_log_holds(client, session, owner):
    log(session, staff_email="kim@paddo.example", action="refund", object_type="Order")

    page = audit_page(client)[1]

    assert '<option value="kim@paddo.example">' in page
    assert '<option value="refund">' in page
    assert '<option value="Order">' in page


@pytest.mark.parametrize(
    ("dates", "included"),
    [
        (
            {"from": "2025-11-01", "to": "2025-11-02"},
            {FIRST_MINUTE_OF_1_NOV, LAST_MINUTE_OF_2_NOV},
        ),
        (
            {"from": "2025-10-26"},
            {
                FIRST_MINUTE_OF_26_OCT,
                LAST_MINUTE_OF_31_OCT,
                FIRST_MINUTE_OF_1_NOV,
                LAST_MINUTE_OF_2_NOV,
                FIRST_MINUTE_OF_3_NOV,
            },
        ),
        ({"to": "2025-10-25"}, {LAST_MINUTE_OF_25_OCT}),
        (
            {"from": "2025-10-26", "to": "2025-10-31"},
            {FIRST_MINUTE_OF_26_OCT, LAST_MINUTE_OF_31_OCT},
        ),
        ({"from": "2025-11-02", "to": "2025-11-02"}, {LAST_MINUTE_OF_2_NOV}),
    ],
)
def test_dates_are_local_days_and_the_last_one_counts_in_full(
    client, session, owner, dates, included
):
    instants = [
        LAST_MINUTE_OF_25_OCT,
        FIRST_MINUTE_OF_26_OCT,
        LAST_MINUTE_OF_31_OCT,
        FIRST_MINUTE_OF_1_NOV,
        LAST_MINUTE_OF_2_NOV,
        FIRST_MINUTE_OF_3_NOV,
    ]
    for instant in instants:
        log(session, instant, commit=False)
    session.commit()

    status, page = audit_page(client, object_type="Product", **dates)

    assert status == 200
    assert set(shown_instants(page)) == {instant.isoformat() for instant in included}


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"from": "1 November"}, "Please enter a date like 2025-11-02."),
        ({"to": "2025-02-30"}, "Please enter a date like 2025-11-02."),
        ({"from": "2025-11-03", "to": "2025-11-01"}, "The last date is before the first."),
    ],
)
def test_a_date_that_cannot_be_used_is_named_and_the_other_filters_still_apply(
    client, session, owner, dates, message
):
    log(session, summary="a product change")
    log(session, object_type="PromoCode", summary="a code change")

    status, page = audit_page(client, object_type="PromoCode", **dates)

    assert status == 400
    assert message in page
    assert "a code change" in page
    assert "a product change" not in page


def test_each_change_is_shown_as_its_fields_before_and_after(client, session, owner):
    log(
        session,
        changes={
            "price_cents": [1995, 1795],
            "is_active": [False, True],
            "summary": [None, "Fresh truffles"],
            "category_slugs": [["truffles"], ["truffles", "kits"]],
        },
    )

    page = audit_page(client, object_type="Product")[1]
    changes = re.search(r'<dl class="audit-changes">(.*?)</dl>', page, re.S)
    assert changes
    text = re.sub(r"<[^>]+>", " ", changes.group(1))
    text = " ".join(text.split())

    assert "price_cents 1995 → became 1795" in text
    assert "is_active no → became yes" in text
    assert "summary (none) → became Fresh truffles" in text
    assert "category_slugs truffles → became truffles, kits" in text


def test_what_a_change_held_is_shown_as_text_never_as_markup(client, session, owner):
    log(
        session,
        staff_email="<b>kim</b>@paddo.example",
        object_id='"><script>alert(1)</script>',
        summary="<img src=x onerror=alert(2)>",
        changes={"<i>name</i>": ["<script>alert(3)</script>", "<a href=javascript:x>y</a>"]},
    )

    page = audit_page(client)[1]

    for raw in ["<script>alert", "<img src=x", "<b>kim", "<i>name", "<a href=javascript"]:
        assert raw not in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def test_a_long_value_is_folded_and_a_record_that_is_not_json_is_shown_as_it_is(
    client, session, owner
):
    description = "A long description of the product. " * 20
    log(session, changes={"description_en": ["", description]}, summary="long")
    log(session, changes="not json <at all>", summary="odd")

    page = audit_page(client)[1]

    assert "<details" in page
    assert description.strip() in page
    assert "not json &lt;at all&gt;" in page


def test_the_audit_page_is_labelled_and_free_of_scripts_and_inline_styles(client, session, owner):
    log(session)

    assert page_problems(audit_page(client)[1]) == []


@pytest.mark.parametrize("role", [Role.MANAGER, Role.VIEWER])
def test_only_the_owner_reads_the_audit_log(app, session, role):
    client = app.test_client()
    signed_in(client, session, role)

    assert client.get("/admin/audit").status_code == 403


def test_every_change_to_an_account_made_in_the_back_office_is_in_the_log(client, session, owner):
    post(
        client,
        "/admin/staff",
        email="lotte@paddo.example",
        name="Lotte",
        role="viewer",
        password=NEW_PASSWORD,
        password_again=NEW_PASSWORD,
    )
    page = client.get("/admin/staff").get_data(as_text=True)
    member_id = re.search(r'href="/admin/staff/(\d+)">lotte@paddo.example<', page).group(1)
    post(client, f"/admin/staff/{member_id}/access", role="manager", active="yes")
    post(
        client,
        f"/admin/staff/{member_id}/password",
        password="another fine phrase here",
        password_again="another fine phrase here",
    )
    post(client, f"/admin/staff/{member_id}/access", role="manager", active="no")

    status, page = audit_page(client, object_type="StaffMember", object_id=member_id)

    assert status == 200
    actions = re.findall(r"<td>(create|update|change_password)</td>", page)
    assert actions == ["update", "change_password", "update", "create"]  # newest first
    assert page.count(f">{owner.email}</a>") == 4
    assert "viewer" in page and "manager" in page
