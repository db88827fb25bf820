"""Clients, whānau, cases, notes, consent, plans, the support network and assessments."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from core.models import Agency, Team
from core.nz.iwi import IWI_CLASSIFICATION_VERSION
from core.nz.regions import REGION_CHOICES


class Gender(models.TextChoices):
    # Stats NZ gender statistical standard (2021): male, female, another gender.
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    ANOTHER = "another", "Another gender"
    NOT_STATED = "not_stated", "Not stated"


def client_name_order_keys(hidden: Q) -> tuple[models.Case, models.Case, models.Case]:
    """The keys of the client list's name order: (hidden last, family name, given names).

    Rows matching `hidden` (restricted clients the viewer may not identify)
    sort after everyone else with blank names, so their place in an
    alphabetical list gives nothing away; the rest sort by lower-cased name.
    `casework.selectors.clients.clients_ordered` orders by these, and the
    `client_name_order` index is built from them for viewers who identify no
    restricted client at all (`hidden` is then `is_restricted` alone).
    """
    return (
        models.Case(models.When(hidden, then=models.Value(1)), default=models.Value(0)),
        models.Case(models.When(hidden, then=models.Value("")), default=Lower("legal_family_name")),
        models.Case(models.When(hidden, then=models.Value("")), default=Lower("legal_given_names")),
    )


def _descending_names(keys: tuple) -> tuple:
    """`client_name_order_keys` as `-name` orders by them: hidden last, names descending."""
    name_hidden, family_key, given_key = keys
    return name_hidden, family_key.desc(), given_key.desc()


class Client(models.Model):
    """A person the agency supports. Archived, never deleted.

    The NHI is an attribute (IPP 13), never a key. Restricted clients (for
    example someone escaping family violence) have their identifying fields
    shown only to staff assigned to them.
    """

    IDENTIFYING_FIELDS = (
        "legal_given_names",
        "legal_family_name",
        "preferred_name",
        "nhi",
        "phone",
        "email",
        "address",
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="clients")
    legal_given_names = models.CharField(max_length=200)
    legal_family_name = models.CharField(max_length=200)
    preferred_name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=16, choices=Gender.choices, default=Gender.NOT_STATED)
    nhi = models.CharField("NHI number", max_length=7, null=True, blank=True, unique=True)
    region = models.CharField(max_length=2, choices=REGION_CHOICES)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    preferred_language = models.CharField(max_length=100, blank=True)
    interpreter_required = models.BooleanField(default=False)
    interpreter_language = models.CharField(max_length=100, blank=True)
    is_restricted = models.BooleanField(
        default=False,
        help_text="Identifying details are shown only to staff assigned to this client.",
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_family_name", "legal_given_names", "id"]
        permissions = [
            ("view_client_identity", "Can see a restricted client's identifying details"),
        ]
        indexes = [
            models.Index(
                fields=["agency", "legal_family_name", "legal_given_names"],
                name="client_agency_name",
            ),
            models.Index(fields=["agency", "date_of_birth"], name="client_agency_dob"),
            models.Index(fields=["agency", "region"], name="client_agency_region"),
            # The list's default name order for a team lead (who identifies no restricted
            # client): read in index order, a page of the team's 50,000 clients stops after
            # about a hundred rows instead of sorting them all (docs/PERFORMANCE.md).
            models.Index(
                *client_name_order_keys(Q(is_restricted=True)),
                models.F("created_at"),
                models.F("id"),
                name="client_name_order",
            ),
            # The same for `ordering=-name`: names descending, hidden clients still last.
            # Without it a team lead's page sorted all 50,000 clients (145–370 ms).
            models.Index(
                *_descending_names(client_name_order_keys(Q(is_restricted=True))),
                models.F("created_at"),
                models.F("id"),
                name="client_name_order_desc",
            ),
            # The bounded count of a team's current clients (ADR 7) merges this, in id
            # order, with the team's grant rows without reading a client row; region
            # rides along for the region filter (docs/PERFORMANCE.md).
            models.Index(
                fields=["id", "region"],
                condition=Q(archived_at__isnull=True),
                name="client_current_count",
            ),
            # A team lead's clients by registration, read in index order (either way);
            # other viewers' clients are sorted (`clients_ordered`).
            models.Index(fields=["-created_at", "id"], name="client_created_order"),
        ]

    def __str__(self) -> str:
        return f"Client {self.pk}"

    @property
    def display_name(self) -> str:
        given = self.preferred_name or self.legal_given_names
        return f"{given} {self.legal_family_name}".strip()


class ClientEthnicity(models.Model):
    """One of up to six Stats NZ ethnicity codes (level 2 or finer) recorded for a client."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="ethnicities")
    code = models.CharField(max_length=5)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["client", "position"]
        constraints = [
            models.UniqueConstraint(fields=["client", "code"], name="client_ethnicity_once"),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=6), name="client_ethnicity_at_most_six"
            ),
        ]
        indexes = [models.Index(fields=["code"], name="client_ethnicity_code")]

    def __str__(self) -> str:
        return self.code


class ClientIwi(models.Model):
    """An iwi affiliation, with the version of the Stats NZ classification the code comes from."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="iwi_affiliations")
    code = models.CharField(max_length=4)
    classification_version = models.CharField(max_length=20, default=IWI_CLASSIFICATION_VERSION)

    class Meta:
        ordering = ["client", "code"]
        constraints = [models.UniqueConstraint(fields=["client", "code"], name="client_iwi_once")]
        indexes = [models.Index(fields=["code"], name="client_iwi_code")]

    def __str__(self) -> str:
        return self.code


class ClientUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)


class ClientGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Client, on_delete=models.CASCADE)


class Whanau(models.Model):
    """A whānau group: clients and other people bound by whakapapa or care."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="whanau")
    name = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "whānau"
        verbose_name_plural = "whānau"
        # The list's order within an agency: a team lead's page is read along it and stops
        # after the page, testing each whānau's members and cases as it goes.
        indexes = [models.Index(fields=["agency", "name", "id"], name="whanau_agency_name")]

    def __str__(self) -> str:
        return self.name


class Relationship(models.TextChoices):
    PARENT = "parent", "Parent"
    CHILD = "child", "Child"
    SIBLING = "sibling", "Sibling"
    PARTNER = "partner", "Partner"
    GRANDPARENT = "grandparent", "Grandparent"
    MOKOPUNA = "mokopuna", "Mokopuna (grandchild)"
    AUNT_UNCLE = "aunt_uncle", "Aunt / uncle"
    COUSIN = "cousin", "Cousin"
    CAREGIVER = "caregiver", "Caregiver"
    OTHER = "other", "Other"


class WhanauMember(models.Model):
    """A member of a whānau: a client of the agency, or a person who is not a client."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    whanau = models.ForeignKey(Whanau, on_delete=models.CASCADE, related_name="members")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="whanau_memberships"
    )
    name = models.CharField(
        max_length=200, blank=True, help_text="For members who are not clients."
    )
    relationship = models.CharField(max_length=16, choices=Relationship.choices)
    is_primary_contact = models.BooleanField(default=False)

    class Meta:
        ordering = ["whanau", "-is_primary_contact", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(client__isnull=False) | ~Q(name=""),
                name="whanau_member_is_client_or_named",
            ),
            models.UniqueConstraint(
                fields=["whanau"],
                condition=Q(is_primary_contact=True),
                name="whanau_one_primary_contact",
            ),
            models.UniqueConstraint(
                fields=["whanau", "client"],
                condition=Q(client__isnull=False),
                name="whanau_client_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relationship} of {self.whanau_id}"


class CaseStatus(models.TextChoices):
    REFERRED = "referred", "Referred"
    INTAKE = "intake", "Intake"
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    CLOSED = "closed", "Closed"


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", "Goals met"
    CLIENT_WITHDREW = "client_withdrew", "Client withdrew"
    NO_CONTACT = "no_contact", "Lost contact"
    TRANSFERRED = "transferred", "Transferred to another service"
    MOVED_AWAY = "moved_away", "Moved out of area"
    INELIGIBLE = "ineligible", "Not eligible"
    DECEASED = "deceased", "Deceased"
    OTHER = "other", "Other"


class Case(models.Model):
    """Support for one client or a whole whānau in one agency; status changes by workflow only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases")
    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    whanau = models.ForeignKey(
        Whanau, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    lead_caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_cases",
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="cases"
    )
    status = models.CharField(
        max_length=16, choices=CaseStatus.choices, default=CaseStatus.REFERRED
    )
    summary = models.TextField(blank=True)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.CharField(max_length=32, choices=ClosureReason.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "id"]
        permissions = [("assign_case", "Can assign or reassign a case's lead caseworker")]
        indexes = [
            models.Index(fields=["agency", "status", "-opened_at"], name="case_agency_status"),
            models.Index(fields=["lead_caseworker", "status"], name="case_lead_status"),
            models.Index(fields=["team", "status"], name="case_team_status"),
            # The list's default order: read in index order, a page stops after 50 rows.
            models.Index(fields=["-opened_at", "id"], name="case_opened_order"),
            # The bounded count of a case list filtered by status, without reading a case row.
            models.Index(fields=["id", "status"], name="case_count_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(client__isnull=False) & Q(whanau__isnull=True))
                | (Q(client__isnull=True) & Q(whanau__isnull=False)),
                name="case_for_client_or_whanau",
            ),
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED)
                | (Q(closed_at__isnull=False) & ~Q(closure_reason="")),
                name="case_closed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}"


class CaseStatusChange(models.Model):
    """One transition of a case's status: who, when, from, to and why. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices)
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class CaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)


class NoteKind(models.TextChoices):
    CONTACT = "contact", "Contact"
    HOME_VISIT = "home_visit", "Home visit"
    PHONE = "phone", "Phone"
    HUI = "hui", "Hui"
    ADMIN = "admin", "Admin"


class CaseNote(models.Model):
    """A note on a case. Never edited: an amendment is a new note pointing at the original."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=NoteKind.choices)
    body = models.TextField()
    occurred_at = models.DateTimeField(help_text="When the contact or event happened.")
    restricted = models.BooleanField(
        default=False,
        help_text="Readable only by the author, the case's lead caseworker and team lead.",
    )
    amends = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-created_at"]
        indexes = [models.Index(fields=["case", "-occurred_at"], name="note_case_time")]

    def __str__(self) -> str:
        return f"Note {self.pk}"


class ConsentPurpose(models.TextChoices):
    REFERRAL_SHARING = "referral_sharing", "Share information with a referral recipient"
    FUNDER_IDENTIFIABLE = "funder_identifiable", "Share with a funder in identifiable form"
    CONTACT_BY_TEXT = "contact_by_text", "Contact by text message"
    CONTACT_BY_EMAIL = "contact_by_email", "Contact by email"
    WHANAU_SHARING = "whanau_sharing", "Share information with whānau"


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", "Signed form"
    VERBAL = "verbal", "Verbal, noted by staff"
    ELECTRONIC = "electronic", "Electronic"


class Consent(models.Model):
    """A client's consent for one purpose and one recipient (Privacy Act 2020, IPP 10–11).

    It is current from `given_at` until it expires or is withdrawn; a withdrawn
    consent stays on record.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(max_length=32, choices=ConsentPurpose.choices)
    recipient_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_name = models.CharField(
        max_length=200, blank=True, help_text="An organisation that is not an agency on Tautoko."
    )
    given_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-given_at", "id"]
        indexes = [
            models.Index(fields=["client", "purpose"], name="consent_client_purpose"),
            # The list's default order, read along rather than sorted (docs/PERFORMANCE.md).
            models.Index(fields=["-given_at", "id"], name="consent_given_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=models.F("given_at")),
                name="consent_expires_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent {self.purpose} ({self.pk})"

    def is_current(self, at) -> bool:
        """True if the consent was given by `at` and had neither expired nor been withdrawn."""
        if self.given_at > at:
            return False
        if self.withdrawn_at is not None and self.withdrawn_at <= at:
            return False
        return not (self.expires_at is not None and self.expires_at <= at)


class Pou(models.IntegerChoices):
    """The seven Whānau Ora outcome domains (Te Puni Kōkiri Whānau Ora Outcomes Framework)."""

    SELF_MANAGING = 1, "Self-managing and empowered leaders"
    HEALTHY_LIFESTYLES = 2, "Leading healthy lifestyles"
    PARTICIPATING_IN_SOCIETY = 3, "Participating fully in society"
    TE_AO_MAORI = 4, "Confidently participating in te ao Māori"
    ECONOMICALLY_SECURE = 5, "Economically secure and successfully involved in wealth creation"
    COHESIVE = 6, "Cohesive, resilient and nurturing"
    STEWARDS = 7, "Responsible stewards of their living and natural environment"


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    DISCONTINUED = "discontinued", "Discontinued"


class Goal(models.Model):
    """A goal in a case's plan, whānau-level (no member) or for one member, tied to a pou."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="goals")
    member = models.ForeignKey(
        Client,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="goals",
        help_text="The whānau member this goal is for; empty for a whānau-level goal.",
    )
    pou = models.PositiveSmallIntegerField(choices=Pou.choices)
    description = models.TextField()
    target_date = models.DateField(null=True, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=16, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "pou", "created_at"]
        indexes = [models.Index(fields=["case", "status"], name="goal_case_status")]
        constraints = [
            models.CheckConstraint(condition=Q(pou__gte=1, pou__lte=7), name="goal_pou_1_to_7"),
        ]

    def __str__(self) -> str:
        return f"Goal {self.pk}"


class GoalReview(models.Model):
    """A dated progress review of a goal."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    progress = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text="0 (no progress) to 10 (fully achieved).",
    )
    status_after = models.CharField(max_length=16, choices=GoalStatus.choices)
    comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["goal", "reviewed_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=10), name="goal_review_progress_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"Review {self.reviewed_on}"


class TieType(models.TextChoices):
    WHANAU = "whanau", "Whānau"
    FRIEND = "friend", "Friend"
    PEER = "peer", "Peer"
    CLUBHOUSE = "clubhouse", "Clubhouse"
    COMMUNITY_GROUP = "community_group", "Community group"
    IWI_MARAE = "iwi_marae", "Iwi / marae"
    PROFESSIONAL = "professional", "Professional"
    OTHER = "other", "Other"


class SupportKind(models.TextChoices):
    EMOTIONAL = "emotional", "Emotional"
    PRACTICAL = "practical", "Practical"
    FINANCIAL = "financial", "Financial"
    CULTURAL = "cultural", "Cultural"


class ContactFrequency(models.TextChoices):
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    LESS_OFTEN = "less_often", "Less often"


class TieQuality(models.TextChoices):
    SUPPORTIVE = "supportive", "Supportive"
    MIXED = "mixed", "Mixed"
    STRESSFUL = "stressful", "Stressful"


class NetworkTie(models.Model):
    """A person or organisation in a client's life (one line of their ecomap).

    Ties are ended, not deleted, so the network can be compared over time.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="network_ties")
    name = models.CharField(max_length=200)
    tie_type = models.CharField(max_length=20, choices=TieType.choices)
    support_kinds = models.JSONField(default=list, blank=True)
    strength = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    contact_frequency = models.CharField(max_length=16, choices=ContactFrequency.choices)
    quality = models.CharField(max_length=16, choices=TieQuality.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    source = models.CharField(
        max_length=40, blank=True, help_text="Where the tie came from, e.g. 'referral:<id>'."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["client", "-strength", "name"]
        indexes = [
            models.Index(fields=["client", "ended_on"], name="tie_client_current"),
            # The list's order (`NetworkTieViewSet.ordering`): a team's ties read along it.
            models.Index(fields=["client", "-strength"], name="tie_client_strength"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(strength__gte=1, strength__lte=5), name="tie_strength_1_5"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="tie_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Tie {self.pk}"


class SnapshotStage(models.TextChoices):
    INTAKE = "intake", "Intake"
    REVIEW = "review", "Review"
    EXIT = "exit", "Exit"


class NetworkSnapshot(models.Model):
    """The client's network as it stood on a date, frozen with its summary figures."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="network_snapshots")
    taken_on = models.DateField()
    stage = models.CharField(max_length=16, choices=SnapshotStage.choices)
    size = models.PositiveIntegerField()
    supportive_count = models.PositiveIntegerField()
    mean_strength = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    ties = models.JSONField(default=list, help_text="The ties as they were, for the record.")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client", "taken_on", "created_at"]
        indexes = [models.Index(fields=["client", "taken_on"], name="snapshot_client_date")]

    def __str__(self) -> str:
        return f"Snapshot {self.taken_on} ({self.stage})"


class Instrument(models.Model):
    """An outcome measure defined as data: items, response scale and scoring.

    `definition` holds ``{"items": [{"code", "text", "subscale"}], "scale":
    {"min", "max", "labels"}, "subscales": [...], "flags": [...]}``; the
    shipped instruments live in fixtures/instruments/ and are loaded by
    `load_reference_data`.
    """

    code = models.SlugField(max_length=40, primary_key=True)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=20)
    definition = models.JSONField()
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """One administration of an instrument to a client; scores are computed on the server."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="assessments")
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=16, choices=SnapshotStage.choices)
    administered_on = models.DateField()
    answers = models.JSONField()
    scores = models.JSONField()
    next_due_on = models.DateField(null=True, blank=True)
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client", "administered_on", "created_at"]
        indexes = [
            models.Index(
                fields=["client", "instrument", "administered_on"], name="assessment_client"
            ),
            # The list's order (`AssessmentViewSet.ordering`): a team's assessments are read
            # along it instead of sorted, 47,000 of them at national scale.
            models.Index(
                fields=["-administered_on", "-created_at", "id"], name="assessment_given_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} {self.administered_on}"


class CorrectionStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    CORRECTED = "corrected", "Corrected"
    DECLINED = "declined", "Declined"


class CorrectionRequest(models.Model):
    """A client's request to correct information held about them (Privacy Act 2020, IPP 7).

    Received, then either corrected (the change is applied through the client
    service, so the old value stays in the audit trail) or declined with a
    reason and the client's statement of correction attached. The answer is
    due within 20 working days of receipt (section 44 read with IPP 7).
    Status changes only through casework.services.corrections.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="correction_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The member of staff who recorded the request.",
    )
    requested_at = models.DateTimeField(help_text="When the agency received the request.")
    due_on = models.DateField(help_text="20 working days after receipt.")
    requested_changes = models.JSONField(
        help_text="The client profile fields to correct and the values asked for."
    )
    client_statement = models.TextField(help_text="The request in the client's own words.")
    status = models.CharField(
        max_length=16, choices=CorrectionStatus.choices, default=CorrectionStatus.RECEIVED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    statement_of_correction = models.TextField(
        blank=True,
        help_text="When declined: the client's statement, kept with the information (IPP 7(3)).",
    )
    recipients_notified = models.JSONField(
        default=list, blank=True, help_text="Agencies told of the outcome (IPP 7(4))."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-requested_at", "id"]
        indexes = [
            models.Index(fields=["agency", "status", "due_on"], name="correction_agency_due"),
            models.Index(fields=["client", "-requested_at"], name="correction_client"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=CorrectionStatus.RECEIVED)
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="correction_decided_has_decider",
            ),
            models.CheckConstraint(
                condition=~Q(status=CorrectionStatus.DECLINED)
                | (~Q(decision_reason="") & ~Q(statement_of_correction="")),
                name="correction_declined_has_reason_and_statement",
            ),
        ]

    def __str__(self) -> str:
        return f"Correction request {self.pk}"


class ClientAnonymisation(models.Model):
    """The record that a client's identity was removed under the retention rule (IPP 9).

    The client row stays, with its statistical facts (region, gender,
    ethnicity, iwi, birth year, cases, amounts); this row says when and under
    which cut-off its identity went, so the anonymisation is never repeated.
    """

    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="anonymisation")
    anonymised_at = models.DateTimeField()
    cutoff = models.DateTimeField(help_text="Every case of the client had closed before this.")
    summary = models.JSONField(default=dict, blank=True, help_text="How many records changed.")

    class Meta:
        ordering = ["-anonymised_at", "id"]

    def __str__(self) -> str:
        return f"Anonymisation of {self.client_id}"
