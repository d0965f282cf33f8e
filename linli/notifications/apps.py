from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "linli.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from linli.core.workflow import notice_sink_set
        from linli.notifications.actions import notice_queue

        notice_sink_set(notice_queue)
