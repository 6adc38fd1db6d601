from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from fedwork.demo import (
    DEFAULT_PASSWORD,
    DEMO_ACCOUNTS,
    demo_is_seeded,
    seed_apps,
    seed_hierarchy,
    seed_users,
)
from plans.demo import DEMO_YEAR


class Command(BaseCommand):
    help = _("在真实区划上建立演示数据（湖南省、山东省、福建省的部分妇联和演示账号）；可重复执行。")

    def add_arguments(self, parser):
        parser.add_argument("--password", help=_("演示账号的密码（默认 %s）") % DEFAULT_PASSWORD)
        parser.add_argument("--force", action="store_true", help=_("DEBUG 关闭时也执行（生产环境慎用）"))
        parser.add_argument(
            "--once", action="store_true", help=_("已有演示数据时不再执行，保留用户录入的内容")
        )

    def handle(self, *args, password, force, once, **options):
        if not settings.DEBUG and not force:
            raise CommandError(_("DEBUG 已关闭：演示数据不应写入生产数据库。确需执行请加 --force。"))
        if once and demo_is_seeded():
            self.stdout.write(_("演示数据已存在，保留现有内容。"))
        else:
            with transaction.atomic():
                self._ensure_partitions()
                seed_hierarchy()
                seed_users(password=password)
                seed_apps()
            self.stdout.write(self.style.SUCCESS(_("演示数据已就绪。")))
        self.stdout.write(_("演示账号（密码：%(password)s）：") % {"password": password or DEFAULT_PASSWORD})
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<16} {account.description}")

    def _ensure_partitions(self) -> None:
        """On a year-partitioned PostgreSQL database, the demo year's partitions before its rows
        (activities.partitions); refused when an earlier seed already put 2013 in the default
        partition, where its rows stay and work."""
        from activities import partitions

        if not partitions.is_partitioned():
            return
        try:
            partitions.ensure_year(DEMO_YEAR)
        except ValidationError as error:
            self.stdout.write(" ".join(error.messages))
