from rest_framework.routers import SimpleRouter

from .views import (
    AssignmentViewSet,
    DirectiveItemViewSet,
    DirectiveViewSet,
    EscalationViewSet,
    ExtensionViewSet,
    ImportViewSet,
)

router = SimpleRouter()
router.register("directives", DirectiveViewSet, basename="directive")
router.register("items", DirectiveItemViewSet, basename="item")
router.register("assignments", AssignmentViewSet, basename="assignment")
router.register("extensions", ExtensionViewSet, basename="extension")
router.register("escalations", EscalationViewSet, basename="escalation")
router.register("imports", ImportViewSet, basename="import")

urlpatterns = router.urls
