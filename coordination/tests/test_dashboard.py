from __future__ import annotations

import pytest

from coordination.dashboard import register_panel, registered_panels, unregister_panel

pytestmark = pytest.mark.django_db


@pytest.fixture
def extra_panel():
    register_panel(
        key="test-panel",
        template="coordination/panels/bodies.html",
        context=lambda request: {"bodies": []},
        order=50,
        title="Test panel",
    )
    yield
    unregister_panel("test-panel")


def test_dashboard_shows_empty_states_that_say_what_will_appear(login, make_member):
    client = login(make_member(None, with_device=True))
    html = client.get("/").content.decode()
    assert "The organisations you act for" in html
    assert "coordination bodies your organisations sit on" in html
    assert "referrals and returns waiting for your organisation" in html


def test_registered_panels_render_in_order_and_can_hide(login, make_org, make_member, extra_panel):
    keys = [p.key for p in registered_panels()]
    assert keys.index("coordination-organisations") < keys.index("test-panel")
    assert keys.index("test-panel") < keys.index("coordination-bodies")
    client = login(make_member(make_org(name="Alpha Agency"), "coordinator"))
    html = client.get("/").content.decode()
    assert 'id="panel-test-panel"' in html
    assert "Alpha Agency" in html
    # Another app's panel is there, so the placeholder for coming work is gone.
    assert 'id="panel-coming"' not in html
    register_panel(
        key="test-panel", template="coordination/panels/bodies.html", context=lambda r: None
    )
    assert 'id="panel-test-panel"' not in client.get("/").content.decode()
