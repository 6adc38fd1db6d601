"""Authentication: Django's ModelBackend, loading the user's federation with the user.

Every page starts from the user's federation (fedwork.access); loading it with the user saves a
query on every request.
"""

from django.contrib.auth.backends import ModelBackend

from .models import User


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        user = User._default_manager.select_related("federation").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
