from django.db import migrations

TYPES = ["会议", "培训", "宣传", "评选表彰", "招聘会", "义诊/健康", "走访慰问", "志愿服务", "调研督导", "其他"]


def add_types(apps, schema_editor):
    ActivityType = apps.get_model("activities", "ActivityType")
    for order, name in enumerate(TYPES):
        ActivityType.objects.get_or_create(name=name, defaults={"order": order})


def remove_types(apps, schema_editor):
    apps.get_model("activities", "ActivityType").objects.filter(name__in=TYPES, activities__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(add_types, remove_types)]
