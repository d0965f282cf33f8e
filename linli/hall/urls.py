from django.urls import path

from linli.hall import views, views_classes, views_rooms

app_name = "hall"

urlpatterns = [
    path("", views.services, name="services"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/new/", views.service_edit, name="service_new"),
    path("mine/", views.my_applications, name="mine"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/do/<str:name>/", views.application_transition, name="application_transition"),
    path("desk/", views.desk, name="desk"),
    path("desk/walk-in/", views.walk_in, name="walk_in"),
    path("certificates/<int:pk>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("rooms/", views_rooms.rooms, name="rooms"),
    path("rooms/new/", views_rooms.room_edit, name="room_new"),
    path("rooms/<int:pk>/", views_rooms.room_detail, name="room"),
    path("rooms/<int:pk>/edit/", views_rooms.room_edit, name="room_edit"),
    path("rooms/approvals/", views_rooms.approvals, name="room_approvals"),
    path("bookings/mine/", views_rooms.my_bookings, name="my_bookings"),
    path("bookings/<int:pk>/do/<str:name>/", views_rooms.booking_transition, name="booking_transition"),
    path("classes/", views_classes.classes, name="classes"),
    path("classes/new/", views_classes.class_edit, name="class_new"),
    path("classes/totals/", views_classes.class_totals, name="class_totals"),
    path("classes/<int:pk>/", views_classes.class_detail, name="class"),
    path("classes/<int:pk>/edit/", views_classes.class_edit, name="class_edit"),
    path("classes/<int:pk>/enrol/", views_classes.class_enrol, name="class_enrol"),
    path("classes/<int:pk>/sessions/", views_classes.session_new, name="class_session_new"),
    path("classes/<int:pk>/do/<str:name>/", views_classes.class_transition, name="class_transition"),
    path("classes/sessions/<int:pk>/", views_classes.session_qr, name="class_session"),
    path("classes/enrolments/<int:pk>/do/<str:name>/", views_classes.enrolment_transition,
         name="enrolment_transition"),
    path("classes/a/<str:code>/", views_classes.class_checkin, name="class_checkin"),
]
