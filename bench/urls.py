"""URLconf of the benchmark: the real API plus baseline (b)'s stock views."""

from django.urls import include, path

from bench import baselines
from config import urls as project_urls

urlpatterns = [
    path("stock/clients/", baselines.StockClientList.as_view()),
    path("stock/cases/", baselines.StockCaseList.as_view()),
    path("stock/aid-requests/", baselines.StockAidQueue.as_view()),
    path("", include(project_urls)),
]
