"""Reads of referrals: who sees which, from which side, and what the recipient may read.

Two sides see a referral, and nobody else (404):

- the sender side: whoever may see the referral's case (its lead caseworker
  and the team's leads, casework.access.cases_visible_to);
- the receiving side: caseworkers and team leads of the recipient agency,
  once it has been sent. They read the referral and the snapshot of the
  fields shared with it, never the client record: no permission on the
  client is ever granted to them, so every casework endpoint keeps
  answering 404 (Privacy Act 2020, IPP 11).
"""

from collections.abc import Iterator
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from casework.access import (
    case_permission_exists,
    case_permission_probed,
    client_identity_exists,
    user_group_ids,
    user_role_values,
)
from casework.redaction import CLIENT_NAME_COLUMNS
from core.audit import audit_record
from core.models import Agency, AuditAction, User
from core.querysets import with_joined_columns
from core.roles import Role
from core.work import WorkItem
from programs.models import Referral, ReferralStatus, ReferralStatusChange, Service
from programs.workflow import REFERRAL_OPEN_STATUSES

# Roles of the recipient agency that work its referral inbox.
RECIPIENT_ROLES = (Role.CASEWORKER, Role.TEAM_LEAD)
# A sender follows up referrals still waiting on, or being worked by, the recipient.
FOLLOW_UP_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.ENGAGED)


def _active(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def works_referral_inbox(user: User) -> bool:
    """Does `user` work their agency's incoming referrals (a caseworker or team lead)?"""
    if not (_active(user) and user.agency_id is not None):
        return False
    # The roles read once per request: every list asks this more than once.
    roles = user_role_values(user)
    return any(role.value in roles for role in RECIPIENT_ROLES)


def sender_side(user: User) -> Q:
    """A filter for referrals whose case `user` may see (the referring side)."""
    return Q(case_permission_exists(user, "view_case", case_ref="case_id"))


def recipient_side(user: User) -> Q:
    """A filter for referrals sent to `user`'s agency, if they work its inbox."""
    if not works_referral_inbox(user):
        return Q(pk__in=[])
    return Q(recipient_agency_id=user.agency_id) & ~Q(status=ReferralStatus.DRAFT)


def referral_visibility(user: User) -> Q:
    """A filter for every referral `user` may see, from either side; none for the inactive.

    The receiving side is tested first, and the sending side of a reader
    with grant-holding groups (a team lead) row by row: OR'd with the other
    side, `case_id IN (grants)` cannot be read along the list's order, so
    PostgreSQL hashed the team's 50,000 case grants for the count and again
    for the page, 8 ms each, to list 50 of a few thousand referrals
    (docs/PERFORMANCE.md). A caseworker's own grants, a few thousand, hash
    in well under a millisecond and stay a set.
    """
    if not _active(user):
        return Q(pk__in=[])
    if not user_group_ids(user):
        return recipient_side(user) | sender_side(user)
    return recipient_side(user) | Q(case_permission_probed(user, "view_case", case_ref="case_id"))


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    """Referrals `user` may see, ready to list in one query a page (plus one for history).

    Annotated with `viewer_is_sender` (which side the viewer reads from) and
    `identity_visible` (may a sender-side viewer see who the client is).
    """
    queryset = Referral.objects.select_related(
        "agency",
        "recipient_agency",
        "service",
        "service__organisation",
        "service__organisation__agency",
        "client",
        "consent",
        "share",
        "created_by",
        "sent_by",
        "responded_by",
    ).prefetch_related(
        Prefetch(
            "status_changes",
            queryset=ReferralStatusChange.objects.select_related("changed_by").order_by(
                "changed_at", "id"
            ),
        )
    )
    if not _active(user):
        return queryset.none()
    # Which side: a probe of each listed row's case grants. As `sender_side`'s hashed set it
    # cost a team lead a hash of the team's 50,000 case grants for a page of 50.
    return queryset.filter(referral_visibility(user)).annotate(
        viewer_is_sender=case_permission_probed(user, "view_case", case_ref="case_id"),
        identity_visible=client_identity_exists(user, client_ref="client_id"),
    )


def referrals_listed(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """`queryset` (from `referrals_visible_to`) joining only what a list page shows.

    The full read joined eleven rows per referral in every column, two of
    them (creator, responder) never shown: a page of 50 built about 900 model
    instances and parsed 1,300 timestamps (docs/PERFORMANCE.md). A list reads
    the client's name columns, the consent's dates, the shared snapshot and
    the sender's name joined, and the two agencies and the service (with its
    organisation) by a small query each, for the few distinct ones a page
    names: with those joined too, PostgreSQL took longer to weigh the join
    orders of ten tables than to run the page (4.5 ms against 1 ms for a
    team lead). Each change's author comes by name only.
    """
    agency = ("name", "slug", "kind", "region")
    people = ("first_name", "last_name", "username")
    listed = queryset.select_related(None).select_related(
        "client",
        "consent",
        "share",
        "sent_by",
    )
    listed = with_joined_columns(
        listed,
        client=CLIENT_NAME_COLUMNS,
        consent=("given_at", "withdrawn_at", "expires_at"),
        share=("snapshot",),
        sent_by=people,
    )
    return listed.prefetch_related(None).prefetch_related(
        Prefetch("agency", queryset=Agency.objects.only("id", *agency)),
        Prefetch("recipient_agency", queryset=Agency.objects.only("id", *agency)),
        Prefetch(
            "service",
            queryset=with_joined_columns(
                Service.objects.select_related("organisation__agency"),
                organisation=("name", "kind", "region", "agency"),
                organisation__agency=("slug",),
            ),
        ),
        Prefetch(
            "status_changes",
            queryset=ReferralStatusChange.objects.select_related("changed_by")
            .only(
                *(f.name for f in ReferralStatusChange._meta.concrete_fields),
                *(f"changed_by__{column}" for column in people),
            )
            .order_by("changed_at", "id"),
        ),
    )


def referral_inbox(user: User) -> QuerySet[Referral]:
    """Referrals sent to `user`'s agency that are not finished yet (sent, accepted, engaged)."""
    if not works_referral_inbox(user):
        return Referral.objects.none()
    return referrals_visible_to(user).filter(
        recipient_agency_id=user.agency_id, status__in=REFERRAL_OPEN_STATUSES
    )


def referral_get(*, actor: User, referral_id) -> Referral:
    """One referral the actor may see (404 otherwise); the read is audited (it names a client)."""
    try:
        referral = get_object_or_404(referrals_visible_to(actor), pk=referral_id)
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc
    audit_record(actor=actor, action=AuditAction.VIEW, obj=referral)
    return referral


def shared_snapshot_visible(referral: Referral, *, at=None) -> bool:
    """May the recipient read what was shared now? Only while the referral is open and the
    consent that allowed it is still in force (not withdrawn, not expired).
    """
    if referral.status not in REFERRAL_OPEN_STATUSES or referral.consent is None:
        return False
    return referral.consent.is_current(at or timezone.now())


def referral_follow_ups_for(user: User, today: date) -> Iterator[WorkItem]:
    """`referral_follow_up` work: the user's sent referrals whose follow-up date has passed.

    Only the sender side follows up (one query whatever the caseload); a
    referral stops appearing once it is declined, completed, closed or withdrawn.
    """
    if not _active(user):
        return
    overdue = (
        Referral.objects.filter(status__in=FOLLOW_UP_STATUSES, follow_up_on__lt=today)
        .filter(sender_side(user))
        .select_related("service", "service__organisation")
        .order_by("follow_up_on", "id")
    )
    for referral in overdue:
        yield WorkItem(
            kind="referral_follow_up",
            title=(
                f"Follow up referral {referral.reference} to {referral.service.organisation.name}"
            ),
            due_on=referral.follow_up_on,
            object_type="programs.referral",
            object_id=str(referral.pk),
            case_id=str(referral.case_id),
            detail={"status": referral.status, "reference": referral.reference},
        )
