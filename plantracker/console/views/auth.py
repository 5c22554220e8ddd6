"""The console's own login and logout: department leads have no is_staff, so the admin's
login (staff only) would refuse them. The page is the admin's login template."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ConsoleLoginView(auth_views.LoginView):
    template_name = "console/login.html"

    def get_default_redirect_url(self) -> str:
        return reverse("console:home")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "title": _("登录督查控制台"),
            "site_header": admin.site.site_header,
            "site_title": admin.site.site_title,
            "site_url": None,
        }


class ConsoleLogoutView(auth_views.LogoutView):
    """POST only (Django's rule); back to the console's login page."""

    next_page = "console:login"
