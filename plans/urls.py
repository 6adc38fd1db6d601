from django.urls import path

from . import views

app_name = "plans"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.plan_create, name="create"),
    path("import/", views.plan_import, name="import"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/delete/", views.plan_delete, name="delete"),
    path("<int:pk>/publish/", views.plan_publish, name="publish"),
    path("<int:pk>/reopen/", views.plan_reopen, name="reopen"),
    path("<int:pk>/archive/", views.plan_archive, name="archive"),
    path("<int:plan_pk>/points/new/", views.point_create, name="point-create"),
    path("points/<int:pk>/edit/", views.point_edit, name="point-edit"),
    path("points/<int:pk>/delete/", views.point_delete, name="point-delete"),
    path("points/<int:pk>/move/", views.point_move, name="point-move"),
    path("points/<int:point_pk>/targets/new/", views.target_create, name="target-create"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target-edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target-delete"),
    path("targets/<int:pk>/split/", views.target_split, name="target-split"),
]
