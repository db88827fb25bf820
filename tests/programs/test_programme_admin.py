"""The programmes admin: money and decisions are read-only, aid requests keep their status."""

import pytest

from core.models import User
from programs import services
from programs.models import AidRequest, AidRequestStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    operator = User.objects.create_superuser("operator", password="x-operator-2026")
    client.force_login(operator)
    return client


def test_budget_payment_and_repayment_screens_are_read_only(operator_client, budget):
    assert operator_client.get("/admin/programs/budget/").status_code == 200
    assert operator_client.get(f"/admin/programs/budget/{budget.pk}/change/").status_code == 200
    assert operator_client.get("/admin/programs/budget/add/").status_code == 403
    assert operator_client.get("/admin/programs/payment/add/").status_code == 403
    assert operator_client.get("/admin/programs/repayment/add/").status_code == 403
    response = operator_client.post(
        f"/admin/programs/budget/{budget.pk}/change/", {"allocated": "99999999.00"}
    )
    assert response.status_code == 403
    budget.refresh_from_db()
    assert str(budget.allocated) == "10000.00"


def test_aid_request_status_cannot_be_changed_or_deleted_in_the_admin(
    operator_client, approved_request
):
    aid_request = approved_request()
    url = f"/admin/programs/aidrequest/{aid_request.pk}/"

    page = operator_client.get(f"{url}change/")
    delete = operator_client.post(f"{url}delete/", {"post": "yes"})

    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    assert delete.status_code == 403
    assert AidRequest.objects.get(pk=aid_request.pk).status == AidRequestStatus.APPROVED


def test_aid_request_changelist_loads(operator_client, make_request, staff, budget):
    services.aid_request_approve(actor=staff["north-officer"], aid_request=make_request())

    assert operator_client.get("/admin/programs/aidrequest/").status_code == 200
    assert operator_client.get("/admin/programs/programme/").status_code == 200
    assert operator_client.get("/admin/programs/recovery/").status_code == 200
