"""The two baselines every list figure is measured against, over the same data in the same run.

(a) The same page as one hand-written SQL query, serialized with `json.dumps`:
    the floor — what the database and Python cost with no framework at all.
(b) The stock stack: guardian's `get_objects_for_user` feeding a plain DRF
    `ListAPIView` with `PageNumberPagination` and a `ModelSerializer` of the
    model's own columns (no redaction, no derived fields — the benefit of the
    doubt goes to the baseline).
"""

import json

from django.db import connection
from guardian.shortcuts import get_objects_for_user
from rest_framework import generics, serializers
from rest_framework.pagination import PageNumberPagination

from casework.models import Case, Client
from programs.models import AidRequest

CLIENT_COLUMNS = """
    c.id, a.slug AS agency, c.legal_given_names, c.legal_family_name, c.preferred_name,
    c.date_of_birth, c.gender, c.nhi, c.region, c.phone, c.email, c.address,
    c.preferred_language, c.interpreter_required, c.interpreter_language, c.is_restricted,
    c.archived_at, c.created_at, c.updated_at,
    ARRAY(SELECT e.code FROM casework_clientethnicity e WHERE e.client_id = c.id
          ORDER BY e.position) AS ethnicities,
    ARRAY(SELECT i.code FROM casework_clientiwi i WHERE i.client_id = c.id
          ORDER BY i.code) AS iwi
"""


# The permission predicate written by hand, in the shape the API uses (docs/adr/0008):
# permission and group ids as parameters, no group branch for a user without
# grant-holding groups, and no direct branch for a group member whose own grants their
# groups all hold too (`bench.measure._predicate_shape` says which).
def _direct_branch(kind: str, ref: str) -> str:
    return f"""{ref} IN (SELECT p.content_object_id FROM casework_{kind}userobjectpermission p
                      WHERE p.user_id = %(user)s AND p.permission_id = %(perm)s)"""  # noqa: S608


def _group_branch(kind: str, ref: str) -> str:
    return f"""{ref} IN (SELECT g.content_object_id FROM casework_{kind}groupobjectpermission g
                      WHERE g.group_id = ANY(%(groups)s) AND g.permission_id = %(perm)s)"""  # noqa: S608


# The client list's name order (casework.models.client_name_order_keys): restricted
# clients the viewer may not identify go last, unnamed. A caseworker identifies every
# restricted client of their caseload ("all"); a team lead identifies none, and the
# order is then the one the `client_name_order` index holds; a team lead who also leads
# cases in their own name identifies those clients only ("some": one query sorting every
# visible client, where the API merges two index-ordered parts).
_HIDDEN = """c.is_restricted AND c.id NOT IN (
    SELECT i.content_object_id FROM casework_clientuserobjectpermission i
    WHERE i.user_id = %(user)s AND i.permission_id = %(identity_perm)s)"""
CLIENT_ORDER = {
    "all": "lower(c.legal_family_name), lower(c.legal_given_names), c.created_at, c.id",
    "none": """CASE WHEN c.is_restricted THEN 1 ELSE 0 END,
              CASE WHEN c.is_restricted THEN '' ELSE lower(c.legal_family_name) END,
              CASE WHEN c.is_restricted THEN '' ELSE lower(c.legal_given_names) END,
              c.created_at, c.id""",
    "some": f"""CASE WHEN {_HIDDEN} THEN 1 ELSE 0 END,
              CASE WHEN {_HIDDEN} THEN '' ELSE lower(c.legal_family_name) END,
              CASE WHEN {_HIDDEN} THEN '' ELSE lower(c.legal_given_names) END,
              c.created_at, c.id""",
}


def client_order(params: dict) -> str:
    """Which of CLIENT_ORDER is the API's order for the viewer `params` describes."""
    if not params.get("identifies"):
        return CLIENT_ORDER["none"]
    # Without grant-holding groups a viewer sees exactly the clients granted to them,
    # each with its identity: the hidden key is always false.
    return CLIENT_ORDER["some"] if params.get("groups") else CLIENT_ORDER["all"]


# The templates name only our own tables; every value is a bound parameter.
SQL = {
    "clients": f"""
        SELECT {CLIENT_COLUMNS}
        FROM casework_client c JOIN core_agency a ON a.id = c.agency_id
        WHERE c.archived_at IS NULL AND ({{branches}}) {{extra}}
        ORDER BY {{order}}
        LIMIT %(limit)s""",  # noqa: S608
    "cases": """
        SELECT cs.id, a.slug AS agency, cs.client_id, c.preferred_name, c.legal_given_names,
               c.legal_family_name, c.is_restricted, cs.whanau_id, w.name AS whanau_name,
               cs.lead_caseworker_id, u.first_name, u.last_name, cs.team_id, t.name AS team_name,
               cs.status, cs.summary, cs.opened_at, cs.closed_at, cs.closure_reason,
               cs.created_by_id, cs.created_at, cs.updated_at
        FROM casework_case cs
        JOIN core_agency a ON a.id = cs.agency_id
        LEFT JOIN casework_client c ON c.id = cs.client_id
        LEFT JOIN casework_whanau w ON w.id = cs.whanau_id
        LEFT JOIN core_user u ON u.id = cs.lead_caseworker_id
        LEFT JOIN core_team t ON t.id = cs.team_id
        WHERE ({branches}) {extra}
        ORDER BY cs.opened_at DESC, cs.id
        LIMIT %(limit)s""",
    "aid": """
        SELECT r.id, r.case_id, r.client_id, c.preferred_name, c.legal_given_names,
               c.legal_family_name, c.is_restricted, r.programme_id, p.name AS programme_name,
               r.category, r.amount, r.is_recoverable, r.status, r.justification,
               r.supplier_name, r.created_at, r.submitted_at, r.decided_at,
               (SELECT count(*) FROM programs_aidrequest o
                WHERE o.client_id = r.client_id
                  AND ((o.submitted_at <= coalesce(r.submitted_at, now())
                        AND o.submitted_at > coalesce(r.submitted_at, now()) - interval '365 days')
                       OR o.id = r.id)) AS requests_12_months
        FROM programs_aidrequest r
        JOIN casework_client c ON c.id = r.client_id
        JOIN programs_programme p ON p.id = r.programme_id
        WHERE r.agency_id = %(agency)s
          AND EXISTS (SELECT 1 FROM programs_programme_delivering_agencies d
                      WHERE d.programme_id = r.programme_id AND d.agency_id = %(agency)s)
          {extra}
        ORDER BY r.created_at DESC, r.id
        LIMIT %(limit)s""",
}
EXTRA = {
    ("clients", True): "AND c.region = %(region)s",
    ("cases", True): "AND cs.status = 'active'",
    ("aid", True): "AND r.status = 'submitted'",
}


BRANCHES = {
    "clients": (_direct_branch("client", "c.id"), _group_branch("client", "c.id")),
    "cases": (_direct_branch("case", "cs.id"), _group_branch("case", "cs.id")),
}


def hand_written_page(kind: str, *, filtered: bool, params: dict) -> str:
    """Baseline (a): one SQL query for the page, rows to dicts, `json.dumps` with `str` fallback.

    `params` carries the user, permission (and `identity_perm`) and agency ids; `groups`, the user's
    grant-holding group ids; `direct`, whether the API's predicate tests their
    own grants; and `identifies`, whether the viewer identifies anyone the name
    order depends on (`bench.measure._predicate_shape`). All are read before
    timing starts.
    """
    sql = SQL[kind].replace("{extra}", EXTRA.get((kind, filtered), ""))
    if kind in BRANCHES:
        direct, group = BRANCHES[kind]
        branches = [direct] if params.get("direct") or not params.get("groups") else []
        if params.get("groups"):
            branches.append(group)
        sql = sql.replace("{branches}", " OR ".join(branches))
    sql = sql.replace("{order}", client_order(params))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [col.name for col in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return json.dumps({"results": rows}, default=str)


class StockClientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Client
        exclude = []


class StockCaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        exclude = []


class StockAidRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = AidRequest
        exclude = []


class StockPagination(PageNumberPagination):
    """Page numbers with a full COUNT(*), as DRF ships them."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class StockClientList(generics.ListAPIView):
    """Baseline (b) for clients: guardian's shortcut, filtered as the API filters."""

    serializer_class = StockClientSerializer
    pagination_class = StockPagination
    # Filtered by hand below, as a plain stock view would be, without the API's filter sets.
    filter_backends = []

    def get_queryset(self):
        queryset = get_objects_for_user(
            self.request.user,
            "casework.view_client",
            klass=Client.objects.filter(archived_at__isnull=True),
            accept_global_perms=False,
        )
        if region := self.request.query_params.get("region"):
            queryset = queryset.filter(region=region)
        return queryset.order_by("legal_family_name", "legal_given_names", "id")


class StockCaseList(generics.ListAPIView):
    """Baseline (b) for cases."""

    serializer_class = StockCaseSerializer
    pagination_class = StockPagination
    # Filtered by hand below, as a plain stock view would be, without the API's filter sets.
    filter_backends = []

    def get_queryset(self):
        queryset = get_objects_for_user(
            self.request.user, "casework.view_case", klass=Case, accept_global_perms=False
        )
        if status := self.request.query_params.get("status"):
            queryset = queryset.filter(status=status)
        return queryset.order_by("-opened_at", "id")


class StockAidQueue(generics.ListAPIView):
    """Baseline (b) for the aid queue: the officer's agency's requests, as a plain filter."""

    serializer_class = StockAidRequestSerializer
    pagination_class = StockPagination
    # Filtered by hand below, as a plain stock view would be, without the API's filter sets.
    filter_backends = []

    def get_queryset(self):
        agency = self.request.user.agency_id
        queryset = AidRequest.objects.filter(
            agency_id=agency, programme__delivering_agencies=agency
        )
        if status := self.request.query_params.get("status"):
            queryset = queryset.filter(status=status)
        return queryset.order_by("-created_at", "id")
