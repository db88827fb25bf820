"""API routes of core, mounted under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from core import api, notifications_api

router = SimpleRouter()
router.register("agencies", api.AgencyViewSet, basename="agency")
router.register("teams", api.TeamViewSet, basename="team")
router.register("staff", api.StaffViewSet, basename="staff")
router.register("audit-events", api.AuditEventViewSet, basename="audit-event")
router.register("notifications", notifications_api.NotificationViewSet, basename="notification")

urlpatterns = [
    path("auth/token/", api.TokenObtainView.as_view(), name="auth-token"),
    path("auth/logout/", api.LogoutView.as_view(), name="auth-logout"),
    path("me/", api.MeView.as_view(), name="me"),
    path("me/work/", api.MyWorkView.as_view(), name="me-work"),
    *router.urls,
]
