"""Rooms of a booking calendar: Places rooms plus rooms named by event locations, by e-mail."""

from __future__ import annotations

from services.integration.calendar_rooms import CalendarRoom, location_email, merge_rooms


def test_event_locations_name_rooms_by_their_mailbox() -> None:
    assert location_email({"displayName": "4B", "locationUri": "Conf4B@Contoso.com"}) == "conf4b@contoso.com"
    assert (
        location_email({"displayName": "4B", "locationEmailAddress": "a@b.com", "locationUri": "x"})
        == "a@b.com"
    )
    assert location_email({"displayName": "Kitchen", "uniqueId": "Kitchen"}) is None
    assert location_email(None) is None


def test_places_names_win_and_rooms_only_booked_are_added() -> None:
    places = [
        {"emailAddress": "Conf4B@contoso.com", "displayName": "Conf Rm 4B (12)"},
        {"emailAddress": "", "displayName": "no mailbox"},
    ]
    events = [
        {"location": {"displayName": "4B (old name)", "locationUri": "conf4b@contoso.com"}},
        {"location": {"displayName": "Annex Room", "locationUri": "annex@contoso.com"}},
        {"location": {"displayName": "Somewhere"}},
        {"subject": "no location"},
    ]
    assert merge_rooms(places, events) == [
        CalendarRoom("annex@contoso.com", "Annex Room", False),
        CalendarRoom("conf4b@contoso.com", "Conf Rm 4B (12)", True),
    ]
