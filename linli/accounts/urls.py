from django.urls import path

from linli.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login", views.login_view, name="login"),
    path("accounts/logout", views.logout_view, name="logout"),
    path("accounts/profile", views.profile, name="profile"),
    path("accounts/password", views.password_change, name="password"),
    path("accounts/totp", views.totp, name="totp"),
    path("accounts/totp/disable", views.totp_disable, name="totp_disable"),
    path("accounts/tokens/<int:token_id>/revoke", views.token_revoke, name="token_revoke"),
    path("accounts/users", views.user_list, name="user_list"),
    path("accounts/policy", views.policy, name="policy"),
    path("accounts/locks", views.locks, name="locks"),
]
