"""The site's URLs plus the floor of bench/pages.py (ROOT_URLCONF in the bench process only).

The floor is the least a signed-in page can cost here: the whole middleware stack (session,
user, language, CSRF, messages), one query for 50 assignments' ids and titles, a template
without the site's layout or context processors; the detail's floor, the same for one
assignment read by its key.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as site
from workflow.models import Assignment

FLOOR = engines["django"].from_string(
    '<!doctype html><html lang="vi"><title>Bench</title><ul>'
    "{% for pk, title in rows %}<li>#{{ pk }} {{ title }}</li>{% endfor %}</ul></html>"
)


@login_required
def floor(request):
    rows = Assignment.objects.order_by("-pk").values_list("pk", "title")[:50]
    return HttpResponse(FLOOR.render({"rows": rows}))


DETAIL_FLOOR = engines["django"].from_string(
    '<!doctype html><html lang="vi"><title>Bench</title><h1>#{{ row.pk }} {{ row.title }}</h1>'
    "<p>{{ row.due_date }} {{ row.state }}</p></html>"
)


@login_required
def detail_floor(request, pk):
    """The least an assignment's page can cost: one row by its key, a bare template."""
    row = Assignment.objects.filter(pk=pk).only("pk", "title", "due_date", "state").first()
    return HttpResponse(DETAIL_FLOOR.render({"row": row}))


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("bench/floor/<int:pk>/", detail_floor, name="bench-detail-floor"),
    *site,
]
