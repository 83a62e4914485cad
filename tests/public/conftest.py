"""Public-page fixtures: a planted mix of approved, pending and rejected work full of secrets."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.builders import BALEARJOSARI, KAUMAN, KETAWANGGEDE, SUKUN, post_log, review, track_in
from tests.builders import upload_secret_photo as add_photo


@pytest.fixture(scope="session")
def tight_app(make_test_app):
    """An app of its own whose public rate limit is 3 requests per minute."""
    return make_test_app(PUBLIC_RATE_LIMIT="3 per minute")


@dataclass
class Planted:
    """What the public must see (`approved`) and must never see (`secrets`)."""

    approved: dict[str, dict] = field(default_factory=dict)
    approved_public_ids: list[str] = field(default_factory=list)
    hidden_public_ids: list[str] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)


@pytest.fixture
def planted(app, client, cast) -> Planted:
    p = Planted()
    # Approved: a point in Kauman with both photos, a measured track in Sukun.
    a1 = post_log(client, cast, KAUMAN, "crew_a", length_m=111.1, sediment_m3=2.5, waste_kg=55,
                  notes="RAHASIA-NOTE-APPROVED-1")
    photos_a1 = [add_photo(client, cast, a1, "before", variant=1), add_photo(client, cast, a1, "after", variant=2)]
    review(client, cast, a1["id"], "approved", note="RAHASIA-REVIEW-NOTE-OK")
    a2 = post_log(client, cast, SUKUN, "crew_b", geometry=track_in(SUKUN, 180), length_m=None,
                  sediment_m3=1.25, waste_kg=12, notes="RAHASIA-NOTE-APPROVED-2", activity="culvert_cleaning")
    review(client, cast, a2["id"], "approved")
    p.approved = {"a1": a1, "a2": a2}
    p.approved_public_ids = [ph["public_id"] for ph in photos_a1]
    # Pending and rejected, with distinctive figures that must count nowhere.
    pending = post_log(client, cast, KETAWANGGEDE, "crew_a", length_m=4242.42, sediment_m3=77.77,
                       waste_kg=31337.5, notes="RAHASIA-NOTE-123")
    rejected = post_log(client, cast, BALEARJOSARI, "crew_b", length_m=5151.51, sediment_m3=66.66,
                        waste_kg=27182.8, notes="RAHASIA-NOTE-REJECTED", activity="waste_removal")
    hidden_photos = [add_photo(client, cast, pending, "after", variant=3),
                     add_photo(client, cast, rejected, "after", who="crew_b", variant=4)]
    review(client, cast, rejected["id"], "rejected", note="RAHASIA-REJECT-REASON")
    p.hidden_public_ids = [ph["public_id"] for ph in hidden_photos]
    logs = [a1, a2, pending, rejected]
    p.secrets = [
        *(log["id"] for log in logs), *(ph["id"] for ph in photos_a1 + hidden_photos), *p.hidden_public_ids,
        "RAHASIA", "crew_a", "crew_b", "sup_city", "sup_klojen", "Crew A Klojen", "Crew B Sukun",
        "4242.42", "77.77", "31337.5", "5151.51", "66.66", "27182.8",
    ]
    return p
