from django.urls import path

from policies import views

app_name = "policies"

urlpatterns = [
    path("", views.home, name="home"),
    path("jurisdictions/<slug:slug>/", views.jurisdiction_detail, name="jurisdiction-detail"),
]
