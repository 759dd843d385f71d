import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
application = get_wsgi_application()

# Refuse to serve a database whose encrypted data these keys cannot read (gunicorn then stops with
# the reason in its log); see casework/people/keycheck.py.
from casework.people.keycheck import refuse_if_keys_cannot_decrypt  # noqa: E402

refuse_if_keys_cannot_decrypt()
