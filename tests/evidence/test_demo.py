"""The demo carries two photos on one of 芙蓉区's 2013 activities."""

from django.core.management import call_command

from evidence.models import Attachment
from fedwork.models import User


def test_the_demo_has_two_photos_staff_can_see(db, client):
    call_command("seed_demo", force=True, verbosity=0)
    call_command("seed_demo", force=True, verbosity=0)  # repeatable: no second pair
    photos = list(Attachment.objects.select_related("activity"))
    assert [photo.original_name for photo in photos] == ["活动现场.jpg", "签到合影.jpg"]
    activity = photos[0].activity
    client.force_login(User.objects.get(username="furong-staff"))
    html = client.get(activity.get_absolute_url()).content.decode()
    assert html.count("拍摄于 2013-") == 2
    assert client.get(f"/evidence/{photos[0].pk}/thumbnail/").status_code == 200
