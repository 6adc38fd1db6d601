"""The load mix of ``manage.py bench``: run by locust against gunicorn (see bench/load.py).

Each simulated person holds a staff session (of the sampled county) and a leader session (of its
city), given in the JSON file named by BENCH_LOCUST_CONFIG, and spends their time on:
the dashboard (leader), the activity calendar (staff), the activity form (staff, GET), recording a
done activity with three figures (staff: GET the form, POST it with its CSRF token), and the roll-up
API (leader). A redirect or any status other than the expected one counts as an error.
"""

import itertools
import json
import os
import random
import re
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

CONFIG = json.loads(Path(os.environ["BENCH_LOCUST_CONFIG"]).read_text())
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
NUMBERS = itertools.count()


def _cookie(session: dict) -> dict:
    return {"Cookie": f"sessionid={session['session']}; csrftoken={session['csrf']}"}


class FedworkUser(FastHttpUser):
    wait_time = between(*CONFIG["wait"])

    def on_start(self):
        number = next(NUMBERS)
        self.staff = _cookie(CONFIG["staff"][number % len(CONFIG["staff"])])
        self.leader = _cookie(CONFIG["leader"][number % len(CONFIG["leader"])])
        self.saved = 0

    def _get(self, path: str, headers: dict, name: str):
        with self.client.get(
            path, headers=headers, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 200:
                response.success()
            else:
                response.failure(f"status {response.status_code}")
            return response

    @task(3)
    def dashboard(self):
        code = random.choice(CONFIG["dashboard_codes"])
        self._get(f"/reports/{code}/", self.leader, "dashboard")

    @task(3)
    def calendar(self):
        self._get("/activities/calendar/", self.staff, "calendar")

    @task(2)
    def activity_form(self):
        self._get("/activities/new/", self.staff, "activity form")

    @task(1)
    def activity_save(self):
        form = self._get("/activities/new/", self.staff, "activity form")
        match = TOKEN.search(form.text or "")
        if not match:
            return
        self.saved += 1
        data = {
            "csrfmiddlewaretoken": match.group(1),
            "type": random.choice(CONFIG["type_ids"]),
            "title": f"负载测试活动 {self.saved}",
            "work_point": "",
            "status": "done",
            "planned_start": "",
            "planned_end": "",
            "planned_month": "",
            "actual_start": f"{CONFIG['today']}T09:30",
            "actual_end": "",
            "place": "妇女之家",
            "organiser": "",
            "description": "",
        }
        for code in random.sample(CONFIG["indicators"], 3):
            data[f"fig_{code}"] = str(random.randint(1, 30))
        with self.client.post(
            "/activities/new/",
            data=urlencode(data),
            headers={**self.staff, "Content-Type": "application/x-www-form-urlencoded"},
            name="activity form POST",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302 and "/accounts/login/" not in (
                response.headers.get("Location") or ""
            ):
                response.success()
            else:
                response.failure(f"status {response.status_code} (form not saved)")

    @task(3)
    def api(self):
        code = random.choice(CONFIG["api_codes"])
        self._get(f"/api/v1/rollup/{code}/{CONFIG['year']}/", self.leader, "API rollup")
