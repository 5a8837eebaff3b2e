"""The Atom feed of the directives made public (open data: ``public``)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .public import PublicDirective, public_report


class PublicDirectivesFeed(Feed):
    feed_type = Atom1Feed

    def title(self):
        return _("Đôn đốc: directives made public")

    def subtitle(self):
        return _("Directives of the provincial People's Committee and how agencies carry them out.")

    def link(self):
        return reverse("dashboards:public")

    def items(self):
        return public_report().directives

    def item_title(self, item: PublicDirective):
        label = item.number or item.kind_label
        return f"{label}: {item.title}"

    def item_description(self, item: PublicDirective):
        counts = item.counts
        return _(
            "{items} public items; assignments: {assigned}, done on time {on_time}, done late "
            "{late}, open {open}, overdue {overdue}."
        ).format(
            items=len(item.items),
            assigned=counts.assigned,
            on_time=counts.done_on_time,
            late=counts.done_late,
            open=counts.open,
            overdue=counts.overdue,
        )

    def item_link(self, item: PublicDirective):
        return reverse("dashboards:public") + f"#chi-thi-{item.id}"

    def item_pubdate(self, item: PublicDirective):
        return item.public_since

    def item_updateddate(self, item: PublicDirective):
        return item.public_since
