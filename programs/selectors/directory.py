"""Reads of the community directory: every member of staff may search it."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.models import User
from programs.models import Organisation, Service


def _staff(user: User) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    """Directory organisations, with their agency and a count of active services (one query).

    The directory holds no personal information, so every active member of
    staff of any agency reads all of it.
    """
    if not _staff(user):
        return Organisation.objects.none()
    return Organisation.objects.select_related("agency").annotate(
        service_count=Count("services", filter=Q(services__is_active=True), distinct=True)
    )


def organisations_for_export(user: User) -> QuerySet[Organisation]:
    """Every organisation with its services and agency prefetched, for the CSV export."""
    if not _staff(user):
        return Organisation.objects.none()
    return (
        Organisation.objects.select_related("agency")
        .prefetch_related(Prefetch("services", queryset=Service.objects.order_by("name", "region")))
        .order_by("name")
    )


def organisation_get(*, user: User, organisation_id) -> Organisation:
    """One directory organisation (404 for an unknown or malformed id)."""
    try:
        return get_object_or_404(organisations_visible_to(user), pk=organisation_id)
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def services_visible_to(user: User) -> QuerySet[Service]:
    """Directory services with their organisation (and its agency) joined in: one query a page."""
    if not _staff(user):
        return Service.objects.none()
    return Service.objects.select_related("organisation", "organisation__agency")


def directory_search(
    queryset: QuerySet,
    *,
    region: str = "",
    kind: str = "",
    category: str = "",
    language: str = "",
    text: str = "",
    prefix: str = "",
) -> QuerySet:
    """Filter organisations (`prefix=""`) or services (`prefix="organisation__"`) of the directory.

    `region` matches the organisation's or (for services) the service's
    region; `kind` the organisation's kind; `category` a service category
    (organisations offering one); `language` a language spoken by the
    organisation or the service (case-insensitive, so "Maori" misses "Māori"
    on purpose: labels keep macrons); `text` names and descriptions.
    """
    on_services = bool(prefix)
    service = "" if on_services else "services__"
    if region:
        if on_services:
            queryset = queryset.filter(Q(region=region) | Q(organisation__region=region))
        else:
            queryset = queryset.filter(Q(region=region) | Q(services__region=region))
    if kind:
        queryset = queryset.filter(**{f"{prefix}kind": kind})
    if category:
        queryset = queryset.filter(**{f"{service}category": category})
    if language:
        queryset = queryset.filter(
            Q(**{f"{prefix}languages__icontains": language})
            | Q(**{f"{service}languages__icontains": language})
        )
    if text:
        queryset = queryset.filter(
            Q(**{f"{prefix}name__icontains": text})
            | Q(**{f"{prefix}description__icontains": text})
            | Q(**{f"{service}name__icontains": text})
            | Q(**{f"{service}description__icontains": text})
        )
    if not on_services and (region or category or language or text):
        queryset = queryset.distinct()
    return queryset
