import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
application = get_wsgi_application()

# Refuse to serve when a registered start-up condition fails, such as a database whose encrypted
# data these keys cannot read (gunicorn then stops with the reason in its log): casework/core/startup.py.
from casework.core.startup import refuse_if_unsafe  # noqa: E402

refuse_if_unsafe()
