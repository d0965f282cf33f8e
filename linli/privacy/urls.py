from django.urls import path

from linli.privacy import views

app_name = "privacy"

urlpatterns = [
    path("my/data", views.my_data, name="my_data"),
    path("my/data/download.<str:fmt>", views.my_data_download, name="my_data_download"),
    path("my/data/corrections", views.correction_new, name="correction_new"),
    path("my/data/corrections/<int:pk>/withdraw", views.correction_withdraw, name="correction_withdraw"),
    path("privacy/corrections", views.corrections, name="corrections"),
    path("privacy/corrections/<int:pk>", views.correction_detail, name="correction"),
    path("privacy/corrections/<int:pk>/reveal/<str:which>", views.correction_reveal, name="correction_reveal"),
    path("privacy/corrections/<int:pk>/<str:name>", views.correction_action, name="correction_action"),
]
