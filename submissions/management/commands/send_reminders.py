"""Daily reminders (催办): ``python manage.py send_reminders --site-url https://fedwork.example.org``.

Run once a day by cron or a systemd timer (docs/operations.md). Running it again the same day sends
nothing already sent.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from submissions.reminders import send_reminders


class Command(BaseCommand):
    help = "Email each user a digest of reports due within three days or overdue (催办)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--site-url",
            default="",
            help="The site's address, for the links in the emails (e.g. https://fedwork.example.org).",
        )
        parser.add_argument("--date", help="The day to remind for, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would get a digest; send nothing."
        )

    def handle(self, *args, **options):
        try:
            today = date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError as error:
            raise CommandError(f"--date: {error}") from error
        dry_run = options["dry_run"]
        result = send_reminders(today=today, site_url=options["site_url"], dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"{verb} {len(result.sent)} digest(s); {result.skipped} user(s) had nothing new")
        for username in result.sent:
            self.stdout.write(f"  {username}")
