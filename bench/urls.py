"""The site's URLs plus the floors of bench/pages.py and bench/inspection.py (ROOT_URLCONF in
the bench process only).

The floor is the least a signed-in page can cost here: the whole middleware stack (session,
user, language, CSRF, messages), one query for 50 assignments' ids and titles, a template
without the site's layout or context processors; the detail's floor, the same for one
assignment read by its key. The inspection's floors (bench/inspection.py): the criteria of an
inspection's checklist read in one query into a bare template; a finding written by one UPDATE
(a signed-in POST answered with JSON); the year's recommendations counted per organiser by one
bare query.
"""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, F
from django.http import HttpResponse, JsonResponse
from django.template import engines
from django.urls import path

from config.urls import urlpatterns as site
from inspection.models import Criterion, Finding, Recommendation
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


CONDUCT_FLOOR = engines["django"].from_string(
    '<!doctype html><html lang="vi"><title>Bench</title>'
    "{% for pk, code, text, most in rows %}<section><h3>{{ code }}. {{ text }} ({{ most }})</h3>"
    '<form method="post"><input type="hidden" name="criterion" value="{{ pk }}"></form>'
    "</section>{% endfor %}</html>"
)


@login_required
def conduct_floor(request, pk):
    """The least the conduct screen can cost: its checklist's criteria in one query."""
    rows = (
        Criterion.objects.filter(template__inspections=pk)
        .order_by("order", "pk")
        .values_list("pk", "code", "text", "max_points")
    )
    return HttpResponse(CONDUCT_FLOOR.render({"rows": rows}))


@login_required
def finding_floor(request, pk):
    """The least saving a finding can cost: one UPDATE of the row by its key."""
    note = request.POST.get("note", "")
    Finding.objects.filter(pk=pk).update(note=note, version=F("version") + 1)
    return JsonResponse({"finding": pk})


OVERVIEW_FLOOR = engines["django"].from_string(
    '<!doctype html><html lang="vi"><title>Bench</title><table>'
    "{% for r in rows %}<tr><td>{{ r.organiser }}</td><td>{{ r.n }}</td></tr>{% endfor %}"
    "</table></html>"
)


@login_required
def overview_floor(request):
    """The least the organiser's overview can cost: the year's recommendations counted per
    organiser by one query, unscoped."""
    rows = (
        Recommendation.objects.filter(inspection__plan__year=request.GET.get("year"))
        .values(organiser=F("inspection__plan__organiser_id"))
        .annotate(n=Count("pk"))
        .order_by("organiser")
    )
    return HttpResponse(OVERVIEW_FLOOR.render({"rows": rows}))


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("bench/floor/<int:pk>/", detail_floor, name="bench-detail-floor"),
    path("bench/floor/conduct/<int:pk>/", conduct_floor, name="bench-conduct-floor"),
    path("bench/floor/finding/<int:pk>/", finding_floor, name="bench-finding-floor"),
    path("bench/floor/overview/", overview_floor, name="bench-overview-floor"),
    *site,
]
