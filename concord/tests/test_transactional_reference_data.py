"""A transactional test flushes every table at its end; the rows data migrations ship (countries,
services, ICAT organisations) must still be there for the transactional tests after it (the root
conftest restores them: _keep_reference_data / _restore_reference_data)."""

from coordination.models import Country, Organisation


def _assert_reference_data():
    assert Country.objects.filter(code="KH").exists()
    assert Organisation.objects.filter(acronym="UNODC").exists()


def test_first_transactional_test_sees_reference_data(transactional_db):
    _assert_reference_data()
    Country.objects.all().delete()  # as a flush would; the next test must not notice


def test_second_transactional_test_still_sees_it(transactional_db):
    _assert_reference_data()


def test_a_live_server_test_still_sees_it(live_server):
    _assert_reference_data()
