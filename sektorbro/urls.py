from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from sektorbro.accounts.views import SektorbroLoginView
from sektorbro.api.api import api
from sektorbro.core import views as core_views
from sektorbro.workspace import views as workspace_views

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/login/", SektorbroLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("borgere/", include("sektorbro.workspace.citizen_urls")),
    path("flowchart/", include("sektorbro.flowchart.urls")),
    path("beskeder/", include("sektorbro.messaging.urls")),
    path("forloeb/", include("sektorbro.workspace.course_urls")),
    path("arbejdsliste/", include("sektorbro.workspace.urls")),
    path("overblik/", include("sektorbro.overview.urls")),
    path("moeder/", include("sektorbro.governance.urls")),
    path("opfoelgning/", include("sektorbro.followup.urls")),
    path("svar/", include("sektorbro.followup.survey_public_urls")),  # survey answers, no login
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
