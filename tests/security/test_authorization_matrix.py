"""The authorization matrix: every API endpoint × action × demo role of both agencies.

The endpoints come from the URL router, so a new endpoint or action that is
not in MATRIX below fails the suite until someone decides who may use it.
Every record in the world belongs to north (see tests/security/world.py);
north's caseworker leads the case, north-caseworker2 and the officers work in
the same agency without being assigned, and the case is referred (with
consent) to a service of south.

Reading a row: ``R(HIDDEN, cw=OK, lead=OK)`` means "north's caseworker and
team lead get past authorization; every other north role and every south
role gets 404". The first argument is north's default; ``south=`` sets south's
default (it is north's default when left out); a keyword names one role, of
north (``cw``) or of south (``s_cw``). Outcome classes are in routes.py:
OK (2xx, or 400/409 for an empty or out-of-state request: authorization
passed), LISTED / UNLISTED (a list answered 200 with / without the world's
record), DENIED 403, HIDDEN 404, NOT_ALLOWED 405.

To add an endpoint: add a row with ``at`` (URL kwargs → world ids), the list's
``find`` (the world id whose presence it checks) and one R(...) per action.
"""

import os
from collections import Counter

import pytest
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from tests.security.routes import (
    DENIED,
    HIDDEN,
    LISTED,
    NOT_ALLOWED,
    OK,
    UNLISTED,
    api_endpoints,
    classify,
)
from tests.security.world import USERNAMES

pytestmark = pytest.mark.django_db

SHORT = {
    "cw": "caseworker",
    "cw2": "caseworker2",
    "lead": "lead",
    "off": "officer",
    "soff": "senior-officer",
    "comp": "compliance",
    "adm": "admin",
}


def R(north: str, south: str | None = None, **roles: str) -> dict[str, str]:
    """Expected outcome for each demo user: north's default, south's default, named exceptions."""
    south = north if south is None else south
    rule = {}
    for short, suffix in SHORT.items():
        rule[f"north-{suffix}"] = roles.pop(short, north)
        rule[f"south-{suffix}"] = roles.pop(f"s_{short}", south)
    if roles:
        raise ValueError(f"Unknown role names in rule: {sorted(roles)}")
    return rule


def E(
    *, at: dict | None = None, find: str | None = None, body: dict | None = None, **actions: dict
) -> dict:
    """One endpoint's row: URL kwargs from world ids, the id a list should show, rule per action.

    `body` maps an action to the request body to send (default: an empty one), for actions
    that read the body before they look the record up.
    """
    return {"at": at or {}, "find": find, "body": body or {}, "actions": actions}


# Named rules, used where several endpoints share one.
ANYONE = R(OK)
EVERYONE_LISTED = R(LISTED)
# The world's case and client are reached only by their lead caseworker and team lead.
CASE_TEAM = R(HIDDEN, cw=OK, lead=OK)
CASE_TEAM_LIST = R(UNLISTED, cw=LISTED, lead=LISTED)
# Roles that do casework (caseworkers, team leads) of either agency may create.
CASEWORK_CREATE = R(DENIED, cw=OK, cw2=OK, lead=OK, s_cw=OK, s_cw2=OK, s_lead=OK)
# A casework role is checked first (403), then whether the record is in reach (404).
CASEWORK_WRITE = R(DENIED, cw=OK, lead=OK, cw2=HIDDEN, s_cw=HIDDEN, s_cw2=HIDDEN, s_lead=HIDDEN)
# Aid, payments and recoveries: the case team, the agency's officers and compliance read them.
AID_LIST = R(LISTED, south=UNLISTED, cw2=UNLISTED, adm=UNLISTED)
AID_READ = R(OK, south=HIDDEN, cw2=HIDDEN, adm=HIDDEN)
# Decisions on aid are the agency's program officers' (delegated limits are tested in programs).
OFFICER_DECISION = R(DENIED, south=HIDDEN, cw2=HIDDEN, adm=HIDDEN, off=OK, soff=OK)
OFFICERS_CREATE = R(DENIED, off=OK, soff=OK, s_off=OK, s_soff=OK)
ADMINS_CREATE = R(DENIED, adm=OK, s_adm=OK)
# PUT is routed for some records but refused: changes are partial (PATCH) only.
PUT_REFUSED_FOR_EDITORS = R(DENIED, adm=NOT_ALLOWED, s_adm=NOT_ALLOWED)
PUT_REFUSED_FOR_WORKERS = R(
    DENIED, cw=NOT_ALLOWED, cw2=NOT_ALLOWED, lead=NOT_ALLOWED,
    s_cw=NOT_ALLOWED, s_cw2=NOT_ALLOWED, s_lead=NOT_ALLOWED,
)  # fmt: skip
# Budgets are read by the delivering agency's officers, compliance and admins.
BUDGET_READERS = R(
    OK, south=HIDDEN, cw=DENIED, cw2=DENIED, lead=DENIED,
    s_cw=DENIED, s_cw2=DENIED, s_lead=DENIED,
)  # fmt: skip
# Compliance exports are the compliance officers'.
EXPORTERS_OK = R(DENIED, comp=OK, s_comp=OK)
EXPORTERS_HIDDEN = R(DENIED, comp=HIDDEN, s_comp=HIDDEN)
# The directory belongs to south here: south's admin edits it, everyone reads it.
SOUTH_DIRECTORY_EDIT = R(DENIED, s_adm=OK)
# The referral went from north's case to south's service: the sender's side acts on it
# before and after, the receiving agency's casework roles act on it in between.
REFERRAL_SENDER = R(HIDDEN, cw=OK, lead=OK, s_cw=DENIED, s_cw2=DENIED, s_lead=DENIED)
REFERRAL_RECEIVER = R(HIDDEN, cw=DENIED, lead=DENIED, s_cw=OK, s_cw2=OK, s_lead=OK)

MATRIX: dict[str, dict] = {
    # core: sign-in, the signed-in user, agencies, teams, staff, audit, notifications
    "auth-token": E(post=ANYONE),
    "auth-logout": E(post=ANYONE),
    "me": E(get=ANYONE),
    "me-work": E(get=ANYONE),
    "agency-list": E(find="agency", list=EVERYONE_LISTED),
    "agency-detail": E(at={"pk": "agency"}, retrieve=ANYONE),
    "team-list": E(find="team", list=R(LISTED, south=UNLISTED), create=ADMINS_CREATE),
    "team-detail": E(at={"pk": "team"}, retrieve=R(OK, south=HIDDEN)),
    "staff-list": E(find="staff", list=R(DENIED, adm=LISTED, s_adm=UNLISTED), create=ADMINS_CREATE),
    "staff-detail": E(
        at={"pk": "staff"},
        retrieve=R(DENIED, adm=OK, s_adm=HIDDEN),
        update=R(DENIED, adm=OK, s_adm=HIDDEN),
        partial_update=R(DENIED, adm=OK, s_adm=HIDDEN),
    ),
    "audit-event-list": E(
        find="audit_event", list=R(DENIED, comp=LISTED, adm=LISTED, s_comp=UNLISTED, s_adm=UNLISTED)
    ),
    "audit-event-detail": E(
        at={"pk": "audit_event"}, retrieve=R(DENIED, comp=OK, adm=OK, s_comp=HIDDEN, s_adm=HIDDEN)
    ),
    "notification-list": E(find="notification", list=R(UNLISTED, cw=LISTED)),
    "notification-read-all": E(read_all=ANYONE),
    "notification-read": E(at={"pk": "notification"}, read=R(HIDDEN, cw=OK)),
    # casework
    "client-list": E(find="client", list=CASE_TEAM_LIST, create=CASEWORK_CREATE),
    "client-detail": E(at={"pk": "client"}, retrieve=CASE_TEAM, partial_update=CASE_TEAM),
    "client-archive": E(at={"pk": "client"}, archive=CASE_TEAM),
    "client-unarchive": E(at={"pk": "client"}, unarchive=CASE_TEAM),
    "whanau-list": E(find="whanau", list=CASE_TEAM_LIST, create=CASEWORK_CREATE),
    "whanau-detail": E(at={"pk": "whanau"}, retrieve=CASE_TEAM, partial_update=CASEWORK_WRITE),
    "whanau-member-list": E(
        at={"whanau_id": "whanau"},
        find="member",
        list=R(HIDDEN, cw=LISTED, lead=LISTED),
        create=CASEWORK_WRITE,
    ),
    "whanau-member-detail": E(
        at={"whanau_id": "whanau", "member_id": "member"},
        partial_update=CASEWORK_WRITE,
        destroy=CASEWORK_WRITE,
    ),
    "case-list": E(find="case", list=CASE_TEAM_LIST, create=CASEWORK_CREATE),
    "case-detail": E(at={"pk": "case"}, retrieve=CASE_TEAM, partial_update=CASE_TEAM),
    "case-assign": E(at={"pk": "case"}, assign=CASE_TEAM),
    "case-history": E(at={"pk": "case"}, history=CASE_TEAM),
    "case-transition": E(at={"pk": "case"}, transition=CASE_TEAM),
    "case-note-list": E(
        at={"case_id": "case"},
        find="note",
        list=R(HIDDEN, cw=LISTED, lead=LISTED),
        create=CASE_TEAM,
    ),
    "case-note-detail": E(at={"case_id": "case", "pk": "note"}, retrieve=CASE_TEAM),
    "case-note-amend": E(at={"case_id": "case", "pk": "note"}, amend=CASE_TEAM),
    "consent-list": E(find="consent", list=CASE_TEAM_LIST, create=CASEWORK_CREATE),
    "consent-detail": E(at={"pk": "consent"}, retrieve=CASE_TEAM),
    "consent-withdraw": E(at={"pk": "consent"}, withdraw=CASE_TEAM),
    "goal-list": E(find="goal", list=CASE_TEAM_LIST, create=CASEWORK_CREATE),
    "goal-detail": E(at={"pk": "goal"}, retrieve=CASE_TEAM, partial_update=CASE_TEAM),
    "goal-reviews": E(at={"pk": "goal"}, **{"reviews:get": CASE_TEAM, "reviews:post": CASE_TEAM}),
    "client-network": E(at={"client_id": "client"}, get=CASE_TEAM),
    "client-network-snapshots": E(at={"client_id": "client"}, get=CASE_TEAM, post=CASEWORK_WRITE),
    "network-tie-list": E(find="tie", list=CASE_TEAM_LIST, create=CASEWORK_CREATE),
    "network-tie-detail": E(at={"pk": "tie"}, retrieve=CASE_TEAM, partial_update=CASE_TEAM),
    "network-tie-end": E(at={"pk": "tie"}, end=CASE_TEAM),
    "instrument-list": E(find="instrument", list=EVERYONE_LISTED),
    "instrument-detail": E(at={"code": "instrument"}, retrieve=ANYONE),
    "assessment-list": E(find="assessment", list=CASE_TEAM_LIST, create=CASEWORK_CREATE),
    "assessment-detail": E(at={"pk": "assessment"}, retrieve=CASE_TEAM),
    # programmes, aid, payments, directory, referrals (the programme is delivered by north)
    "programme-list": E(find="programme", list=R(LISTED, south=UNLISTED), create=ADMINS_CREATE),
    "programme-detail": E(
        at={"pk": "programme"},
        retrieve=R(OK, south=HIDDEN),
        update=PUT_REFUSED_FOR_EDITORS,
        partial_update=R(DENIED, adm=OK, s_adm=HIDDEN),
    ),
    "programme-budget-list": E(
        at={"programme_pk": "programme"},
        list=BUDGET_READERS,
        create=R(DENIED, adm=OK, s_adm=HIDDEN),
    ),
    "enrolment-list": E(find="enrolment", list=AID_LIST, create=CASEWORK_CREATE),
    "enrolment-detail": E(at={"pk": "enrolment"}, retrieve=AID_READ),
    "enrolment-end": E(at={"pk": "enrolment"}, end=CASEWORK_WRITE),
    "aid-request-list": E(find="aid_request", list=AID_LIST, create=CASEWORK_CREATE),
    "aid-request-detail": E(
        at={"pk": "aid_request"},
        retrieve=AID_READ,
        update=PUT_REFUSED_FOR_WORKERS,
        partial_update=CASEWORK_WRITE,
    ),
    "aid-request-submit": E(at={"pk": "aid_request"}, submit=CASEWORK_WRITE),
    "aid-request-approve": E(at={"pk": "aid_request"}, approve=OFFICER_DECISION),
    "aid-request-decline": E(at={"pk": "aid_request"}, decline=OFFICER_DECISION),
    "aid-request-return": E(at={"pk": "aid_request"}, return_to_caseworker=OFFICER_DECISION),
    "aid-request-cancel": E(
        at={"pk": "aid_request"}, cancel=R(OK, south=HIDDEN, cw2=HIDDEN, adm=HIDDEN, comp=DENIED)
    ),
    "aid-request-decisions": E(at={"pk": "aid_request"}, decisions=AID_READ),
    "payment-list": E(find="payment", list=AID_LIST, create=OFFICERS_CREATE),
    "payment-detail": E(at={"pk": "payment"}, retrieve=AID_READ),
    "recovery-list": E(find="recovery", list=AID_LIST),
    "recovery-balances": E(balances=ANYONE),
    "recovery-detail": E(at={"pk": "recovery"}, retrieve=AID_READ),
    "recovery-schedule": E(at={"pk": "recovery"}, schedule=AID_READ),
    "repayment-list": E(find="repayment", list=AID_LIST, create=OFFICERS_CREATE),
    "repayment-detail": E(at={"pk": "repayment"}, retrieve=AID_READ),
    "organisation-list": E(find="organisation", list=EVERYONE_LISTED, create=ADMINS_CREATE),
    "organisation-export": E(export=ANYONE),
    "organisation-import": E(import_csv=ADMINS_CREATE),
    "organisation-detail": E(
        at={"pk": "organisation"},
        retrieve=ANYONE,
        update=PUT_REFUSED_FOR_EDITORS,
        partial_update=SOUTH_DIRECTORY_EDIT,
    ),
    "service-list": E(find="service", list=EVERYONE_LISTED, create=ADMINS_CREATE),
    "service-detail": E(
        at={"pk": "service"},
        retrieve=ANYONE,
        update=PUT_REFUSED_FOR_EDITORS,
        partial_update=SOUTH_DIRECTORY_EDIT,
    ),
    "referral-list": E(
        find="referral",
        body={
            "create": {
                "case": "@case",
                "service": "@service",
                "reason": "Whānau support near home.",
                "shared_fields": ["preferred_name"],
            }
        },
        list=R(UNLISTED, cw=LISTED, lead=LISTED, s_cw=LISTED, s_cw2=LISTED, s_lead=LISTED),
        create=CASE_TEAM,
    ),
    "referral-inbox": E(
        find="referral", inbox=R(UNLISTED, s_cw=LISTED, s_cw2=LISTED, s_lead=LISTED)
    ),
    "referral-detail": E(
        at={"pk": "referral"}, retrieve=R(HIDDEN, cw=OK, lead=OK, s_cw=OK, s_cw2=OK, s_lead=OK)
    ),
    "referral-send": E(at={"pk": "referral"}, send=REFERRAL_SENDER),
    "referral-withdraw": E(at={"pk": "referral"}, withdraw=REFERRAL_SENDER),
    "referral-add-to-network": E(at={"pk": "referral"}, add_to_network=REFERRAL_SENDER),
    "referral-accept": E(at={"pk": "referral"}, accept=REFERRAL_RECEIVER),
    "referral-decline": E(at={"pk": "referral"}, decline=REFERRAL_RECEIVER),
    "referral-engage": E(at={"pk": "referral"}, engage=REFERRAL_RECEIVER),
    "referral-complete": E(at={"pk": "referral"}, complete=REFERRAL_RECEIVER),
    "referral-close": E(
        at={"pk": "referral"}, close=R(HIDDEN, cw=OK, lead=OK, s_cw=OK, s_cw2=OK, s_lead=OK)
    ),
    # privacy requests and access explanations
    "correction-request-list": E(find="correction", list=CASE_TEAM_LIST, create=CASEWORK_CREATE),
    "correction-request-detail": E(at={"pk": "correction"}, retrieve=CASE_TEAM),
    "correction-request-correct": E(at={"pk": "correction"}, correct=CASEWORK_WRITE),
    "correction-request-decline": E(at={"pk": "correction"}, decline=CASEWORK_WRITE),
    # Without ?object= the request is refused (400) after the role check.
    "access-explain": E(get=R(DENIED, comp=OK, adm=OK, s_comp=OK, s_adm=OK)),
    # employment support
    "employer-list": E(
        find="employer",
        body={"create": {"name": "Marae Kai", "region": "01"}},
        list=R(LISTED, south=UNLISTED),
        create=R(
            OK, off=DENIED, soff=DENIED, comp=DENIED, s_off=DENIED, s_soff=DENIED, s_comp=DENIED
        ),
    ),
    "employer-detail": E(
        at={"pk": "employer"},
        retrieve=R(OK, south=HIDDEN),
        update=R(NOT_ALLOWED),
        partial_update=R(OK, south=HIDDEN, off=DENIED, soff=DENIED, comp=DENIED),
    ),
    "employment-plan-list": E(
        find="plan",
        body={"create": {"case": "@case", "work_goals": "Mahi", "next_review_on": "2027-06-01"}},
        list=CASE_TEAM_LIST,
        create=CASE_TEAM,
    ),
    "employment-plan-detail": E(
        at={"pk": "plan"}, retrieve=CASE_TEAM, update=R(NOT_ALLOWED), partial_update=CASE_TEAM
    ),
    "employment-plan-review": E(at={"pk": "plan"}, review=CASE_TEAM),
    "employment-plan-close": E(at={"pk": "plan"}, close=CASE_TEAM),
    "employment-activity-list": E(
        find="activity",
        body={
            "create": {
                "case": "@case",
                "kind": "coaching",
                "occurred_on": "2026-01-05",
                "hours": "1.0",
            }
        },
        list=CASE_TEAM_LIST,
        create=CASE_TEAM,
    ),
    "employment-activity-detail": E(at={"pk": "activity"}, retrieve=CASE_TEAM),
    "placement-list": E(
        find="placement",
        body={
            "create": {
                "case": "@case",
                "employer": "@employer",
                "role": "Cook",
                "start_on": "2027-01-10",
                "hours_per_week": "30",
                "hourly_wage": "30.00",
            }
        },
        list=CASE_TEAM_LIST,
        create=CASE_TEAM,
    ),
    "placement-due-checkins": E(due_checkins=ANYONE),
    "placement-detail": E(at={"pk": "placement"}, retrieve=CASE_TEAM),
    "placement-start": E(at={"pk": "placement"}, start=CASE_TEAM),
    "placement-end": E(
        at={"pk": "placement"}, body={"end": {"end_reason": "resigned"}}, end=CASE_TEAM
    ),
    "placement-withdraw": E(
        at={"pk": "placement"}, body={"withdraw": {"reason": "No longer"}}, withdraw=CASE_TEAM
    ),
    "placement-check-in": E(
        at={"pk": "placement", "weeks": "check_in_weeks"},
        body={"check_in": {"still_employed": True}},
        check_in=CASE_TEAM,
    ),
    # compliance exports and data-governance flags
    # No export run is built in the world: these rows check the role gate on an id that
    # does not exist (compliance officers 404, everyone else 403).
    "export-definitions": E(get=ANYONE),
    "export-run-list": E(list=EXPORTERS_OK, create=EXPORTERS_OK),
    "export-run-detail": E(at={"pk": "absent"}, retrieve=EXPORTERS_HIDDEN),
    "export-run-download": E(at={"pk": "absent"}, download=EXPORTERS_HIDDEN),
    "export-run-rerun": E(at={"pk": "absent"}, rerun=EXPORTERS_HIDDEN),
    "export-run-diff": E(at={"pk": "absent"}, diff=EXPORTERS_HIDDEN),
    "governance-flag-list": E(
        find="flag",
        body={
            "create": {
                "scope": "client",
                "kind": "funder_only",
                "effective_from": "2026-01-01",
                "client": "@client",
                "consent_reference": "Signed form",
            }
        },
        list=CASE_TEAM_LIST,
        create=CASE_TEAM,
    ),
    "governance-flag-detail": E(at={"pk": "flag"}, retrieve=CASE_TEAM),
    "governance-flag-withdraw": E(
        at={"pk": "flag"}, body={"withdraw": {"reason": "Asked"}}, withdraw=CASE_TEAM
    ),
    # reporting: a job belongs to whoever asked for it
    "report-job-list": E(
        find="report",
        body={
            "create": {
                "kind": "client-outcome",
                "client": "@client",
                "period_start": "2026-01-01",
                "period_end": "2026-06-30",
            }
        },
        list=R(UNLISTED, cw=LISTED),
        create=CASE_TEAM,
    ),
    "report-job-detail": E(at={"pk": "report"}, retrieve=R(HIDDEN, cw=OK)),
    "report-job-download": E(at={"pk": "report"}, download=R(HIDDEN, cw=OK)),
}

# Any detail route that does not map DELETE must refuse it (405, or 403 for a role the
# endpoint refuses outright): Tautoko deactivates, archives and withdraws, never deletes.
UNMAPPED_DELETE_OUTCOMES = {NOT_ALLOWED, DENIED}


def _url(endpoint, row, ids) -> str:
    kwargs = {name: str(ids[key]) for name, key in row["at"].items()}
    missing = set(endpoint.kwargs) - set(kwargs)
    if missing:
        raise AssertionError(f"{endpoint.name}: the matrix row does not say where {missing} point")
    return reverse(endpoint.name, kwargs=kwargs)


def _fill(body: dict | None, ids: dict) -> dict | None:
    """A request body with "@name" values replaced by the world's id of that name."""
    if body is None:
        return None
    return {
        key: str(ids[value[1:]]) if isinstance(value, str) and value.startswith("@") else value
        for key, value in body.items()
    }


def _call(client, method, url, body=None):
    # Each request runs in a savepoint that is rolled back, so every request sees
    # the same world whatever the requests before it did.
    with transaction.atomic():
        if method in ("get", "delete"):
            response = getattr(client, method)(url)
        else:
            response = getattr(client, method)(url, body or {}, format="json")
        transaction.set_rollback(True)
    return response


def test_every_api_endpoint_and_action_is_in_the_matrix():
    missing = []
    for endpoint in api_endpoints():
        row = MATRIX.get(endpoint.name)
        if row is None:
            missing.append(f"{endpoint.name} ({endpoint.route})")
            continue
        for action, _method in endpoint.actions:
            if action not in row["actions"]:
                missing.append(f"{endpoint.name}.{action}")
    assert not missing, (
        "Add these endpoints/actions to MATRIX in tests/security/test_authorization_matrix.py "
        "and decide who may use them: " + ", ".join(missing)
    )


def test_matrix_names_no_endpoint_that_is_gone():
    names = {e.name: {a for a, _ in e.actions} for e in api_endpoints()}
    stale = [
        f"{name}.{action}"
        for name, row in MATRIX.items()
        for action in row["actions"]
        if name not in names or action not in names[name]
    ]
    assert not stale, f"MATRIX rows for endpoints or actions that no longer exist: {stale}"


def test_authorization_matrix(world, capsys):
    clients = {}
    for username in USERNAMES:
        clients[username] = APIClient()
        clients[username].force_authenticate(user=world.staff[username])
    observe = os.environ.get("SECURITY_MATRIX_OBSERVE") == "1"
    failures, observed, checked = [], {}, Counter()
    for endpoint in api_endpoints():
        row = MATRIX.get(endpoint.name)
        if row is None:
            continue
        url = _url(endpoint, row, world.ids)
        find = str(world.ids[row["find"]]) if row["find"] else None
        plans = [(action, method) for action, method in endpoint.actions]
        mapped = {method for _action, method in endpoint.actions}
        if "pk" in endpoint.kwargs and "delete" not in mapped:
            plans.append(("<unmapped delete>", "delete"))
        for action, method in plans:
            rule = row["actions"].get(action)
            for username in USERNAMES:
                body = _fill(row["body"].get(action), world.ids)
                response = _call(clients[username], method, url, body)
                outcome = classify(response, writes=method != "get", find=find)
                observed.setdefault((endpoint.name, action), {})[username] = outcome
                checked[endpoint.name, action] += 1
                if action == "<unmapped delete>":
                    ok = outcome in UNMAPPED_DELETE_OUTCOMES
                    expected = "405 or 403"
                elif rule is None:
                    continue
                else:
                    expected = rule[username]
                    ok = outcome == expected
                if not ok:
                    failures.append(
                        f"{method.upper()} {url} ({endpoint.name}.{action}) as {username}: "
                        f"expected {expected}, got {outcome} "
                        f"[{response.status_code} {response.content[:160]!r}]"
                    )
    with capsys.disabled():
        if observe:
            _print_observed(observed)
        _report(checked)
    assert not failures, f"{len(failures)} authorization mismatches:\n" + "\n".join(failures)


def _report(checked: Counter) -> None:
    endpoints = {name for name, _ in checked}
    line = (
        f"\nauthorization matrix: {len(endpoints)} endpoints, {len(checked)} endpoint actions "
        f"× {len(USERNAMES)} roles = {sum(checked.values())} requests checked\n"
    )
    print(line)


def _print_observed(observed) -> None:
    lines = []
    for (name, action), by_user in observed.items():
        north = Counter(v for u, v in by_user.items() if u.startswith("north-")).most_common(1)[0][
            0
        ]
        south = Counter(v for u, v in by_user.items() if u.startswith("south-")).most_common(1)[0][
            0
        ]
        parts = [north] + ([f"south={south}"] if south != north else [])
        for short, suffix in SHORT.items():
            if by_user[f"north-{suffix}"] != north:
                parts.append(f"{short}={by_user[f'north-{suffix}']}")
            if by_user[f"south-{suffix}"] != south:
                parts.append(f"s_{short}={by_user[f'south-{suffix}']}")
        lines.append(f"{name:32} {action:22} R({', '.join(parts)})")
    print("\n".join(lines))


__all__ = ["DENIED", "HIDDEN", "LISTED", "NOT_ALLOWED", "OK", "UNLISTED"]


def _clients_for(world):
    clients = {}
    for username in USERNAMES:
        clients[username] = APIClient()
        clients[username].force_authenticate(user=world.staff[username])
    return clients


def test_restricted_note_reaches_only_author_lead_caseworker_and_team_lead(world):
    from tests.reporting.fixtures_world import SECRET_NOTE

    case_id, note_id = world.ids["case"], world.ids["restricted_note"]
    readers = {"north-caseworker", "north-lead"}

    for username, client in _clients_for(world).items():
        detail = client.get(f"/api/v1/cases/{case_id}/notes/{note_id}/")
        listing = client.get(f"/api/v1/cases/{case_id}/notes/")
        history = client.get(f"/api/v1/cases/{case_id}/history/")
        audit = client.get("/api/v1/audit-events/", {"page_size": 200})
        if username in readers:
            assert detail.status_code == 200, username
            assert detail.json()["body"] == SECRET_NOTE
            assert SECRET_NOTE in listing.content.decode()
        else:
            assert detail.status_code == 404, username
            assert listing.status_code == 404, username
            assert history.status_code == 404, username
        # The body never leaves through the audit log, whoever reads it.
        assert SECRET_NOTE not in audit.content.decode(), username


def test_restricted_note_stays_out_of_lists_for_a_case_reader_who_is_not_entitled(
    world, make_staff
):
    """A caseworker the case is later given to reads the case, but not notes written before
    by someone else unless they lead it: here the team lead writes a restricted note and a
    caseworker of the team who does not lead the case is granted the case only."""
    from casework import access
    from casework.models import Case
    from casework.services.notes import note_create

    case = Case.objects.get(pk=world.ids["case"])
    lead = world.staff["north-lead"]
    note = note_create(
        actor=lead,
        case=case,
        kind="contact",
        body="Only for the lead: whānau violence disclosure",
        occurred_at=case.opened_at,
        restricted=True,
    )
    reader = make_staff(case.agency, "caseworker", username="north-reader")
    access.grant_case_to_user(case, reader)
    client = APIClient()
    client.force_authenticate(user=reader)

    listing = client.get(f"/api/v1/cases/{case.pk}/notes/")
    detail = client.get(f"/api/v1/cases/{case.pk}/notes/{note.pk}/")

    assert listing.status_code == 200
    assert "whānau violence" not in listing.content.decode()
    assert str(note.pk) not in listing.content.decode()
    assert detail.status_code == 404


def test_referral_receiver_sees_the_shared_snapshot_and_nothing_else(world):
    from casework.models import Client

    client = Client.objects.get(pk=world.ids["client"])
    referral_id = world.ids["referral"]
    private = [v for v in (client.nhi, client.phone, client.email) if v]

    for username, api in _clients_for(world).items():
        if not username.startswith("south-"):
            continue
        response = api.get(f"/api/v1/referrals/{referral_id}/")
        if response.status_code == 404:
            assert username in {
                "south-officer",
                "south-senior-officer",
                "south-compliance",
                "south-admin",
            }
            continue
        body = response.json()
        assert body["direction"] == "incoming"
        assert set(body["shared"]) <= {
            "preferred_name", "legal_name", "date_of_birth", "region", "reason",
        }  # fmt: skip
        for hidden in ("case", "client", "client_display_name", "consent", "network_tie"):
            assert body[hidden] is None, (username, hidden)
        for value in private:
            assert value not in response.content.decode(), username
        # The referral opens no door to the client's own records.
        assert api.get(f"/api/v1/clients/{client.pk}/").status_code == 404
        assert api.get(f"/api/v1/cases/{world.ids['case']}/").status_code == 404
        assert api.get(f"/api/v1/clients/{client.pk}/network/").status_code == 404
